"""Search models (``POST /search`` and ``GET /search/{page_token}``)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ._base import APIModel

__all__ = ["SearchClip", "SearchItem", "SearchPageInfo", "SearchPool", "SearchResults"]


class SearchClip(APIModel):
    video_id: str
    start: float
    end: float
    rank: int | None = None
    score: float | None = None  # classic (Marengo 2.7)
    confidence: str | None = None  # classic (Marengo 2.7)
    thumbnail_url: str | None = None
    transcription: str | None = None
    user_metadata: dict[str, Any] | None = None


class SearchItem(APIModel):
    """A clip (``group_by="clip"``) or a video with its ``clips`` (``group_by="video"``)."""

    # clip-grouped fields
    video_id: str | None = None
    start: float | None = None
    end: float | None = None
    rank: int | None = None
    score: float | None = None
    confidence: str | None = None
    thumbnail_url: str | None = None
    transcription: str | None = None
    user_metadata: dict[str, Any] | None = None
    # video-grouped fields
    id: str | None = None
    clips: list[SearchClip] | None = None


class SearchPageInfo(APIModel):
    limit_per_page: int = 10
    total_results: int = 0
    page_expires_at: str | None = None
    next_page_token: str | None = None
    prev_page_token: str | None = None
    total_inner_matches: int | None = None


class SearchPool(APIModel):
    total_count: int = 0
    total_duration: float = 0
    index_id: str | None = None


class SearchResults(APIModel):
    data: list[SearchItem] = Field(default_factory=list)
    page_info: SearchPageInfo = Field(default_factory=SearchPageInfo)
    search_pool: SearchPool | None = None
