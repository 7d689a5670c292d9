"""Fast construction of vector-heavy models: every ``float`` list becomes one float32 matrix.

Pydantic never walks the floats: the segment lists are pulled out of the parsed JSON, converted
with one ``np.asarray(..., float32)`` call, and the segments get row views of that matrix.

```python
from twelvelabs_rag.types._fast import video_embedding_from_json
ve = video_embedding_from_json({"segments": [{"float": [1, 2]}, {"float": [3, 4]}]})
assert ve.matrix.shape == (2, 2) and ve.segments[1].embedding[0] == 3.0
```
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .embed import EmbeddingTask, VideoEmbedding
from .videos import Video

__all__ = ["take_matrix", "video_embedding_from_json", "embedding_task_from_json", "video_from_json",
           "vectors_to_arrays", "embed_v2_from_json"]


def take_matrix(segments: list[dict[str, Any]], key: str = "float") -> np.ndarray | None:
    """Replace each segment's ``float`` list (``key``) by a row view of one ``(n, d)`` float32 matrix.

    Returns the matrix, or None (leaving the segments untouched) when the vectors are missing or
    of unequal length.
    """
    if not segments:
        return None
    rows = []
    width = -1
    for seg in segments:
        vec = seg.get(key) if isinstance(seg, dict) else None
        if not isinstance(vec, list) or (width >= 0 and len(vec) != width):
            return None
        width = len(vec)
        rows.append(vec)
    matrix = np.asarray(rows, dtype=np.float32)
    for seg, row in zip(segments, matrix, strict=True):
        seg[key] = row
    return matrix


def video_embedding_from_json(raw: dict[str, Any]) -> VideoEmbedding:
    """Build a :class:`VideoEmbedding` whose ``matrix`` is the parsed segment matrix (no copy)."""
    matrix = take_matrix(raw.get("segments") or [])
    ve = VideoEmbedding.model_validate(raw)
    if matrix is not None:
        ve._matrix = matrix
    return ve


def vectors_to_arrays(raw: dict[str, Any]) -> dict[str, Any]:
    """In place: turn every ``segments[*].float`` list under the known embedding keys into rows."""
    for key in ("text_embedding", "image_embedding", "audio_embedding", "video_embedding"):
        part = raw.get(key)
        if isinstance(part, dict):
            take_matrix(part.get("segments") or [])
    emb = raw.get("embedding")
    if isinstance(emb, dict) and isinstance(emb.get("video_embedding"), dict):
        take_matrix(emb["video_embedding"].get("segments") or [])
    return raw


def embedding_task_from_json(raw: dict[str, Any]) -> EmbeddingTask:
    """Build an :class:`EmbeddingTask` with its segment matrix parsed in one numpy call."""
    ve_raw = raw.get("video_embedding")
    matrix = take_matrix(ve_raw.get("segments") or []) if isinstance(ve_raw, dict) else None
    task = EmbeddingTask.model_validate(raw)
    if matrix is not None and task.video_embedding is not None:
        task.video_embedding._matrix = matrix
    return task


def video_from_json(raw: dict[str, Any]) -> Video:
    """Build a :class:`Video`; ``video.embedding.video_embedding.matrix`` needs no copy."""
    emb = raw.get("embedding")
    ve_raw = emb.get("video_embedding") if isinstance(emb, dict) else None
    matrix = take_matrix(ve_raw.get("segments") or []) if isinstance(ve_raw, dict) else None
    video = Video.model_validate(raw)
    if matrix is not None and video.embedding is not None and video.embedding.video_embedding is not None:
        video.embedding.video_embedding._matrix = matrix
    return video


def embed_v2_from_json(model: type[Any], raw: dict[str, Any]) -> Any:
    """Build an embed-v2 response or task whose ``matrix`` is ``data[*].embedding`` parsed in one numpy call."""
    items = raw.get("data")
    matrix = take_matrix(items, "embedding") if isinstance(items, list) else None
    if matrix is not None and isinstance(items[0].get("embedding_uncertainty"), list):  # type: ignore[index]
        take_matrix(items, "embedding_uncertainty")  # type: ignore[arg-type]
    out = model.model_validate(raw)
    if matrix is not None:
        out._matrix = matrix
    return out
