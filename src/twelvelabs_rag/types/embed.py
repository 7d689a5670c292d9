"""Embedding models (``/embed`` and ``/embed/tasks``).

Vectors are float32 numpy arrays (wire key ``float``). For a retrieved embedding task,
``task.video_embedding.matrix`` is the ``(n_segments, dim)`` array and each segment's
``embedding`` is a row of it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
from pydantic import Field, PrivateAttr

from ._base import APIModel, Vector

__all__ = [
    "EmbeddingSegment",
    "MediaEmbedding",
    "EmbeddingResponse",
    "VideoSegment",
    "VideoEmbeddingMetadata",
    "VideoEmbedding",
    "EmbeddingTask",
    "EmbeddingTaskStatus",
    "EmbeddingTaskCreated",
    "TERMINAL_EMBED_STATUSES",
]

TERMINAL_EMBED_STATUSES = frozenset({"ready", "failed"})


class EmbeddingSegment(APIModel):
    embedding: Vector = Field(alias="float")
    start_offset_sec: float | None = None
    end_offset_sec: float | None = None


class MediaEmbedding(APIModel):
    segments: list[EmbeddingSegment] = Field(default_factory=list)
    error_message: str | None = None
    metadata: dict[str, Any] | None = None

    @property
    def vector(self) -> np.ndarray:
        """The first segment's vector (text and image embeddings have exactly one)."""
        if not self.segments:
            raise ValueError(self.error_message or "the API returned no embedding segments")
        return self.segments[0].embedding


class EmbeddingResponse(APIModel):
    """``POST /embed``: one of text/image/audio embeddings, or several when several inputs were sent."""

    model_name: str
    text_embedding: MediaEmbedding | None = None
    image_embedding: MediaEmbedding | None = None
    audio_embedding: MediaEmbedding | None = None


class VideoSegment(APIModel):
    embedding: Vector = Field(alias="float")
    start_offset_sec: float = 0.0
    end_offset_sec: float = 0.0
    embedding_option: str | None = None
    embedding_scope: str | None = None


class VideoEmbeddingMetadata(APIModel):
    input_url: str | None = None
    input_filename: str | None = None
    video_clip_length: float | None = None
    video_embedding_scope: list[str] = Field(default_factory=list)
    video_embedding_option: list[str] | None = None
    duration: float | None = None


class VideoEmbedding(APIModel):
    metadata: VideoEmbeddingMetadata | None = None
    segments: list[VideoSegment] = Field(default_factory=list)
    _matrix: np.ndarray | None = PrivateAttr(default=None)

    @property
    def matrix(self) -> np.ndarray:
        """All segment vectors as one ``(n, dim)`` float32 array (no copy when parsed by the client)."""
        if self._matrix is None or len(self._matrix) != len(self.segments):
            if not self.segments:
                return np.zeros((0, 0), dtype=np.float32)
            self._matrix = np.stack([s.embedding for s in self.segments]).astype(np.float32, copy=False)
        return self._matrix


class EmbeddingTask(APIModel):
    """A video embedding task. Retrieved with vectors, ``video_embedding.segments`` holds them."""

    id: str = Field(alias="_id")
    model_name: str | None = None
    status: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    video_embedding: VideoEmbedding | None = None


class EmbeddingTaskStatus(APIModel):
    id: str = Field(alias="_id")
    status: str
    model_name: str | None = None
    video_embedding: VideoEmbedding | None = None


class EmbeddingTaskCreated(APIModel):
    id: str = Field(alias="_id")
