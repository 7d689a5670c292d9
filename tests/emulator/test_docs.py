"""The runnable examples of docs/emulator.md and the package docstring execute as written."""

from __future__ import annotations

from pathlib import Path

import pytest

import twelvelabs_rag.testing as testing_pkg
from twelvelabs_rag.testing.docs import code_blocks, run_code

DOC = Path(__file__).resolve().parents[2] / "docs" / "emulator.md"


def test_quickstart_block_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    run_code(code_blocks(DOC.read_text())[0], str(DOC))
    assert (tmp_path / "fox.mp4").exists()


def test_server_block_runs() -> None:
    block = next(b for b in code_blocks(DOC.read_text()) if "serve(" in b)
    run_code(block.replace("...", "assert base_url.endswith('/v1.3')"), str(DOC))


def test_package_docstring_example_runs() -> None:
    run_code(code_blocks(testing_pkg.__doc__)[0], "twelvelabs_rag.testing")
