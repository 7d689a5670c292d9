"""A small mutation run: one-line mutants of the policy, store and stream modules, each against its tests.

    .venv/bin/python benchmarks/mutation_run.py                 # every mutant of every target
    .venv/bin/python benchmarks/mutation_run.py --sample 40     # a seeded sample (a quick look)
    .venv/bin/python benchmarks/mutation_run.py --list          # the mutants, without running anything
    .venv/bin/python benchmarks/mutation_run.py --mutant "store/_persist.py:182 True -> False" --tests T.py
                                                                # one mutant against chosen tests (exit 0: killed)

Each mutant changes one operator or constant (``<`` -> ``<=``, ``==`` -> ``!=``, ``and`` -> ``or``,
``+`` -> ``-``, ``True`` -> ``False``, ``not x`` -> ``x``, a returned name -> ``None``) in one function
of a target module, found through the module's AST. The mutated module is written in place (the
original is restored afterwards, also on Ctrl-C), the target's tests run with ``-x``, and the
mutant is *killed* when they fail, *survives* when they pass. Survivors are printed with file, line
and change, and recorded in ``benchmarks/results/mutation_run.json``. Do not run two at once, or
while other tests use the same tree.
"""

from __future__ import annotations

import argparse
import ast
import copy
import random
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import Table, record  # noqa: E402

PKG = ROOT / "src" / "twelvelabs_rag"
#: module -> (functions to mutate, or None for all; the tests that must kill its mutants)
TARGETS: dict[str, tuple[set[str] | None, list[str]]] = {
    "_policy.py": ({"should_retry", "upload_outcome", "parse_retry_after", "retry_delay", "decide",
                  "parse_error_body", "next_page_params", "is_terminal", "poll_delay"},
                 ["tests/unit", "tests/client/test_retries.py", "tests/client/test_upload_dedupe.py"]),
    "_streaming.py": (None, ["tests/unit/test_streaming_and_vectors.py",
                             "tests/client/test_streams_paging_polling.py"]),
    "store/_filters.py": (None, ["tests/store/test_store_filters.py", "tests/store/test_store_bad_input.py",
                                 "tests/store/test_mutation_gaps.py"]),
    "store/_persist.py": (None, ["tests/store/test_store_basic.py", "tests/store/test_store_crash.py",
                                 "tests/store/test_store_bad_input.py", "tests/store/test_store_save_steps.py",
                                 "tests/store/test_mutation_gaps.py"]),
}
_CMP_SWAP = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
             ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is}
_BIN_SWAP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult}


@dataclass
class Mutant:
    module: str
    line: int
    change: str
    index: int  # which candidate node of the module (in walk order)


