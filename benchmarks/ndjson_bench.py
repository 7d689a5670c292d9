"""NDJSON decoding: the stream decoder against the quadratic one it replaced, side by side.

    .venv/bin/python benchmarks/ndjson_bench.py [--sizes 1,2,4,8] [--chunk 1024]

For each line size (MB), one NDJSON line of that size plus a short one is fed in ``--chunk``-byte
chunks to ``twelvelabs_rag._streaming.NDJSONDecoder`` and to ``Quadratic`` (the decoder before
issue 9 item 6, kept here only as the reference). Prints a Markdown table and one JSON line. The
reference is skipped above ``--max-quadratic-mb`` (it takes minutes there).

Run on 2026-12-02 16:26 UTC (2-vCPU shared box, load average 7.9 from other jobs; the ratios carry
over, absolute times are noisy), ``--sizes 1,2,4,8,32 --chunk 1024``:

| line MB | before (s) | after (s) | before / after |
|---:|---:|---:|---:|
| 1 | 0.225 | 0.0060 | 37x |
| 2 | 0.749 | 0.0131 | 57x |
| 4 | 2.846 | 0.0133 | 214x |
| 8 | 15.406 | 0.0112 | 1377x |
| 32 | - | 0.1180 | - |

Before grows ~4x per doubling (quadratic); after grows linearly (noise dominates below 8 MB).
"""

from __future__ import annotations

import argparse
import json
import time

from twelvelabs_rag._streaming import NDJSONDecoder


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
    ap.add_argument("--sizes", default="1,2,4,8", help="line sizes in MB, comma-separated")
    ap.add_argument("--chunk", type=int, default=1024, help="bytes per fed chunk")
    ap.add_argument("--max-quadratic-mb", type=float, default=8)
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
                     "ratio": None if before is None else before / after})
    print("| line MB | before (s) | after (s) | before / after |\n|---:|---:|---:|---:|")
    for r in rows:
        before = "-" if r["before_s"] is None else f"{r['before_s']:.3f}"
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.0f}x"
        print(f"| {r['line_mb']:g} | {before} | {r['after_s']:.4f} | {ratio} |")
    print(json.dumps({"bench": "ndjson", "chunk": args.chunk, "rows": rows}))


if __name__ == "__main__":
    main()
