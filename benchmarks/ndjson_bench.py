"""NDJSON decoding: the stream decoder against the quadratic one it replaced, side by side.

    .venv/bin/python benchmarks/ndjson_bench.py [--sizes 1,2,4,8,32] [--chunk 1024]

For each line size (MB), one NDJSON line of that size plus a short one is fed in ``--chunk``-byte
chunks to ``twelvelabs_rag._streaming.NDJSONDecoder`` and to ``Quadratic`` (the decoder before
issue 9 item 6, kept here only as the reference). Prints a Markdown table and one JSON line. The
reference is skipped above ``--max-quadratic-mb`` (it takes minutes there).

Records ``benchmarks/results/ndjson_bench.json`` (``_results.record``); the benchmarks README's
table is generated from it. Target: "before" grows about 4x per doubling (quadratic), "after" at
most about 2x plus noise, so at the largest size the reference runs, after / before is <= 0.01.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from twelvelabs_rag._streaming import NDJSONDecoder

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import Table, record


class Quadratic:
    """The old decoder: appends to one bytes buffer and re-scans all of it on every chunk."""

    def __init__(self) -> None:
        self._buffer = b""

    def feed(self, chunk: bytes) -> list[bytes]:
        self._buffer += chunk
        if b"\n" not in self._buffer:
            return []
        *lines, self._buffer = self._buffer.split(b"\n")
        return [line.rstrip(b"\r") for line in lines]


def _time(decoder: object, chunks: list[bytes]) -> tuple[float, int]:
    start = time.perf_counter()
    n = 0
    for chunk in chunks:
        n += len(decoder.feed(chunk))  # type: ignore[attr-defined]
    return time.perf_counter() - start, n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1,2,4,8,32", help="line sizes in MB, comma-separated")
    ap.add_argument("--chunk", type=int, default=1024, help="bytes per fed chunk")
    ap.add_argument("--max-quadratic-mb", type=float, default=8)
    ap.add_argument("--name", default="ndjson_bench", help="results file name (benchmarks/results/NAME.json)")
    args = ap.parse_args()
    rows = []
    for mb in (float(s) for s in args.sizes.split(",")):
        line = b'{"event_type":"text_generation","text":"' + b"x" * int(mb * 1024 * 1024) + b'"}'
        data = line + b'\n{"event_type":"stream_end"}\n'
        chunks = [data[i:i + args.chunk] for i in range(0, len(data), args.chunk)]
        after, n_after = _time(NDJSONDecoder(), chunks)
        before = None
        if mb <= args.max_quadratic_mb:
            before, n_before = _time(Quadratic(), chunks)
            assert n_before == n_after == 2
        rows.append({"line_mb": mb, "before_s": before, "after_s": after,
                     "ratio": None if before is None else after / before})
    table = Table()
    print("| metric | ours | reference | ratio | target | status |\n|---|---|---|---|---|---|")
    largest = max((r["line_mb"] for r in rows if r["before_s"] is not None), default=None)
    for r in rows:
        last = r["line_mb"] == largest
        table.add(f"one {r['line_mb']:g} MB line in {args.chunk} B chunks (s)", r["after_s"], r["before_s"], unit="s",
                  ratio=r["ratio"], target="<= 0.01x (100x faster)" if last else None,
                  ok=(r["ratio"] <= 0.01) if last and r["ratio"] is not None else None,
                  ref_name="quadratic decoder" if r["before_s"] is not None else "")
    table.note("ratio = after / before (0.01 = 100x faster); the reference is skipped above "
               f"{args.max_quadratic_mb:g} MB (it takes minutes there)")
    record(args.name, table, params={k: v for k, v in vars(args).items() if k != "name"}, raw=rows)

if __name__ == "__main__":
    main()
