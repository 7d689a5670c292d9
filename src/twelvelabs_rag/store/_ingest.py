"""Validation and vectorised conversion of ``add`` inputs, and of API task / video objects."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import faiss
import numpy as np

from ._errors import (
    ColumnLengthError,
    DimensionMismatchError,
    InvalidInputError,
    InvalidVectorError,
    ModelMismatchError,
)
from ._models import SCOPES, resolve_model

__all__ = ["Batch", "check_model", "as_matrix", "inverse_norms", "normalise_into", "unit_rows", "as_query",
           "prepare_batch", "from_task", "from_video", "check_depth", "check_utf8", "MAX_DEPTH", "as_ids", "is_int",
           "fits_int64", "check_k", "check_batch_size", "task_rows", "video_rows"]


def as_matrix(vectors: Any, dim: int, what: str = "vectors") -> np.ndarray:
    """A 2-D float array (no copy when already float32/float64 2-D); 1-D input is one row."""
    try:
        x = vectors if isinstance(vectors, np.ndarray) else np.asarray(vectors, dtype=np.float32)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"{what} must be a (n, {dim}) array or a list of lists of numbers: {exc}") from None
    if x.dtype not in (np.float32, np.float64):
        if not (np.issubdtype(x.dtype, np.number) and not np.issubdtype(x.dtype, np.complexfloating)):
            raise InvalidInputError(f"{what} must hold real numbers, got dtype {x.dtype}")
        x = x.astype(np.float32)
    if x.ndim == 1 and x.size == dim:
        x = x.reshape(1, dim)
    if x.ndim == 1 and x.size == 0:
        x = x.reshape(0, dim)
    if x.ndim != 2:
        raise DimensionMismatchError(f"{what} must be 2-D (n, {dim}); got shape {x.shape}")
    if x.shape[1] != dim:
        raise DimensionMismatchError(
            f"{what} have dimension {x.shape[1]} but this store holds {dim}-d vectors; "
            "embed with the store's model (Marengo 2.7 is 1024-d, Marengo 3.0 is 512-d) or use another store"
        )
    return x


_TINY = float(np.finfo(np.float32).tiny)
_F32_MAX = float(np.finfo(np.float32).max)


def _norms_sq(x: np.ndarray, what: str, offset: int) -> tuple[np.ndarray, np.ndarray]:
    """Squared row norms in float32 and the rows whose float32 norm under- or overflowed (recomputed).

    Returns ``(sq, slow)``: ``sq`` is float64 where ``slow`` rows were recomputed by scaling each by
    its largest magnitude first (so entries of 1e-30, whose squares underflow, are valid vectors).
    """
    with np.errstate(over="ignore", under="ignore"):  # such rows are recomputed below
        sq = np.einsum("ij,ij->i", x, x)
    slow = np.flatnonzero(~(sq >= _TINY) | ~(sq < np.inf))  # NaN, inf, 0 and subnormal squared norms
    if slow.size:
        sub = x[slow]
        if not np.isfinite(sub).all():
            rows = slow[~np.isfinite(sub).all(axis=1)]
            raise InvalidVectorError(
                f"{what} rows {(rows[:5] + offset).tolist()} contain NaN or inf; drop or re-embed those segments"
            )
        scale = np.abs(sub).max(axis=1).astype(np.float64)
        zero = slow[scale == 0]
        if zero.size:
            raise InvalidVectorError(
                f"{what} rows {(zero[:5] + offset).tolist()} are all zeros; cosine similarity is undefined "
                "for them, so drop those rows"
            )
        scaled = sub.astype(np.float64) / scale[:, None]
        sq = sq.astype(np.float64)
        sq[slow] = np.einsum("ij,ij->i", scaled, scaled) * scale**2
    return sq, slow


def inverse_norms(x: np.ndarray, what: str = "vector", offset: int = 0) -> np.ndarray:
    """``1/||row||`` for each row (float64 when a row needs it), rejecting NaN/inf and all-zero rows."""
    sq, slow = _norms_sq(x, what, offset)
    inv: np.ndarray = 1.0 / np.sqrt(sq)
    return inv if slow.size else inv.astype(np.float32)


def normalise_into(dest: np.ndarray, src: np.ndarray, what: str = "vector", offset: int = 0) -> None:
    """Write the unit rows of ``src`` into the float32 ``dest`` (validating them as :func:`inverse_norms`)."""
    sq, slow = _norms_sq(src, what, offset)
    if not slow.size:
        np.multiply(src, (1.0 / np.sqrt(sq)).astype(np.float32)[:, None], out=dest, casting="same_kind")
        return
    fast = np.ones(src.shape[0], dtype=bool)
    fast[slow] = False
    inv = np.where(fast, 1.0 / np.sqrt(np.where(fast, sq, 1.0)), 0.0).astype(np.float32)
    np.multiply(src, inv[:, None], out=dest, casting="same_kind")
    for r in slow.tolist():  # tiny or huge rows: scale by the largest magnitude, then normalise in float64
        row = src[r].astype(np.float64)
        row /= np.abs(row).max()
        dest[r] = row / np.sqrt(row @ row)


def unit_rows(x: np.ndarray, what: str = "vector") -> np.ndarray:
    """A new C-contiguous float32 matrix of the unit rows of ``x`` (any memory order)."""
    out = np.empty(x.shape, dtype=np.float32)
    normalise_into(out, x, what)
    return out


def as_query(query: Any, dim: int) -> np.ndarray:
    """One unit-length float32 query vector."""
    if (isinstance(query, np.ndarray) and query.dtype == np.float32 and query.shape == (dim,)
            and query.flags.c_contiguous):
        # faiss's SIMD norm sets no numpy error state (huge or tiny queries take the careful path below)
        n2 = float(faiss.fvec_norm_L2sqr(faiss.swig_ptr(query), dim))
        if _TINY <= n2 < float("inf"):
            scaled: np.ndarray = query * np.float32(1.0 / math.sqrt(n2))
            return scaled
    q = as_matrix(query, dim, "query")
    if q.shape[0] != 1:
        raise InvalidInputError(f"search takes one query vector, got {q.shape[0]}; use search_batch for many")
    row: np.ndarray = unit_rows(q, "query")[0]
    return row


@dataclass
class Batch:
    """Validated columns for one ``add`` call (string columns already turned into Python lists)."""

    m: int
    video_ids: list[str] | str
    starts: np.ndarray
    ends: np.ndarray
    scopes: list[str] | str
    options: list[str] | str
    texts: list[str | None] | None
    metas: list[str | None] | None
    distinct: dict[str, list[str]]
    external_ids: list[str | None] | None = None


def _strings(value: Any, m: int, name: str,
             allowed: tuple[str, ...] | None = None) -> tuple[list[str] | str, list[str]]:
    """The column (a list, or one string for all rows) and its distinct values, validated."""
    if isinstance(value, str):
        vals: list[Any] = [value]
        out: list[str] | str = value
    else:
        if isinstance(value, np.ndarray):
            value = value.tolist()
        if not isinstance(value, Sequence):
            raise InvalidInputError(f"{name} must be a string or a list of {m} strings, got {type(value).__name__}")
        if len(value) != m:
            raise ColumnLengthError(f"{name} has {len(value)} values for {m} vectors; "
                                    "give one per vector (or one string)")
        out = list(value)
        try:
            vals = list(dict.fromkeys(out))
        except TypeError:
            raise InvalidInputError(f"{name} values must be non-empty strings") from None
    for v in vals:
        if not isinstance(v, str) or not v:
            raise InvalidInputError(f"{name} values must be non-empty strings, got {v!r}")
        check_utf8(v, f"{name} value")
        if allowed is not None and v not in allowed:
            raise InvalidInputError(f"{name} values must be one of {', '.join(allowed)}, got {v!r}")
    return out, vals


def _floats(value: Any, m: int, name: str) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidInputError(f"{name} must be numbers (seconds), got {value!r:.80}") from None
    if arr.ndim == 0 and m == 1:
        arr = arr.reshape(1)
    if arr.ndim != 1 or arr.shape[0] != m:
        raise ColumnLengthError(f"{name} has shape {arr.shape} for {m} vectors; give one number per vector")
    if not np.isfinite(arr).all():
        raise InvalidInputError(f"{name} must be finite numbers of seconds")
    if (np.abs(arr) > _F32_MAX).any():  # stored as float32: larger values would become inf
        raise InvalidInputError(f"{name} must be at most {_F32_MAX:.3g} seconds (times are stored as float32); "
                                f"got {arr[np.abs(arr) > _F32_MAX][:3].tolist()}")
    if (arr < 0).any():
        raise InvalidInputError(f"{name} must be >= 0 seconds; got {arr[arr < 0][:3].tolist()}")
    return arr


def prepare_batch(
    m: int,
    video_ids: Any,
    starts: Any,
    ends: Any,
    scopes: Any,
    options: Any,
    texts: Any = None,
    metadatas: Any = None,
    external_ids: Any = None,
) -> Batch:
    """Validate and normalise every column of one ``add`` call."""
    vids, u_vids = _strings(video_ids, m, "video_ids")
    st = _floats(starts, m, "starts")
    en = _floats(ends, m, "ends")
    if (en < st).any():
        i = int(np.flatnonzero(en < st)[0])
        raise InvalidInputError(f"segment {i} ends ({en[i]}) before it starts ({st[i]}); ends must be >= starts")
    sc, u_sc = _strings(scopes, m, "scopes", SCOPES)
    op, u_op = _strings(options, m, "options")
    tx = None
    if texts is not None:
        if isinstance(texts, str) or not isinstance(texts, Sequence):
            raise InvalidInputError(f"texts must be a list of {m} strings (or None entries)")
        if len(texts) != m:
            raise ColumnLengthError(f"texts has {len(texts)} values for {m} vectors")
        tx = list(texts)
        for i, t in enumerate(tx):
            if t is not None and not isinstance(t, str):
                raise InvalidInputError(f"texts entries must be strings or None, got {type(t).__name__}")
            if t is not None:
                check_utf8(t, f"texts[{i}]")
    mt = None
    if metadatas is not None:
        if isinstance(metadatas, Mapping) or not isinstance(metadatas, Sequence):
            raise InvalidInputError(f"metadatas must be a list of {m} dicts (or None entries)")
        if len(metadatas) != m:
            raise ColumnLengthError(f"metadatas has {len(metadatas)} values for {m} vectors")
        mt = [_meta_json(d) for d in metadatas]
    return Batch(m, vids, st, en, sc, op, tx, mt, {"video_ids": u_vids, "scopes": u_sc, "options": u_op},
                 _external_ids(external_ids, m))


def _external_ids(value: Any, m: int) -> list[str | None] | None:
    """``external_ids``: one non-empty string (or None) per row, no string twice in one call."""
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise InvalidInputError(f"external_ids must be a list of {m} strings (or None entries)")
    if len(value) != m:
        raise ColumnLengthError(f"external_ids has {len(value)} values for {m} vectors")
    out = list(value)
    seen: set[str] = set()
    for i, e in enumerate(out):
        if e is None:
            continue
        if not isinstance(e, str) or not e:
            raise InvalidInputError(f"external_ids entries must be non-empty strings or None, got {e!r:.60}")
        check_utf8(e, f"external_ids[{i}]")
        if e in seen:
            raise InvalidInputError(f"external id {e!r:.60} appears twice in one add; give each row its own id")
        seen.add(e)
    return None if not seen else out


def _meta_json(d: Any) -> str | None:
    if d is None:
        return None
    if not isinstance(d, Mapping):
        raise InvalidInputError(f"each metadata must be a dict, got {type(d).__name__}")
    if not d:
        return None
    for key in d:
        if not isinstance(key, str):
            raise InvalidInputError(f"metadata keys must be strings, got {key!r}")
    check_depth(d, MAX_DEPTH, "metadata", InvalidInputError)
    try:
        text = json.dumps(d, allow_nan=False, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"metadata must be JSON-safe (str, number, bool, None, list, dict): {exc}") from None
    check_utf8(text, "metadata")
    return text


#: How deeply metadata (and ``where`` filters) may nest dicts and lists.
MAX_DEPTH = 32


def check_depth(value: Any, limit: int, what: str, error: type[InvalidInputError]) -> None:
    """Refuse dicts/lists nested more than ``limit`` levels (checked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        v, depth = stack.pop()
        if isinstance(v, Mapping):
            children: Any = v.values()
        elif isinstance(v, (list, tuple)):
            children = v
        else:
            continue
        if depth > limit:
            raise error(f"{what} is nested more than {limit} levels deep; flatten it (e.g. join nested keys "
                        "with dots)")
        stack.extend((c, depth + 1) for c in children)


def check_utf8(text: str, what: str) -> None:
    """Refuse strings that cannot be written as UTF-8 (lone surrogates, e.g. from ``os.fsdecode``)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidInputError(
            f"{what} holds a lone surrogate {text[exc.start:exc.end]!r} at position {exc.start} (typically a "
            "non-UTF-8 file name decoded with os.fsdecode), which cannot be saved as UTF-8; clean it first, "
            "e.g. s.encode('utf-8', 'surrogateescape').decode('utf-8', 'replace')"
        ) from None


def check_model(store_model: str, model_name: str | None, what: str) -> None:
    """Refuse vectors of another embedding model (``None`` means the caller did not say)."""
    if model_name is None:
        return
    if resolve_model(model_name).name != resolve_model(store_model).name:
        raise ModelMismatchError(
            f"{what} was embedded with {model_name!r} but this store holds {store_model!r} vectors; "
            "their spaces are not comparable, so use a store created with that model"
        )


def _segments_columns(ve: Any, video_id: str, what: str) -> dict[str, Any]:
    segs = list(getattr(ve, "segments", None) or []) if ve is not None else []
    if not segs:
        raise InvalidInputError(
            f"{what} has no embedding segments; retrieve it with its vectors once it is ready "
            "(client.embed.tasks.retrieve(task_id) or client.indexes.videos.retrieve(..., embedding_option=[...]))"
        )
    return {
        "vectors": ve.matrix,
        "video_ids": video_id,
        "starts": [float(s.start_offset_sec or 0.0) for s in segs],
        "ends": [float(s.end_offset_sec or 0.0) for s in segs],
        "scopes": [s.embedding_scope or "clip" for s in segs],
        "options": [s.embedding_option or "visual-text" for s in segs],
    }


def from_task(task: Any, store_model: str) -> dict[str, Any]:
    """``add`` keyword arguments for an :class:`~twelvelabs_rag.types.EmbeddingTask` (video_id = task id).

    Public as ``twelvelabs_rag.store.task_columns``; refuses a task of another model. Example:
        ```python
        cols = task_columns(task, "marengo3.0")    # {"vectors": (n, d) array, "video_ids": ..., "starts": ...}
        store.add(cols.pop("vectors"), **cols)
        ```
    """
    check_model(store_model, getattr(task, "model_name", None), f"embedding task {task.id!r}")
    return _segments_columns(getattr(task, "video_embedding", None), str(task.id), f"embedding task {task.id!r}")


def from_video(video: Any, store_model: str) -> dict[str, Any]:
    """``add`` keyword arguments for a retrieved :class:`~twelvelabs_rag.types.Video` with embeddings.

    Public as ``twelvelabs_rag.store.video_columns``; refuses a video embedded by another model.
    """
    emb = getattr(video, "embedding", None)
    if emb is None:
        raise InvalidInputError(
            f"video {video.id!r} carries no embedding; retrieve it with embedding_option=['visual-text', 'audio']"
        )
    check_model(store_model, getattr(emb, "model_name", None), f"video {video.id!r}")
    return _segments_columns(getattr(emb, "video_embedding", None), str(video.id), f"video {video.id!r}")


def is_int(v: Any) -> bool:
    """An integer that is not a bool (Python or NumPy)."""
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


_INT64 = np.iinfo(np.int64)


def fits_int64(v: int) -> bool:
    return _INT64.min <= int(v) <= _INT64.max


def as_ids(ids: Iterable[int] | int) -> np.ndarray:
    """Segment ids as an int64 array (one int or an iterable of ints); ids beyond int64 are dropped."""
    if isinstance(ids, (str, bytes)):
        raise InvalidInputError(f"segment ids are integers, got {ids!r}")
    try:
        vals: list[Any] = [ids] if is_int(ids) else list(cast(Iterable[Any], ids))
    except TypeError:
        raise InvalidInputError(f"ids must be an integer or a list of integers, got {type(ids).__name__}") from None
    if not all(is_int(v) for v in vals):
        raise InvalidInputError(f"segment ids are integers, got {[v for v in vals if not is_int(v)][:3]!r}")
    # ids beyond int64 were never assigned: like any unknown id they match nothing
    return np.asarray([v for v in vals if fits_int64(v)], dtype=np.int64).reshape(-1)


def check_k(k: Any) -> int:
    """``k`` as an int (a positive integer)."""
    if not is_int(k) or k < 1:
        raise InvalidInputError(f"k must be a positive integer, got {k!r}")
    return int(k)


def check_batch_size(batch_size: Any) -> int:
    if not is_int(batch_size) or batch_size < 1:
        raise InvalidInputError(f"batch_size must be a positive integer, got {batch_size!r}")
    return int(batch_size)


def task_rows(task: Any, store_model: str, metadata: Mapping[str, Any] | None) -> dict[str, Any]:
    """:func:`from_task` with ``metadata`` on every row: ``add_embedding_task``'s columns (both backends)."""
    kw = from_task(task, store_model)
    if metadata:
        kw["metadatas"] = [dict(metadata)] * len(kw["starts"])
    return kw


def video_rows(video: Any, store_model: str, metadata: Mapping[str, Any] | None) -> dict[str, Any]:
    """:func:`from_video` with ``metadata`` (plus the video's filename when known) on every row: ``add_video``'s."""
    kw = from_video(video, store_model)
    meta = dict(metadata or {})
    filename = getattr(getattr(video, "system_metadata", None), "filename", None)
    if filename and "filename" not in meta:
        meta["filename"] = filename
    if meta:
        kw["metadatas"] = [meta] * len(kw["starts"])
    return kw
