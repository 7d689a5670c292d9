"""Knowledge stores, their items and item collections, and knowledge-store search results."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from ._base import APIModel

__all__ = ["KnowledgeStore", "KnowledgeStoreItem", "ItemCollection", "KnowledgeStoreMatch", "KnowledgeStoreHit",
           "KnowledgeStoreSearchResults", "TERMINAL_ITEM_STATUSES"]

#: Item statuses after which an item never changes again.
TERMINAL_ITEM_STATUSES = frozenset({"ready", "failed"})


class KnowledgeStore(APIModel):
    id: str = Field(alias="_id")
    name: str | None = None
    description: str | None = None
    ingestion_config: dict[str, Any] | None = None
    item_count: int = 0
    metadata: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None


class KnowledgeStoreItem(APIModel):
    id: str | None = Field(default=None, alias="_id")
    asset_type: str
    asset_id: str | None = None
    status: str | None = None
    system_metadata: dict[str, Any] | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def done(self) -> bool:
        return self.status in TERMINAL_ITEM_STATUSES


class ItemCollection(APIModel):
    id: str = Field(alias="_id")
    knowledge_store_id: str | None = None
    name: str | None = None
    description: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    member_count: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None


class KnowledgeStoreMatch(APIModel):
    """One moment of a video item: ``[start_sec, end_sec]`` and the modalities that matched."""

    start_sec: float
    end_sec: float
    modalities: list[str]
    transcription: str | None = None


class KnowledgeStoreHit(APIModel):
    """A video hit (with ``matches``) or an image hit (``matches`` empty)."""

    asset_type: str = "video"
    rank: int
    item_id: str
    metadata: dict[str, Any] | None = None
    matches: list[KnowledgeStoreMatch] = Field(default_factory=list)


class KnowledgeStoreSearchResults(APIModel):
    """One page of a knowledge-store search; ``next_page_token`` fetches the next (``search(page_token=...)``)."""

    data: list[KnowledgeStoreHit]
    next_page_token: str | None = None
    effective_search_options: dict[str, Any]
