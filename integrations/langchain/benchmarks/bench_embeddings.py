"""embed_documents with bounded concurrency vs one request at a time, against the emulator with latency.

    .venv/bin/python integrations/langchain/benchmarks/bench_embeddings.py --texts 64 --latency 0.05
"""

from __future__ import annotations

import argparse
import asyncio
import time

from langchain_twelvelabs import TwelveLabsEmbeddings
from twelvelabs_rag.testing import FakeTwelveLabs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--texts", type=int, default=64)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--concurrency", type=int, default=8)
    args = ap.parse_args()
    texts = [f"a red fox runs through snow, take {i}" for i in range(args.texts)]
    fake = FakeTwelveLabs()
    fake.add_latency("POST /embed", args.latency)
    kw = {"client": fake.client(), "async_client": fake.async_client()}
    serial = TwelveLabsEmbeddings(max_concurrency=1, **kw)
    bounded = TwelveLabsEmbeddings(max_concurrency=args.concurrency, **kw)

    t0 = time.perf_counter()
    ref = serial.embed_documents(texts)
    t_serial = time.perf_counter() - t0
    t0 = time.perf_counter()
    got = bounded.embed_documents(texts)
    t_threads = time.perf_counter() - t0
    t0 = time.perf_counter()
    got_async = asyncio.run(bounded.aembed_documents(texts))
    t_async = time.perf_counter() - t0
    assert got == ref == got_async
    print(f"{args.texts} texts, {args.latency * 1e3:.0f} ms per request, max_concurrency={args.concurrency}")
    print(f"  one at a time          {t_serial:6.2f} s")
    print(f"  embed_documents        {t_threads:6.2f} s   {t_serial / t_threads:4.1f}x faster")
    print(f"  aembed_documents       {t_async:6.2f} s   {t_serial / t_async:4.1f}x faster")


if __name__ == "__main__":
    main()
