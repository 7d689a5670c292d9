import twelvelabs_rag


def test_exceptions_exported() -> None:
    assert issubclass(twelvelabs_rag.RateLimitError, twelvelabs_rag.APIStatusError)
    assert issubclass(twelvelabs_rag.APIStatusError, twelvelabs_rag.TwelveLabsError)
    assert twelvelabs_rag.__version__


def test_every_module_exports_what_its_all_names() -> None:
    """``from m import *`` works for every module (regression: knowledge_stores listed ``search_body``, which did
    not exist under that name)."""
    import importlib
    import pkgutil

    missing = []
    for info in pkgutil.walk_packages(twelvelabs_rag.__path__, "twelvelabs_rag."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        missing += [f"{info.name}.{name}" for name in getattr(module, "__all__", []) if not hasattr(module, name)]
    assert missing == []
