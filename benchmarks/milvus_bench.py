"""MilvusSegmentStore on milvus-lite vs raw pymilvus: ingest ratio and filtered recall (issue 13, section 4).

```bash
.venv/bin/python benchmarks/milvus_bench.py                    # 100k x 512 (Marengo 3.0 size)
.venv/bin/python benchmarks/milvus_bench.py --size 20000       # reduced run
```

* **Ingest.** The same rows (vectors, video_id, start/end, scope, option, metadata) go into two
  collections of the same schema: raw ``MilvusClient.insert`` of prepared row dicts in 2,000-row
  requests (the cheapest path pymilvus 3 offers; the ORM ``Collection.insert`` of columns converts
  to the same rows), and ``MilvusSegmentStore.add`` of numpy columns (validation, normalisation,
  upsert-key lookups, id reservation included). Alternating runs, best of ``--repeat``.
  Target: ours <= 1.1x raw.
* **Filtered recall.** IVF_FLAT and HNSW collections with default search parameters, flushed (sealed
  and indexed), queried with a one-video (1 %) and a ten-video (10 %) filter: recall@10 against
  exact numpy ground truth, raw ``MilvusClient.search(filter=...)`` vs ``MilvusSegmentStore.search``.
  Target: ours 1.0 with min(k, matches) hits.

Prints a Markdown table and writes ``benchmarks/results/milvus_bench_<size>.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _store_data import make_data

from twelvelabs_rag.store import MilvusSegmentStore
from twelvelabs_rag.store._milvus_filters import encode_metadata
from twelvelabs_rag.store._milvus_writes import upsert_key

DIM, K = 512, 10


def raw_rows(d: dict, first_id: int) -> list[dict]:
    x = d["x"]
    return [
        {"id": first_id + i, "video_id": d["video_ids"][i], "start": float(d["starts"][i]), "end": float(d["ends"][i]),
         "scope": d["scopes"][i], "option": d["options"][i], "text": None, "metadata": encode_metadata({"n": i % 7}),
         "external_id": None,
         "ukey": upsert_key(d["video_ids"][i], d["scopes"][i], d["options"][i], d["starts"][i], d["ends"][i]),
         "vector": x[i]}
        for i in range(x.shape[0])
    ]


def ingest_ours(uri: str, name: str, d: dict) -> float:
    store = MilvusSegmentStore(uri, collection=name, dim=DIM, model_name="marengo3.0")
    t = time.perf_counter()
    store.add(d["x"], video_ids=d["video_ids"], starts=d["starts"], ends=d["ends"], scopes=d["scopes"],
              options=d["options"], metadatas=[{"n": i % 7} for i in range(d["x"].shape[0])])
    dt = time.perf_counter() - t
    store.close()
    return dt


def ingest_raw(uri: str, name: str, d: dict) -> float:
    """The same schema (created through the store, then dropped of its rows), filled by raw inserts."""
    store = MilvusSegmentStore(uri, collection=name, dim=DIM, model_name="marengo3.0")
    store.close()
    from pymilvus import MilvusClient

    client = MilvusClient(uri)
    t = time.perf_counter()
    rows = raw_rows(d, 0)  # building the row dicts is part of the raw user's work
    for i in range(0, len(rows), 2000):
        client.insert(name, rows[i : i + 2000])
    dt = time.perf_counter() - t
    client.close()
    return dt


def recall(got: list[int], truth: list[int]) -> float:
    return len(set(got) & set(truth)) / max(len(truth), 1)


def filtered(uri: str, d: dict, index: str, n_q: int) -> dict:
    from pymilvus import MilvusClient

    name = f"recall_{index.lower()}"
    store = MilvusSegmentStore(uri, collection=name, dim=DIM, model_name="marengo3.0", index=index)
    if len(store) == 0:
        store.add(d["x"], video_ids=d["video_ids"], starts=d["starts"], ends=d["ends"], scopes=d["scopes"],
                  options=d["options"])
    t = time.perf_counter()
    store.flush()
    build = time.perf_counter() - t
    client = MilvusClient(uri)
    codes = d["video_codes"]
    x = d["x"]
    out: dict = {"index": index, "flush_and_index_s": round(build, 2)}
    for label, n_vid in (("1%", 1), ("10%", 10)):
        raw_r, our_r, our_t, raw_t, short = [], [], [], [], 0
        for j in range(n_q):
            q = d["queries"][j]
            vids = [(j * 7 + t) % d["n_videos"] for t in range(n_vid)]
            rows = np.flatnonzero(np.isin(codes, vids))
            truth = rows[np.argsort(-(x[rows] @ q))[:K]].tolist()  # ids are row numbers (fresh collection)
            names = [f"video-{v:04d}" for v in vids]
            where = {"video_id": names[0]} if n_vid == 1 else {"video_id": {"$in": names}}
            expr = f'video_id in {json.dumps(names)}'
            t = time.perf_counter()
            raw = client.search(name, data=[q.tolist()], filter=expr, limit=K)[0]
            raw_t.append(time.perf_counter() - t)
            t = time.perf_counter()
            ours = store.search(q, k=K, where=where)
            our_t.append(time.perf_counter() - t)
            short += len(ours) < min(K, rows.size)
            raw_r.append(recall([h["id"] for h in raw], truth))
            our_r.append(recall([h.id for h in ours], truth))
        out[label] = {"raw_recall": round(float(np.mean(raw_r)), 3), "raw_recall_min": round(float(np.min(raw_r)), 3),
                      "ours_recall": round(float(np.mean(our_r)), 3), "ours_recall_min": round(float(np.min(our_r)), 3),
                      "ours_short_answers": short, "raw_p50_ms": round(1e3 * float(np.median(raw_t)), 1),
                      "ours_p50_ms": round(1e3 * float(np.median(our_t)), 1)}
    client.close()
    store.close()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=2, help="alternating ingest runs per side (best is kept)")
    ap.add_argument("--queries", type=int, default=30)
    ap.add_argument("--ingest-only", action="store_true", help="skip the filtered-recall part")
    ap.add_argument("--dir", default=None, help="where the milvus-lite file goes (default: a temp dir)")
    args = ap.parse_args()
    d = make_data(args.size, DIM, args.queries, seed=0)
    work = Path(args.dir or tempfile.mkdtemp(prefix="milvus_bench_"))
    work.mkdir(parents=True, exist_ok=True)
    uri = str(work / "bench.db")
    ours, raw = [], []
    for r in range(args.repeat):
        raw.append(ingest_raw(uri, f"raw_{r}", d))
        ours.append(ingest_ours(uri, f"ours_{r}", d))
        print(f"ingest run {r}: raw {raw[-1]:.1f} s, ours {ours[-1]:.1f} s", file=sys.stderr, flush=True)
    res = {
        "size": args.size, "dim": DIM, "machine": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "ingest": {"raw_s": round(min(raw), 2), "ours_s": round(min(ours), 2),
                   "raw_rows_per_s": round(args.size / min(raw)), "ours_rows_per_s": round(args.size / min(ours)),
                   "ratio": round(min(ours) / min(raw), 3), "target": 1.1,
                   "raw_runs_s": [round(v, 2) for v in raw], "ours_runs_s": [round(v, 2) for v in ours]},
        "filtered": [] if args.ingest_only else [filtered(uri, d, idx, args.queries) for idx in ("IVF_FLAT", "HNSW")],
    }
    import pymilvus

    res["pymilvus"] = pymilvus.__version__
    ing = res["ingest"]
    print(f"\n| metric ({args.size:,} x {DIM}) | ours | raw pymilvus | ratio | target | status |")
    print("|---|---|---|---|---|---|")
    print(f"| ingest | {ing['ours_s']} s ({ing['ours_rows_per_s']:,} rows/s) | {ing['raw_s']} s "
          f"({ing['raw_rows_per_s']:,} rows/s) | {ing['ratio']}x | <= 1.1x | {'met' if ing['ratio'] <= 1.1 else 'MISSED'} |")
    for f in res["filtered"]:
        for label in ("1%", "10%"):
            v = f[label]
            ok = v["ours_recall_min"] == 1.0 and v["ours_short_answers"] == 0
            print(f"| {f['index']} filter {label} recall@10 (mean / min) | {v['ours_recall']} / {v['ours_recall_min']} "
                  f"(p50 {v['ours_p50_ms']} ms) | {v['raw_recall']} / {v['raw_recall_min']} (p50 {v['raw_p50_ms']} ms) "
                  f"| | 1.0 | {'met' if ok else 'MISSED'} |")
    suffix = "_ingest" if args.ingest_only else ""
    out = Path(__file__).resolve().parent / "results" / f"milvus_bench_{args.size}{suffix}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(res, indent=2) + "\n")
    print(json.dumps(res))
    if args.dir is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
