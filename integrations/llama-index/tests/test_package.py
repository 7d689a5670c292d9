"""Packaging: one distribution per kind (LlamaHub layout and metadata), PEP 420 namespace layout, pinned exports,
serialisation without secrets."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

FAMILY = Path(__file__).resolve().parents[1]
KINDS = ("embeddings", "retrievers", "readers", "llms", "vector_stores", "tools")


def _dist(kind: str) -> Path:
    """The directory of the distribution that ships ``llama_index.<kind>.twelvelabs``."""
    return FAMILY / f"llama-index-{kind.replace('_', '-')}-twelvelabs"

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


@pytest.mark.parametrize("kind", KINDS)
def test_namespace_packages_have_no_init(kind: str) -> None:
    root = _dist(kind) / "llama_index"
    assert not (root / "__init__.py").exists()
    assert not (root / kind / "__init__.py").exists(), kind
    assert (root / kind / "twelvelabs" / "__init__.py").exists(), kind
    assert [p.name for p in root.iterdir()] == [kind]  # one kind per distribution
    import llama_index.core  # noqa: F401 - the core and these packages share the namespace

    assert importlib.import_module(f"llama_index.{kind}.twelvelabs").__file__.startswith(str(root))


@pytest.mark.parametrize("kind", KINDS)
def test_each_distribution_has_llamahub_metadata_a_readme_and_tests(kind: str) -> None:
    import tomllib

    dist = _dist(kind)
    meta = tomllib.loads((dist / "pyproject.toml").read_text())
    assert meta["project"]["name"] == dist.name and meta["project"]["readme"] == "README.md"
    hub = meta["tool"]["llamahub"]
    module = importlib.import_module(hub["import_path"])
    assert hub["import_path"] == f"llama_index.{kind}.twelvelabs"
    classes = sorted(n for n in module.__all__ if n.startswith("TwelveLabs") and n[len("TwelveLabs"):][:1].isupper()
                     and isinstance(getattr(module, n), type) and n != "TwelveLabsError")
    assert sorted(hub["class_authors"]) == classes
    readme = (dist / "README.md").read_text()
    assert readme.startswith(f"# {dist.name}\n") and all(f"`{c}`" in readme for c in classes)
    assert list((dist / "tests").glob("test_*.py"))


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
