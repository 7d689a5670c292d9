"""The write path of ``MilvusSegmentStore.add``: validate, de-duplicate, reserve ids, insert, retire old rows.

Order of effects, chosen so that a crash at any point loses nothing and never reissues an id:
1. the id counter is advanced in the collection's properties (ids reserved before use);
2. the new rows are inserted;
3. the rows they replace (same upsert key or external id) are deleted.
A crash between 2 and 3 leaves the old and the new row both live; the next ``add`` of that key retires both.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from . import _milvus_schema as ms
from ._errors import ColumnLengthError, InvalidInputError
from ._ingest import inverse_norms, prepare_batch
from ._milvus_filters import encode_metadata


class _Collection(Protocol):
    """The parts of a ``MilvusSegmentStore`` the write path uses (typed here, so this module never imports it)."""

    _uri: str
    _collection: str
    _meta_keys: set[str]

    def _c(self) -> Any: ...

    def _call(self, what: str, fn_name: str, *args: Any, **kwargs: Any) -> Any: ...


__all__ = ["write_rows", "upsert_key"]

#: Rows per insert request (512-d rows are ~2 KiB: well under Milvus's 64 MiB message limit).
_INSERT_CHUNK = 2000
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


def _survivors(keys: list[str], ext: list[str | None]) -> list[int]:
    """For each row, the position of the row that wins its upsert (the last one sharing a key or external id)."""
    m = len(keys)
    surv = list(range(m))
    last_key: dict[str, int] = {}
    last_ext: dict[str, int] = {}
    for i in range(m):
        last_key[keys[i]] = i
        e = ext[i]
        if e is not None:
            last_ext[e] = i
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
    inv = inverse_norms(x)
    unit = (x * inv[:, None]).astype(np.float32, copy=False)
    vids, scs, ops = _column(batch.video_ids, m), _column(batch.scopes, m), _column(batch.options, m)
    for name, col in (("video_ids", vids), ("options", ops)):
        longest = max(len(v) for v in col)
        if longest > ms._MAX_KEY // 2:
            raise InvalidInputError(f"{name} values must be at most {ms._MAX_KEY // 2} characters on Milvus, got {longest}")
    st = batch.starts.astype(np.float32)
    en = batch.ends.astype(np.float32)
    txt = batch.texts or [None] * m
    for t in txt:
        if t is not None and len(t.encode()) > ms._MAX_TEXT:
            raise InvalidInputError(f"texts must be at most {ms._MAX_TEXT} bytes on Milvus; shorten or move it to metadata")
    # prepare_batch validated each dict (and dropped empty ones); use the caller's dicts as they are
    metas = [d if s is not None else None for d, s in zip(metadatas, batch.metas, strict=True)] if batch.metas else [None] * m
    s_bits = (st + np.float32(0.0)).view(np.uint32).tolist()
    e_bits = (en + np.float32(0.0)).view(np.uint32).tolist()
    keys = [f"{len(vids[i])}:{vids[i]}|{scs[i]}|{ops[i]}|{s_bits[i]:08x}{e_bits[i]:08x}" for i in range(m)]
    surv = _survivors(keys, ext)
    keep = sorted(set(surv))
    pos = {row: n for n, row in enumerate(keep)}

    videos = sorted(set(vids))
    known = store._call("upsert lookup", "query", limit=1, output_fields=["id"],
                        filter=f"video_id in [{', '.join(json.dumps(v, ensure_ascii=False) for v in videos)}]")
    # only rows of videos already stored can share an upsert key (one partition-pruned probe for new videos)
    old = set(_lookup(store, "ukey", [keys[i] for i in keep])) if known else set()
    ext_kept = [e for e in (ext[i] for i in keep) if e is not None]
    if ext_kept:
        old |= set(_lookup(store, "external_id", ext_kept))

    props = ms.read_props(store._c(), store._uri, store._collection)
    first = props.next_id
    new_keys = {k for d in metas if d for k in d} - props.meta_keys
    update = {ms.PROP_NEXT: str(first + len(keep))}
    if new_keys:
        update[ms.PROP_KEYS] = json.dumps(sorted(props.meta_keys | new_keys))
    ms.write_props(store._c(), store._uri, store._collection, update)  # reserve the ids before using them
    store._meta_keys = props.meta_keys | new_keys

    rows = [
        {"id": first + n, "video_id": vids[i], "start": float(st[i]), "end": float(en[i]), "scope": scs[i],
         "option": ops[i], "text": txt[i], "metadata": encode_metadata(metas[i]), "external_id": ext[i],
         "ukey": keys[i], "vector": unit[i]}
        for n, i in enumerate(keep)
    ]
    for i in range(0, len(rows), _INSERT_CHUNK):
        store._call("insert", "insert", data=rows[i : i + _INSERT_CHUNK])
    if old:
        olds = sorted(old)
        for i in range(0, len(olds), _LOOKUP_CHUNK):
            store._call("delete replaced rows", "delete", ids=olds[i : i + _LOOKUP_CHUNK])
    return [first + pos[surv[i]] for i in range(m)]
