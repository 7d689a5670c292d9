"""Optional ANN mode (``index="ivf"``): an IVF-SQ8 faiss index over the store's ids, exact re-rank.

The IVF index holds 8-bit codes keyed by segment id (ids never move, so compaction does not touch
it). Each query probes ``nprobe`` lists for a few times ``k`` candidates, then re-scores them
exactly on the store's float32 rows, so the returned scores are exact cosines. The index is
trained only when asked, by ``SegmentStore.build_index()`` (never inside an ``add``: training takes
seconds at 100k rows); until then, and below ``TRAIN_MIN`` rows, searches are exact. Rows added after
training are added to the trained lists; ``stats()["ann"]["rebuild_recommended"]`` turns true once
the store has grown 4x since, and another ``build_index()`` retrains.

Which path answers a query is decided per query by :func:`route` from the filter's measured
selectivity: no filter -> the IVF probe; a filter keeping at most ``EXACT_FRACTION`` of the rows ->
an exact scan of exactly those rows (recall 1.0, cost proportional to the matches); a broader filter
-> an IVF probe restricted to the matching ids (an ``IDSelectorBitmap``) with ``nprobe`` scaled by
``1 / selectivity``, falling back to the exact scan when it finds fewer than ``k`` matches.

A store opened read-only with ``mmap=True`` maps the serialised index (``IO_FLAG_MMAP_IFC``) instead
of reading it; the first write to such an index copies it into memory.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from ._faiss import disown
from ._faiss import raw as _faiss
from ._search import search_many, search_one, topk
from ._state import State

__all__ = ["AnnIndex", "route", "rank", "rank_many"]

#: Below this many rows exact search is fast enough and IVF training is not worth it.
TRAIN_MIN = 20_000
#: A filter keeping at most this fraction of rows is answered by an exact scan of those rows.
EXACT_FRACTION = 0.25


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


def nlist_for(n: int) -> int:
    """Inverted lists for ``n`` rows: ``4 sqrt(n)`` (faiss's usual guidance), at least 16."""
    return max(16, int(4 * math.sqrt(n)))


class AnnIndex:
    """IVF{nlist},SQ8 over segment ids with exact re-ranking (see module docstring)."""

    def __init__(self, dim: int, *, nprobe: int = 16, rerank: int = 4) -> None:
        self.dim = dim
        self.nprobe = nprobe
        self.rerank = rerank
        self.index: faiss.IndexIVF | None = None
        self.trained_on = 0
        self.mapped = False  # the index's lists are a read-only view of a file (never mutate them)
        self._pending_removal: list[np.ndarray] = []
        self._lock = _RWLock()
        self._params: faiss.SearchParametersIVF | None = None

    # -- writer side (the store's write lock is held) ---------------------------------
    def _adopt(self, index: Any, *, trained_on: int, count: int) -> None:
        if not isinstance(index, faiss.IndexIVF) or index.d != self.dim or not index.is_trained:
            raise ValueError(f"expected a trained {self.dim}-d IVF index, got {type(index).__name__} of d={index.d}")
        if index.ntotal > count or index.metric_type != faiss.METRIC_INNER_PRODUCT:
            raise ValueError(f"the index holds {index.ntotal} vectors for {count} rows, or uses another metric")
        self.index = index
        self.trained_on = int(trained_on) or int(index.ntotal)
        self._params = _ivf_params(self.nprobe)

    def load(self, blob: np.ndarray | Path | faiss.Index, *, trained_on: int, count: int) -> None:
        """Adopt a serialised index, an index mapped from its file (``IO_FLAG_MMAP_IFC``), or map the
        file ``blob`` names; anything but an IVF index of this dimension is ``ValueError``."""
        if isinstance(blob, Path):
            self.load_mapped(blob, trained_on=trained_on, count=count)
            return
        if isinstance(blob, faiss.Index):
            self._adopt(blob, trained_on=trained_on, count=count)
            self.mapped = True
            return
        try:
            index = faiss.deserialize_index(np.ascontiguousarray(blob))  # already the concrete class
        except RuntimeError as exc:  # faiss reports unreadable blobs as RuntimeError
            raise ValueError(f"not a faiss index ({str(exc).splitlines()[0][:120]})") from None
        self._adopt(index, trained_on=trained_on, count=count)
        self.mapped = False

    def load_mapped(self, path: Path, *, trained_on: int, count: int) -> None:
        """Map the index file (its lists stay on disk, paged in as probed); same checks as :meth:`load`."""
        try:
            index = faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC)
        except RuntimeError as exc:
            raise ValueError(f"not a faiss index ({str(exc).splitlines()[0][:120]})") from None
        self._adopt(index, trained_on=trained_on, count=count)
        self.mapped = True

    def _owned(self) -> None:
        """Copy a mapped index into memory before its first mutation (faiss aborts on a mapped list's resize)."""
        if self.mapped and self.index is not None:
            copy = faiss.deserialize_index(faiss.serialize_index(self.index))
            assert isinstance(copy, faiss.IndexIVF)  # deserialize_index returns the concrete class
            self._swap(copy, self.trained_on)

    def build(self, st: State, progress: Callable[[int, int], None] | None = None) -> None:
        """Train on a sample of ``st``'s live rows and index them all; ``progress(done, total)`` as rows go in."""
        n = st.n
        nlist = nlist_for(n)
        rng = np.random.default_rng(0)
        live = np.flatnonzero(st.live[:n])
        sample = np.sort(rng.choice(live, size=min(live.size, 32 * nlist), replace=False))
        # the coarse centroids in float16: every query reads all of them (8 MB in float32 at 1M rows, the
        # largest part of a probe's memory traffic); half-precision picks the same lists (measured recall
        # unchanged) at about 3/4 of the probe's cost. k-means runs in float32 and the centroids are added after.
        quantizer = faiss.IndexScalarQuantizer(self.dim, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT)
        index = faiss.IndexIVFScalarQuantizer(quantizer, self.dim, nlist, faiss.ScalarQuantizer.QT_8bit,
                                              faiss.METRIC_INNER_PRODUCT)
        index.quantizer_trains_alone = "\x02"  # a C char (the stubs say str): 2 = train the coarse k-means alone
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
        disown(quantizer)
        index.own_fields = True
        self._swap(index, n)

    def _swap(self, index: faiss.IndexIVF, trained_on: int) -> None:
        self._lock.acquire_write()
        try:
            self.index = index
            self.trained_on = trained_on
            self.mapped = False
            self._params = _ivf_params(self.nprobe)
        finally:
            self._lock.release_write()

    def add(self, st: State, lo: int, hi: int) -> None:
        """Index rows ``lo:hi`` of ``st`` when an index was built (never trains: see :meth:`build`)."""
        if self.index is None:
            return
        self._owned()
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
            self._owned()
            gone = np.ascontiguousarray(np.unique(np.concatenate(self._pending_removal)), dtype=np.int64)
            self._lock.acquire_write()
            try:
                self.index.remove_ids(faiss.IDSelectorBatch(gone.size, faiss.swig_ptr(gone)))
                self._pending_removal = []
            finally:
                self._lock.release_write()
        return faiss.serialize_index(self.index)

    # -- reader side ---------------------------------------------------------------
    def usable(self, st: State) -> bool:
        return self.index is not None and st.n_live >= TRAIN_MIN

    def usable_for(self, st: State, rows: np.ndarray | None) -> bool:
        return route(self, st, rows) != "exact"

    def _probe(self, qs: np.ndarray, want: int, params: faiss.SearchParametersIVF | None) -> np.ndarray:
        nq = qs.shape[0]
        dist = np.empty((nq, want), dtype=np.float32)
        found = np.empty((nq, want), dtype=np.int64)
        threads = faiss.omp_get_max_threads() if nq == 1 else 1
        self._lock.acquire_read()
        try:
            index: Any = self.index  # Any: the stubs lack search_c (see ._faiss)
            assert index is not None
            if threads > 1:  # one query is not worth an OpenMP team (this thread's setting only)
                faiss.omp_set_num_threads(1)
            index.search_c(nq, faiss.swig_ptr(qs), want, faiss.swig_ptr(dist), faiss.swig_ptr(found), params)
        finally:
            if threads > 1:
                faiss.omp_set_num_threads(threads)
            self._lock.release_read()
        return found

    def search_unfiltered(self, st: State, q: np.ndarray, k: int,
                          verify: Callable[[np.ndarray | None], None] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`search` for one query and no filter, with as little work around the faiss call as possible
        (one probe, candidate rows by arithmetic when ids are contiguous, one gather-free re-score)."""
        want = max(self.rerank * k, 32)
        dist = np.empty(want, dtype=np.float32)
        found = np.empty(want, dtype=np.int64)
        threads = faiss.omp_get_max_threads()
        self._lock.acquire_read()
        try:
            index: Any = self.index  # Any: the stubs lack search_c (see ._faiss)
            assert index is not None
            if threads > 1:  # one query is not worth an OpenMP team (this thread's setting only)
                faiss.omp_set_num_threads(1)
            index.search_c(1, faiss.swig_ptr(q), want, faiss.swig_ptr(dist), faiss.swig_ptr(found), self._params)
        finally:
            if threads > 1:
                faiss.omp_set_num_threads(threads)
            self._lock.release_read()
        base = _id_base(st)
        if base is not None and found[-1] >= 0:
            cand = found - base
            if not (cand.min() >= 0 and cand.max() < st.n):
                cand = st.rows_of_ids(found)
                cand = cand[cand >= 0]
        else:
            cand = st.rows_of_ids(found[found >= 0])
            cand = cand[cand >= 0]
        if cand.size < min(k, st.n_live):
            if verify is not None:
                verify(None)
            return search_one(st, q, k, None)
        if verify is not None:
            verify(cand)
        s = _scores(st.vec, q, cand)
        best = np.argsort(-s, kind="stable")[:k] if s.size <= 64 else topk(s, k)
        return cand[best], s[best]

    def search(self, st: State, qs: np.ndarray, k: int, rows: np.ndarray | None,
               verify: Callable[[np.ndarray | None], None] | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
        """Approximate top-k per query, re-scored exactly; falls back to exact when too few candidates match.

        ``rows`` (a filter's matching rows) restricts the probe to their ids; ``verify(rows)`` is called
        on every candidate set before it is scored, ``verify(None)`` before an exact fallback (the
        memory-mapped vectors' lazy check).
        """
        qs = np.ascontiguousarray(qs, dtype=np.float32)
        want = max(self.rerank * k, 32)
        params = self._params
        need = min(k, st.n_live)
        bitmap = None
        if rows is not None:
            frac = rows.size / max(st.n_live, 1)
            need = min(k, int(rows.size))
            ids = st.ids[rows]
            top = int(ids[-1]) + 1 if ids.size else 1
            bits = np.zeros(top, dtype=bool)
            bits[ids] = True
            bitmap = np.packbits(bits, bitorder="little")
            sel = faiss.IDSelectorBitmap(bitmap.size, faiss.swig_ptr(bitmap))  # n = bytes of the bitmap
            index = self.index
            nlist = int(index.nlist) if index is not None else 1
            params = _ivf_params(min(nlist, int(math.ceil(self.nprobe / max(frac, 1e-9)))), sel)
        found = self._probe(qs, want, params)
        del bitmap  # (kept alive until the probe returned: the selector points into it)
        out = []
        for j in range(qs.shape[0]):
            f = found[j]
            if f[-1] < 0:
                f = f[f >= 0]
            cand = st.rows_of_ids(f)
            if cand.size and cand.min() < 0:
                cand = cand[cand >= 0]
            if cand.size < need:
                if verify is not None:
                    verify(None)  # an exact scan reads every row: the whole check first
                out.append(search_one(st, qs[j], k, rows))
                continue
            if verify is not None:
                verify(cand)
            s = _scores(st.vec, qs[j], cand)
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
            "mapped": self.mapped,
        }


def _ivf_params(nprobe: int, sel: faiss.IDSelector | None = None) -> faiss.SearchParametersIVF:
    """Search parameters probing ``nprobe`` lists, restricted to the ids ``sel`` accepts if given."""
    params = faiss.SearchParametersIVF()
    params.nprobe = nprobe
    if sel is not None:
        params.sel = sel
    return params


def _id_base(st: State) -> int | None:
    """The id of row 0 when row ``r`` holds id ``base + r`` for every row (no deletes), else ``None``."""
    n = st.n
    if n == 0 or st.dead_rows.size:
        return None
    first = int(st.ids[0])
    return first if int(st.ids[n - 1]) - first == n - 1 else None  # ids increase strictly: contiguous


def _scores(vec: np.ndarray, q: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Exact inner products of ``q`` with ``vec[rows]`` (a small gather and faiss's single-thread kernel:
    no OpenMP team, no BLAS threads, which cost more than the work on a busy machine)."""
    out = np.empty(rows.size, dtype=np.float32)
    if rows.size:
        block = np.take(vec, rows, axis=0)
        _faiss.fvec_inner_products_ny(faiss.swig_ptr(out), faiss.swig_ptr(q), faiss.swig_ptr(block), q.shape[0],
                                      rows.size)
    return out


def route(ann: AnnIndex | None, st: State, rows: np.ndarray | None) -> str:
    """``"ivf"`` or ``"exact"`` for a query on ``st`` whose filter kept ``rows`` (``None``: no filter)."""
    if ann is None or not ann.usable(st):
        return "exact"
    if rows is None:
        return "ivf"
    return "exact" if rows.size <= EXACT_FRACTION * st.n_live else "ivf"


def _verifier(check: Any, st: State) -> Callable[[np.ndarray | None], None] | None:
    if check is None or check.done:
        if check is not None:
            check.raise_if_failed()
        return None
    check.raise_if_failed()
    return lambda rows: check.wait() if rows is None else check.verify_rows(st.vec, rows)


def rank(ann: AnnIndex | None, check: Any, st: State, q: np.ndarray, k: int,
         rows: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """The top-k ``(rows, scores)`` of one unit query, by the path :func:`route` picks.

    ``check`` is the store's background check of memory-mapped vectors (or ``None``): an exact scan
    waits for it (it reads those rows anyway); an IVF probe does not, and verifies the rows it
    re-scores instead, so the first query after an mmap open costs a probe, not a checksum of the file.
    """
    if route(ann, st, rows) == "exact":
        if check is not None:
            check.wait()
        return search_one(st, q, k, rows)
    assert ann is not None
    verify = _verifier(check, st) if check is not None else None
    if rows is None:
        return ann.search_unfiltered(st, q, k, verify)
    return ann.search(st, q[None, :], k, rows, verify=verify)[0]


def rank_many(ann: AnnIndex | None, check: Any, st: State, qs: np.ndarray, k: int,
              rows: np.ndarray | None) -> list[tuple[np.ndarray, np.ndarray]]:
    """:func:`rank` for a batch of unit queries."""
    if route(ann, st, rows) == "exact":
        if check is not None:
            check.wait()
        idx, sc, counts = search_many(st, qs, k, rows)
        return [(idx[j, : counts[j]], sc[j, : counts[j]]) for j in range(qs.shape[0])]
    assert ann is not None
    return ann.search(st, qs, k, rows, verify=_verifier(check, st))
