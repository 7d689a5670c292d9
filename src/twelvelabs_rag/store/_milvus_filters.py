"""The store's ``where`` language compiled to a Milvus boolean expression (no post-filtering, ever).

Same keys, operators and meaning as the local store (``_filters.py``); a filter Milvus cannot express
with the same meaning raises :class:`FilterError`. Two differences of Milvus are bridged here:

* Milvus compares with SQL's three-valued logic (a missing JSON key or a null ``text`` makes both
  ``x == v`` and ``not (x == v)`` false). Every leaf is therefore compiled to a two-valued expression
  (``exists``/``is null`` guards), so ``$ne``, ``$nin`` and ``$not`` match rows without the key, as
  they do locally.
* Milvus JSON treats ``true == 1``, and ``null`` as a missing key. Metadata values that are booleans,
  ``None``, lists or dicts are stored as tagged strings (:func:`encode_metadata`), so a number never
  matches a boolean and ranges only ever match numbers, as locally.

``start``/``end`` are stored as the float32 value the local store keeps (widened to double), and the
literals are rounded the same way, so equality and ranges agree bit for bit.
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from ._errors import FilterError

__all__ = ["compile_where", "encode_metadata", "metadata_json", "decode_metadata", "TRUE", "FALSE"]

COLUMN_KEYS = ("id", "video_id", "start", "end", "scope", "option", "text", "external_id")
_CMP = {"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}
_SET = ("$eq", "$ne", "$in", "$nin")
_ALL_OPS = _SET + tuple(_CMP)
#: Constant expressions (ids are never negative).
TRUE, FALSE = "(id >= 0)", "(id < 0)"
_TAG = "~tl~"


# ---------------------------------------------------------------------------- metadata values
def _encode_value(v: Any) -> Any:
    if isinstance(v, bool):
        return f"{_TAG}b{int(v)}"
    if v is None:
        return f"{_TAG}n"
    if isinstance(v, str):
        return f"{_TAG}s{v}" if v.startswith(_TAG) else v
    if isinstance(v, numbers.Real):
        return v
    return f"{_TAG}j" + json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _decode_value(v: Any) -> Any:
    if not isinstance(v, str) or not v.startswith(_TAG):
        return v
    tag, rest = v[len(_TAG)], v[len(_TAG) + 1 :]
    if tag == "b":
        return rest == "1"
    if tag == "n":
        return None
    if tag == "s":
        return rest
    return json.loads(rest)


def encode_metadata(meta: Mapping[str, Any] | None) -> dict[str, Any]:
    """The JSON stored in Milvus for one row's metadata (``{}`` for none; see the module docstring)."""
    return {k: _encode_value(v) for k, v in (meta or {}).items()}


def _needs_tag(v: Any) -> bool:
    if isinstance(v, str):
        return v.startswith(_TAG)
    return isinstance(v, bool) or not isinstance(v, numbers.Real)  # None, lists, dicts, booleans


def metadata_json(meta: Mapping[str, Any] | None, text: str | None) -> str:
    """The JSON text stored for one row's metadata: :func:`encode_metadata` of ``meta``, serialised.

    ``text`` is the caller's compact JSON of ``meta`` (the ingest validation already produced it); it is
    reused as is when no value needs a tag (numbers and plain strings, the common case), which spares a
    second encoding here and pymilvus's walk over a dict (it only checks a string).
    """
    if not meta:
        return "{}"
    if text is not None and not any(_needs_tag(v) for v in meta.values()):
        return text
    return json.dumps(encode_metadata(meta), separators=(",", ":"), ensure_ascii=False)


def decode_metadata(stored: Mapping[str, Any] | None) -> dict[str, Any]:
    """The inverse of :func:`encode_metadata`."""
    return {k: _decode_value(v) for k, v in (stored or {}).items()}