def _in_targets(tree: ast.Module, names: set[str] | None) -> set[int]:
    """ids of the nodes inside the chosen functions (every function when ``names`` is None)."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and (names is None or node.name in names):
            out.update(id(n) for n in ast.walk(node))
    return out


def _candidates(tree: ast.Module, names: set[str] | None) -> list[tuple[ast.AST, str]]:
    inside = _in_targets(tree, names)
    found: list[tuple[ast.AST, str]] = []
    for node in ast.walk(tree):
        if id(node) not in inside:
            continue
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _CMP_SWAP:
            found.append((node, f"{type(node.ops[0]).__name__} -> {_CMP_SWAP[type(node.ops[0])].__name__}"))
        elif isinstance(node, ast.BoolOp):
            found.append((node, f"{type(node.op).__name__} -> {'Or' if isinstance(node.op, ast.And) else 'And'}"))
        elif isinstance(node, ast.BinOp) and type(node.op) in _BIN_SWAP:
            found.append((node, f"{type(node.op).__name__} -> {_BIN_SWAP[type(node.op)].__name__}"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
            found.append((node, f"{node.value} -> {not node.value}"))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            found.append((node, "drop `not`"))
        elif isinstance(node, ast.Return) and isinstance(node.value, ast.Name):
            found.append((node, f"return {node.value.id} -> return None"))
    return found


def _apply(node: ast.AST) -> ast.AST:
    if isinstance(node, ast.Compare):
        node.ops = [_CMP_SWAP[type(node.ops[0])]()]
    elif isinstance(node, ast.BoolOp):
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    elif isinstance(node, ast.BinOp):
        node.op = _BIN_SWAP[type(node.op)]()
    elif isinstance(node, ast.Constant):
        node.value = not node.value
    elif isinstance(node, ast.UnaryOp):
        return node.operand
    elif isinstance(node, ast.Return):
        node.value = ast.Constant(None)
    return node


class _Swap(ast.NodeTransformer):
    def __init__(self, target: ast.AST) -> None:
        self.target = target

    def generic_visit(self, node: ast.AST) -> ast.AST:
        if node is self.target:
            return _apply(node)
        return super().generic_visit(node)


def mutants() -> list[Mutant]:
    out = []
    for module, (names, _tests) in TARGETS.items():
        tree = ast.parse((PKG / module).read_text())
        for i, (node, change) in enumerate(_candidates(tree, names)):
            out.append(Mutant(module, getattr(node, "lineno", 0), change, i))
    return out


def mutated_source(m: Mutant) -> str:
    tree = ast.parse((PKG / m.module).read_text())
    node, _ = _candidates(tree, TARGETS[m.module][0])[m.index]
    new = _Swap(node).visit(copy.copy(tree))
    return ast.unparse(ast.fix_missing_locations(new)) + "\n"


def describe(m: Mutant) -> str:
    return f"{m.module}:{m.line} {m.change}"


def run_one(m: Mutant, timeout: float, tests: list[str] | None = None) -> str:
    path = PKG / m.module
    original = path.read_bytes()
    try:
        path.write_text(mutated_source(m))
        cmd = [sys.executable, "-m", "pytest", "-x", "-q", "--no-header", "-p", "no:randomly", "-m", "not slow",
               "-o", "addopts=--import-mode=importlib -p no:cacheprovider --disable-socket --allow-unix-socket "
               "--allow-hosts=127.0.0.1,localhost,::1", *(tests or TARGETS[m.module][1])]
        try:
            proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return "killed (timeout)"
        return "survived" if proc.returncode == 0 else "killed"
    finally:
        path.write_bytes(original)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sample", type=int, default=None, help="run a seeded random sample of this many mutants")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--mutant", help='apply only this one (each, when several share the text), as --list prints it '
                    '(e.g. "store/_filters.py:106 Is -> IsNot"), run the tests and record nothing')
    ap.add_argument("--tests", nargs="+", help="with --mutant: the tests to run (default: the module's)")
    args = ap.parse_args(argv)
    todo = mutants()
    if args.mutant:
        chosen = [m for m in todo if describe(m) == args.mutant.strip()]
        if not chosen:
            print(f"no mutant matches {args.mutant!r}; --list prints them", file=sys.stderr)
            return 2
        verdicts = [run_one(m, args.timeout, args.tests) for m in chosen]  # same text, several places: all
        for m, verdict in zip(chosen, verdicts, strict=True):
            print(f"{describe(m)} (mutant #{m.index}): {verdict}")
        return 0 if all(v.startswith("killed") for v in verdicts) else 1
    if args.sample is not None and args.sample < len(todo):
        todo = sorted(random.Random(args.seed).sample(todo, args.sample), key=lambda m: (m.module, m.index))
    if args.list:
        for m in todo:
            print(describe(m))
        return 0
    started = time.perf_counter()
    results: dict[str, list[tuple[Mutant, str]]] = {}
    for n, m in enumerate(todo, 1):
        verdict = run_one(m, args.timeout)
        results.setdefault(m.module, []).append((m, verdict))
        print(f"[{n}/{len(todo)}] {describe(m)}: {verdict}", flush=True)
    table = Table()
    survivors = []
    for module, rows in results.items():
        killed = sum(v.startswith("killed") for _, v in rows)
        table.add(f"{module}: mutants killed", killed, len(rows), target="all", ok=killed == len(rows),
                  ref_name="mutants run")
        survivors += [describe(m) for m, v in rows if v == "survived"]
    for s in survivors:
        table.note(f"survivor: {s}")
    record("mutation_run", table, params={"sample": args.sample, "seed": args.seed, "mutants_run": len(todo),
                                          "seconds": round(time.perf_counter() - started)},
           raw={"survivors": survivors})
    return 0


if __name__ == "__main__":
    sys.exit(main())
