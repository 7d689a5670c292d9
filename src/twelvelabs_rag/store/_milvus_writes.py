"""The write path of ``MilvusSegmentStore.add``: validate, de-duplicate, reserve ids, insert, retire old rows.

Order of effects, chosen so that a crash at any point loses nothing and never reissues an id:
1. the id counter is advanced in the collection's properties (ids reserved before use);
2. the new rows are inserted;
3. the rows they replace (same upsert key or external id) are deleted.
A crash between 2 and 3 leaves the old and the new row both live; the next ``add`` of that key retires both.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

import numpy as np

from . import _milvus_schema as ms
from ._errors import ColumnLengthError, InvalidInputError
from ._ingest import inverse_norms, prepare_batch
from ._milvus_filters import metadata_json


class _Collection(Protocol):
    """The parts of a ``MilvusSegmentStore`` the write path uses (typed here, so this module never imports it)."""

    _uri: str
    _collection: str
    _meta_keys: set[str]

    def _c(self) -> Any: ...

    def _call(self, what: str, fn_name: str, *args: Any, **kwargs: Any) -> Any: ...


__all__ = ["write_rows", "upsert_key", "inserts_in_flight"]

#: Rows per insert request (512-d rows are ~2 KiB: well under Milvus's 64 MiB message limit).
_INSERT_CHUNK = 2000
#: Insert requests in flight at once on a Milvus server (one encoded while the server stores the other).
_IN_FLIGHT = 2


def inserts_in_flight(uri: str) -> int:
    """How many insert requests :func:`write_rows` may have open at once against ``uri``.

    A server (cluster, Zilliz) takes concurrent inserts. milvus-lite does not: it applies an insert
    without a lock (sequence numbers and the lazily opened WAL file race; a second writer truncates
    the first one's WAL, whose rows a crash would then lose), so on a lite file the requests go one at
    a time, the next one still encoded while the previous one is stored.

    ```python
    assert inserts_in_flight("http://milvus:19530") == 2 and inserts_in_flight("segments.db") == 1
    ```
    """
    return 1 if ms.is_lite(uri) else _IN_FLIGHT
_LOOKUP_CHUNK = 1000


def upsert_key(video_id: str, scope: str, option: str, start: float, end: float) -> str:
    """The string form of the upsert key; start/end as float32 bits, exactly as the local store compares them."""
    s = int(np.float32(start + 0.0).view(np.uint32))
    e = int(np.float32(end + 0.0).view(np.uint32))
    return f"{len(video_id)}:{video_id}|{scope}|{option}|{s:08x}{e:08x}"


def _column(value: Any, m: int) -> list[Any]:
    return [value] * m if isinstance(value, str) else list(value)


def _external_ids(value: Any, m: int) -> list[str | None]:
    if value is None:
        return [None] * m
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise InvalidInputError(f"external_ids must be a list of {m} strings (or None entries)")
    if len(value) != m:
        raise ColumnLengthError(f"external_ids has {len(value)} values for {m} vectors")
    for v in value:
        if v is not None and (not isinstance(v, str) or not v):
            raise InvalidInputError(f"external_ids entries must be non-empty strings or None, got {v!r}")
    return list(value)


def _survivors(keys: list[str], ext: list[str | None]) -> list[int] | None:
    """For each row, the position of the row that wins its upsert (the last one sharing a key or external id).

    None when every row wins its own (no key or external id appears twice in the call: the usual bulk load).
    """
    m = len(keys)
    last_key: dict[str, int] = {}
    last_ext: dict[str, int] = {}
    for i in range(m):
        last_key[keys[i]] = i
        e = ext[i]
        if e is not None:
            last_ext[e] = i
    if len(last_key) == m and not last_ext:
        return None
    surv = list(range(m))
    changed = True
    while changed:
        changed = False
        for i in range(m):
            j = surv[i]
            ej = ext[j]
            w = max(last_key[keys[j]], last_ext[ej] if ej is not None else j)
            if w != j:
                surv[i], changed = w, True
    return surv


def _lookup(store: _Collection, field: str, values: list[str]) -> list[int]:
    found: list[int] = []
    uniq = sorted(set(values))
    for i in range(0, len(uniq), _LOOKUP_CHUNK):
        lst = ", ".join(json.dumps(v, ensure_ascii=False) for v in uniq[i : i + _LOOKUP_CHUNK])
        expr = f"{field} in [{lst}]" if field == "ukey" else f"({field} is not null and {field} in [{lst}])"
        found += [int(r["id"]) for r in store._call("upsert lookup", "query", filter=expr, output_fields=["id"])]
    return found


def write_rows(store: _Collection, x: np.ndarray, video_ids: Any, starts: Any, ends: Any, scopes: Any,
               options: Any, texts: Any, metadatas: Any, external_ids: Any) -> list[int]:
    """Validate and upsert one ``add`` call (the caller holds the store's write lock); returns ids per row."""
    m = x.shape[0]
    batch = prepare_batch(m, video_ids, starts, ends, scopes, options, texts, metadatas)
    ext = _external_ids(external_ids, m)
    if m == 0:
        return []
    inv = inverse_norms(x)  # validates every vector before any id is reserved
    vids, scs, ops = _column(batch.video_ids, m), _column(batch.scopes, m), _column(batch.options, m)
    for name, col in (("video_ids", vids), ("options", ops)):
        longest = max(len(v) for v in col)
        if longest > ms._MAX_KEY // 2:
            raise InvalidInputError(f"{name} values must be at most {ms._MAX_KEY // 2} characters on Milvus, "
                                    f"got {longest}")
    st = batch.starts.astype(np.float32)
    en = batch.ends.astype(np.float32)
    txt = batch.texts or [None] * m
    for t in txt:
        if t is not None and len(t.encode()) > ms._MAX_TEXT:
            raise InvalidInputError(f"texts must be at most {ms._MAX_TEXT} bytes on Milvus; "
                                    "shorten or move it to metadata")
    s_bits = (st + np.float32(0.0)).view(np.uint32).tolist()
    e_bits = (en + np.float32(0.0)).view(np.uint32).tolist()
    keys = [f"{len(vids[i])}:{vids[i]}|{scs[i]}|{ops[i]}|{s_bits[i]:08x}{e_bits[i]:08x}" for i in range(m)]
    surv = _survivors(keys, ext)
    keep = sorted(set(surv)) if surv is not None else range(m)

    props = ms.read_props(store._c(), store._uri, store._collection)
    old = _replaced(store, props.next_id, vids, keys, ext, keep)
    first = props.next_id
    metas = metadatas if batch.metas else None
    new_keys = {k for d in metas if d for k in d} - props.meta_keys if metas else set()
    update = {ms.PROP_NEXT: str(first + len(keep))}
    if new_keys:
        update[ms.PROP_KEYS] = json.dumps(sorted(props.meta_keys | new_keys))
    ms.write_props(store._c(), store._uri, store._collection, update)  # reserve the ids before using them
    store._meta_keys = props.meta_keys | new_keys

    starts_f, ends_f = st.tolist(), en.tolist()
    meta_text = batch.metas or [None] * m
    if metas is None:
        metas = [None] * m

    def rows(lo: int, hi: int) -> list[dict[str, Any]]:
        """Insert rows for ``keep[lo:hi]`` (built a request at a time: bounded memory, overlapped with sending)."""
        idx = keep[lo:hi]
        sel = np.asarray(idx, dtype=np.intp)
        vecs = (x[sel] * inv[sel, None]).astype(np.float32, copy=False).tolist()
        return [
            {"id": first + lo + n, "video_id": vids[i], "start": starts_f[i], "end": ends_f[i], "scope": scs[i],
             "option": ops[i], "text": txt[i],
             "metadata": metadata_json(metas[i], meta_text[i]),
             "external_id": ext[i], "ukey": keys[i], "vector": vecs[n]}
            for n, i in enumerate(idx)
        ]

    _insert(store, rows, len(keep))
    if old:
        olds = sorted(old)
        for i in range(0, len(olds), _LOOKUP_CHUNK):
            store._call("delete replaced rows", "delete", ids=olds[i : i + _LOOKUP_CHUNK])
    if surv is None:
        return list(range(first, first + m))
    pos = {row: n for n, row in enumerate(keep)}
    return [first + pos[surv[i]] for i in range(m)]


def _replaced(store: _Collection, next_id: int, vids: list[str], keys: list[str], ext: list[str | None],
              keep: Sequence[int]) -> set[int]:
    """Ids of stored rows that the kept rows replace (same upsert key or external id).

    Nothing to look up while the id counter is still 0: ids are reserved (the counter advanced) before any insert, so a
    collection whose counter never moved holds no row written by a store, and there is nothing to look up.
    """
    if next_id == 0:
        return set()
    videos = sorted(set(vids))
    known = store._call("upsert lookup", "query", limit=1, output_fields=["id"],
                        filter=f"video_id in [{', '.join(json.dumps(v, ensure_ascii=False) for v in videos)}]")
    # only rows of videos already stored can share an upsert key (one partition-pruned probe for new videos)
    old = set(_lookup(store, "ukey", [keys[i] for i in keep])) if known else set()
    ext_kept = [e for e in (ext[i] for i in keep) if e is not None]
    if ext_kept:
        old |= set(_lookup(store, "external_id", ext_kept))
    return old


def _insert(store: _Collection, rows: Callable[[int, int], list[dict[str, Any]]], total: int) -> None:
    """Insert ``rows(lo, hi)`` for every request-sized slice of ``range(total)``, at most
    :func:`inserts_in_flight` requests at a time, each sent from a worker thread.

    pymilvus encodes a request in Python (holding the GIL) and then waits for the server (not holding
    it), so the next slice's rows are built here while the worker's request is stored. Every request
    has finished (or failed, raised here) before this returns.
    """
    bounds = [(lo, min(lo + _INSERT_CHUNK, total)) for lo in range(0, total, _INSERT_CHUNK)]
    if len(bounds) == 1:
        store._call("insert", "insert", data=rows(0, total))
        return
    in_flight = inserts_in_flight(store._uri)
    with ThreadPoolExecutor(max_workers=in_flight, thread_name_prefix="tlrag-milvus-insert") as pool:
        pending: deque[Future[Any]] = deque()
        for lo, hi in bounds:
            data = rows(lo, hi)
            if len(pending) >= in_flight:
                pending.popleft().result()
            pending.append(pool.submit(store._call, "insert", "insert", data=data))
        while pending:
            pending.popleft().result()
