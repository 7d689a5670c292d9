"""The ``where`` filter: a small Mongo-like language evaluated on the typed columns, before any search.

Keys: ``id``, ``video_id``, ``start``, ``end``, ``scope``, ``option``, ``text``, and metadata keys
(plain, or ``metadata.<key>``). Operators: equality by value, ``$eq``, ``$ne``, ``$in``, ``$nin``,
``$gt``, ``$gte``, ``$lt``, ``$lte``; logical ``$and``, ``$or`` (lists) and ``$not`` (a filter).
The result is the sorted array of live rows that match, so the search that follows is exact.
"""

from __future__ import annotations

import json
import numbers
import operator
import threading
from collections.abc import Mapping
from typing import Any

import numpy as np

from ._errors import FilterError
from ._ingest import MAX_DEPTH, check_depth
from ._state import State, StringTable

__all__ = ["select_rows", "COLUMN_KEYS"]

COLUMN_KEYS = ("id", "video_id", "start", "end", "scope", "option", "text", "external_id")
_CMP = ("$gt", "$gte", "$lt", "$lte")
_SET = ("$eq", "$ne", "$in", "$nin")
_ALL_OPS = _SET + _CMP
_MISSING = object()


class _Ctx:
    __slots__ = ("st", "videos", "options", "scopes", "meta_keys")

    def __init__(self, st: State, videos: StringTable, options: StringTable, scopes: StringTable, meta_keys: set[str]):
        self.st, self.videos, self.options, self.scopes, self.meta_keys = st, videos, options, scopes, meta_keys


def select_rows(
    st: State,
    where: Mapping[str, Any] | None,
    *,
    videos: StringTable,
    options: StringTable,
    scopes: StringTable,
    meta_keys: set[str],
) -> np.ndarray | None:
    """Sorted live rows matching ``where``; ``None`` when the filter keeps every live row."""
    if where is None:
        return None
    if not isinstance(where, Mapping):
        raise FilterError(f"where must be a dict such as {{'video_id': 'v1'}}, got {type(where).__name__}")
    if not where:
        return None
    check_depth(where, MAX_DEPTH, "where", FilterError)
    ctx = _Ctx(st, videos, options, scopes, meta_keys)
    cand = _video_candidates(ctx, where)
    if cand is not None and len(where) == 1:
        rows = cand  # the video index answered the whole filter (values were checked by _video_candidates)
    else:
        mask = _eval(ctx, where, cand)
        rows = cand[mask] if cand is not None else np.flatnonzero(mask)
    if rows.size and st.dead_rows.size:
        rows = rows[st.live[rows]]
    return rows.astype(np.int64, copy=False)


def _video_candidates(ctx: _Ctx, where: Mapping[str, Any]) -> np.ndarray | None:
    """Rows of the videos named by a top-level ``video_id`` equality or ``$in`` (None: all rows)."""
    spec = where.get("video_id", _MISSING)
    if spec is _MISSING:
        return None
    if isinstance(spec, str):
        values: list[Any] = [spec]
    elif isinstance(spec, Mapping) and len(spec) == 1 and ("$eq" in spec or "$in" in spec):
        v = spec.get("$eq", spec.get("$in"))
        values = [v] if "$eq" in spec else _as_list(v, "video_id", "$in")
    else:
        return None
    if not values or not all(isinstance(v, str) for v in values):
        return None  # _eval answers (and raises the typed error for bad values)
    codes = sorted({ctx.videos.codes[v] for v in values if v in ctx.videos.codes})
    st = ctx.st
    if not codes:
        return np.zeros(0, dtype=np.int64)
    idx = st.cache.get("video_index")
    if idx is None:
        hits = st.cache.get("video_queries", 0) + 1
        st.cache["video_queries"] = hits
        if hits < 3 and len(codes) == 1:
            return np.flatnonzero(st.video[: st.n] == np.int32(codes[0]))
        order = np.argsort(st.video[: st.n], kind="stable")
        idx = (order, st.video[: st.n][order])
        st.cache["video_index"] = idx
    order, sorted_codes = idx
    code_arr = np.asarray(codes, dtype=sorted_codes.dtype)
    lo = np.searchsorted(sorted_codes, code_arr, side="left")
    hi = np.searchsorted(sorted_codes, code_arr, side="right")
    if len(codes) == 1:
        return order[lo[0] : hi[0]]
    return np.sort(np.concatenate([order[a:b] for a, b in zip(lo, hi, strict=True)]))


def _n(ctx: _Ctx, rows: np.ndarray | None) -> int:
    return ctx.st.n if rows is None else int(rows.size)


