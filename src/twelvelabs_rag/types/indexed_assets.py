"""Models of indexed assets (``/indexes/{index_id}/indexed-assets``, spec-current §2).

An indexed asset has the shape of a classic video in an index plus ``asset_id`` and ``status``;
its ``_id`` is the search results' ``video_id``.
"""

from __future__ import annotations

from pydantic import Field

from ._base import APIModel
from .videos import Video

__all__ = ["TERMINAL_INDEXED_ASSET_STATUSES", "IndexedAsset", "IndexedAssetCreated", "IndexRef", "AssetIndexEntry"]

TERMINAL_INDEXED_ASSET_STATUSES = frozenset({"ready", "failed"})


class IndexedAsset(Video):
    """List items carry the summary; retrieve adds ``user_metadata``, ``hls``, ``embedding``, ``transcription``."""

    status: str | None = None

    @property
    def done(self) -> bool:
        return self.status in TERMINAL_INDEXED_ASSET_STATUSES


class IndexedAssetCreated(APIModel):
    id: str = Field(alias="_id")
    asset_id: str | None = None


class IndexRef(APIModel):
    id: str = Field(alias="_id")
    name: str | None = None


class AssetIndexEntry(APIModel):
    """An item of ``GET /assets/{asset_id}/indexed-assets``: the indexed asset and its index."""

    id: str = Field(alias="_id")
    index: IndexRef | None = None
