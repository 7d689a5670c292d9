"""The README quickstart and every module's docstring example run as written (so they cannot rot)."""

from __future__ import annotations

import importlib
import re
import tempfile
import textwrap
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1]
MODULES = [
    f"llama_index.{kind}.twelvelabs{suffix}"
    for kind in ("embeddings", "retrievers", "readers", "llms", "vector_stores")
    for suffix in ("", ".base")
]


def _docstring_example(doc: str) -> str:
    match = re.search(r"Example[^\n]*::\n\n((?:    .*\n|\n)+)", doc + "\n")
    assert match, "the module docstring has no 'Example...::' block"
    return textwrap.dedent(match.group(1))


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize("module", MODULES)
def test_module_docstring_example_runs(module, private_tmp, capsys) -> None:
    mod = importlib.import_module(module)
    code = _docstring_example(mod.__doc__ or "")
    exec(compile(code, f"<{module} docstring>", "exec"), {"__name__": "__doc_example__"})


def test_readme_quickstart_runs(private_tmp, capsys) -> None:
    readme = (PACKAGE / "README.md").read_text()
    match = re.search(r"<!-- quickstart -->\n```python\n(.*?)\n```", readme, re.S)
    assert match, "README has no quickstart block"
    exec(compile(match.group(1), "<README quickstart>", "exec"), {"__name__": "__readme__"})
    out = capsys.readouterr().out
    assert "wildlife.mp4" in out and "bear" in out


def test_readme_lists_every_public_class() -> None:
    readme = (PACKAGE / "README.md").read_text()
    for module in MODULES[::2]:
        for name in importlib.import_module(module).__all__:
            if name[0].isupper() and name.startswith("TwelveLabs"):
                assert f"`{name}`" in readme, name
