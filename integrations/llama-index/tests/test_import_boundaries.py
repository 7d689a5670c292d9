"""Each LlamaIndex package (one per kind, as LlamaHub publishes them) imports only its own private modules:
no ``llama_index.embeddings.twelvelabs._common`` from the reader, no private name of the core
(parsed with ast, nothing imported)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from twelvelabs_rag.testing.import_rules import private_imports

KINDS = ["embeddings", "llms", "readers", "retrievers", "vector_stores", "tools"]


@pytest.mark.parametrize("kind", KINDS)
def test_package_imports_only_public_code_of_other_distributions(kind: str) -> None:
    package = f"llama_index.{kind}.twelvelabs"
    root = Path(importlib.import_module(package).__file__ or "").parent
    assert (root / "base.py").is_file()
    assert private_imports(root, package) == []


def test_a_relative_import_into_a_sibling_package_counts(tmp_path: Path) -> None:
    root = tmp_path / "llama_index" / "readers" / "twelvelabs"
    root.mkdir(parents=True)
    (root / "base.py").write_text("from ...embeddings.twelvelabs._common import is_url\nfrom ._ingest import x\n")
    assert private_imports(root, "llama_index.readers.twelvelabs") == [
        "llama_index/readers/twelvelabs/base.py:1 imports llama_index.embeddings.twelvelabs._common"
    ]
