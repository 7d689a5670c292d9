"""Models of videos inside an index (``/indexes/{index_id}/videos``)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ._base import APIModel
from .embed import VideoEmbedding
from .tasks import HLS

__all__ = ["VideoSystemMetadata", "TranscriptionLine", "VideoIndexEmbedding", "Video"]


class VideoSystemMetadata(APIModel):
    filename: str | None = None
    duration: float | None = None
    fps: float | None = None
    width: int | None = None
    height: int | None = None
    size: float | None = None


class TranscriptionLine(APIModel):
    start: float
    end: float
    value: str


class VideoIndexEmbedding(APIModel):
    """``embedding`` of a retrieved video: ``model_name`` plus ``video_embedding.segments``."""

    model_name: str | None = None
    video_embedding: VideoEmbedding | None = None


class Video(APIModel):
    """A video in an index. List items carry the summary; retrieve adds the optional parts."""

    id: str = Field(alias="_id")
    asset_id: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    indexed_at: str | None = None
    system_metadata: VideoSystemMetadata | None = None
    user_metadata: dict[str, Any] | None = None
    hls: HLS | None = None
    embedding: VideoIndexEmbedding | None = None
    transcription: list[TranscriptionLine] | None = None
