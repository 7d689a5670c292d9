"""The read side of ``SegmentStore``: get, search, search_batch, search_like, stats (no locks taken).

Each call takes one reference to the current :class:`~._state.State` and works on it alone, so a
concurrent writer never changes what a running query sees (see ``_state.py``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ._ann import rank, rank_many
from ._errors import InvalidInputError, SegmentNotFoundError
from ._filters import select_rows
from ._ingest import as_matrix, as_query, unit_rows
from ._models import Hit, Segment
from ._state import State

if TYPE_CHECKING:
    from ._core import StoreCore

__all__ = ["ReadMixin", "as_ids"]

#: A query whose answer lost a row to a delete that landed while it ran is answered again from the
#: newer state, at most this many times in all (each answer is exact for a state taken after the call began).
_RETRIES = 3


class ReadMixin:
    """Queries of :class:`SegmentStore`: functions of the handle's :class:`~._core.StoreCore` and one state."""

    _core: StoreCore
    _read_only: bool

    if TYPE_CHECKING:  # provided by SegmentStore (they check that the handle is open)
        def _live_state(self) -> State: ...

        def _vector_state(self) -> State: ...

    def _select(self, st: State, where: Mapping[str, Any] | None) -> np.ndarray | None:
        return select_rows(st, where, videos=self._core.videos, options=self._core.options, scopes=self._core.scopes,
                           meta_keys=self._core.meta_keys)

    def get(self, ids: Iterable[int] | int) -> list[Segment]:
        """The stored segments for ``ids`` in the order given; ids not in the store are skipped.

        Example:
            ```python
            (seg,) = store.get([ids[0]])
            print(seg.video_id, seg.start, seg.text, seg.metadata)
            ```
        """
        st = self._vector_state()
        id_arr = as_ids(ids)
        rows = st.rows_of_ids(id_arr)
        out = []
        for r in rows.tolist():
            if r < 0:
                continue
            out.append(Segment(id=int(st.ids[r]), video_id=self._core.videos.values[int(st.video[r])],
                               start=float(st.start[r]), end=float(st.end[r]),
                               scope=self._core.scopes.values[int(st.scope[r])], option=self._core.options.values[int(st.option[r])],
                               text=st.texts[r], metadata=_meta(st.metas[r]), vector=np.array(st.vec[r]),
                               external_id=st.ext[r]))
        return out

    def _hits(self, st: State, rows: np.ndarray, scores: np.ndarray) -> list[Hit]:
        videos, scopes, options = self._core.videos.values, self._core.scopes.values, self._core.options.values
        texts, metas, ext = st.texts, st.metas, st.ext
        return [
            Hit(i, s, videos[v], a, b, scopes[sc], options[op], texts[r], _meta(metas[r]), ext[r])
            for r, i, s, v, a, b, sc, op in zip(
                rows.tolist(), st.ids[rows].tolist(), scores.tolist(), st.video[rows].tolist(),
                st.start[rows].tolist(), st.end[rows].tolist(), st.scope[rows].tolist(), st.option[rows].tolist(), strict=True)
        ]

    def search(self, query: Any, *, k: int = 10, where: Mapping[str, Any] | None = None) -> list[Hit]:
        """The ``min(k, matches)`` most similar segments (cosine), best first; ``where`` filters first.

        Example:
            ```python
            hits = store.search(vec, k=5, where={"video_id": {"$in": ["a", "b"]}, "start": {"$gte": 30}})
            ```
        """
        st = self._live_state()  # (mapped vectors: rank() waits for or verifies their check, per path)
        q = as_query(query, self._core.dim)
        k = _check_k(k)
        for attempt in range(_RETRIES):
            rows = self._select(st, where)
            r, s = rank(self._core.ann, self._core.check, st, q, k, rows)
            alive = self._still_alive(st, r)
            if alive is None:
                break
            if attempt + 1 < _RETRIES:
                st = self._live_state()  # a delete landed while this query ran: answer from the newer state
        # (after the last attempt the answer stands: it is exact for a state taken after the call began)
        return self._hits(st, r, s)

    def _still_alive(self, st: State, rows: np.ndarray) -> np.ndarray | None:
        """``None`` when every row is still in the store now, else the mask of rows that are."""
        cur = self._core.state
        if cur is st:
            alive = st.live[rows]
        else:
            alive = cur.rows_of_ids(st.ids[rows]) >= 0
        return None if alive.all() else alive

    def search_batch(self, queries: Any, *, k: int = 10, where: Mapping[str, Any] | None = None) -> list[list[Hit]]:
        """:meth:`search` for many queries at once (one BLAS GEMM pass over the data).

        Example:
            ```python
            results = store.search_batch(np.stack([v1, v2]), k=10)
            ```
        """
        st = self._live_state()
        qs = as_matrix(queries, self._core.dim, "queries")
        k = _check_k(k)
        if qs.shape[0] == 0:
            return []
        qs = unit_rows(qs, "query")  # C-contiguous float32 whatever the input's memory order (faiss needs it)
        for attempt in range(_RETRIES):
            rows = self._select(st, where)
            pairs = rank_many(self._core.ann, self._core.check, st, qs, k, rows)
            alive = [self._still_alive(st, r) for r, _ in pairs]
            if all(a is None for a in alive):
                break
            if attempt + 1 < _RETRIES:
                st = self._live_state()  # a delete landed while this batch ran: answer from the newer state
        return [self._hits(st, r, s) for r, s in pairs]

    def search_like(self, segment_id: int, *, k: int = 10, where: Mapping[str, Any] | None = None) -> list[Hit]:
        """Segments most like a stored one ("more moments like this"), excluding itself; no network.

        Example:
            ```python
            similar = store.search_like(hits[0].id, k=5, where={"video_id": {"$ne": hits[0].video_id}})
            ```
        """
        st = self._vector_state()
        row = int(st.rows_of_ids(as_ids(segment_id))[0]) if _is_int(segment_id) and _fits(segment_id) else -1
        if row < 0:
            raise SegmentNotFoundError(f"segment id {segment_id!r} is not in the store (deleted or never added)")
        k = _check_k(k)
        hits = self.search(np.array(st.vec[row]), k=k + 1, where=where)
        return [h for h in hits if h.id != int(segment_id)][:k]

    def ids(self, where: Mapping[str, Any] | None = None) -> np.ndarray:
        """The ids (int64, ascending) of the live rows matching ``where`` (the :meth:`search` filter syntax).

        Example:
            ```python
            clip_ids = store.ids(where={"video_id": "vid-1", "scope": "clip"})
            ```
        """
        st = self._live_state()
        rows = self._select(st, where)
        if rows is None:
            rows = np.flatnonzero(st.live[: st.n]) if st.dead_rows.size else np.arange(st.n)
        return np.array(st.ids[rows], dtype=np.int64)

    def scan(self, where: Mapping[str, Any] | None = None, *, with_vectors: bool = False,
             batch_size: int = 1024) -> Iterator[Segment]:
        """Every live row matching ``where``, in ascending id order (``vector`` only with ``with_vectors=True``).

        The rows are those of the store when the scan starts (later writes are not seen), read
        ``batch_size`` rows at a time.

        Example:
            ```python
            for seg in store.scan(where={"video_id": "vid-1"}):
                print(seg.id, seg.start, seg.text)
            ```
        """
        st = self._vector_state() if with_vectors else self._live_state()
        if not _is_int(batch_size) or batch_size < 1:
            raise InvalidInputError(f"batch_size must be a positive integer, got {batch_size!r}")
        rows = self._select(st, where)
        if rows is None:
            rows = np.flatnonzero(st.live[: st.n])
        return self._scan_rows(st, rows, with_vectors, int(batch_size))

    def _scan_rows(self, st: State, rows: np.ndarray, with_vectors: bool,
                   batch_size: int) -> Iterator[Segment]:
        videos, scopes, options = self._core.videos.values, self._core.scopes.values, self._core.options.values
        for lo in range(0, rows.size, batch_size):
            part = rows[lo : lo + batch_size]
            vecs = np.array(st.vec[part]) if with_vectors else None
            for j, (r, i, v, a, b, sc, op) in enumerate(zip(
                    part.tolist(), st.ids[part].tolist(), st.video[part].tolist(), st.start[part].tolist(),
                    st.end[part].tolist(), st.scope[part].tolist(), st.option[part].tolist(), strict=True)):
                yield Segment(id=i, video_id=videos[v], start=a, end=b, scope=scopes[sc], option=options[op],
                              text=st.texts[r], metadata=_meta(st.metas[r]),
                              vector=vecs[j] if vecs is not None else None, external_id=st.ext[r])

    def stats(self) -> dict[str, Any]:
        """Counts, sizes and settings, e.g. ``{"count": 1200, "videos": 12, "dim": 512, ...}``."""
        st = self._live_state()
        live_videos = np.unique(st.video[: st.n][st.live[: st.n]]) if st.n else np.zeros(0)
        return {
            "count": st.n_live,
            "rows": st.n,
            "deleted_pending": int(st.dead_rows.size),
            "videos": int(live_videos.size),
            "dim": self._core.dim,
            "model_name": self._core.model.name,
            "embed_model_name": self._core.model.embed_name,
            "index": self._core.index_kind,
            "ann": self._core.ann.info(st) if self._core.ann is not None else None,
            "next_id": self._core.next_id,
            "generation": self._core.generation,
            "unsaved_changes": self._core.dirty,
            "path": str(self._core.path) if self._core.path is not None else None,
            "mmap": self._core.mmap and not st.vec.flags.writeable,
            "read_only": self._read_only,
            "vector_bytes": int(st.n * self._core.dim * 4),
            "metadata_keys": sorted(self._core.meta_keys),
        }


def _is_int(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def as_ids(ids: Iterable[int] | int) -> np.ndarray:
    if isinstance(ids, (str, bytes)):
        raise InvalidInputError(f"segment ids are integers, got {ids!r}")
    try:
        vals = [ids] if _is_int(ids) else list(ids)  # type: ignore[arg-type]
    except TypeError:
        raise InvalidInputError(f"ids must be an integer or a list of integers, got {type(ids).__name__}") from None
    if not all(_is_int(v) for v in vals):
        raise InvalidInputError(f"segment ids are integers, got {[v for v in vals if not _is_int(v)][:3]!r}")
    # ids beyond int64 were never assigned: like any unknown id they match nothing
    return np.asarray([v for v in vals if _fits(v)], dtype=np.int64).reshape(-1)


def _fits(v: int) -> bool:
    return _INT64.min <= int(v) <= _INT64.max


_INT64 = np.iinfo(np.int64)


def _check_k(k: Any) -> int:
    if not _is_int(k) or k < 1:
        raise InvalidInputError(f"k must be a positive integer, got {k!r}")
    return int(k)


def _meta(m: str | None) -> dict[str, Any]:
    return {} if m is None else json.loads(m)