# ---------------------------------------------------------------------------- compilation
def compile_where(where: Mapping[str, Any] | None, meta_keys: set[str]) -> str | None:
    """A Milvus expression for ``where`` (``None``: every row); raises :class:`FilterError` like the local store.

    Example:
        ```python
        compile_where({"video_id": {"$in": ["a", "b"]}, "start": {"$gte": 30}}, set())
        # '((video_id in ["a", "b"]) and (start >= 30.0))'
        ```
    """
    if where is None:
        return None
    if not isinstance(where, Mapping):
        raise FilterError(f"where must be a dict such as {{'video_id': 'v1'}}, got {type(where).__name__}")
    if not where:
        return None
    return _node(where, meta_keys)


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else "(" + " and ".join(parts) + ")"


def _or(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else "(" + " or ".join(parts) + ")"


def _node(node: Any, meta_keys: set[str]) -> str:
    if not isinstance(node, Mapping):
        raise FilterError(f"each filter must be a dict, got {type(node).__name__}: {node!r}")
    parts = []
    for key, spec in node.items():
        if not isinstance(key, str):
            raise FilterError(f"filter keys must be strings, got {key!r}")
        if key in ("$and", "$or"):
            subs = _as_list(spec, key, key)
            if not subs:
                raise FilterError(f"{key} needs a non-empty list of filters")
            compiled = [_node(p, meta_keys) for p in subs]
            parts.append(_and(compiled) if key == "$and" else _or(compiled))
        elif key == "$not":
            parts.append(f"(not {_node(spec, meta_keys)})")
        elif key.startswith("$"):
            raise FilterError(f"unknown logical operator {key!r}; use $and, $or or $not")
        else:
            parts.append(_field(key, spec, meta_keys))
    return _and(parts) if parts else TRUE


def _ops(key: str, spec: Any) -> list[tuple[str, Any]]:
    if isinstance(spec, Mapping) and spec and all(isinstance(k, str) and k.startswith("$") for k in spec):
        for op in spec:
            if op not in _ALL_OPS:
                raise FilterError(f"unknown operator {op!r} on {key!r}; use one of {', '.join(_ALL_OPS)}")
        return list(spec.items())
    if isinstance(spec, Mapping) and not spec:
        raise FilterError(f"empty operator dict for {key!r}; give a value or e.g. {{'$eq': value}}")
    return [("$eq", spec)]


def _as_list(value: Any, key: str, op: str) -> list[Any]:
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    if isinstance(value, np.ndarray):
        return list(value.tolist())
    raise FilterError(f"{op} on {key!r} needs a list, got {type(value).__name__}: {value!r}")


def _is_number(v: Any) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def _str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def _num(v: Any, key: str) -> str:
    f = float(v)
    if not math.isfinite(f):
        raise FilterError(f"{key!r} filters need finite numbers on the Milvus backend, got {v!r}")
    if isinstance(v, (int, np.integer)) and abs(int(v)) < 2**53:
        return str(int(v))
    return repr(f)


def _field(key: str, spec: Any, meta_keys: set[str]) -> str:
    ops = _ops(key, spec)
    if key in ("start", "end"):
        return _and([_float32(key, op, v) for op, v in ops])
    if key == "id":
        return _and([_id(op, v) for op, v in ops])
    if key in ("video_id", "scope", "option", "text", "external_id"):
        nullable = key in ("text", "external_id")
        return _and([_string(key, op, v, nullable) for op, v in ops])
    mkey = key[len("metadata.") :] if key.startswith("metadata.") else key
    if mkey not in meta_keys and not key.startswith("metadata."):
        known = ", ".join(sorted(meta_keys)[:20]) or "none yet"
        raise FilterError(
            f"unknown filter key {key!r}: filter on the columns {', '.join(COLUMN_KEYS)} or on a metadata key "
            f"seen in this store ({known}); prefix with 'metadata.' to filter on a key no row has yet"
        )
    return _and([_meta(key, mkey, op, v) for op, v in ops])


def _f32(v: Any) -> str:
    return repr(float(np.float32(v)))


def _float32(key: str, op: str, value: Any) -> str:
    if op in ("$in", "$nin"):
        vals = _as_list(value, key, op)
        if not all(_is_number(v) for v in vals):
            raise FilterError(f"{op} on {key!r} needs numbers, got {vals!r}")
        if not vals:
            return FALSE if op == "$in" else TRUE
        for v in vals:
            _num(v, key)  # finite check
        lst = "[" + ", ".join(_f32(v) for v in vals) + "]"
        return f"({key} {'in' if op == '$in' else 'not in'} {lst})"
    if not _is_number(value):
        raise FilterError(f"{op} on {key!r} needs a number, got {type(value).__name__}: {value!r}")
    _num(value, key)
    sym = {"$eq": "==", "$ne": "!=", **_CMP}[op]
    return f"({key} {sym} {_f32(value)})"


def _id(op: str, value: Any) -> str:
    if op in ("$in", "$nin"):
        vals = _as_list(value, "id", op)
        if not all(_is_number(v) for v in vals):
            raise FilterError(f"{op} on 'id' needs numbers, got {vals!r}")
        ints = sorted({int(v) for v in vals if float(v).is_integer()})
        if not ints:
            return FALSE if op == "$in" else TRUE
        return f"(id {'in' if op == '$in' else 'not in'} [{', '.join(map(str, ints))}])"
    if not _is_number(value):
        raise FilterError(f"{op} on 'id' needs a number, got {type(value).__name__}: {value!r}")
    f = float(value)
    if not math.isfinite(f):
        return {"$eq": FALSE, "$ne": TRUE, "$gt": FALSE if f > 0 else TRUE, "$gte": FALSE if f > 0 else TRUE,
                "$lt": TRUE if f > 0 else FALSE, "$lte": TRUE if f > 0 else FALSE}[op]
    whole = f.is_integer()
    if op in ("$eq", "$ne"):
        if not whole:
            return FALSE if op == "$eq" else TRUE
        return f"(id {'==' if op == '$eq' else '!='} {int(value)})"
    bound = {"$gt": math.floor, "$lte": math.floor, "$gte": math.ceil, "$lt": math.ceil}[op](f)
    return f"(id {_CMP[op]} {int(bound)})"


def _string(key: str, op: str, value: Any, nullable: bool) -> str:
    if op in _CMP:
        if key == "text":
            raise FilterError(f"{op} is not supported on {key!r}; use $eq, $ne, $in or $nin")
        raise FilterError(f"{op} is for numbers (start, end, id); {key!r} takes $eq, $ne, $in or $nin")
    vals = _as_list(value, key, op) if op in ("$in", "$nin") else [value]
    if nullable:  # like the local store: a value of another type simply matches no row
        vals = [v for v in vals if v is None or isinstance(v, str)]
    elif not all(isinstance(v, str) for v in vals):
        raise FilterError(f"{key!r} values are strings, got {vals!r}")
    strs = sorted({v for v in vals if v is not None})
    want_null = any(v is None for v in vals)
    parts = []
    if strs:
        body = f"{key} == {_str(strs[0])}" if len(strs) == 1 else f"{key} in [{', '.join(map(_str, strs))}]"
        parts.append(f"({key} is not null and {body})" if nullable else f"({body})")
    if want_null and nullable:
        parts.append(f"({key} is null)")
    positive = _or(parts) if parts else FALSE
    return positive if op in ("$eq", "$in") else f"(not {positive})"


def _meta(key: str, mkey: str, op: str, value: Any) -> str:
    path = f"metadata[{_str(mkey)}]"
    has = f"exists {path}"
    if op in _CMP:
        if not _is_number(value):
            raise FilterError(f"{op} on {key!r} needs a number, got {value!r}")
        return f"({has} and {path} {_CMP[op]} {_num(value, key)})"
    vals = _as_list(value, key, op) if op in ("$in", "$nin") else [value]
    eqs = []
    for v in vals:
        enc = _encode_value(v)
        if _is_number(enc):
            eqs.append(f"{path} == {_num(enc, key)}")
        else:
            eqs.append(f"{path} == {_str(enc)}")
    positive = f"({has} and {_or(eqs)})" if eqs else FALSE
    return positive if op in ("$eq", "$in") else f"(not {positive})"
