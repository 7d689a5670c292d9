"""Retrieve an embed-v2 task of 600 segments x 512 floats: ours vs bare httpx vs the official SDK 1.3.6.

    .venv/bin/python benchmarks/embed_v2_bench.py [--iters 30] [--sdk-iters 10] [--no-sdk]

Measures the median seconds per ``GET /embed-v2/tasks/{id}`` answered by a loopback stdlib server
with a canned body (~6 MB of JSON, the same bytes for every contender), interleaving ours and bare
runs: bare ``httpx`` + ``json.loads`` + one ``np.asarray((n, d), float32)`` vs
``client.embed.v2.tasks.retrieve(id).matrix``, sync and async. Target: ours / bare <= 1.2. When
``.venv-sdk-1.3.6`` exists (the contract tests create it) the official SDK's
``embed.v_2.tasks.retrieve`` is timed in a subprocess against the same server (its product is pydantic
models holding float lists; the contract venv has no numpy, so no matrix conversion is added to it). Results go to ``benchmarks/results/embed_v2_bench.json``
(``_results.record``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import numpy as np

from twelvelabs_rag import AsyncTwelveLabs, TwelveLabs

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import Table, record

ROOT = Path(__file__).resolve().parents[1]
SDK_PY = ROOT / ".venv-sdk-1.3.6" / "bin" / "python"
DIM, SEGMENTS = 512, 600
KEY = "tlk_bench"
TASK_ID = "6298d673f1090f1100476d4c"


def task_body() -> bytes:
    rng = np.random.default_rng(0)
    mat = rng.standard_normal((SEGMENTS, DIM)).astype(np.float32)
    data = [{"embedding": [float(x) for x in row], "embedding_option": "visual", "embedding_scope": "clip",
             "start_sec": i * 6.0, "end_sec": i * 6.0 + 6} for i, row in enumerate(mat)]
    return json.dumps({"_id": TASK_ID, "status": "ready", "created_at": "2026-01-01T00:00:00Z",
                       "updated_at": "2026-01-01T00:10:00Z", "data": data,
                       "metadata": {"input_type": "video", "input_url": "https://x/v.mp4",
                                    "embedding_options": ["visual"], "embedding_scopes": ["clip"],
                                    "duration": SEGMENTS * 6.0, "clip_length": 6}}).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    body = b""

    def setup(self) -> None:
        super().setup()
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        head = f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len(self.body)}\r\n\r\n"
        self.wfile.write(head.encode() + self.body)


def start_server() -> tuple[ThreadingHTTPServer, str]:
    _Handler.body = task_body()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/v1.3"


def _bare_matrix(content: bytes) -> np.ndarray:
    return np.asarray([d["embedding"] for d in json.loads(content)["data"]], dtype=np.float32)


def _interleave(pairs: tuple, iters: int, out: dict[str, list[float]]) -> None:
    for i in range(iters):
        for which in ((0, 1) if i % 2 == 0 else (1, 0)):
            t0 = time.perf_counter()
            pairs[which]()
            out[("bare", "ours")[which]].append(time.perf_counter() - t0)


def bench_sync(base: str, iters: int) -> dict[str, float]:
    bare = httpx.Client(headers={"x-api-key": KEY}, timeout=60)
    ours = TwelveLabs(api_key=KEY, base_url=base)
    url = f"{base}/embed-v2/tasks/{TASK_ID}"

    def bare_task() -> np.ndarray:
        r = bare.get(url)
        r.raise_for_status()
        return _bare_matrix(r.content)

    def our_task() -> np.ndarray:
        return ours.embed.v2.tasks.retrieve(TASK_ID).matrix

    assert np.array_equal(bare_task(), our_task()) and our_task().shape == (SEGMENTS, DIM)
    for _ in range(3):
        bare_task(), our_task()
    out: dict[str, list[float]] = {"bare": [], "ours": []}
    _interleave((bare_task, our_task), iters, out)
    bare.close()
    ours.close()
    return {k: statistics.median(v) for k, v in out.items()}


async def bench_async(base: str, iters: int) -> dict[str, float]:
    bare = httpx.AsyncClient(headers={"x-api-key": KEY}, timeout=60)
    ours = AsyncTwelveLabs(api_key=KEY, base_url=base)
    url = f"{base}/embed-v2/tasks/{TASK_ID}"

    async def bare_task() -> np.ndarray:
        r = await bare.get(url)
        r.raise_for_status()
        return _bare_matrix(r.content)

    async def our_task() -> np.ndarray:
        return (await ours.embed.v2.tasks.retrieve(TASK_ID)).matrix

    assert np.array_equal(await bare_task(), await our_task())
    for _ in range(3):
        await bare_task()
        await our_task()
    out: dict[str, list[float]] = {"bare": [], "ours": []}
    for i in range(iters):
        for which in ((0, 1) if i % 2 == 0 else (1, 0)):
            t0 = time.perf_counter()
            await (bare_task, our_task)[which]()
            out[("bare", "ours")[which]].append(time.perf_counter() - t0)
    await bare.aclose()
    await ours.aclose()
    return {k: statistics.median(v) for k, v in out.items()}


SDK_SCRIPT = r"""
import json, statistics, sys, time
from twelvelabs import TwelveLabs
base, n = sys.argv[1], int(sys.argv[2])
c = TwelveLabs(api_key="tlk_bench", base_url=base)
def run():  # the SDK's product: pydantic models holding lists of floats (its venv has no numpy)
    return c.embed.v_2.tasks.retrieve("%s")
