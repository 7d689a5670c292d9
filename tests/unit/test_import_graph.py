"""The import graph of ``src/twelvelabs_rag``: dependencies point one way (issue 11 §3).

The graph is built from the modules' import statements (``ast``; relative and absolute imports).
Edges are of three kinds: ``module`` (runs when the module is imported), ``deferred`` (inside a
function: runs when the function is called) and ``type`` (under ``if TYPE_CHECKING:``, never at
run time). The run-time graph (module + deferred edges) must have no cycle; cycles through a
``type`` edge are allowed (annotations only) and reported separately. Every module must also
import on its own, in a process where no other module of the package was imported first.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = "twelvelabs_rag"
RUNTIME = ("module", "deferred")


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: str  # module | deferred | type
    line: int


def module_names(src: Path, package: str) -> dict[str, Path]:
    """Dotted name -> file, for every module of ``package`` under ``src``."""
    out = {}
    for path in sorted((src / package).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def module_edges(name: str, path: Path, modules: dict[str, Path]) -> list[Edge]:
    """The imports of one module that name modules of the package, each with its kind."""
    is_package = path.name == "__init__.py"
    edges: list[Edge] = []

    def resolve(target: str) -> str | None:
        while target not in modules and "." in target:
            target = target.rsplit(".", 1)[0]  # ``from pkg.mod import name``: the module is pkg.mod
        return target if target in modules and target != name else None

    def add(target: str, kind: str, line: int) -> None:
        found = resolve(target)
        if found is not None:
            edges.append(Edge(name, found, kind, line))

    def visit(node: ast.AST, kind: str) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                visit(child, "type")
            for child in node.orelse:
                visit(child, kind)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, kind, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            for alias in node.names:
                sub = f"{source}.{alias.name}"  # ``from . import _limits`` imports the submodule
                add(sub if sub in modules else source, kind, node.lineno)
        inner = "deferred" if kind == "module" and isinstance(
            node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) else kind
        for child in ast.iter_child_nodes(node):
            visit(child, inner)

    visit(ast.parse(path.read_text(encoding="utf-8"), str(path)), "module")
    return edges


def import_graph(src: Path, package: str) -> tuple[dict[str, Path], list[Edge]]:
    modules = module_names(src, package)
    return modules, [edge for name, path in modules.items() for edge in module_edges(name, path, modules)]


def cycles(nodes: Iterable[str], edges: Iterable[Edge], kinds: tuple[str, ...]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    adjacency: dict[str, set[str]] = {n: set() for n in nodes}
    for edge in edges:
        if edge.kind in kinds:
            adjacency[edge.source].add(edge.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(adjacency):
        if root in index:
            continue
        work = [(root, iter(sorted(adjacency[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(adjacency[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _describe(component: list[str], edges: list[Edge], kinds: tuple[str, ...]) -> str:
    inside = set(component)
    lines = [f"  {e.source} -> {e.target} ({e.kind}, line {e.line})" for e in edges
             if e.source in inside and e.target in inside and e.kind in kinds]
    return "cycle of " + ", ".join(component) + ":\n" + "\n".join(sorted(set(lines)))


def test_the_run_time_import_graph_has_no_cycle() -> None:
    modules, edges = import_graph(SRC, PACKAGE)
    assert len(modules) > 100 and len(edges) > 300  # the walk really saw the package
    found = cycles(modules, edges, RUNTIME)
    assert not found, "\n".join(_describe(c, edges, RUNTIME) for c in found)


def test_type_checking_imports_are_counted_separately() -> None:
    modules, edges = import_graph(SRC, PACKAGE)
    typed = [e for e in edges if e.kind == "type"]
    # The shells name the resource classes in annotations only; the resources name the shells the same way.
    assert any(e.source == f"{PACKAGE}._client" and e.target.startswith(f"{PACKAGE}.resources.") for e in typed)
    runtime_pairs = {(e.source, e.target) for e in edges if e.kind == "module"}
    assert (f"{PACKAGE}.resources._resource", f"{PACKAGE}._client") not in runtime_pairs
    # Whatever cycles the annotations close are reported, not failed: they never run.
    every = cycles(modules, edges, (*RUNTIME, "type"))
    print(f"{len(typed)} TYPE_CHECKING imports; {len(every)} cycle(s) through them:")
    for component in every:
        print(" ", ", ".join(component))


def test_the_graph_builder_on_a_planted_package(tmp_path: Path) -> None:
    """The builder itself: relative, absolute, deferred and TYPE_CHECKING imports, and a planted cycle."""
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    files = {
        "__init__.py": "from .a import A\n",
        "a.py": "from typing import TYPE_CHECKING\nfrom . import b\nif TYPE_CHECKING:\n    from .c import C\nA = 1\n",
        "b.py": "import pkg.sub.d\ndef later():\n    from .c import C\n",
        "c.py": "from .sub import d\nC = 1\n",
        "sub/__init__.py": "",
        "sub/d.py": "from ..a import A\n",
    }
    for rel, text in files.items():
        (pkg / rel).write_text(textwrap.dedent(text))
    modules, edges = import_graph(tmp_path, "pkg")
    got = {(e.source, e.target, e.kind) for e in edges}
    assert got == {
        ("pkg", "pkg.a", "module"), ("pkg.a", "pkg.b", "module"), ("pkg.a", "pkg.c", "type"),
        ("pkg.b", "pkg.sub.d", "module"), ("pkg.b", "pkg.c", "deferred"), ("pkg.c", "pkg.sub.d", "module"),
        ("pkg.sub.d", "pkg.a", "module"),
    }
    assert cycles(modules, edges, ("module",)) == [["pkg.a", "pkg.b", "pkg.sub.d"]]
    assert cycles(modules, edges, ("type",)) == []
    # a.py -> c.py is type-only, but c -> d -> a -> b -> c (deferred) closes a run-time cycle too
    assert cycles(modules, edges, RUNTIME) == [["pkg.a", "pkg.b", "pkg.c", "pkg.sub.d"]]


_ISOLATED = """
import importlib, json, sys, traceback
failed = {}
for name in json.loads(sys.argv[1]):
    for loaded in [m for m in sys.modules if m == "twelvelabs_rag" or m.startswith("twelvelabs_rag.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except BaseException as exc:  # noqa: BLE001 - every failure is reported with its module
        failed[name] = "".join(traceback.format_exception_only(type(exc), exc)).strip()
print(json.dumps(failed))
"""


@pytest.mark.slow
def test_every_module_imports_on_its_own() -> None:
    """One fresh interpreter; before each module, every module of the package is dropped from
    ``sys.modules``, so each import starts from nothing of ours (third-party modules stay loaded)."""
    modules, _ = import_graph(SRC, PACKAGE)
    names = sorted(n for n in modules if not n.endswith(".__main__"))  # __main__ runs the program
    done = subprocess.run([sys.executable, "-c", _ISOLATED, json.dumps(names)], capture_output=True, text=True,
                          check=False, cwd=SRC.parent)
    assert done.returncode == 0, done.stderr[-2000:]
    failed = json.loads(done.stdout.strip().splitlines()[-1])
    assert not failed, "\n".join(f"{name}: {why}" for name, why in failed.items())
