"""Run the Python examples of docs and docstrings as tests, so they cannot rot.

The project's own tests use it for the READMEs, ``docs/*.md`` and module docstrings; it works
the same on your docs:

```python
from twelvelabs_rag.testing.docs import named_blocks, run_code
fence = "`" * 3
doc = f"<!-- readme-test: add -->\\n{fence}python\\nx = 1 + 1\\n{fence}\\n"
assert run_code(named_blocks(doc)["add"], "README.md:add")["x"] == 2
```
"""

from __future__ import annotations

import ast
import asyncio
import importlib
import inspect
import pkgutil
import re
import textwrap
from collections.abc import Iterator
from types import ModuleType
from typing import Any

__all__ = ["code_blocks", "named_blocks", "rst_example", "run_code", "arun_code", "has_top_level_await",
           "docstring_examples", "walk_modules"]

_FENCE = re.compile(r"```python\n(.*?)```", re.S)
_RST = re.compile(r"Example[^\n]*::\n\n((?:    .*\n|\n)+)")


def code_blocks(text: str | None) -> list[str]:
    """Every fenced ```` ```python ```` block of ``text``, dedented (docstring blocks are indented)."""
    return [textwrap.dedent(block) for block in _FENCE.findall(text or "")]


def named_blocks(text: str, tag: str = "readme-test") -> dict[str, str]:
    """Blocks announced by ``<!-- TAG: NAME -->`` on the line before them, by name, in order."""
    pattern = re.compile(rf"<!-- {re.escape(tag)}: (?P<name>[\w-]+) -->\s*```python\n(?P<code>.*?)```", re.S)
    return {m["name"]: m["code"] for m in pattern.finditer(text)}


def rst_example(doc: str | None) -> str | None:
    """The indented block after an ``Example...::`` line (reStructuredText style), dedented."""
    match = _RST.search((doc or "") + "\n")
    return textwrap.dedent(match.group(1)) if match else None


def run_code(code: str, name: str, namespace: dict[str, Any] | None = None) -> dict[str, Any]:
    """Compile ``code`` under the file name ``name`` (tracebacks point at it) and run it; returns the namespace.

    Top-level ``await`` is allowed (async examples): such code runs in a fresh event loop.
    """
    scope: dict[str, Any] = {"__name__": f"__doc_example__{name}"} if namespace is None else namespace
    compiled = compile(code, name, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    result = eval(compiled, scope)  # the caller's own documentation
    if inspect.iscoroutine(result):
        asyncio.run(result)
    return scope


async def arun_code(code: str, name: str, namespace: dict[str, Any] | None = None) -> dict[str, Any]:
    """:func:`run_code` inside a running event loop (top-level ``await`` runs in that loop)."""
    scope: dict[str, Any] = {"__name__": f"__doc_example__{name}"} if namespace is None else namespace
    result = eval(compile(code, name, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT), scope)
    if inspect.iscoroutine(result):
        await result
    return scope


def has_top_level_await(code: str) -> bool:
    """Whether ``code`` needs an event loop (an ``await``/``async for``/``async with`` outside a function)."""
    return bool(compile(code, "<check>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT).co_flags
                & inspect.CO_COROUTINE)


def walk_modules(package: str) -> Iterator[ModuleType]:
    """``package`` and every module below it, imported (``__main__`` modules excluded: importing runs them)."""
    root = importlib.import_module(package)
    yield root
    for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
        if not info.name.endswith(".__main__"):
            yield importlib.import_module(info.name)


def docstring_examples(module: ModuleType, *, members: bool = False) -> list[tuple[str, str]]:
    """``(qualified name, code)`` for the module docstring's blocks (and its public members' with ``members``)."""
    out = [(f"{module.__name__}[{i}]", code) for i, code in enumerate(code_blocks(module.__doc__))]
    if members:
        for attr in getattr(module, "__all__", []):
            obj = getattr(module, attr, None)
            if getattr(obj, "__module__", None) != module.__name__:
                continue
            out += [(f"{module.__name__}.{attr}[{i}]", code) for i, code in enumerate(code_blocks(obj.__doc__))]
    return out
