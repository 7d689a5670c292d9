"""TwelveLabsSegmentVectorStore against the native SegmentStore it wraps, side by side in one run.

Goal G2 of the vector-store guide: ingest through the LangChain adapter (list-of-lists in, with
metadata) within 1.5x of the native path on the same input, and per-query overhead small next to
the search itself. Also shows LangChain's InMemoryVectorStore (langchain-core) as a reference.

    .venv/bin/python integrations/langchain/benchmarks/bench_vectorstore.py            # 20k x 1024
    .venv/bin/python integrations/langchain/benchmarks/bench_vectorstore.py --n 5000
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from langchain_core.embeddings import DeterministicFakeEmbedding
from langchain_core.vectorstores import InMemoryVectorStore

from langchain_twelvelabs import TwelveLabsSegmentVectorStore
from twelvelabs_rag.store import SegmentStore


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--dim", type=int, default=1024)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    n, dim = args.n, args.dim
    vectors = rng.standard_normal((n, dim)).astype(np.float32).tolist()  # list-of-lists, as LangChain hands them
    texts = [f"segment {i} of video {i // 100}" for i in range(n)]
    metas = [{"video_id": f"v{i // 100}", "start": float(i % 100) * 6.0, "end": float(i % 100) * 6.0 + 6.0}
             for i in range(n)]
    ids = [f"id-{i}" for i in range(n)]

    def native_ingest() -> SegmentStore:
        store = SegmentStore.create(None, dim=dim, model_name="bench")
        store.add(vectors, video_ids=[m["video_id"] for m in metas], starts=[m["start"] for m in metas],
                  ends=[m["end"] for m in metas], scopes="clip", options="text", texts=texts, metadatas=metas)
        return store

    def adapter_ingest() -> TwelveLabsSegmentVectorStore:
        vs = TwelveLabsSegmentVectorStore(DeterministicFakeEmbedding(size=dim), model_name="bench")
        vs.add_embeddings(zip(texts, vectors, strict=True), metas, ids=ids)
        return vs

    def inmemory_ingest() -> InMemoryVectorStore:
        vs = InMemoryVectorStore(DeterministicFakeEmbedding(size=dim))
        vs.add_documents  # noqa: B018 - the store has no add_embeddings; fill its dict the way add_texts does
        vs.store.update({i: {"id": i, "vector": v, "text": t, "metadata": m}
                         for i, v, t, m in zip(ids, vectors, texts, metas, strict=True)})
        return vs

    t_native = best_of(native_ingest, args.repeat)
    t_adapter = best_of(adapter_ingest, args.repeat)
    print(f"ingest {n} x {dim} (list-of-lists + metadata)")
    print(f"  native SegmentStore.add      {n / t_native:>10,.0f} rows/s")
    print(f"  adapter add_embeddings       {n / t_adapter:>10,.0f} rows/s   ratio adapter/native = {t_adapter / t_native:.2f}x  (goal <= 1.5x)")

    store, vs, mem = native_ingest(), adapter_ingest(), inmemory_ingest()
    qs = rng.standard_normal((args.queries, dim)).astype(np.float32)
    qlists = qs.tolist()

    def per_query(fn) -> float:
        lat = []
        for q in qlists:
            t0 = time.perf_counter()
            fn(q)
            lat.append(time.perf_counter() - t0)
        return statistics.median(lat)

    q_native = per_query(lambda q: store.search(q, k=10))
    q_adapter = per_query(lambda q: vs.similarity_search_by_vector(q, k=10))
    q_filter_native = per_query(lambda q: store.search(q, k=10, where={"metadata.video_id": "v7"}))
    q_filter_adapter = per_query(lambda q: vs.similarity_search_by_vector(q, k=10, filter={"video_id": "v7"}))
    q_mem = per_query(lambda q: mem.similarity_search_by_vector(q, k=10))
    print(f"query p50, k=10, {args.queries} queries")
    print(f"  native search                {q_native * 1e3:8.3f} ms")
    print(f"  adapter similarity_search    {q_adapter * 1e3:8.3f} ms   ratio {q_adapter / q_native:.2f}x")
    print(f"  native, filter one video     {q_filter_native * 1e3:8.3f} ms")
    print(f"  adapter, filter one video    {q_filter_adapter * 1e3:8.3f} ms   ratio {q_filter_adapter / q_filter_native:.2f}x")
    print(f"  InMemoryVectorStore (core)   {q_mem * 1e3:8.3f} ms   adapter is {q_mem / q_adapter:.1f}x faster")


if __name__ == "__main__":
    main()
