"""Many reader threads, one writer thread, one store.

Every row's fields and vector derive from one integer seed (carried in its metadata), so a
reader can check any hit on its own: the fields agree with each other and the score equals the
cosine with the seed's vector (no torn reads). The writer adds batches, upserts existing keys and
deletes rows; after each mutating call returns it publishes the ids that call removed. A reader
snapshots the published list *before* each search, and no hit may carry one of those ids.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from twelvelabs_rag.store import SegmentStore

MODEL = "marengo3.0"
DIM = 512
DURATION = 2.0
READERS = 4


def vec(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)


def row_cols(seeds: list[int], version: int = 0) -> dict:
    return {
        "video_ids": [f"v{s % 13}" for s in seeds],
        "starts": [float(s) for s in seeds],
        "ends": [float(s) + 2.0 for s in seeds],
        "scopes": ["clip" if s % 2 else "video" for s in seeds],
        "options": ["audio" if s % 3 else "visual-text" for s in seeds],
        "texts": [f"seed {s}" for s in seeds],
        "metadatas": [{"seed": s, "version": version} for s in seeds],
    }


def vector_seed(seed: int, version: int) -> int:
    return seed * 1000 + version


class Shared:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.removed: list[int] = []  # append-only; ids removed by calls that have returned
        self.errors: list[str] = []
        self.stop = threading.Event()
        self.searches = 0

    def publish(self, ids) -> None:
        with self.lock:
            self.removed.extend(int(i) for i in ids)

    def removed_now(self) -> frozenset[int]:
        with self.lock:
            return frozenset(self.removed)


def check_hit(h, q: np.ndarray, where: dict | None) -> str | None:
    md = h.metadata or {}
    s, version = md.get("seed"), md.get("version")
    if s is None:
        return f"hit {h.id} lost its metadata: {h}"
    cols = row_cols([s], version)
    got = (h.video_id, float(h.start), float(h.end), h.scope, h.option, h.text)
    want = (cols["video_ids"][0], cols["starts"][0], cols["ends"][0], cols["scopes"][0], cols["options"][0], cols["texts"][0])
    if got != want:
        return f"torn row {h.id}: {got} != {want}"
    v = vec(vector_seed(s, version)).astype(np.float64)
    cos = float(v @ q) / (np.linalg.norm(v) * np.linalg.norm(q))
    if abs(cos - float(h.score)) > 1e-4:
        return f"hit {h.id} score {h.score} != cosine {cos} of its own row"
    if where and "scope" in where and h.scope != where["scope"]:
        return f"hit {h.id} ignores the filter {where}"
    if where and "seed" in where and not (s < 1500 and h.option == "audio"):
        return f"hit {h.id} ignores the filter {where}"
    return None


def check_get(store: SegmentStore, i: int, removed: frozenset[int]) -> str | None:
    """``get`` of a just-seen id: gone (deleted since) or a whole, consistent segment."""
    got = store.get([i])
    if not got:
        return None
    (seg,) = got
    if seg.id in removed:
        return f"get returned {seg.id}, deleted before the call"
    md = seg.metadata or {}
    v = vec(vector_seed(md.get("seed", -1), md.get("version", -1))).astype(np.float64)
    if abs(float(seg.vector @ v) / np.linalg.norm(v) - 1.0) > 1e-4:
        return f"get({i}): vector does not belong to the row's metadata {md}"
    return None


def reader(store: SegmentStore, shared: Shared, rid: int) -> None:
    rng = np.random.default_rng(100 + rid)
    try:
        while not shared.stop.is_set():
            before = shared.removed_now()
            where = [
                None,
                {"scope": "clip"},
                {"video_id": {"$in": ["v1", "v2", "v3"]}, "start": {"$gte": 100.0}},
                {"seed": {"$lt": 1500}, "option": "audio"},
            ][int(rng.integers(4))]
            k = int(rng.integers(1, 30))
            if rng.random() < 0.25:
                qs = rng.standard_normal((3, DIM)).astype(np.float32)
                results = store.search_batch(qs, k=k, where=where)
                pairs = list(zip(qs, results, strict=True))
            else:
                q = rng.standard_normal(DIM).astype(np.float32)
                pairs = [(q, store.search(q, k=k, where=where))]
            for q, hits in pairs:
                keys = [(h.video_id, h.start, h.end, h.scope, h.option) for h in hits]
                if len(set(keys)) != len(keys):
                    shared.errors.append(f"reader {rid}: one result holds two rows with the same key (torn upsert)")
                if where is None and len(hits) != k:
                    shared.errors.append(f"reader {rid}: {len(hits)} hits for k={k} (store never below 500)")
                for h in hits:
                    if int(h.id) in before:
                        shared.errors.append(f"reader {rid}: hit {h.id} was deleted before the search began")
                    problem = check_hit(h, q.astype(np.float64), where)
                    if problem:
                        shared.errors.append(f"reader {rid}: {problem}")
                if hits and rng.random() < 0.3:
                    problem = check_get(store, int(hits[0].id), shared.removed_now())
                    if problem:
                        shared.errors.append(f"reader {rid}: {problem}")
            shared.searches += 1
    except Exception as exc:  # any exception in a reader fails the test
        shared.errors.append(f"reader {rid} raised {type(exc).__name__}: {exc}")
        shared.stop.set()


def writer(store: SegmentStore, shared: Shared, live: dict[int, tuple[int, int]], next_seed: int, save: bool) -> None:
    rng = np.random.default_rng(7)
    version = 0
    rounds = 0
    try:
        while not shared.stop.is_set():
            rounds += 1
            # 1. add a batch of new rows
            seeds = list(range(next_seed, next_seed + 20))
            next_seed += 20
            vecs = np.stack([vec(vector_seed(s, 0)) for s in seeds])
            for i, s in zip(store.add(vecs, **row_cols(seeds, 0)), seeds, strict=True):
                live[int(i)] = (s, 0)
            # 2. upsert a few existing keys (the old ids must vanish when add returns)
            version += 1
            old_ids = [int(i) for i in rng.choice(sorted(live), size=5, replace=False)]
            up_seeds = [live[i][0] for i in old_ids]
            vecs = np.stack([vec(vector_seed(s, version)) for s in up_seeds])
            new_ids = store.add(vecs, **row_cols(up_seeds, version))
            shared.publish(old_ids)
            for i in old_ids:
                del live[i]
            for i, s in zip(new_ids, up_seeds, strict=True):
                live[int(i)] = (s, version)
            # 3. delete some rows by id
            doomed = [int(i) for i in rng.choice(sorted(live), size=15, replace=False)]
            n = store.delete(doomed)
            if n != len(doomed):
                shared.errors.append(f"writer: delete returned {n} for {len(doomed)} live ids")
            shared.publish(doomed)
            for i in doomed:
                del live[i]
            if len(live) < 500:
                shared.errors.append("writer: population fell below 500")
            if save and rounds % 10 == 0:
                store.save()
    except Exception as exc:
        shared.errors.append(f"writer raised {type(exc).__name__}: {exc}")
        shared.stop.set()


def run_readers_writer(
    path: Path | None, *, readers: int, duration: float, mmap: bool = False
) -> tuple[Shared, SegmentStore, dict]:
    """Fill a store with 2,000 rows, then run ``readers`` reader threads and one writer.

    ``mmap=True`` saves, closes and reopens the store with its vectors memory-mapped first.
    """
    store = SegmentStore.create(path, dim=DIM, model_name=MODEL)
    seeds = list(range(2000))
    ids = store.add(np.stack([vec(vector_seed(s, 0)) for s in seeds]), **row_cols(seeds, 0))
    live = {int(i): (s, 0) for i, s in zip(ids, seeds, strict=True)}
    if mmap:
        store.save()
        store.close()
        store = SegmentStore.open(path, mmap=True)
    shared = Shared()
    threads = [threading.Thread(target=reader, args=(store, shared, r)) for r in range(readers)]
    threads.append(threading.Thread(target=writer, args=(store, shared, live, 10_000, path is not None)))
    for t in threads:
        t.start()
    shared.stop.wait(duration)
    shared.stop.set()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return shared, store, live


def check_after(shared: Shared, store: SegmentStore, live: dict) -> None:
    assert shared.errors == [], "\n".join(shared.errors[:20])
    assert shared.searches > 20, f"readers made too little progress ({shared.searches} searches)"
    # After the dust settles, the store holds exactly the writer's live set.
    assert len(store) == len(live)
    got = {int(h.id) for h in store.search(vec(1), k=len(live))}
    assert not got & shared.removed_now()
    assert got == set(live)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("mode", ["memory", "disk", "disk-mmap"])
def test_readers_and_one_writer(tmp_path: Path, mode: str) -> None:
    path = None if mode == "memory" else tmp_path / "s"
    shared, store, live = run_readers_writer(path, readers=READERS, duration=DURATION, mmap=mode == "disk-mmap")
    try:
        check_after(shared, store, live)
    finally:
        store.close()
