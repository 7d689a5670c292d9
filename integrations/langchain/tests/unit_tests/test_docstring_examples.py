"""The self-contained docstring examples (helpers, format_citation) run as written."""

from __future__ import annotations

import importlib

import pytest

from twelvelabs_rag.testing.docs import code_blocks, run_code

MODULES = [
    "langchain_twelvelabs._utils",
    "langchain_twelvelabs._pegasus",
    "langchain_twelvelabs._rows",
    "langchain_twelvelabs.retrievers",
    "langchain_twelvelabs.chat_models",
    "langchain_twelvelabs.tools",
    "langchain_twelvelabs.knowledge_stores",
    "langchain_twelvelabs.responses",
]


def _examples():
    for name in MODULES:
        module = importlib.import_module(name)
        objects = [module] + [getattr(module, n) for n in getattr(module, "__all__", [])]
        for obj in objects:
            if isinstance(obj, type) and obj.__module__.startswith("langchain_twelvelabs") and "Setup:" in (obj.__doc__ or ""):
                continue  # class examples need an account or a client; the README test runs those flows
            for block in code_blocks(obj.__doc__):
                yield pytest.param(module, block, id=f"{name}.{getattr(obj, '__name__', '')}")


@pytest.mark.parametrize(("module", "code"), list(_examples()))
def test_docstring_example_runs(module, code) -> None:
    run_code(code, module.__name__, dict(vars(module)))
