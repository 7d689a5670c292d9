"""The read side of a store: get, search, search_batch, search_like, ids, scan, stats (no locks taken).

Functions of a :class:`~._core.StoreCore`. Each call takes one reference to the core's current
:class:`~._state.State` and works on it alone, so a concurrent writer never changes what a running
query sees (see ``_state.py``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from ._ann import rank, rank_many
from ._core import StoreCore
from ._errors import SegmentNotFoundError
from ._filters import select_rows
from ._ingest import as_ids, as_matrix, as_query, check_batch_size, check_k, fits_int64, is_int, unit_rows
from ._models import Hit, Segment
from ._state import State

__all__ = ["get", "search", "search_batch", "search_like", "ids", "scan", "stats", "select", "as_ids"]

#: A query whose answer lost a row to a delete that landed while it ran is answered again from the
#: newer state, at most this many times in all (each answer is exact for a state taken after the call began).
_RETRIES = 3



def select(core: StoreCore, st: State, where: Mapping[str, Any] | None) -> np.ndarray | None:
    """Rows of ``st`` matching ``where`` (None: every row, live or not, without building the list)."""
    return select_rows(st, where, videos=core.videos, options=core.options, scopes=core.scopes,
                       meta_keys=core.meta_keys)


def get(core: StoreCore, ids: Iterable[int] | int) -> list[Segment]:
    """The stored segments for ``ids`` in the order given; ids not in the store are skipped."""
    st = core.vector_state()
    rows = st.rows_of_ids(as_ids(ids))
    videos, scopes, options = core.videos.values, core.scopes.values, core.options.values
    return [Segment(id=int(st.ids[r]), video_id=videos[int(st.video[r])], start=float(st.start[r]),
                    end=float(st.end[r]), scope=scopes[int(st.scope[r])], option=options[int(st.option[r])],
                    text=st.texts[r], metadata=_meta(st.metas[r]), vector=np.array(st.vec[r]), external_id=st.ext[r])
            for r in rows.tolist() if r >= 0]


def _still_alive(core: StoreCore, st: State, rows: np.ndarray) -> bool:
    """Whether every row is still in the store now (a delete may have landed since ``st`` was taken)."""
    cur = core.state
    alive = st.live[rows] if cur is st else cur.rows_of_ids(st.ids[rows]) >= 0
    return bool(alive.all())


def search(core: StoreCore, query: Any, k: int = 10, where: Mapping[str, Any] | None = None) -> list[Hit]:
    """The ``min(k, matches)`` most similar segments (cosine), best first; ``where`` filters first."""
    st = core.state  # (mapped vectors: rank() waits for or verifies their checksum, per path)
    q = as_query(query, core.dim)
    k = check_k(k)
    for attempt in range(_RETRIES):
        r, s = rank(core.ann, core.check, st, q, k, select(core, st, where))
        if _still_alive(core, st, r):
            break
        if attempt + 1 < _RETRIES:
            st = core.state  # a delete landed while this query ran: answer from the newer state
    # (after the last attempt the answer stands: it is exact for a state taken after the call began)
    return _hits(core, st, r, s)


def search_batch(core: StoreCore, queries: Any, k: int = 10,
                 where: Mapping[str, Any] | None = None) -> list[list[Hit]]:
    """:func:`search` for many queries at once (one BLAS GEMM pass over the data)."""
    st = core.state
    qs = as_matrix(queries, core.dim, "queries")
    k = check_k(k)
    if qs.shape[0] == 0:
        return []
    qs = unit_rows(qs, "query")  # C-contiguous float32 whatever the input's memory order (faiss needs it)
    for attempt in range(_RETRIES):
        pairs = rank_many(core.ann, core.check, st, qs, k, select(core, st, where))
        if all(_still_alive(core, st, r) for r, _ in pairs):
            break
        if attempt + 1 < _RETRIES:
            st = core.state  # a delete landed while this batch ran: answer from the newer state
    return [_hits(core, st, r, s) for r, s in pairs]


def search_like(core: StoreCore, segment_id: int, k: int = 10,
                where: Mapping[str, Any] | None = None) -> list[Hit]:
    """Segments most like a stored one, excluding itself."""
    st = core.vector_state()
    row = int(st.rows_of_ids(as_ids(segment_id))[0]) if is_int(segment_id) and fits_int64(segment_id) else -1
    if row < 0:
        raise SegmentNotFoundError(f"segment id {segment_id!r} is not in the store (deleted or never added)")
    k = check_k(k)
    hits = search(core, np.array(st.vec[row]), k=k + 1, where=where)
    return [h for h in hits if h.id != int(segment_id)][:k]


def ids(core: StoreCore, where: Mapping[str, Any] | None = None) -> np.ndarray:
    """The ids (int64, ascending) of the live rows matching ``where``."""
    st = core.state
    rows = select(core, st, where)
    if rows is None:
        rows = np.flatnonzero(st.live[: st.n]) if st.dead_rows.size else np.arange(st.n)
    return np.array(st.ids[rows], dtype=np.int64)


def scan(core: StoreCore, where: Mapping[str, Any] | None = None, with_vectors: bool = False,
         batch_size: int = 1024) -> Iterator[Segment]:
    """Every live row matching ``where`` in ascending id order, from the state when the scan starts."""
    st = core.vector_state() if with_vectors else core.state
    size = check_batch_size(batch_size)
    rows = select(core, st, where)
    if rows is None:
        rows = np.flatnonzero(st.live[: st.n])
    return _scan_rows(core, st, rows, with_vectors, size)


def _scan_rows(core: StoreCore, st: State, rows: np.ndarray, with_vectors: bool, batch_size: int) -> Iterator[Segment]:
    videos, scopes, options = core.videos.values, core.scopes.values, core.options.values
    for lo in range(0, rows.size, batch_size):
        part = rows[lo : lo + batch_size]
        vecs = np.array(st.vec[part]) if with_vectors else None
        for j, (r, i, v, a, b, sc, op) in enumerate(zip(
                part.tolist(), st.ids[part].tolist(), st.video[part].tolist(), st.start[part].tolist(),
                st.end[part].tolist(), st.scope[part].tolist(), st.option[part].tolist(), strict=True)):
            yield Segment(id=i, video_id=videos[v], start=a, end=b, scope=scopes[sc], option=options[op],
                          text=st.texts[r], metadata=_meta(st.metas[r]),
                          vector=vecs[j] if vecs is not None else None, external_id=st.ext[r])


def stats(core: StoreCore) -> dict[str, Any]:
    """Counts, sizes and settings of the store."""
    st = core.state
    live_videos = np.unique(st.video[: st.n][st.live[: st.n]]) if st.n else np.zeros(0)
    return {
        "count": st.n_live,
        "rows": st.n,
        "deleted_pending": int(st.dead_rows.size),
        "videos": int(live_videos.size),
        "dim": core.dim,
        "model_name": core.model.name,
        "embed_model_name": core.model.embed_name,
        "index": core.index_kind,
        "ann": core.ann.info(st) if core.ann is not None else None,
        "next_id": core.next_id,
        "generation": core.generation,
        "unsaved_changes": core.dirty,
        "path": str(core.path) if core.path is not None else None,
        "mmap": core.mmap and not st.vec.flags.writeable,
        "read_only": core.read_only,
        "vector_bytes": int(st.n * core.dim * 4),
        "metadata_keys": sorted(core.meta_keys),
    }


def _hits(core: StoreCore, st: State, rows: np.ndarray, scores: np.ndarray) -> list[Hit]:
    videos, scopes, options = core.videos.values, core.scopes.values, core.options.values
    texts, metas, ext = st.texts, st.metas, st.ext
    return [
        Hit(i, s, videos[v], a, b, scopes[sc], options[op], texts[r], _meta(metas[r]), ext[r])
        for r, i, s, v, a, b, sc, op in zip(
            rows.tolist(), st.ids[rows].tolist(), scores.tolist(), st.video[rows].tolist(),
            st.start[rows].tolist(), st.end[rows].tolist(), st.scope[rows].tolist(), st.option[rows].tolist(),
            strict=True)
    ]


def _meta(m: str | None) -> dict[str, Any]:
    return {} if m is None else json.loads(m)
