"""Optional ANN mode (``index="ivf"``): an IVF-SQ8 faiss index over the store's ids, exact re-rank.

The IVF index holds 8-bit codes keyed by segment id (ids never move, so compaction does not touch
it). Each query probes ``nprobe`` lists for a few times ``k`` candidates, then re-scores them
exactly on the store's float32 rows, so the returned scores are exact cosines. The index is
trained only when asked, by ``SegmentStore.build_index()`` (never inside an ``add``: training takes
seconds at 100k rows); until then, and below ``TRAIN_MIN`` rows, searches are exact. Rows added after
training are added to the trained lists; ``stats()["ann"]["rebuild_recommended"]`` turns true once
the store has grown 4x since, and another ``build_index()`` retrains. Filtered queries that keep
few rows are routed to the exact scan by the caller (``usable_for``).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable

import faiss
import numpy as np

from ._search import search_one, topk
from ._state import State

__all__ = ["AnnIndex"]

#: Below this many rows exact search is fast enough and IVF training is not worth it.
TRAIN_MIN = 20_000
#: A filter keeping less than this fraction of rows is answered by an exact scan of those rows.
EXACT_FRACTION = 0.05


class _RWLock:
    """Many concurrent searches, one exclusive writer (faiss indexes are not safe to mutate while read)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False

    def acquire_read(self) -> None:
        with self._cond:
            while self._writer:
                self._cond.wait()
            self._readers += 1

    def release_read(self) -> None:
        with self._cond:
            self._readers -= 1
            if not self._readers:
                self._cond.notify_all()

    def acquire_write(self) -> None:
        with self._cond:
            while self._writer or self._readers:
                self._cond.wait()
            self._writer = True

    def release_write(self) -> None:
        with self._cond:
            self._writer = False
            self._cond.notify_all()


