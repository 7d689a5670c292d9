"""Validation and vectorised conversion of ``add`` inputs, and of API task / video objects."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._errors import (
    ColumnLengthError,
    DimensionMismatchError,
    InvalidInputError,
    InvalidVectorError,
    ModelMismatchError,
)
from ._models import SCOPES, resolve_model

__all__ = ["Batch", "check_model", "as_matrix", "inverse_norms", "as_query", "prepare_batch", "from_task", "from_video"]


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


def inverse_norms(x: np.ndarray, what: str = "vector", offset: int = 0) -> np.ndarray:
    """``1/||row||`` for each row, rejecting NaN/inf and all-zero rows with the offending row numbers."""
    sq = np.einsum("ij,ij->i", x, x)
    bad = ~np.isfinite(sq)
    if bad.any():
        rows = np.flatnonzero(bad)
        if not np.isfinite(x[rows]).all():
            raise InvalidVectorError(
                f"{what} rows {(rows[:5] + offset).tolist()} contain NaN or inf; drop or re-embed those segments"
            )
        scale = np.abs(x[rows]).max(axis=1).astype(np.float64)
        sub = x[rows].astype(np.float64) / scale[:, None]
        sq = sq.astype(np.float64)
        sq[rows] = np.einsum("ij,ij->i", sub, sub) * scale**2
    zero = sq <= 0
    if zero.any():
        raise InvalidVectorError(
            f"{what} rows {(np.flatnonzero(zero)[:5] + offset).tolist()} are all zeros; cosine similarity is undefined "
            "for them, so drop those rows"
        )
    return (1.0 / np.sqrt(sq)).astype(np.float32)


def as_query(query: Any, dim: int) -> np.ndarray:
    """One unit-length float32 query vector."""
    if isinstance(query, np.ndarray) and query.dtype == np.float32 and query.shape == (dim,):
        n2 = float(np.dot(query, query))
        if 0.0 < n2 < float("inf"):
            return query * np.float32(1.0 / np.sqrt(n2))
    q = as_matrix(query, dim, "query")
    if q.shape[0] != 1:
        raise InvalidInputError(f"search takes one query vector, got {q.shape[0]}; use search_batch for many")
    inv = inverse_norms(q, "query")
    return (q[0] * inv[0]).astype(np.float32)


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


def _strings(value: Any, m: int, name: str, allowed: tuple[str, ...] | None = None) -> tuple[list[str] | str, list[str]]:
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
            raise ColumnLengthError(f"{name} has {len(value)} values for {m} vectors; give one per vector (or one string)")
        out = list(value)
        try:
            vals = list(dict.fromkeys(out))
        except TypeError:
            raise InvalidInputError(f"{name} values must be non-empty strings") from None
    for v in vals:
        if not isinstance(v, str) or not v:
            raise InvalidInputError(f"{name} values must be non-empty strings, got {v!r}")
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
        for t in tx:
            if t is not None and not isinstance(t, str):
                raise InvalidInputError(f"texts entries must be strings or None, got {type(t).__name__}")
    mt = None
    if metadatas is not None:
        if isinstance(metadatas, Mapping) or not isinstance(metadatas, Sequence):
            raise InvalidInputError(f"metadatas must be a list of {m} dicts (or None entries)")
        if len(metadatas) != m:
            raise ColumnLengthError(f"metadatas has {len(metadatas)} values for {m} vectors")
        mt = [_meta_json(d) for d in metadatas]
    return Batch(m, vids, st, en, sc, op, tx, mt, {"video_ids": u_vids, "scopes": u_sc, "options": u_op})


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
    try:
        return json.dumps(d, allow_nan=False, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"metadata must be JSON-safe (str, number, bool, None, list, dict): {exc}") from None


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
