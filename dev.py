#!/usr/bin/env python3
"""Set up the workspace and run things, with nothing but Python 3.11+ and pip on the machine.

    python3 dev.py demo        # install everything from uv.lock into .venv, then run `tlrag demo`
    python3 dev.py lint        # install, then ruff and mypy (what CI runs before the tests)
    python3 dev.py test        # install, lint, then run the whole test suite
    python3 dev.py bench ...   # install (with the benchmark peers), then run a benchmark script
    python3 dev.py figures     # install (with the peers), rerun every benchmark, regenerate the README tables
    python3 dev.py sync        # install only

uv (from PyPI, pinned below) is installed into .tools/ and resolves from the committed uv.lock,
so every machine gets the same versions. Extra arguments after `test` go to pytest.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
TOOLS = ROOT / ".tools"
VENV = ROOT / ".venv"
UV_VERSION = "0.13.9"
BIN = "Scripts" if os.name == "nt" else "bin"


def _run(cmd: list[str], **kw) -> int:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.call([str(c) for c in cmd], **kw)


def _uv() -> Path:
    uv = TOOLS / BIN / "uv"
    if not uv.exists():
        if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs under whatever python3 the machine has
            sys.exit("twelvelabs-rag needs Python 3.11 or newer; run this script with python3.11")
        venv.EnvBuilder(with_pip=True, clear=True).create(TOOLS)
        rc = _run([TOOLS / BIN / "python", "-m", "pip", "install", "--quiet", f"uv=={UV_VERSION}"])
        if rc:
            sys.exit(f"could not install uv {UV_VERSION} into {TOOLS} (exit {rc})")
    return uv


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["UV_PROJECT_ENVIRONMENT"] = str(VENV)
    env["PATH"] = os.pathsep.join([str(VENV / BIN), str(TOOLS / BIN), env.get("PATH", "")])
    env.setdefault("UV_PYTHON", sys.executable)
    # nltk (pulled in by llama-index-core) refuses to open hard-linked data files, and uv
    # hard-links from its cache by default: copy instead so its bundled data loads offline.
    env.setdefault("UV_LINK_MODE", "copy")
    env.pop("VIRTUAL_ENV", None)
    return env


def sync(*groups: str) -> None:
    cmd = [_uv(), "sync", "--frozen", "--all-packages", "--all-extras", "--group", "dev"]
    for g in groups:
        cmd += ["--group", g]
    rc = _run(cmd, cwd=ROOT, env=_env())
    if rc:
        sys.exit(f"dependency install failed (uv sync exit {rc})")


# What `lint` checks; the rules themselves live in pyproject.toml ([tool.ruff], [tool.mypy]).
RUFF_PATHS = ["src", "integrations", "tests", "benchmarks", "notebooks/_src", "dev.py", "conftest.py"]
MYPY_CORE = ["src/twelvelabs_rag"]
LLAMA_INDEX_DISTS = [f"integrations/llama-index/llama-index-{kind}-twelvelabs"
                     for kind in ("embeddings", "llms", "readers", "retrievers", "vector-stores", "tools")]
MYPY_INTEGRATIONS = ["integrations/langchain/langchain_twelvelabs", *(f"{d}/llama_index" for d in LLAMA_INDEX_DISTS)]


def lint() -> int:
    """ruff over the code, then mypy (strict on the core, per pyproject overrides on the integrations)."""
    env = _env()
    py = VENV / BIN / "python"
    failed = []
    if _run([py, "-m", "ruff", "check", *RUFF_PATHS], cwd=ROOT, env=env):
        failed.append("ruff")
    if _run([py, "-m", "mypy", *MYPY_CORE], cwd=ROOT, env=env):
        failed.append("mypy (src/twelvelabs_rag)")
    # The integration packages share the `llama_index` namespace: check them as namespace packages
    # with explicit bases so mypy maps files to the right module names.
    integ = ["--namespace-packages", "--explicit-package-bases"]
    env_i = dict(env, MYPYPATH=os.pathsep.join(["integrations/langchain", *LLAMA_INDEX_DISTS]))
    if _run([py, "-m", "mypy", *integ, *MYPY_INTEGRATIONS], cwd=ROOT, env=env_i):
        failed.append("mypy (integrations)")
    if failed:
        print(f"LINT FAILED: {', '.join(failed)} (see the output above; fix the code, do not silence it)",
              file=sys.stderr)
        return 1
    return 0


# Every published figure: the benchmark that records it and the arguments of the published run
# (the `command` its results file records; tests/unit/test_published_figures.py keeps them equal).
# Slow ones first in the notes: store_1m_bench ~25 min, store_bench ~10 min, mutation_run ~8 min, milvus_bench ~15 min.
FIGURES: dict[str, list[str]] = {
    "store_bench": ["benchmarks/store_bench.py"],
    "crash_soak": ["benchmarks/crash_soak.py", "--trials", "60", "--rows", "5000"],
    "client_bench": ["benchmarks/client_bench.py"],
    "bulk_bench": ["benchmarks/bulk_bench.py"],
    "embed_v2_bench": ["benchmarks/embed_v2_bench.py"],
    "multipart_bench": ["benchmarks/multipart_bench.py"],
    "ndjson_bench": ["benchmarks/ndjson_bench.py"],
    "milvus_bench": ["benchmarks/milvus_bench.py"],
    "store_1m_bench": ["benchmarks/store_1m_bench.py", "--size", "1000000"],
    "scaling_sim": ["benchmarks/scaling_sim.py"],
    "mutation_run": ["benchmarks/mutation_run.py", "--sample", "40", "--seed", "1", "--timeout", "240"],
}


def figures(rest: list[str]) -> int:
    """Rerun the benchmarks behind the published figures (all, or `--only NAME`...), then render the tables."""
    names = list(FIGURES)
    if rest:
        if rest[0] != "--only" or len(rest) < 2 or not set(rest[1:]) <= set(FIGURES):
            sys.exit(f"usage: python3 dev.py figures [--only NAME...]; NAME is one of {', '.join(FIGURES)}")
        names = rest[1:]
    sync("bench")
    env, py = _env(), VENV / BIN / "python"
    failed = [name for name in names if _run([py, *FIGURES[name]], cwd=ROOT, env=env)]
    if _run([py, "benchmarks/render_tables.py"], cwd=ROOT, env=env):
        failed.append("render_tables")
    if failed:
        print(f"FIGURES FAILED: {', '.join(failed)} (see the output above)", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str]) -> int:
    cmd, rest = (argv[0], argv[1:]) if argv else ("help", [])
    if cmd == "sync":
        sync()
        return 0
    if cmd == "demo":
        sync()
        return _run([VENV / BIN / "tlrag", "demo", *rest], cwd=ROOT, env=_env())
    if cmd == "lint":
        sync()
        return lint()
    if cmd == "test":
        sync()
        if lint():
            print("lint failed: not running the tests", file=sys.stderr)
            return 1
        rc = _run([VENV / BIN / "python", "-m", "pytest", *rest], cwd=ROOT, env=_env())
        if rc == 5:
            print("pytest collected no tests: treating as a failure", file=sys.stderr)
            return 1
        return rc
    if cmd == "bench":
        sync("bench")
        if not rest:
            sys.exit("usage: python3 dev.py bench benchmarks/<script>.py [args]")
        return _run([VENV / BIN / "python", *rest], cwd=ROOT, env=_env())
    if cmd == "figures":
        return figures(rest)
    print(__doc__)
    return 0 if cmd in {"help", "-h", "--help"} else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