t = run(); assert (len(t.data), len(t.data[0].embedding)) == (%d, %d)
run()
xs = []
for _ in range(n):
    t0 = time.perf_counter(); run(); xs.append(time.perf_counter() - t0)
import twelvelabs
print(json.dumps({"sdk_task": statistics.median(xs), "version": getattr(twelvelabs, "__version__", "1.3.6")}))
""" % (TASK_ID, SEGMENTS, DIM)  # noqa: UP031 - the template is Python source full of braces


def bench_sdk(base: str, iters: int) -> dict | None:
    if not SDK_PY.exists():
        print(f"(no {SDK_PY}: run the contract tests once to create it; SDK not timed)", file=sys.stderr)
        return None
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWELVE")}
    proc = subprocess.run([str(SDK_PY), "-c", SDK_SCRIPT, base, str(iters)], capture_output=True, text=True,
                          timeout=1800, env=env, check=False)
    if proc.returncode != 0:
        print("SDK run failed:", proc.stderr[-800:], file=sys.stderr)
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--iters", type=int, default=30)
    ap.add_argument("--sdk-iters", type=int, default=10)
    ap.add_argument("--no-sdk", action="store_true")
    ap.add_argument("--name", default="embed_v2_bench", help="results file name (benchmarks/results/NAME.json)")
    args = ap.parse_args()
    server, base = start_server()
    try:
        s = bench_sync(base, args.iters)
        a = asyncio.run(bench_async(base, args.iters))
        sdk = None if args.no_sdk else bench_sdk(base, args.sdk_iters)
    finally:
        server.shutdown()
    table = Table()
    print("| metric | ours | reference | ratio | target | status |\n|---|---|---|---|---|---|")
    for mode, r in (("sync", s), ("async", a)):
        table.add(f"embed-v2 task {SEGMENTS}x{DIM}, {mode} (ms, median)", r["ours"] * 1e3, r["bare"] * 1e3,
                  unit="ms", target="<= 1.2x bare", ok=r["ours"] / r["bare"] <= 1.2,
                  ref_name="bare httpx + json + numpy")
    if sdk is not None:
        table.add(f"official SDK 1.3.6 embed-v2 task {SEGMENTS}x{DIM}, sync, no matrix (ms, median)",
                  sdk["sdk_task"] * 1e3, s["bare"] * 1e3, unit="ms", target="(info)",
                  ref_name="bare httpx + json + numpy")
    table.note(f"canned body of {len(task_body())} bytes from a loopback stdlib server; ours and bare interleaved")
    record(args.name, table, params={k: v for k, v in vars(args).items() if k != "name"},
           raw={"sync": s, "async": a, "sdk": sdk})

if __name__ == "__main__":
    main()
