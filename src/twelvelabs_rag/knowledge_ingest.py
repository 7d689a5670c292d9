"""Adding ingested videos to a hosted knowledge store (the loaders' and readers' ``target="knowledge_store"``).

Local files reach the store through the index the loader/reader already uploads to: the indexed
video's ``asset_id`` is added as a knowledge-store item and waited for until ``ready``; an asset
already in the store is not added twice. A store is created (named ``name``) on first use when no
id was given.

```python
from twelvelabs_rag import ConfigurationError
from twelvelabs_rag.knowledge_ingest import check_target
check_target("knowledge_store", None)  # a store is created on first use
try:
    check_target("index", "ks_1")
except ConfigurationError as exc:
    assert "only used with target='knowledge_store'" in str(exc)
```
"""

from __future__ import annotations

from typing import Any

from ._exceptions import ConfigurationError

__all__ = ["KnowledgeStoreTarget", "check_target"]


def check_target(target: Any, knowledge_store_id: Any) -> None:
    """Fail at construction on a bad ``target`` / ``knowledge_store_id`` pair."""
    if target not in ("index", "knowledge_store"):
        raise ConfigurationError(f"target must be 'index' or 'knowledge_store' (got {target!r})")
    if knowledge_store_id is not None and target != "knowledge_store":
        raise ConfigurationError("knowledge_store_id is only used with target='knowledge_store'; pass both, "
                                 "or neither to load into the index only")
    if knowledge_store_id is not None and (not isinstance(knowledge_store_id, str) or not knowledge_store_id.strip()):
        raise ConfigurationError(f"knowledge_store_id must be a store id such as 'ks_…' (got {knowledge_store_id!r}); "
                                 "omit it to create a store")


def _asset_of(video: Any) -> str:
    asset_id = getattr(video, "asset_id", None)
    if not asset_id:
        raise ConfigurationError(f"video {video.id} has no asset_id (a classic-API index?), so it cannot become a "
                                 "knowledge-store item; ingest into an index on the current API (v1.3), or add the "
                                 "asset with client.knowledge_stores.items.create(asset_id=...)")
    return str(asset_id)


class KnowledgeStoreTarget:
    """One store the ingested videos go to: created on first use when no id was given, items de-duplicated by asset."""

    def __init__(self, knowledge_store_id: str | None, name: str, timeout: float | None,
                 poll_interval: float | None) -> None:
        self.knowledge_store_id = knowledge_store_id
        self.name = name
        self.wait = {"timeout": timeout, "poll_interval": poll_interval}
        self._by_asset: dict[str, Any] | None = None

    def _meta(self, item: Any) -> dict[str, Any]:
        return {"knowledge_store_id": self.knowledge_store_id, "item_id": item.id, "asset_id": item.asset_id}

    def add(self, client: Any, video: Any) -> dict[str, Any]:
        """The item of the indexed ``video``'s asset (added and waited for when new), as document metadata."""
        asset_id = _asset_of(video)
        stores = client.knowledge_stores
        if self.knowledge_store_id is None:
            self.knowledge_store_id = stores.create(name=self.name).id
        if self._by_asset is None:
            self._by_asset = {i.asset_id: i for i in stores.items.list(self.knowledge_store_id)}
        item = self._by_asset.get(asset_id)
        if item is None or item.status != "ready":
            item = (stores.items.create_and_wait(self.knowledge_store_id, asset_id=asset_id, **self.wait)
                    if item is None else stores.items.wait(self.knowledge_store_id, item.id, **self.wait))
            self._by_asset[asset_id] = item
        return self._meta(item)

    async def aadd(self, aclient: Any, video: Any) -> dict[str, Any]:
        """Async twin of :meth:`add`."""
        asset_id = _asset_of(video)
        stores = aclient.knowledge_stores
        if self.knowledge_store_id is None:
            self.knowledge_store_id = (await stores.create(name=self.name)).id
        if self._by_asset is None:
            self._by_asset = {i.asset_id: i async for i in stores.items.list(self.knowledge_store_id)}
        item = self._by_asset.get(asset_id)
        if item is None or item.status != "ready":
            item = (await stores.items.create_and_wait(self.knowledge_store_id, asset_id=asset_id, **self.wait)
                    if item is None else await stores.items.wait(self.knowledge_store_id, item.id, **self.wait))
            self._by_asset[asset_id] = item
        return self._meta(item)
