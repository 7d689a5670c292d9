"""Longer reliability runs of the segment store (vector-store guide, section 4 item 6).

* 8 reader threads and 1 writer for ``TLRAG_SOAK_SECONDS`` (default 6; the guide's full run is
  60: ``TLRAG_SOAK_SECONDS=60 pytest tests/soak``).
* more kill -9 trials than the quick crash test (``TLRAG_CRASH_TRIALS``, default 6; the
  >= 200-trial run is ``python benchmarks/crash_soak.py``).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str, rel: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / rel)
    if spec.name in sys.modules:
        return sys.modules[spec.name]
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, mod)
    spec.loader.exec_module(mod)
    return mod


conc = _load("store_concurrency_checks", "tests/store/test_store_concurrency.py")
crash = _load("crash_soak", "benchmarks/crash_soak.py")

SOAK_SECONDS = float(os.environ.get("TLRAG_SOAK_SECONDS", "6"))
CRASH_TRIALS = int(os.environ.get("TLRAG_CRASH_TRIALS", "6"))


@pytest.mark.slow
@pytest.mark.timeout(SOAK_SECONDS + 120)
def test_eight_readers_one_writer_soak(tmp_path: Path) -> None:
    shared, store, live = conc.run_readers_writer(tmp_path / "s", readers=8, duration=SOAK_SECONDS)
    try:
        conc.check_after(shared, store, live)
    finally:
        store.close()


@pytest.mark.slow
@pytest.mark.timeout(60 + 10 * CRASH_TRIALS)
def test_crash_soak(tmp_path: Path) -> None:
    # Kill points concentrated around the commit (the manifest rename at the end of the save).
    seed = int(os.environ.get("TLRAG_CRASH_SEED", "3"))
    res = crash.run(CRASH_TRIALS, rows=10_000, seed=seed, window=(0.6, 1.4), workdir=tmp_path)
    assert res.failures == [], "\n".join(res.failures)
    assert res.old + res.new == CRASH_TRIALS