def _eval(ctx: _Ctx, node: Mapping[str, Any], rows: np.ndarray | None) -> np.ndarray:
    if not isinstance(node, Mapping):
        raise FilterError(f"each filter must be a dict, got {type(node).__name__}: {node!r}")
    mask = None
    for key, spec in node.items():
        if not isinstance(key, str):
            raise FilterError(f"filter keys must be strings, got {key!r}")
        if key in ("$and", "$or"):
            parts = _as_list(spec, key, key)
            if not parts:
                raise FilterError(f"{key} needs a non-empty list of filters")
            masks = [_eval(ctx, p, rows) for p in parts]
            sub = np.logical_and.reduce(masks) if key == "$and" else np.logical_or.reduce(masks)
        elif key == "$not":
            sub = ~_eval(ctx, spec, rows)
        elif key.startswith("$"):
            raise FilterError(f"unknown logical operator {key!r}; use $and, $or or $not")
        else:
            sub = _field(ctx, key, spec, rows)
        mask = sub if mask is None else mask & sub
    return np.ones(_n(ctx, rows), dtype=bool) if mask is None else mask


def _ops(key: str, spec: Any) -> list[tuple[str, Any]]:
    if isinstance(spec, Mapping) and spec and all(isinstance(k, str) and k.startswith("$") for k in spec):
        for op in spec:
            if op not in _ALL_OPS:
                raise FilterError(
                    f"unknown operator {op!r} on {key!r}; use one of {', '.join(_ALL_OPS)}"
                )
        return list(spec.items())
    if isinstance(spec, Mapping) and not spec:
        raise FilterError(f"empty operator dict for {key!r}; give a value or e.g. {{'$eq': value}}")
    return [("$eq", spec)]


def _as_list(value: Any, key: str, op: str) -> list[Any]:
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    if isinstance(value, np.ndarray):
        items: list[Any] = value.tolist()
        return items
    raise FilterError(f"{op} on {key!r} needs a list, got {type(value).__name__}: {value!r}")


def _field(ctx: _Ctx, key: str, spec: Any, rows: np.ndarray | None) -> np.ndarray:
    ops = _ops(key, spec)
    st = ctx.st
    if key in ("start", "end", "id"):
        col = st.col(key if key != "id" else "ids")
        col = col if rows is None else col[rows]
        return _numeric(key, col, ops)
    if key in ("video_id", "option", "scope"):
        table = {"video_id": ctx.videos, "option": ctx.options, "scope": ctx.scopes}[key]
        col = st.col({"video_id": "video", "option": "option", "scope": "scope"}[key])
        col = col if rows is None else col[rows]
        return _coded(key, col, table, ops)
    if key in ("text", "external_id"):
        idx = range(st.n) if rows is None else rows.tolist()
        source = st.texts if key == "text" else st.ext
        values = [source[i] for i in idx]
        return _objects(key, values, ops, numeric_ranges=False)
    mkey = key[len("metadata.") :] if key.startswith("metadata.") else key
    if mkey not in ctx.meta_keys and not key.startswith("metadata."):
        known = ", ".join(sorted(ctx.meta_keys)[:20]) or "none yet"
        raise FilterError(
            f"unknown filter key {key!r}: filter on the columns {', '.join(COLUMN_KEYS)} or on a metadata key "
            f"seen in this store ({known}); prefix with 'metadata.' to filter on a key no row has yet"
        )
    meta = _meta_column(st, mkey)  # may be longer than st.n (a newer state extended it)
    found = meta[: st.n] if rows is None else [meta[i] for i in rows.tolist()]
    return _objects(key, found, ops, numeric_ranges=True)


def _is_number(v: Any) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


_INT64 = np.iinfo(np.int64)
_F32 = float(np.finfo(np.float32).max)
_CMP_FN = {"$eq": np.equal, "$ne": np.not_equal, "$gt": np.greater, "$gte": np.greater_equal,
           "$lt": np.less, "$lte": np.less_equal}


def _out_of_range(key: str, v: Any) -> bool:
    """Whether ``v`` lies beyond every value the column can hold (ids: int64; times: float32)."""
    if key == "id" and isinstance(v, (int, np.integer)):
        return not _INT64.min <= int(v) <= _INT64.max
    try:
        f = float(v)
    except OverflowError:  # an int beyond the float range
        return True
    return abs(f) > (2.0**63 if key == "id" else _F32)  # NaN compares False: it stays (and matches nothing)


def _in_set_value(key: str, v: Any) -> bool:
    """Whether ``v`` can equal a stored value (used to drop the others from ``$in``/``$nin`` lists)."""
    if _out_of_range(key, v):
        return False
    return key != "id" or isinstance(v, (int, np.integer)) or float(v).is_integer()


