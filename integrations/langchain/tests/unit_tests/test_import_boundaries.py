"""No module of langchain_twelvelabs imports a private module or name of another distribution (the core
included): shared code is taken from the core's public modules (parsed with ast, nothing imported)."""

from __future__ import annotations

from pathlib import Path

import langchain_twelvelabs
from twelvelabs_rag.testing.import_rules import private_imports


def test_the_package_imports_only_public_code_of_other_distributions() -> None:
    root = Path(langchain_twelvelabs.__file__).parent
    assert len(list(root.glob("*.py"))) > 10  # the package's own sources were read
    assert private_imports(root, "langchain_twelvelabs") == []


def test_the_rule_catches_a_private_core_import(tmp_path: Path) -> None:
    pkg = tmp_path / "langchain_twelvelabs"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("from ._utils import x\n")
    (pkg / "loader.py").write_text(
        "from twelvelabs_rag._bulk import run_bounded\nfrom twelvelabs_rag.moments import _clip\n"
        "import llama_index.embeddings.twelvelabs._common\nfrom twelvelabs_rag.bulk import map_bounded\n"
    )
    assert private_imports(pkg, "langchain_twelvelabs") == [
        "langchain_twelvelabs/loader.py:1 imports twelvelabs_rag._bulk",
        "langchain_twelvelabs/loader.py:2 imports twelvelabs_rag.moments._clip",
        "langchain_twelvelabs/loader.py:3 imports llama_index.embeddings.twelvelabs._common",
    ]
