"""Recorded benchmark output: one JSON file per benchmark under ``benchmarks/results/``.

Every figure the READMEs publish comes from one of these files (``render_tables.py`` writes the
tables from them; a test checks the READMEs are in sync). A file holds the rows (one per metric:
ours, reference, ratio, target, pass) and how they were measured: the date, the machine, the load
average before and after the run, the versions of everything that matters, and the command.

```python
from _results import Table, record
table = Table()
table.add("one text embed, sync (ms)", 1.1, 1.2, unit="ms", target="<= 1.2x", ok=True, ref_name="bare httpx")
record("example", table, params={"iters": 10})   # -> benchmarks/results/example.json
```
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
_PACKAGES = ("twelvelabs-rag", "httpx", "numpy", "faiss-cpu", "pydantic", "langchain-core", "llama-index-core",
             "pymilvus", "milvus-lite", "twelvelabs")


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            return next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or "unknown"


def _load() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def environment() -> dict[str, Any]:
    """Where and with what a run happened (no secrets: no environment variables are read)."""
    versions = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return {"machine": {"cpu": _cpu(), "cores": os.cpu_count(), "platform": platform.platform()},
            "versions": versions}


class Table:
    """Rows of one run; ``add`` prints each row as it is measured (Markdown)."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.notes: list[str] = []
        self.load_before = _load()

    def add(self, metric: str, ours: Any, ref: Any = None, *, unit: str = "", ratio: float | None = None,
            target: str | None = None, ok: bool | None = None, ref_name: str = "") -> dict[str, Any]:
        if ratio is None and isinstance(ref, (int, float)) and isinstance(ours, (int, float)) and ref:
            ratio = ours / ref
        row = {"metric": metric, "ours": ours, "ref": ref, "ref_name": ref_name, "unit": unit, "ratio": ratio,
               "target": target, "pass": ok}
        self.rows.append(row)
        print(format_row(row), flush=True)
        return row

    def note(self, text: str) -> None:
        self.notes.append(text)
        print(f"note: {text}", flush=True)


def fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def format_row(row: dict[str, Any]) -> str:
    status = {True: "PASS", False: "**MISS**", None: ""}[row["pass"]]
    ref = f"{fmt(row['ref'])} ({row['ref_name']})" if row["ref"] is not None else ""
    unit = f" {row['unit']}" if row["unit"] and row["ours"] is not None else ""
    return (f"| {row['metric']} | {fmt(row['ours'])}{unit} | {ref} | {fmt(row['ratio'])} | {row['target'] or ''} "
            f"| {status} |")


def record(name: str, table: Table, *, params: dict[str, Any] | None = None, raw: Any = None,
           directory: Path | None = None) -> Path:
    """Write ``results/<name>.json`` atomically and return its path."""
    out_dir = directory or RESULTS
    out_dir.mkdir(parents=True, exist_ok=True)
    doc = {"benchmark": name,
           "recorded": {"date": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                        "load_before": table.load_before, "load_after": _load(),
                        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]), **environment()},
           "params": params or {}, "rows": table.rows, "notes": table.notes, "raw": raw}
    path = out_dir / f"{name}.json"
    fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(doc, f, indent=1, default=float)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    met = sum(r["pass"] is True for r in table.rows)
    missed = [r["metric"] for r in table.rows if r["pass"] is False]
    print(f"# recorded {path.relative_to(path.parents[1])}: {met} targets met, {len(missed)} missed {missed}")
    return path


def load(name: str, directory: Path | None = None) -> dict[str, Any]:
    return json.loads(((directory or RESULTS) / f"{name}.json").read_text())
