import twelvelabs_rag


def test_exceptions_exported() -> None:
    assert issubclass(twelvelabs_rag.RateLimitError, twelvelabs_rag.APIStatusError)
    assert issubclass(twelvelabs_rag.APIStatusError, twelvelabs_rag.TwelveLabsError)
    assert twelvelabs_rag.__version__