def _numeric(key: str, col: np.ndarray, ops: list[tuple[str, Any]]) -> np.ndarray:
    mask = np.ones(col.shape[0], dtype=bool)
    for op, value in ops:
        if op in ("$in", "$nin"):
            vals = _as_list(value, key, op)
            if not all(_is_number(v) for v in vals):
                raise FilterError(f"{op} on {key!r} needs numbers, got {vals!r:.200}")
            vals = [v for v in vals if _in_set_value(key, v)]  # the others equal no stored value
            arr = np.asarray(vals, dtype=col.dtype) if vals else np.zeros(0, col.dtype)
            sub = np.isin(col, arr)
            mask &= sub if op == "$in" else ~sub
            continue
        if not _is_number(value):
            raise FilterError(f"{op} on {key!r} needs a number, got {type(value).__name__}: {value!r:.200}")
        if not _out_of_range(key, value):
            v = col.dtype.type(value) if key != "id" or isinstance(value, (int, np.integer)) else float(value)
            sub = _CMP_FN[op](col, v)
        else:
            # a value beyond the column's range: every stored value is on the same side of it
            above = value > 0  # e.g. start > 10**400 matches nothing, id < 2**70 matches everything
            result = {"$eq": False, "$ne": True, "$gt": not above, "$gte": not above,
                      "$lt": above, "$lte": above}[op]
            sub = np.full(col.shape[0], result, dtype=bool)
        mask &= sub
    return mask


def _coded(key: str, col: np.ndarray, table: StringTable, ops: list[tuple[str, Any]]) -> np.ndarray:
    mask = np.ones(col.shape[0], dtype=bool)
    for op, value in ops:
        if op in _CMP:
            raise FilterError(f"{op} is for numbers (start, end, id); {key!r} takes $eq, $ne, $in or $nin")
        vals = _as_list(value, key, op) if op in ("$in", "$nin") else [value]
        if not all(isinstance(v, str) for v in vals):
            raise FilterError(f"{key!r} values are strings, got {vals!r}")
        codes = [table.codes[v] for v in vals if v in table.codes]
        if len(codes) == 1:
            sub = col == codes[0]
        elif codes:
            sub = np.isin(col, np.asarray(codes, dtype=col.dtype))
        else:
            sub = np.zeros(col.shape[0], dtype=bool)
        mask &= sub if op in ("$eq", "$in") else ~sub
    return mask


def _objects(key: str, values: list[Any], ops: list[tuple[str, Any]], *, numeric_ranges: bool) -> np.ndarray:
    mask = np.ones(len(values), dtype=bool)
    for op, value in ops:
        if op in _CMP:
            if not numeric_ranges:
                raise FilterError(f"{op} is not supported on {key!r}; use $eq, $ne, $in or $nin")
            if not _is_number(value):
                raise FilterError(f"{op} on {key!r} needs a number, got {value!r}")
            # Python compares ints and floats exactly, whatever their size (no float() overflow)
            cmp = {"$gt": operator.gt, "$gte": operator.ge, "$lt": operator.lt, "$lte": operator.le}[op]
            sub = np.fromiter(
                (_is_number(v) and bool(cmp(v, value)) for v in values), dtype=bool, count=len(values)
            )
        elif op in ("$in", "$nin"):
            vals = _as_list(value, key, op)
            sub = np.fromiter((v is not _MISSING and _contains(vals, v) for v in values), bool, len(values))
            sub = sub if op == "$in" else ~sub
        else:
            sub = np.fromiter((v is not _MISSING and _same(v, value) for v in values), bool, len(values))
            sub = sub if op == "$eq" else ~sub
        mask &= sub
    return mask


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) != isinstance(b, bool):
        return False
    return bool(a == b)


def _contains(vals: list[Any], v: Any) -> bool:
    return any(_same(v, x) for x in vals)


_META_LOCK = threading.Lock()


def _meta_column(st: State, key: str) -> list[Any]:
    """Values of one metadata key for rows ``< st.n`` (parsed once; extended as rows are appended)."""
    meta = st.cache.get("meta")
    if meta is None:
        meta = st.cache.setdefault("meta", {"parsed": [], "cols": {}})
    parsed: list[Any] = meta["parsed"]
    cols: dict[str, list[Any]] = meta["cols"]
    col = cols.get(key)
    if len(parsed) >= st.n and col is not None and len(col) >= st.n:
        return col
    with _META_LOCK:
        if len(parsed) < st.n:
            parsed.extend(json.loads(m) if m is not None else None for m in st.metas[len(parsed) : st.n])
        col = cols.setdefault(key, [])
        if len(col) < st.n:
            col.extend(_MISSING if p is None else p.get(key, _MISSING) for p in parsed[len(col) : st.n])
    return col
