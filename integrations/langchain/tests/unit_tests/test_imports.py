"""The public surface of langchain_twelvelabs is pinned: adding or dropping a name is a deliberate change."""

import langchain_twelvelabs

EXPECTED = [
    "ChatTwelveLabsPegasus",
    "ChatTwelveLabsResponses",
    "TwelveLabsEmbeddings",
    "TwelveLabsKnowledgeStoreRetriever",
    "TwelveLabsPegasusLLM",
    "TwelveLabsSearchRetriever",
    "TwelveLabsSegmentVectorStore",
    "TwelveLabsVideoLoader",
    "TwelveLabsSearchTool",
    "TwelveLabsAnalyzeTool",
    "TwelveLabsSegmentSearchTool",
    "TwelveLabsIngestTool",
    "TwelveLabsToolkit",
    "__version__",
    "format_citation",
]


def test_all_is_pinned() -> None:
    assert sorted(langchain_twelvelabs.__all__) == sorted(EXPECTED)


def test_every_name_resolves() -> None:
    for name in langchain_twelvelabs.__all__:
        assert getattr(langchain_twelvelabs, name) is not None


def test_public_classes_have_runnable_looking_docstrings() -> None:
    for name in EXPECTED:
        obj = getattr(langchain_twelvelabs, name)
        if isinstance(obj, str):
            continue
        doc = obj.__doc__ or ""
        assert "```python" in doc, f"{name} needs a docstring example"
    for name in ("ChatTwelveLabsPegasus", "TwelveLabsEmbeddings", "TwelveLabsSearchRetriever",
                 "TwelveLabsVideoLoader", "TwelveLabsPegasusLLM", "TwelveLabsSegmentVectorStore",
                 "TwelveLabsSearchTool", "TwelveLabsAnalyzeTool", "TwelveLabsSegmentSearchTool",
                 "TwelveLabsIngestTool", "TwelveLabsToolkit"):
        doc = getattr(langchain_twelvelabs, name).__doc__
        for section in ("Setup:", "Key init args:", "Instantiate:"):
            assert section in doc, f"{name} docstring lacks {section}"
