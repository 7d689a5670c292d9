"""Every generated benchmark table in the READMEs matches its recorded run (benchmarks/results/*.json).

The tables between ``<!-- results:NAME -->`` markers are written by ``benchmarks/render_tables.py``
from the recorded runs; this test fails when someone edits a table by hand or records a run without
re-rendering (fix: ``python benchmarks/render_tables.py``).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import render_tables  # noqa: E402  (benchmarks/ is not a package)

_BLOCK = re.compile(r"<!-- results:([\w.-]+)")


def test_generated_tables_match_their_recorded_runs() -> None:
    problems = [p for doc in render_tables.DOCUMENTS if doc.exists() for p in render_tables.process(doc, check=True)]
    assert not problems, "\n".join(problems)


def test_recorded_runs_say_when_where_and_how() -> None:
    names = {m for doc in render_tables.DOCUMENTS if doc.exists() for m in _BLOCK.findall(doc.read_text())}
    assert {"store_bench", "crash_soak"} <= names
    for name in names:
        doc = json.loads((ROOT / "benchmarks" / "results" / f"{name}.json").read_text())
        rec = doc["recorded"]
        assert {"date", "machine", "load_before", "load_after", "versions", "command"} <= set(rec), name
        assert rec["machine"]["cores"] and rec["versions"]["python"], name
        for row in doc["rows"]:
            assert {"metric", "ours", "ref", "ratio", "target", "pass"} <= set(row), (name, row)
