"""Index models (``/indexes``)."""

from __future__ import annotations

from pydantic import Field

from ._base import APIModel

__all__ = ["IndexModel", "Index", "IndexCreated"]


class IndexModel(APIModel):
    model_name: str
    model_options: list[str] = Field(default_factory=list)


class Index(APIModel):
    id: str = Field(alias="_id")
    index_name: str = ""
    models: list[IndexModel] = Field(default_factory=list)
    addons: list[str] = Field(default_factory=list)
    video_count: float = 0
    total_duration: float = 0
    created_at: str | None = None
    updated_at: str | None = None
    expires_at: str | None = None


class IndexCreated(APIModel):
    id: str = Field(alias="_id")
