"""Packaging: PEP 420 namespace layout, pinned exports, serialisation without secrets."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "llama_index"

EXPORTS = {
    "llama_index.embeddings.twelvelabs": ["MODEL_DIMENSIONS", "TwelveLabsEmbedding"],
    "llama_index.retrievers.twelvelabs": ["TwelveLabsRetriever", "TwelveLabsKnowledgeStoreRetriever", "clip_node_id"],
    "llama_index.readers.twelvelabs": ["DEFAULT_PROMPT", "TwelveLabsVideoReader", "parse_timestamped"],
    "llama_index.llms.twelvelabs": ["PROMPT_TOKEN_LIMIT", "TwelveLabsPegasus", "TwelveLabsResponses", "citations_of",
                                    "json_schema_for"],
    "llama_index.vector_stores.twelvelabs": [
        "COLUMN_KEYS", "TwelveLabsSegmentVectorStore", "nodes_from_embedding_task",
        "segment_node_id", "to_where",
    ],
    "llama_index.tools.twelvelabs": ["ToolAnswer", "TwelveLabsToolSpec"],
}


def test_namespace_packages_have_no_init() -> None:
    assert not (ROOT / "__init__.py").exists()
    for kind in ("embeddings", "retrievers", "readers", "llms", "vector_stores", "tools"):
        assert not (ROOT / kind / "__init__.py").exists(), kind
        assert (ROOT / kind / "twelvelabs" / "__init__.py").exists(), kind
    import llama_index.core  # noqa: F401 - the core and this package share the namespace

    assert importlib.import_module("llama_index.embeddings.twelvelabs").__file__.startswith(str(ROOT))


@pytest.mark.parametrize(("module", "names"), sorted(EXPORTS.items()))
def test_exports_are_pinned(module, names) -> None:
    mod = importlib.import_module(module)
    assert sorted(mod.__all__) == sorted(names)
    for name in names:
        assert getattr(mod, name) is not None


def test_serialisation_never_carries_the_key(monkeypatch) -> None:
    from llama_index.embeddings.twelvelabs import TwelveLabsEmbedding
    from llama_index.llms.twelvelabs import TwelveLabsPegasus
    from llama_index.readers.twelvelabs import TwelveLabsVideoReader
    from llama_index.retrievers.twelvelabs import TwelveLabsRetriever
    from llama_index.tools.twelvelabs import TwelveLabsToolSpec

    secret = "tlk_do_not_leak_0123456789"
    monkeypatch.setenv("TWELVELABS_API_KEY", secret)
    objects = [TwelveLabsEmbedding(), TwelveLabsPegasus("vid"), TwelveLabsVideoReader("idx"), TwelveLabsRetriever("idx"),
               TwelveLabsToolSpec("idx"), TwelveLabsToolSpec("idx", api_key=secret)]
    for obj in objects:
        texts = [repr(obj), str(obj), repr(vars(obj))]
        if hasattr(obj, "to_json"):
            texts += [obj.to_json(), json.dumps(obj.to_dict(), default=str)]
        if hasattr(obj, "to_payload"):
            texts.append(json.dumps(obj.to_payload(), default=str))
        assert all(secret not in t for t in texts), type(obj).__name__
