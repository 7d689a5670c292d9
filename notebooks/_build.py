#!/usr/bin/env python3
"""Build the notebooks from their plain-Python sources, with no outputs (so git stays clean).

Each ``notebooks/_src/NN_name.py`` is in "percent" format: ``# %%`` starts a code cell and
``# %% [markdown]`` a markdown cell whose lines are ``# ``-prefixed. Cell ids are derived from the
file name and position, so rebuilding an unchanged source gives a byte-identical notebook.

    python notebooks/_build.py           # (re)write notebooks/*.ipynb
    python notebooks/_build.py --check   # exit 1 if any notebook differs from its source
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "_src"
_MARKER = re.compile(r"^# %%(?:\s*\[(?P<kind>markdown)\])?\s*$")


def parse(text: str) -> list[tuple[str, str]]:
    """``[(kind, source), ...]`` from percent-format text (kind is ``code`` or ``markdown``)."""
    cells: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        m = _MARKER.match(line)
        if m:
            cells.append(("markdown" if m.group("kind") else "code", []))
        elif cells:
            cells[-1][1].append(line)
    out = []
    for kind, lines in cells:
        if kind == "markdown":
            lines = [ln[2:] if ln.startswith("# ") else ln.lstrip("#") for ln in lines]
        source = "\n".join(lines).strip("\n")
        if source:
            out.append((kind, source))
    return out


def build(source: Path) -> nbformat.NotebookNode:
    """The notebook for one source file (no outputs, deterministic cell ids)."""
    nb = new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for i, (kind, text) in enumerate(parse(source.read_text(encoding="utf-8"))):
        cell = new_markdown_cell(text) if kind == "markdown" else new_code_cell(text)
        cell["id"] = f"{source.stem.replace('_', '-')}-{i:02d}"
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def render(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def targets() -> dict[Path, Path]:
    """``{source: notebook path}`` for every source."""
    return {src: HERE / f"{src.stem}.ipynb" for src in sorted(SOURCES.glob("[0-9][0-9]_*.py"))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the notebooks are up to date")
    args = parser.parse_args(argv)
    stale = []
    for src, dest in targets().items():
        text = render(build(src))
        if dest.exists() and dest.read_text(encoding="utf-8") == text:
            continue
        stale.append(dest.name)
        if not args.check:
            tmp = dest.with_suffix(".ipynb.tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(dest)
    if args.check and stale:
        print("out of date (run python notebooks/_build.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    for name in stale:
        print(f"wrote notebooks/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
