"""The write side of a store: add (upsert), add_task, add_video, delete, compact, build_index.

Functions of the :class:`~._core.StoreCore` that owns the rows (never of a ``SegmentStore`` handle).
Each takes ``core.wlock``, builds the next :class:`~._state.State` beside the current one (readers
keep the state they took) and publishes it with :meth:`~._core.StoreCore.publish`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from ._ann import TRAIN_MIN
from ._core import StoreCore
from ._errors import InvalidInputError
from ._ingest import (
    Batch,
    as_ids,
    as_matrix,
    check_model,
    inverse_norms,
    normalise_into,
    prepare_batch,
    task_rows,
    video_rows,
)
from ._reads import select
from ._state import State, StringTable

__all__ = ["add", "add_task", "add_video", "delete", "compact", "build_index", "add_rows"]

#: Compact automatically once this fraction of rows are tombstones.
_COMPACT_FRACTION = 0.2


def add(core: StoreCore, vectors: Any, *, video_ids: Any, starts: Any, ends: Any, scopes: Any, options: Any,
        texts: Any = None, metadatas: Any = None, model_name: str | None = None,
        external_ids: Any = None) -> list[int]:
    """Validate one batch of rows and publish the state holding them (replacing rows with the same key)."""
    with core.wlock:
        core.check_writable()
        check_model(core.model.name, model_name, "these vectors")
        x = as_matrix(vectors, core.dim)
        batch = prepare_batch(x.shape[0], video_ids, starts, ends, scopes, options, texts, metadatas, external_ids)
        if batch.m == 0:
            return []
        keys: set[str] = set()
        if metadatas is not None:
            for d in metadatas:
                if d:
                    keys.update(d.keys())
        ids = add_rows(core, x, batch)
        core.meta_keys |= keys
        return ids


def add_task(core: StoreCore, task: Any, metadata: Mapping[str, Any] | None) -> list[int]:
    """:func:`add` every segment of a retrieved embedding task (the task id stands in for the video id)."""
    kw = task_rows(task, core.model.name, metadata)
    return add(core, kw.pop("vectors"), **kw)


def add_video(core: StoreCore, video: Any, metadata: Mapping[str, Any] | None) -> list[int]:
    """:func:`add` the segments of a video retrieved with its embeddings (its filename into the metadata)."""
    kw = video_rows(video, core.model.name, metadata)
    return add(core, kw.pop("vectors"), **kw)


def delete(core: StoreCore, ids: Iterable[int] | int | None, where: Mapping[str, Any] | None) -> int:
    """Tombstone the rows matching ``ids`` and ``where``; compacts past 20% dead. Returns the count."""
    if ids is None and where is None:
        raise InvalidInputError("delete needs ids=[...] or where={...} (where={} deletes everything)")
    with core.wlock:
        core.check_writable()
        st = core.state
        rows = select(core, st, where)
        if ids is not None:
            id_rows = st.rows_of_ids(as_ids(ids))
            id_rows = np.unique(id_rows[id_rows >= 0])
            rows = id_rows if rows is None else np.intersect1d(rows, id_rows)
        elif rows is None:
            rows = np.flatnonzero(st.live[: st.n])
        if rows.size == 0:
            return 0
        forget_external_ids(core.ext_index, st, rows)
        new = st.tombstoned(rows)
        if core.ann is not None:
            core.ann.forget(new.ids[rows])
        core.publish(new)
        if new.dead_rows.size > _COMPACT_FRACTION * max(new.n, 1):
            compact(core)
        return int(rows.size)


def compact(core: StoreCore) -> None:
    """Publish the state without tombstoned rows (the rows readers hold stay as they are)."""
    with core.wlock:
        core.check_writable()
        st = core.state
        if st.dead_rows.size:
            core.publish(st.compacted(), dirty=False)


def build_index(core: StoreCore, progress: Callable[[int, int], None] | None) -> dict[str, Any]:
    """Train the ANN index of an ``ivf`` core on its live rows (from ``TRAIN_MIN`` rows); its ``info``."""
    with core.wlock:
        st = core.state
        if core.ann is None:
            return {"kind": "flat", "trained": False, "note": "a flat store is searched exactly: nothing to build"}
        if core.check is not None:
            core.check.wait()
        if st.n_live >= TRAIN_MIN:
            core.ann.build(st, progress)
            if not core.read_only:
                core.publish(st)  # the same rows, a new index to save
        return core.ann.info(st)


def forget_external_ids(index: dict[str, int], st: State, rows: np.ndarray) -> None:
    """Drop the external ids of ``rows`` (being deleted) from the writer's external-id index."""
    if not index:
        return
    for r in rows.tolist():
        e = st.ext[r]
        if e is not None and index.get(e) == int(st.ids[r]):
            del index[e]