class AnnIndex:
    """IVF{nlist},SQ8 over segment ids with exact re-ranking (see module docstring)."""

    def __init__(self, dim: int, *, nprobe: int = 16, rerank: int = 4) -> None:
        self.dim = dim
        self.nprobe = nprobe
        self.rerank = rerank
        self.index: faiss.Index | None = None
        self.trained_on = 0
        self._pending_removal: list[np.ndarray] = []
        self._lock = _RWLock()

    # -- writer side (the store's write lock is held) ---------------------------------
    def load(self, blob: np.ndarray, *, trained_on: int, count: int) -> None:
        """Adopt a serialised index; anything but an IVF index of this dimension is ``ValueError``."""
        try:
            index = faiss.deserialize_index(np.ascontiguousarray(blob))  # already the concrete class
        except RuntimeError as exc:  # faiss reports unreadable blobs as RuntimeError
            raise ValueError(f"not a faiss index ({str(exc).splitlines()[0][:120]})") from None
        if not isinstance(index, faiss.IndexIVF) or index.d != self.dim or not index.is_trained:
            raise ValueError(f"expected a trained {self.dim}-d IVF index, got {type(index).__name__} of d={index.d}")
        if index.ntotal > count or index.metric_type != faiss.METRIC_INNER_PRODUCT:
            raise ValueError(f"the index holds {index.ntotal} vectors for {count} rows, or uses another metric")
        self.index = index
        self.trained_on = int(trained_on) or int(index.ntotal)

    def build(self, st: State, progress: Callable[[int, int], None] | None = None) -> None:
        """Train on a sample of ``st``'s live rows and index them all; ``progress(done, total)`` as rows go in."""
        n = st.n
        nlist = int(2 ** round(math.log2(max(16.0, 4 * math.sqrt(n)))))
        rng = np.random.default_rng(0)
        live = np.flatnonzero(st.live[:n])
        sample = np.sort(rng.choice(live, size=min(live.size, 32 * nlist), replace=False))
        quantizer = faiss.IndexFlatIP(self.dim)
        index = faiss.IndexIVFScalarQuantizer(quantizer, self.dim, nlist, faiss.ScalarQuantizer.QT_8bit,
                                              faiss.METRIC_INNER_PRODUCT)
        index.cp.niter = 10
        index.cp.min_points_per_centroid = 16  # 32 samples per list are plenty for these lists
        total = int(live.size)
        if progress is not None:
            progress(0, total)
        index.train(np.ascontiguousarray(st.vec[sample]))
        step = 1 << 16
        for lo in range(0, total, step):
            part = live[lo : lo + step]
            index.add_with_ids(np.ascontiguousarray(st.vec[part]), np.ascontiguousarray(st.ids[part]))
            if progress is not None:
                progress(min(lo + step, total), total)
        quantizer.this.disown()
        index.own_fields = True
        self._swap(index, n)

    def _swap(self, index: faiss.Index, trained_on: int) -> None:
        self._lock.acquire_write()
        try:
            self.index = index
            self.trained_on = trained_on
            self._pending_removal = []
        finally:
            self._lock.release_write()

    def add(self, st: State, lo: int, hi: int) -> None:
        """Index rows ``lo:hi`` of ``st`` when an index was built (never trains: see :meth:`build`)."""
        if self.index is None:
            return
        self._lock.acquire_write()
        try:
            self.index.add_with_ids(np.ascontiguousarray(st.vec[lo:hi]), np.ascontiguousarray(st.ids[lo:hi]))
        finally:
            self._lock.release_write()

    def forget(self, ids: np.ndarray) -> None:
        """Deleted ids: filtered out at query time, removed from the lists at the next save."""
        if self.index is not None and ids.size:
            self._pending_removal.append(np.asarray(ids, dtype=np.int64))

    def serialize(self, st: State) -> np.ndarray | None:
        if self.index is None:
            return None
        if self._pending_removal:
            gone = np.unique(np.concatenate(self._pending_removal))
            self._lock.acquire_write()
            try:
                self.index.remove_ids(gone)
                self._pending_removal = []
            finally:
                self._lock.release_write()
        return faiss.serialize_index(self.index)

    # -- reader side ---------------------------------------------------------------
    def usable_for(self, st: State, rows: np.ndarray | None) -> bool:
        if self.index is None or st.n_live < TRAIN_MIN:
            return False
        return rows is None or rows.size >= EXACT_FRACTION * st.n

    def search(
        self, st: State, qs: np.ndarray, k: int, rows: np.ndarray | None
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """Approximate top-k per query, re-scored exactly; falls back to exact when too few survive."""
        frac = 1.0 if rows is None else rows.size / max(st.n, 1)
        want = min(int(math.ceil(max(self.rerank * k, 32) / frac)), 4096)
        mask = None
        if rows is not None:
            mask = np.zeros(st.n, dtype=bool)
            mask[rows] = True
        params = faiss.SearchParametersIVF(nprobe=self.nprobe)
        self._lock.acquire_read()
        try:
            index = self.index
            _, found = index.search(np.ascontiguousarray(qs, dtype=np.float32), want, params=params)
        finally:
            self._lock.release_read()
        out = []
        for j in range(qs.shape[0]):
            f = found[j][found[j] >= 0]
            cand = st.rows_of_ids(f)
            cand = cand[cand >= 0]
            if mask is not None:
                cand = cand[mask[cand]]
            need = min(k, st.n_live if rows is None else rows.size)
            if cand.size < need:
                out.append(search_one(st, qs[j], k, rows))
                continue
            s = st.vec[cand] @ qs[j]
            best = topk(s, k)
            out.append((cand[best], s[best]))
        return out

    def info(self, st: State | None = None) -> dict[str, object]:
        idx = self.index
        grown = st is not None and st.n_live >= TRAIN_MIN and (idx is None or st.n > 4 * max(self.trained_on, 1))
        return {
            "rebuild_recommended": bool(grown),
            "kind": "ivf-sq8",
            "trained": idx is not None,
            "nlist": int(idx.nlist) if idx is not None else None,
            "nprobe": self.nprobe,
            "indexed": int(idx.ntotal) if idx is not None else 0,
            "trained_on": self.trained_on,
        }
