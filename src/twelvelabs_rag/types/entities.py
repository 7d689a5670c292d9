"""Entity collections and entities (``/entity-collections``), used by entity search (``<@entity_id>``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from ._base import APIModel

__all__ = ["EntityCollection", "Entity", "BulkEntityResult", "BulkEntityCreated", "BulkEntityError"]


class EntityCollection(APIModel):
    id: str = Field(alias="_id")
    name: str | None = None
    description: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class Entity(APIModel):
    id: str = Field(alias="_id")
    entity_collection_id: str | None = None
    name: str | None = None
    description: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    asset_ids: list[str] = Field(default_factory=list)
    status: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def mention(self) -> str:
        """The token that puts this entity into a search query: ``f"{entity.mention} is walking"``."""
        return f"<@{self.id}>"


class BulkEntityCreated(APIModel):
    id: str = Field(alias="_id")
    name: str | None = None
    status: str | None = None


class BulkEntityError(APIModel):
    entity_index: int | None = None
    entity_name: str | None = None
    error_reason: str | None = None


class BulkEntityResult(APIModel):
    success_count: int = 0
    failed_count: int = 0
    entities: list[BulkEntityCreated] = Field(default_factory=list)
    errors: list[BulkEntityError] = Field(default_factory=list)
