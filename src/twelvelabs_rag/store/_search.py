"""Exact search kernels on the store's unit-vector matrix (cosine = inner product).

* one query: a BLAS GEMV straight on the matrix view, then ``argpartition`` (about 2x faster than
  faiss's single-query scan, which does not use BLAS);
* many queries: faiss's blocked GEMM + heap (``faiss.knn``) for large batches, a numpy GEMM for
  small ones;
* filters: the matching rows are known before the scan, so only those rows are scored (a slice
  when they are contiguous, a gather otherwise) and the answer is exact.
"""

from __future__ import annotations

import faiss
import numpy as np

from ._faiss import raw as _faiss
from ._state import State

__all__ = ["search_one", "search_many", "topk", "FAISS_BATCH_MIN"]

#: Batches at least this large go through ``faiss.knn`` (BLAS GEMM + heaps); smaller ones through numpy.
FAISS_BATCH_MIN = 64
#: When a filter keeps more than this fraction of the rows, score all rows and pick the matches.
_DENSE_FRACTION = 0.3
_NEG = np.float32(-np.inf)


def topk(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` best scores, best first (ties: lower position first)."""
    m = scores.shape[0]
    if k <= 0 or m == 0:
        return np.zeros(0, dtype=np.int64)
    if m <= 64:  # a re-rank's few candidates: one stable sort (ties keep the lower position first)
        return np.argsort(-scores, kind="stable")[:k]
    if k >= m:
        part = np.arange(m)
    else:
        part = np.argpartition(scores, m - k)[m - k :]
    order = np.lexsort((part, -scores[part]))
    return part[order]


#: Matrices up to this many floats are scored with faiss's single-thread SIMD kernel: a threaded BLAS
#: (or OpenMP) call on a small matrix costs more in thread wake-ups than it saves, and on a busy
#: machine those wake-ups take milliseconds.
_SMALL = 1 << 22


def _dot(mat: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``mat @ q`` for a C-contiguous float32 matrix."""
    if mat.size > _SMALL:
        prod: np.ndarray = mat @ q
        return prod
    out = np.empty(mat.shape[0], dtype=np.float32)
    if mat.shape[0]:
        _faiss.fvec_inner_products_ny(faiss.swig_ptr(out), faiss.swig_ptr(q), faiss.swig_ptr(mat), mat.shape[1],
                                      mat.shape[0])
    return out


def _dot_slice(x: np.ndarray, q: np.ndarray, lo: int, hi: int) -> np.ndarray:
    return _dot(x[lo:hi], q)


def _dot_rows(x: np.ndarray, q: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``x[rows] @ q`` for sorted ``rows``: runs of consecutive rows are scored in place (no copy), scattered
    rows gathered a block at a time. Only faiss's single-thread kernel is used: no OpenMP team (whose
    start-up and spinning cost milliseconds on a busy machine) and no BLAS threads."""
    out = np.empty(rows.size, dtype=np.float32)
    if not rows.size:
        return out
    breaks = np.flatnonzero(np.diff(rows) != 1) + 1
    if breaks.size <= rows.size // 64:  # long runs (e.g. whole videos): score each slice where it lies
        starts = np.concatenate(([0], breaks)).tolist()
        ends = np.concatenate((breaks, [rows.size])).tolist()
        for a, b in zip(starts, ends, strict=True):
            lo = int(rows[a])
            _ny(out[a:b], q, x[lo : lo + (b - a)])
        return out
    step = 4096
    for a in range(0, rows.size, step):
        block = np.take(x, rows[a : a + step], axis=0)
        _ny(out[a : a + block.shape[0]], q, block)
    return out


def _ny(out: np.ndarray, q: np.ndarray, mat: np.ndarray) -> None:
    """``out[:] = mat @ q`` with faiss's single-thread SIMD kernel (``mat`` C-contiguous rows)."""
    _faiss.fvec_inner_products_ny(faiss.swig_ptr(out), faiss.swig_ptr(q), faiss.swig_ptr(mat), mat.shape[1],
                                  mat.shape[0])


def _contiguous(rows: np.ndarray) -> bool:
    return bool(rows.size) and int(rows[-1]) - int(rows[0]) + 1 == rows.size


def search_one(st: State, q: np.ndarray, k: int, rows: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Exact top-k rows and scores for one unit query; ``rows`` restricts to those (live) rows."""
    x = st.matrix()
    if rows is None:
        n_live = st.n_live
        if n_live == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        if x.size > _SMALL:
            s = np.empty(st.n, dtype=np.float32)
            np.matmul(x, q, out=s)  # memory-bound: a threaded BLAS GEMV reads the matrix fastest
        else:
            s = _dot_slice(x, q, 0, st.n)
        if st.dead_rows.size:
            s[st.dead_rows] = _NEG
        best = topk(s, min(k, n_live))
        return best.astype(np.int64), s[best]
    if rows.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    if _contiguous(rows):
        lo = int(rows[0])
        s = _dot_slice(x, q, lo, lo + rows.size)
        best = topk(s, k)
        return best.astype(np.int64) + lo, s[best]
    if rows.size > _DENSE_FRACTION * st.n:
        s = _dot_slice(x, q, 0, st.n)[rows]
    else:
        s = _dot_rows(x, q, rows)
    best = topk(s, k)
    return rows[best], s[best]


def _numpy_batch(x: np.ndarray, qs: np.ndarray, k: int, dead: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    nq = qs.shape[0]
    kk = min(k, x.shape[0] - (0 if dead is None else dead.size))
    out_i = np.zeros((nq, max(kk, 0)), dtype=np.int64)
    out_s = np.zeros((nq, max(kk, 0)), dtype=np.float32)
    if kk <= 0:
        return out_i, out_s
    block = 64
    small = x.size <= _SMALL
    for b in range(0, nq, block):
        qb = qs[b : b + block]
        s = np.stack([_dot_slice(x, q, 0, x.shape[0]) for q in qb]) if small else qb @ x.T
        if dead is not None and dead.size:
            s[:, dead] = _NEG
        for j in range(s.shape[0]):
            best = topk(s[j], kk)
            out_i[b + j], out_s[b + j] = best, s[j, best]
    return out_i, out_s


def _faiss_batch(x: np.ndarray, qs: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    kk = min(k, x.shape[0])
    if kk <= 0:
        return np.zeros((qs.shape[0], 0), np.int64), np.zeros((qs.shape[0], 0), np.float32)
    if not x.flags.c_contiguous or not x.flags.writeable:
        # faiss needs a plain contiguous buffer; a read-only memmap scan goes through numpy instead
        return _numpy_batch(x, qs, kk, None)
    dist, idx = faiss.knn(qs, x, kk, faiss.METRIC_INNER_PRODUCT)
    return idx.astype(np.int64, copy=False), dist


def search_many(
    st: State, qs: np.ndarray, k: int, rows: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact top-k for a batch of unit queries -> ``(rows (nq,kk), scores (nq,kk), counts (nq,))``.

    ``counts`` is how many leading entries of each row are valid (``min(k, matches)``).
    """
    nq = qs.shape[0]
    x = st.matrix()
    if rows is None:
        dead = st.dead_rows
        avail = st.n_live
        if nq >= FAISS_BATCH_MIN and dead.size <= 1024:
            idx, sc = _faiss_batch(x, qs, min(k + int(dead.size), st.n))
            if dead.size:
                idx, sc = _drop_dead(st, idx, sc, min(k, avail))
            else:
                idx, sc = idx[:, :k], sc[:, :k]
        else:
            idx, sc = _numpy_batch(x, qs, k, dead)
        return idx, sc, np.full(nq, min(k, avail), dtype=np.int64)
    if rows.size == 0:
        return np.zeros((nq, 0), np.int64), np.zeros((nq, 0), np.float32), np.zeros(nq, np.int64)
    if _contiguous(rows):
        lo = int(rows[0])
        sub = x[lo : lo + rows.size]
        mapping = None
    else:
        sub = np.take(x, rows, axis=0)
        mapping = rows
    if nq >= FAISS_BATCH_MIN:
        idx, sc = _faiss_batch(sub, qs, k)
    else:
        idx, sc = _numpy_batch(sub, qs, k, None)
    idx = idx + lo if mapping is None else mapping[idx]
    return idx, sc, np.full(nq, min(k, int(rows.size)), dtype=np.int64)


def _drop_dead(st: State, idx: np.ndarray, sc: np.ndarray, kk: int) -> tuple[np.ndarray, np.ndarray]:
    out_i = np.zeros((idx.shape[0], kk), dtype=np.int64)
    out_s = np.zeros((idx.shape[0], kk), dtype=np.float32)
    ok = (idx >= 0) & st.live[np.maximum(idx, 0)]
    for j in range(idx.shape[0]):
        keep = np.flatnonzero(ok[j])[:kk]
        out_i[j, : keep.size] = idx[j, keep]
        out_s[j, : keep.size] = sc[j, keep]
    return out_i, out_s
