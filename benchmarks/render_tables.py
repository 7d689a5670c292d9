"""Write the READMEs' benchmark tables from the recorded results (``benchmarks/results/*.json``).

    python benchmarks/render_tables.py           # rewrite every generated block in place
    python benchmarks/render_tables.py --check   # exit 1 if a block is stale or its results file is missing

A generated block sits between ``<!-- results:NAME -->`` (or ``<!-- results:NAME:SELECTION -->``)
and ``<!-- /results -->``; NAME is a results file, SELECTION one of ``SELECTIONS`` (default: every
row). Nothing between the markers is typed by hand.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import RESULTS, format_row, load

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", ROOT / "benchmarks" / "README.md", ROOT / "docs" / "scaling.md"]
_BLOCK = re.compile(r"(<!-- results:(?P<name>[\w.-]+)(?::(?P<sel>[\w-]+))? -->\n)(?P<body>.*?)(<!-- /results -->)",
                    re.S)

#: Named row selections (metric names, in order) for the short tables.
SELECTIONS: dict[str, list[str]] = {
    "summary": [
        "ingest with metadata (s), best of N", "LangChain FAISS ingest (s)", "exact single-query p50 (ms)",
        "exact single-query p99 (ms)", "batch of 128 queries (QPS)", "batch of 1000 queries (QPS)",
        "filtered 1 video (1%) p50 (ms)", "filtered 1 video recall@10", "resident bytes per vector",
        "cold open, mmap (ms)", "atomic save (s)", "delete one id p50 (ms)", "ANN (ivf) recall@10",
        "ANN (ivf) p50 (ms)", "LangChain filtered 1 video recall@10",
    ],
}


def render(name: str, selection: str | None, document: Path) -> str:
    doc = load(name)
    rows = doc["rows"]
    if selection is not None:
        wanted = SELECTIONS[selection]
        by_metric = {r["metric"]: r for r in rows}
        rows = [by_metric[m] for m in wanted if m in by_metric]
    rec = doc["recorded"]
    machine = rec["machine"]
    link = os.path.relpath(RESULTS / f"{name}.json", document.parent)
    load_text = (f"load average {rec['load_before'][0]:.1f} before, {rec['load_after'][0]:.1f} after"
                 if rec.get("load_before") and rec.get("load_after") else "load not recorded")
    lines = ["| metric | ours | reference | ratio | target | status |", "|---|---|---|---|---|---|"]
    lines += [format_row(r) for r in rows]
    met = sum(r["pass"] is True for r in doc["rows"])
    missed = sum(r["pass"] is False for r in doc["rows"])
    lines.append("")
    lines.append(f"_Recorded {rec['date']} on {machine['cpu']} ({machine['cores']} cores), {load_text}; "
                 f"`{rec['command']}`; {met} targets met, {missed} missed; [{Path(link).name}]({link})._")
    return "\n".join(lines) + "\n"


def process(document: Path, *, check: bool) -> list[str]:
    """Re-render one document's blocks; returns the stale or broken blocks' descriptions."""
    text = document.read_text()
    problems: list[str] = []

    def replace(m: re.Match[str]) -> str:
        name, sel = m.group("name"), m.group("sel")
        try:
            body = render(name, sel, document)
        except FileNotFoundError:
            problems.append(f"{document.name}: results/{name}.json is missing (run its benchmark)")
            return m.group(0)
        except KeyError as exc:
            problems.append(f"{document.name}: block {name}:{sel} names an unknown selection or field {exc}")
            return m.group(0)
        if body != m.group("body"):
            problems.append(f"{document.name}: block {name}{':' + sel if sel else ''} is stale")
        return m.group(1) + body + m.group(5)

    new = _BLOCK.sub(replace, text)
    if not check and new != text:
        document.write_text(new)
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="report stale blocks instead of rewriting them")
    args = ap.parse_args(argv)
    problems = [p for d in DOCUMENTS if d.exists() for p in process(d, check=args.check)]
    for p in problems:
        print(p, file=sys.stderr)
    if args.check:
        return 1 if problems else 0
    return 1 if any("missing" in p or "unknown" in p for p in problems) else 0


if __name__ == "__main__":
    sys.exit(main())
