"""Row layout of TwelveLabsSegmentVectorStore inside a SegmentStore (pure functions, no I/O).

Every row carries its LangChain id as the store's external id (stores written before external ids kept
it in metadata under :data:`LC_ID_KEY`, which is still read and reserved). Text rows get a private
``video_id`` column (``"lc:<id>"``) so that the store's upsert key never merges two documents; the
document's own ``video_id`` stays in its metadata, and filters on ``video_id`` are pointed there.

```python
from langchain_twelvelabs._rows import rewrite_filter
assert rewrite_filter({"video_id": "v1", "start": {"$gte": 4}}) == {"metadata.video_id": "v1", "start": {"$gte": 4}}
```
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from twelvelabs_rag.moments import clip_id

__all__ = ["LC_ID_KEY", "segment_id", "rewrite_filter", "text_columns", "task_columns"]

#: Row-metadata key where older stores kept the LangChain (string) id; reserved, never shown in Documents.
LC_ID_KEY = "__lc_id"
_TEXT_OPTION = "text"
_TEXT_VIDEO_PREFIX = "lc:"


def segment_id(video_id: str, start: float, end: float, scope: str, option: str) -> str:
    """The LangChain id of a video segment row: stable, so re-adding a task replaces its rows."""
    return f"{clip_id(video_id, start, end)}:{scope}:{option}"


def rewrite_filter(where: Any) -> Any:
    """Map ``video_id`` to the document's own ``metadata.video_id`` (text rows keep a private column value)."""
    if isinstance(where, Mapping):
        out: dict[str, Any] = {}
        for key, value in where.items():
            if key in ("$and", "$or") and isinstance(value, (list, tuple)):
                out[key] = [rewrite_filter(v) for v in value]
            elif key == "$not":
                out[key] = rewrite_filter(value)
            elif key == "video_id":
                out["metadata.video_id"] = value
            else:
                out[key] = value
        return out
    return where


def _number(value: Any) -> float | None:
    if type(value) is float or type(value) is int:  # the common case, fast
        return float(value) if value >= 0 and value != float("inf") else None
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        f = float(value)
        return f if np.isfinite(f) and f >= 0 else None
    return None


def text_columns(
    texts: Sequence[str], metadatas: list[dict[str, Any]] | None, ids: Sequence[str | None] | None
) -> tuple[list[str], dict[str, Any], list[dict[str, Any]]]:
    """``(ids, columns, metadatas)`` for texts; ids default to fresh UUIDs; start/end come from metadata.

    The returned metadatas are copies (the ids go to the store as external ids).
    """
    n = len(texts)
    given: list[dict[str, Any] | None] = list(metadatas) if metadatas is not None else [None] * n
    if len(given) != n:
        raise ValueError(f"metadatas has {len(given)} entries for {n} texts")
    raw_ids = list(ids) if ids is not None else [None] * n
    if len(raw_ids) != n:
        raise ValueError(f"ids has {len(raw_ids)} entries for {n} texts")
    lc_ids = [str(i) if i is not None else str(uuid.uuid4()) for i in raw_ids]
    metas: list[dict[str, Any]] = []
    starts, ends = [], []
    for m in given:
        m = m or {}
        if LC_ID_KEY in m:
            raise ValueError(f"metadata key {LC_ID_KEY!r} is reserved by TwelveLabsSegmentVectorStore")
        metas.append(dict(m))
        s, e = _number(m.get("start")), _number(m.get("end"))
        s = s if s is not None else 0.0
        e = e if e is not None and e >= s else s
        starts.append(s)
        ends.append(e)
    columns = {
        "video_ids": [_TEXT_VIDEO_PREFIX + lc for lc in lc_ids],
        "starts": starts,
        "ends": ends,
        "scopes": ["clip"] * n,
        "options": [_TEXT_OPTION] * n,
    }
    return lc_ids, columns, metas


def task_columns(
    task: Any, model_name: str, metadata: Mapping[str, Any] | None, asset_id: str | None = None
) -> tuple[Any, list[str], dict[str, Any], list[dict[str, Any]]]:
    """``(vectors, ids, columns, metadatas)`` for the segments of a retrieved embedding task (v1 or
    embed v2) or of an indexed asset retrieved with ``embedding_option``; ``asset_id`` kept in metadata."""
    from twelvelabs_rag.embedding_segments import segments_of

    seg = segments_of(task, model_name=model_name, asset_id=asset_id)  # refuses another model's vectors
    vectors = seg.vectors
    columns: dict[str, Any] = {"video_ids": seg.source_id, "starts": seg.starts, "ends": seg.ends,
                               "scopes": seg.scopes, "options": seg.options}
    if seg.asset_id is not None:
        metadata = {**dict(metadata or {}), "asset_id": seg.asset_id}
    n = len(columns["starts"])
    if isinstance(columns["video_ids"], str):
        columns["video_ids"] = [columns["video_ids"]] * n
    lc_ids, metas = [], []
    for i in range(n):
        v, s, e = columns["video_ids"][i], float(columns["starts"][i]), float(columns["ends"][i])
        sc, op = columns["scopes"][i], columns["options"][i]
        lc_ids.append(segment_id(v, s, e, sc, op))
        metas.append({**dict(metadata or {}), "video_id": v, "start": s, "end": e, "scope": sc, "option": op})
    return vectors, lc_ids, columns, metas
