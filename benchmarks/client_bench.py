"""Client overhead vs bare httpx, side by side in one run, against a loopback server.

    .venv/bin/python benchmarks/client_bench.py [--embed-iters 400] [--task-iters 25] [--no-sdk]

Measures (median seconds per call, interleaved runs):
- one text embed (``POST /embed``, multipart, 1024 floats back): bare ``httpx`` + ``json.loads`` +
  ``np.asarray`` vs ``client.embed.create``;
- retrieving an embedding task of 600 segments x 1024 floats (~12 MB of JSON): bare ``httpx`` +
  ``json.loads`` + one ``np.asarray((n, d), float32)`` vs ``client.embed.tasks.retrieve``;
both for the sync and the async client. Targets: ours / bare <= 1.2. When ``.venv-sdk-1.0.2`` exists
the official SDK is timed too, in a subprocess, against the same server.

The server is a tiny stdlib HTTP/1.1 server answering canned bodies, so server time is the same
for every contender and the ratios show client-side cost only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
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
SDK_PY = ROOT / ".venv-sdk-1.0.2" / "bin" / "python"
DIM, SEGMENTS = 1024, 600
KEY = "tlk_bench"


def _payloads() -> tuple[bytes, bytes]:
    rng = np.random.default_rng(0)
    vec = [float(x) for x in rng.standard_normal(DIM).astype(np.float32)]
    embed = {"model_name": "Marengo-retrieval-2.7", "text_embedding": {"segments": [{"float": vec}]}}
    mat = rng.standard_normal((SEGMENTS, DIM)).astype(np.float32)
    segments = [{"float": [float(x) for x in row], "start_offset_sec": i * 6.0, "end_offset_sec": i * 6.0 + 6,
                 "embedding_option": "visual-text", "embedding_scope": "clip"} for i, row in enumerate(mat)]
    task = {"_id": "6298d673f1090f1100476d4c", "model_name": "Marengo-retrieval-2.7", "status": "ready",
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
            "video_embedding": {"metadata": {"video_clip_length": 6, "video_embedding_scope": ["clip"],
                                             "duration": SEGMENTS * 6.0}, "segments": segments}}
    return json.dumps(embed).encode(), json.dumps(task).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    embed_body = b""
    task_body = b""

    def setup(self) -> None:
        super().setup()
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no Nagle/delayed-ACK stalls

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def _send(self, body: bytes) -> None:
        head = (f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n").encode()
        self.wfile.write(head + body)  # one write: headers and body together

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", "0")))
        self._send(self.embed_body)

    def do_GET(self) -> None:
        self._send(self.task_body)


def start_server() -> tuple[ThreadingHTTPServer, str]:
    _Handler.embed_body, _Handler.task_body = _payloads()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/v1.3"


def _median(samples: list[float]) -> float:
    return statistics.median(samples)


def bench_sync(base: str, embed_iters: int, task_iters: int) -> dict[str, float]:
    bare = httpx.Client(headers={"x-api-key": KEY}, timeout=60)
    ours = TwelveLabs(api_key=KEY, base_url=base, preflight=False)
    task_url = f"{base}/embed/tasks/6298d673f1090f1100476d4c"

    def bare_embed() -> np.ndarray:
        r = bare.post(f"{base}/embed", files={"model_name": (None, "Marengo-retrieval-2.7"), "text": (None, "a red fox")})
        r.raise_for_status()
        return np.asarray(json.loads(r.content)["text_embedding"]["segments"][0]["float"], dtype=np.float32)

    def our_embed() -> np.ndarray:
        return ours.embed.create(model_name="Marengo-retrieval-2.7", text="a red fox").text_embedding.vector

    def bare_task() -> np.ndarray:
        r = bare.get(task_url)
        r.raise_for_status()
        d = json.loads(r.content)
        return np.asarray([s["float"] for s in d["video_embedding"]["segments"]], dtype=np.float32)

    def our_task() -> np.ndarray:
        return ours.embed.tasks.retrieve("6298d673f1090f1100476d4c").video_embedding.matrix

    assert np.allclose(bare_embed(), our_embed()) and np.array_equal(bare_task(), our_task())
    out: dict[str, list[float]] = {k: [] for k in ("bare_embed", "our_embed", "bare_task", "our_task")}
    for name, fn, n in (("embed", (bare_embed, our_embed), embed_iters), ("task", (bare_task, our_task), task_iters)):
        for _ in range(max(3, n // 20)):  # warm-up
            fn[0](), fn[1]()
        for i in range(n):
            order = (0, 1) if i % 2 == 0 else (1, 0)
            for which in order:
                t0 = time.perf_counter()
                fn[which]()
                out[("bare_", "our_")[which] + name].append(time.perf_counter() - t0)
    bare.close()
    ours.close()
    return {k: _median(v) for k, v in out.items()}


async def bench_async(base: str, embed_iters: int, task_iters: int) -> dict[str, float]:
    bare = httpx.AsyncClient(headers={"x-api-key": KEY}, timeout=60)
    ours = AsyncTwelveLabs(api_key=KEY, base_url=base, preflight=False)
    task_url = f"{base}/embed/tasks/6298d673f1090f1100476d4c"

    async def bare_embed() -> np.ndarray:
        r = await bare.post(f"{base}/embed", files={"model_name": (None, "Marengo-retrieval-2.7"), "text": (None, "a red fox")})
        r.raise_for_status()
        return np.asarray(json.loads(r.content)["text_embedding"]["segments"][0]["float"], dtype=np.float32)

    async def our_embed() -> np.ndarray:
        return (await ours.embed.create(model_name="Marengo-retrieval-2.7", text="a red fox")).text_embedding.vector

    async def bare_task() -> np.ndarray:
        r = await bare.get(task_url)
        r.raise_for_status()
        d = json.loads(r.content)
        return np.asarray([s["float"] for s in d["video_embedding"]["segments"]], dtype=np.float32)

    async def our_task() -> np.ndarray:
        return (await ours.embed.tasks.retrieve("6298d673f1090f1100476d4c")).video_embedding.matrix

    assert np.array_equal(await bare_task(), await our_task())
    out: dict[str, list[float]] = {k: [] for k in ("bare_embed", "our_embed", "bare_task", "our_task")}
    for name, fn, n in (("embed", (bare_embed, our_embed), embed_iters), ("task", (bare_task, our_task), task_iters)):
        for _ in range(max(3, n // 20)):
            await fn[0]()
            await fn[1]()
        for i in range(n):
            order = (0, 1) if i % 2 == 0 else (1, 0)
            for which in order:
                t0 = time.perf_counter()
                await fn[which]()
                out[("bare_", "our_")[which] + name].append(time.perf_counter() - t0)
    await bare.aclose()
    await ours.aclose()
    return {k: _median(v) for k, v in out.items()}


SDK_SCRIPT = r"""
import json, statistics, sys, time
from twelvelabs import TwelveLabs
base, n_embed, n_task = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
c = TwelveLabs(api_key="tlk_bench", base_url=base)
def med(fn, n):
    for _ in range(max(1, n // 20)): fn()
    xs = []
    for _ in range(n):
        t0 = time.perf_counter(); fn(); xs.append(time.perf_counter() - t0)
    return statistics.median(xs)
e = med(lambda: c.embed.create(model_name="Marengo-retrieval-2.7", text="a red fox"), n_embed)
t = med(lambda: c.embed.tasks.retrieve("6298d673f1090f1100476d4c"), n_task)
print(json.dumps({"sdk_embed": e, "sdk_task": t}))
"""


def bench_sdk(base: str, embed_iters: int, task_iters: int) -> dict[str, float] | None:
    if not SDK_PY.exists():
        return None
    proc = subprocess.run([str(SDK_PY), "-c", SDK_SCRIPT, base, str(embed_iters), str(task_iters)],
                          capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        print("SDK run failed:", proc.stderr[-800:], file=sys.stderr)
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--embed-iters", type=int, default=400)
    ap.add_argument("--task-iters", type=int, default=25)
    ap.add_argument("--sdk-task-iters", type=int, default=5, help="the SDK is slow on big payloads")
    ap.add_argument("--no-sdk", action="store_true")
    args = ap.parse_args()
    server, base = start_server()
    try:
        s = bench_sync(base, args.embed_iters, args.task_iters)
        a = asyncio.run(bench_async(base, args.embed_iters, args.task_iters))
        sdk = None if args.no_sdk else bench_sdk(base, args.embed_iters // 4, args.sdk_task_iters)
    finally:
        server.shutdown()
    rows = [
        ("text embed, sync", s["bare_embed"], s["our_embed"]),
        ("text embed, async", a["bare_embed"], a["our_embed"]),
        (f"embed task {SEGMENTS}x{DIM}, sync", s["bare_task"], s["our_task"]),
        (f"embed task {SEGMENTS}x{DIM}, async", a["bare_task"], a["our_task"]),
    ]
    table = Table()
    print("| metric | ours | reference | ratio | target | status |\n|---|---|---|---|---|---|")
    for name, bare, ours in rows:
        table.add(f"{name} (ms, median)", ours * 1e3, bare * 1e3, unit="ms", target="<= 1.2x bare",
                  ok=ours / bare <= 1.2, ref_name="bare httpx + json + numpy")
    result: dict[str, object] = {"sync": s, "async": a}
    if sdk is not None:
        for name, key, bare in (("official SDK 1.0.2 text embed", "sdk_embed", s["bare_embed"]),
                                (f"official SDK 1.0.2 embed task {SEGMENTS}x{DIM}", "sdk_task", s["bare_task"])):
            table.add(f"{name} (ms, median)", sdk[key] * 1e3, bare * 1e3, unit="ms", target="(info)",
                      ref_name="bare httpx + json + numpy")
        result["sdk"] = sdk
    record("client_bench", table, params=vars(args), raw=result)


if __name__ == "__main__":
    main()
