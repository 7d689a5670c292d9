"""Every generated benchmark table in the READMEs matches its recorded run (benchmarks/results/*.json).

The tables between ``<!-- results:NAME -->`` markers are written by ``benchmarks/render_tables.py``
from the recorded runs; this test fails when someone edits a table by hand or records a run without
re-rendering (fix: ``python benchmarks/render_tables.py``).
"""

from __future__ import annotations

import importlib.util
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
    assert {"store_bench", "crash_soak", "client_bench", "bulk_bench", "ndjson_bench", "embed_v2_bench",
            "multipart_bench", "mutation_run"} <= names
    for name in names:
        doc = json.loads((ROOT / "benchmarks" / "results" / f"{name}.json").read_text())
        rec = doc["recorded"]
        assert {"date", "machine", "load_before", "load_after", "versions", "command"} <= set(rec), name
        assert rec["machine"]["cores"] and rec["versions"]["python"], name
        for row in doc["rows"]:
            assert {"metric", "ours", "ref", "ratio", "target", "pass"} <= set(row), (name, row)


def _dev_figures() -> dict[str, list[str]]:
    spec = importlib.util.spec_from_file_location("_dev_for_figures", ROOT / "dev.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.FIGURES  # type: ignore[no-any-return]


def _recorded() -> dict[str, dict]:
    out = {}
    for path in sorted((ROOT / "benchmarks" / "results").glob("*.json")):
        doc = json.loads(path.read_text())
        if "recorded" in doc:
            out[path.stem] = doc
    return out


def _script(doc: dict) -> str:
    return str(doc["recorded"]["command"].split()[0])


def test_every_recorded_benchmark_has_a_generated_section_in_the_benchmarks_readme() -> None:
    """Each script that records a run has a table in benchmarks/README.md (a smoke run saved under
    another ``--name`` is covered by its script's section)."""
    recorded = _recorded()
    published = {_script(recorded[n]) for n in _BLOCK.findall((ROOT / "benchmarks" / "README.md").read_text())}
    missing = sorted({_script(doc) for doc in recorded.values()} - published)
    assert not missing, f"benchmarks/README.md has no generated (results:NAME) table for {missing}"


def test_one_command_reruns_every_published_figure_with_its_published_arguments() -> None:
    """`python3 dev.py figures` reruns what the tables show: same script, same arguments as the recorded run."""
    figures = _dev_figures()
    recorded = _recorded()
    names = {m for doc in render_tables.DOCUMENTS if doc.exists() for m in _BLOCK.findall(doc.read_text())}
    commands = {" ".join([Path(argv[0]).name, *argv[1:]]) for argv in figures.values()}
    for name in names:
        assert recorded[name]["recorded"]["command"] in commands, (name, recorded[name]["recorded"]["command"])
    for name, argv in figures.items():
        if name in recorded:
            assert recorded[name]["recorded"]["command"] == " ".join([Path(argv[0]).name, *argv[1:]]), name
        assert (ROOT / argv[0]).exists(), argv[0]
