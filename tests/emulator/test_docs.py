"""The runnable examples of docs/emulator.md and the package docstring execute as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import twelvelabs_rag.testing as testing_pkg

DOC = Path(__file__).resolve().parents[2] / "docs" / "emulator.md"


def _blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, re.S)


def test_quickstart_block_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    exec(compile(_blocks(DOC.read_text())[0], str(DOC), "exec"), {})  # noqa: S102 - our own docs
    assert (tmp_path / "fox.mp4").exists()


def test_server_block_runs() -> None:
    block = next(b for b in _blocks(DOC.read_text()) if "serve(" in b)
    exec(compile(block.replace("...", "assert base_url.endswith('/v1.3')"), str(DOC), "exec"), {})  # noqa: S102


def test_package_docstring_example_runs() -> None:
    import textwrap

    block = textwrap.dedent(_blocks(testing_pkg.__doc__)[0])
    exec(compile(block, "twelvelabs_rag.testing", "exec"), {})  # noqa: S102
