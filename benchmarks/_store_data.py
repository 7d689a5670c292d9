"""Deterministic "video-like" segment data for ``store_bench.py`` and small measurement helpers.

Each video is a random walk in a 64-d latent space, projected to ``dim`` and L2-normalised, so
adjacent segments are near-duplicates (like consecutive clips of one shot). Every video holds 1% of
the rows; its first row has scope ``video``; options alternate between ``visual`` and ``audio``.
Queries are perturbed data points.
"""

from __future__ import annotations

import os
import time

import numpy as np

LATENT = 64


def make_data(n: int, dim: int, n_queries: int, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    n_videos = 100 if n >= 100 else 1
    per = n // n_videos
    w = rng.standard_normal((LATENT, dim)).astype(np.float32) / np.sqrt(LATENT)
    x = np.empty((n, dim), dtype=np.float32)
    video_codes = np.repeat(np.arange(n_videos), per)
    video_codes = np.concatenate([video_codes, np.full(n - video_codes.size, n_videos - 1)])
    t_in_video = np.concatenate([np.arange((video_codes == v).sum()) for v in range(n_videos)])
    for v in range(n_videos):
        rows = np.flatnonzero(video_codes == v)
        z0 = rng.standard_normal(LATENT)
        steps = rng.standard_normal((rows.size, LATENT)) * 0.15
        z = (z0 + np.cumsum(steps, axis=0)).astype(np.float32)
        x[rows] = z @ w
    x += rng.standard_normal((n, dim), dtype=np.float32) * 0.02
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    src = rng.integers(0, n, n_queries)
    q = x[src] + rng.standard_normal((n_queries, dim), dtype=np.float32) * 0.03
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    starts = t_in_video.astype(np.float64) * 6.0
    return {
        "x": x,
        "queries": q.astype(np.float32),
        "video_codes": video_codes,
        "video_ids": [f"video-{v:04d}" for v in video_codes.tolist()],
        "starts": starts,
        "ends": starts + 6.0,
        "scopes": ["video" if t == 0 else "clip" for t in t_in_video.tolist()],
        "options": ["visual" if i % 2 == 0 else "audio" for i in range(n)],
        "n_videos": n_videos,
    }


def rss_bytes() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def trim() -> None:
    """Return freed heap pages to the OS so RSS deltas measure live memory only."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:
        pass


def pct(ts: list[float], p: float) -> float:
    return float(np.percentile(np.asarray(ts) * 1e3, p))


def timed(fn, *args, **kw) -> tuple[float, object]:
    t = time.perf_counter()
    out = fn(*args, **kw)
    return time.perf_counter() - t, out


def exact_topk(x: np.ndarray, q: np.ndarray, k: int, rows: np.ndarray | None = None) -> np.ndarray:
    sub = x if rows is None else x[rows]
    s = q @ sub.T
    idx = np.argsort(-s, axis=1)[:, :k]
    return idx if rows is None else rows[idx]


def env() -> dict:
    import faiss

    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "numpy": np.__version__,
        "faiss": faiss.__version__,
        "omp_threads": faiss.omp_get_max_threads(),
    }