def _codes(table: StringTable, values: list[str] | str, uniq: list[str], m: int, dtype: Any, limit: int) -> np.ndarray:
    new = [v for v in uniq if v not in table.codes]
    if len(table) + len(new) > limit:
        raise InvalidInputError(f"a store holds at most {limit} distinct values of this column")
    for v in new:
        table.code(v)
    if isinstance(values, str):
        return np.full(m, table.codes[values], dtype=dtype)
    if len(uniq) == 1:
        return np.full(m, table.codes[uniq[0]], dtype=dtype)
    return np.fromiter(map(table.codes.__getitem__, values), dtype=dtype, count=m)


def _keys(video: np.ndarray, scope: np.ndarray, option: np.ndarray, start: np.ndarray,
          end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    k1 = ((video.astype(np.uint64) << np.uint64(16)) | (scope.astype(np.uint64) << np.uint64(8))
          | option.astype(np.uint64))
    s = (start.astype(np.float32) + np.float32(0.0)).view(np.uint32).astype(np.uint64)
    e = (end.astype(np.float32) + np.float32(0.0)).view(np.uint32).astype(np.uint64)
    return k1, (s << np.uint64(32)) | e


#: Rows normalised per chunk: the chunk is read from memory once and stays in cache for the scaling.
_CHUNK = 256


def _normalise_into(dest: np.ndarray, x: np.ndarray, rows: np.ndarray | None) -> None:
    """Validate and L2-normalise ``x`` (or ``x[rows]``) into ``dest``, one cache-sized chunk at a time."""
    m = dest.shape[0]
    for i in range(0, m, _CHUNK):
        src = x[i : i + _CHUNK] if rows is None else x[rows[i : i + _CHUNK]]
        normalise_into(dest[i : i + _CHUNK], src, offset=i)


def _survivors(k1: np.ndarray, k2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each input row the position of the last row with the same key; and the kept positions."""
    m = k1.size
    if m < 2:
        return np.arange(m), np.arange(m)
    h = np.sort(k1 * np.uint64(0x9E3779B97F4A7C15) + k2)
    if not (h[1:] == h[:-1]).any():  # distinct hashes -> distinct keys (the common case, one cheap sort)
        return np.arange(m), np.arange(m)
    order = np.lexsort((k2, k1))
    a, b = k1[order], k2[order]
    same = (a[1:] == a[:-1]) & (b[1:] == b[:-1])
    if not same.any():
        return np.arange(m), np.arange(m)
    group = np.concatenate(([0], np.cumsum(~same)))
    last_of_group = np.flatnonzero(np.concatenate((~same, [True])))
    surv = np.empty(m, dtype=np.int64)
    surv[order] = order[last_of_group[group]]
    return surv, np.unique(surv)


def add_rows(core: StoreCore, x: np.ndarray, batch: Batch) -> list[int]:
    """Append a validated batch (caller holds ``core.wlock``) and tombstone the rows it replaces."""
    m = batch.m
    st = core.state
    n_videos_before = len(core.videos)
    u = batch.distinct
    video = _codes(core.videos, batch.video_ids, u["video_ids"], m, np.int32, 2**31 - 1)
    scope = _codes(core.scopes, batch.scopes, u["scopes"], m, np.uint8, 255)
    option = _codes(core.options, batch.options, u["options"], m, np.uint8, 255)
    start = batch.starts.astype(np.float32)
    end = batch.ends.astype(np.float32)
    k1, k2 = _keys(video, scope, option, start, end)
    surv, keep = _survivors(k1, k2)
    mk = keep.size
    all_kept = mk == m

    # existing rows with the same key (only videos that were already known can match)
    old_rows = np.zeros(0, dtype=np.int64)
    known = np.unique(video[video < n_videos_before]) if n_videos_before else np.zeros(0, np.int32)
    if known.size and st.n_live:
        vcol = st.video[: st.n]
        hit = vcol == known[0] if known.size == 1 else np.isin(vcol, known)
        cand = np.flatnonzero(hit & st.live[: st.n])
        if cand.size:
            c1, c2 = _keys(st.video[cand], st.scope[cand], st.option[cand], st.start[cand], st.end[cand])
            lookup = dict(zip(zip(c1.tolist(), c2.tolist(), strict=True), cand.tolist(), strict=True))
            kk1, kk2 = (k1, k2) if all_kept else (k1[keep], k2[keep])
            found = [lookup.get(t) for t in zip(kk1.tolist(), kk2.tolist(), strict=True)]
            old_rows = np.asarray([r for r in found if r is not None], dtype=np.int64)

    # write into spare capacity beyond the rows readers can see, then publish one new state
    st2 = st.with_capacity(mk)
    n = st2.n
    if not all_kept:  # superseded duplicates must be valid vectors too
        for i in range(0, m, 4096):
            inverse_norms(x[i : i + 4096], offset=i)
    _normalise_into(st2.vec[n : n + mk], x, None if all_kept else keep)
    first_id = core.next_id
    sel = slice(None) if all_kept else keep
    st2.ids[n : n + mk] = np.arange(first_id, first_id + mk, dtype=np.int64)
    st2.video[n : n + mk] = video[sel]
    st2.start[n : n + mk] = start[sel]
    st2.end[n : n + mk] = end[sel]
    st2.scope[n : n + mk] = scope[sel]
    st2.option[n : n + mk] = option[sel]
    st2.live[n : n + mk] = True
    del st2.texts[n:]
    del st2.metas[n:]
    del st2.ext[n:]
    ext = (batch.external_ids if batch.external_ids is None or all_kept
           else [batch.external_ids[i] for i in keep.tolist()])
    st2.ext.extend([None] * mk if ext is None else ext)
    if batch.texts is None:
        st2.texts.extend([None] * mk)
    else:
        st2.texts.extend(batch.texts if all_kept else [batch.texts[i] for i in keep.tolist()])
    if batch.metas is None:
        st2.metas.extend([None] * mk)
    else:
        st2.metas.extend(batch.metas if all_kept else [batch.metas[i] for i in keep.tolist()])
    new = st2.appended(mk)
    index = core.ext_index
    if ext is not None:  # a live row holding one of these external ids is replaced, like a key match
        prior = [index[e] for e in ext if e is not None and e in index]
        if prior:
            prior_rows = st.rows_of_ids(np.asarray(prior, dtype=np.int64))
            old_rows = np.union1d(old_rows, prior_rows[prior_rows >= 0])
    for r in old_rows.tolist():
        e = st.ext[r]
        if e is not None and index.get(e) == int(st.ids[r]):
            del index[e]
    if ext is not None:
        for j, e in enumerate(ext):
            if e is not None:
                index[e] = core.next_id + j
    if old_rows.size:
        new = new.tombstoned(old_rows)
    if core.ann is not None:
        core.ann.add(new, n, n + mk)
        if old_rows.size:
            core.ann.forget(new.ids[old_rows])
    core.publish(new, next_id=first_id + mk)
    if all_kept:
        return list(range(first_id, first_id + mk))
    pos = np.searchsorted(keep, surv)
    ids: list[int] = (pos + first_id).tolist()
    return ids
