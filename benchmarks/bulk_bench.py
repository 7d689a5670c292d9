"""Bulk embedding throughput: our async bulk helper vs the official SDK 1.0.2 in a loop.

    .venv/bin/python benchmarks/bulk_bench.py [--n 1000] [--sdk-n 1000] [--latency 0.05] [--limit 8]

Both run against the loopback emulator (``twelvelabs_rag.testing.serve``) with ``--latency``
seconds added to every ``POST /embed``. Ours: ``AsyncTwelveLabs.embed.create_many(texts,
max_concurrency=limit)`` in a subprocess. The SDK: ``client.embed.create(...)`` once per text, in its own venv
(``.venv-sdk-1.0.2``, a subprocess). Prints both throughputs, their ratio (target >= 6x) and the
most requests the emulator ever saw in flight during our run (target: never above ``--limit``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from twelvelabs_rag.testing import FakeTwelveLabs, serve

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import Table, record

ROOT = Path(__file__).resolve().parents[1]
SDK_PY = ROOT / ".venv-sdk-1.0.2" / "bin" / "python"

SDK_SCRIPT = r"""
import json, sys, time
from twelvelabs import TwelveLabs
base, n = sys.argv[1], int(sys.argv[2])
c = TwelveLabs(api_key="tlk_test", base_url=base)
texts = [f"clip number {i} shows a red fox in the snow" for i in range(n)]
t0 = time.perf_counter()
out = [c.embed.create(model_name="marengo3.0", text=t) for t in texts]
dt = time.perf_counter() - t0
assert len(out) == n and out[-1].text_embedding.segments[0].float_
print(json.dumps({"seconds": dt, "n": n}))
"""


OURS_SCRIPT = r"""
import asyncio, json, sys, time
from twelvelabs_rag import AsyncTwelveLabs
base, n, limit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
async def run():
    texts = [f"clip number {i} shows a red fox in the snow" for i in range(n)]
    async with AsyncTwelveLabs(api_key="tlk_test", base_url=base) as client:
        t0 = time.perf_counter()
        out = await client.embed.create_many(texts, model_name="marengo3.0", max_concurrency=limit)
        dt = time.perf_counter() - t0
    assert len(out) == n and all(r.text_embedding.vector.shape == (512,) for r in out)
    return dt
print(json.dumps({"seconds": asyncio.run(run()), "n": n}))
"""


def run_client(python: str, script: str, *args: object) -> dict:
    """Run one contender in its own process, so neither shares the GIL with the emulator."""
    proc = subprocess.run([python, "-c", script, *map(str, args)], capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-1500:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--sdk-n", type=int, default=1000)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--limit", type=int, default=8)
    args = ap.parse_args()

    fake = FakeTwelveLabs()
    fake.add_latency("POST /embed", args.latency)
    with serve(fake) as base:
        our_s = run_client(sys.executable, OURS_SCRIPT, base, args.n, args.limit)["seconds"]
        our_peak = fake.max_in_flight
    table = Table()
    print("| metric | ours | reference | ratio | target | status |\n|---|---|---|---|---|---|")
    table.add(f"requests in flight at most (limit {args.limit})", our_peak, args.limit, unit="",
              target="<= limit", ok=our_peak <= args.limit, ref_name="max_concurrency")
    result: dict[str, object] = {"n": args.n, "latency_s": args.latency, "limit": args.limit,
                                 "ours_seconds": round(our_s, 3), "max_in_flight_seen_by_emulator": our_peak}
    if SDK_PY.exists():
        sdk_fake = FakeTwelveLabs()
        sdk_fake.add_latency("POST /embed", args.latency)
        with serve(sdk_fake) as base:
            try:
                sdk = run_client(str(SDK_PY), SDK_SCRIPT, base, args.sdk_n)
            except RuntimeError as exc:
                sdk = None
                table.note(f"SDK run failed: {exc}")
        if sdk is not None:
            sdk_rate = sdk["n"] / sdk["seconds"]
            ratio = (args.n / our_s) / sdk_rate
            table.add(f"bulk embed of {args.n} texts, {args.latency * 1e3:.0f} ms latency (per s)", args.n / our_s,
                      sdk_rate, unit="/s", ratio=ratio, target=">= 6x", ok=ratio >= 6,
                      ref_name="official SDK 1.0.2, one call at a time")
            result.update({"sdk_n": sdk["n"], "sdk_seconds": round(sdk["seconds"], 3)})
    else:
        table.note("no .venv-sdk-1.0.2: SDK comparison skipped (run the contract tests once to build it)")
    record("bulk_bench", table, params=vars(args), raw=result)


if __name__ == "__main__":
    main()
