"""Embed v2 models (``POST /embed-v2`` and ``/embed-v2/tasks``, Marengo 3.0 / 3.5).

Vectors are float32 numpy arrays. ``response.matrix`` is the ``(n, d)`` matrix of every
``data[i].embedding`` (one numpy call when parsed by the client; each item's ``embedding`` is a row
view of it), exactly as :class:`~twelvelabs_rag.types.embed.VideoEmbedding` does for embed v1.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
from pydantic import Field, PrivateAttr

from ._base import APIModel, Vector

__all__ = [
    "EmbedV2Data",
    "EmbedV2Usage",
    "EmbedV2Metadata",
    "EmbedV2Response",
    "EmbedV2Error",
    "EmbedV2Task",
    "EmbedV2TaskCreated",
    "EmbedV2TaskSummary",
]


class EmbedV2Data(APIModel):
    """One vector: of a text/image, a clip (``start_sec``/``end_sec``), a whole asset, a page or a chunk."""

    embedding: Vector
    embedding_uncertainty: Vector | None = None
    embedding_option: str | None = None
    embedding_scope: str | None = None
    start_sec: float | None = None
    end_sec: float | None = None
    start_page_number: int | None = None
    end_page_number: int | None = None
    quadrant: str | None = None
    chunk_index: int | None = None


class EmbedV2Usage(APIModel):
    input_tokens: dict[str, int] = Field(default_factory=dict)
    truncated: bool = False
    truncation_reason: str | None = None


class EmbedV2Metadata(APIModel):
    input_type: str | None = None
    input_url: str | None = None
    input_filename: str | None = None
    embedding_options: list[str] | None = None
    embedding_scopes: list[str] | None = None
    duration: float | None = None
    start_offset_sec: float | None = None
    end_offset_sec: float | None = None
    clip_length: float | None = None
    embedding_dimension: int | None = None


class _Vectors(APIModel):
    data: list[EmbedV2Data] | None = None
    _matrix: np.ndarray | None = PrivateAttr(default=None)

    @property
    def matrix(self) -> np.ndarray:
        """Every ``data[i].embedding`` as one ``(n, d)`` float32 array (no copy when parsed by the client)."""
        items = self.data or []
        if self._matrix is None or len(self._matrix) != len(items):
            if not items:
                return np.zeros((0, 0), dtype=np.float32)
            self._matrix = np.stack([d.embedding for d in items]).astype(np.float32, copy=False)
        return self._matrix

    @property
    def vector(self) -> np.ndarray:
        """The first vector (a text, image or text+image request has exactly one)."""
        if not self.data:
            raise ValueError("the API returned no embeddings")
        return self.data[0].embedding


class EmbedV2Response(_Vectors):
    """``POST /embed-v2``: ``data`` (the vectors), ``usage`` (3.5) and ``metadata`` (media inputs)."""

    data: list[EmbedV2Data]
    usage: EmbedV2Usage | None = None
    metadata: EmbedV2Metadata | None = None


class EmbedV2Error(APIModel):
    message: str
    code: str | None = None


class EmbedV2Task(_Vectors):
    """``GET /embed-v2/tasks/{id}``: status and, once ``ready``, the vectors in the same answer."""

    id: str = Field(alias="_id")
    status: str
    created_at: datetime | None = None
    updated_at: datetime | None = None
    usage: EmbedV2Usage | None = None
    metadata: EmbedV2Metadata | None = None
    error: EmbedV2Error | None = None


class EmbedV2TaskCreated(APIModel):
    id: str = Field(alias="_id")
    status: str
    metadata: dict[str, Any] | None = None


class EmbedV2TaskSummary(APIModel):
    """An item of ``GET /embed-v2/tasks`` (the v1 task shape: one ``*_embedding.metadata`` per media kind)."""

    id: str = Field(alias="_id")
    model_name: str | None = None
    status: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    video_embedding: dict[str, Any] | None = None
    audio_embedding: dict[str, Any] | None = None
    document_embedding: dict[str, Any] | None = None
    image_embedding: dict[str, Any] | None = None
