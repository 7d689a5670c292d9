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
    for kind in ("embeddings", "retrievers", "readers", "llms", "vector_stores", "tools")
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


@pytest.mark.parametrize("module", MODULES[1::2])  # the examples live in base.py; __init__ points there
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


def _exported():
    for module in MODULES[::2]:
        mod = importlib.import_module(module)
        for name in mod.__all__:
            obj = getattr(mod, name)
            if callable(obj):
                yield f"{module}.{name}", mod, obj


@pytest.mark.parametrize(("qualname", "mod", "obj"), list(_exported()), ids=lambda v: v if isinstance(v, str) else "")
def test_public_api_has_a_docstring_with_an_example(qualname, mod, obj, private_tmp) -> None:
    doc = obj.__doc__ or ""
    assert doc.strip(), f"{qualname} has no docstring"
    assert "Example" in doc, f"{qualname}'s docstring has no example"
    if isinstance(obj, type):
        return  # class examples need a TwelveLabs key; the module examples run them on the emulator
    blocks = re.findall(r"```python\n(.*?)```", doc, re.S)
    assert blocks, f"{qualname}'s example is not a python block"
    for block in blocks:
        exec(compile(textwrap.dedent(block), f"<{qualname} example>", "exec"), dict(vars(mod)))
