"""The self-contained docstring examples (helpers, format_citation) run as written."""

from __future__ import annotations

import importlib
import re
import textwrap

import pytest

MODULES = [
    "langchain_twelvelabs._utils",
    "langchain_twelvelabs._pegasus",
    "langchain_twelvelabs._rows",
    "langchain_twelvelabs.retrievers",
    "langchain_twelvelabs.chat_models",
    "langchain_twelvelabs._hosted",
    "langchain_twelvelabs.knowledge_stores",
    "langchain_twelvelabs.responses",
]


def _examples():
    for name in MODULES:
        module = importlib.import_module(name)
        objects = [module] + [getattr(module, n) for n in getattr(module, "__all__", [])]
        for obj in objects:
            if isinstance(obj, type) and obj.__module__ == name and obj.__name__[0] != "_" and "Setup:" in (obj.__doc__ or ""):
                continue  # class examples need an account or a client; the README test runs those flows
            for block in re.findall(r"```python\n(.*?)```", obj.__doc__ or "", re.S):
                yield pytest.param(module, textwrap.dedent(block), id=f"{name}.{getattr(obj, '__name__', '')}")


@pytest.mark.parametrize(("module", "code"), list(_examples()))
def test_docstring_example_runs(module, code) -> None:
    exec(compile(code, module.__name__, "exec"), dict(vars(module)))  # noqa: S102
