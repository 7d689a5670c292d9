"""The README quickstart and every module's docstring example run as written (so they cannot rot)."""

from __future__ import annotations

import importlib
import tempfile
from pathlib import Path

import pytest

from twelvelabs_rag.testing.docs import code_blocks, named_blocks, rst_example, run_code

PACKAGE = Path(__file__).resolve().parents[1]
MODULES = [
    f"llama_index.{kind}.twelvelabs{suffix}"
    for kind in ("embeddings", "retrievers", "readers", "llms", "vector_stores", "tools")
    for suffix in ("", ".base")
]


def _docstring_example(doc: str) -> str:
    code = rst_example(doc)
    assert code, "the module docstring has no 'Example...::' block"
    return code


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize("module", MODULES[1::2])  # the examples live in base.py; __init__ points there
def test_module_docstring_example_runs(module, private_tmp, capsys) -> None:
    mod = importlib.import_module(module)
    code = _docstring_example(mod.__doc__ or "")
    run_code(code, f"<{module} docstring>")


def test_readme_quickstart_runs(private_tmp, capsys) -> None:
    readme = (PACKAGE / "README.md").read_text()
    code = named_blocks(readme).get("quickstart")
    assert code, "README has no quickstart block"
    run_code(code, "<README quickstart>")
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
    blocks = code_blocks(doc)
    assert blocks, f"{qualname}'s example is not a python block"
    for block in blocks:
        run_code(block, f"<{qualname} example>", dict(vars(mod)))
