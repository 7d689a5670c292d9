"""``/knowledge-stores/{id}/items`` and ``/item-collections``: a store's items and named groups of them.

```python
item = client.knowledge_stores.items.create_and_wait(ks.id, asset_id=asset_id)
coll = client.knowledge_stores.item_collections.create(ks.id, name="animals")
client.knowledge_stores.item_collections.add_items(ks.id, coll.id, [item.id])
```
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .._pagination import AsyncPage, SyncPage
from .._request import RequestSpec
from ..types.knowledge import ItemCollection, KnowledgeStoreItem
from ._resource import AsyncResource, Plan, SyncResource, call_args, check_id, parse_model

__all__ = ["KnowledgeStoreItems", "AsyncKnowledgeStoreItems", "ItemCollections", "AsyncItemCollections", "store_path",
           "json_body", "query_args", "StrOrList"]

StrOrList = str | Sequence[str]


def store_path(ks_id: str) -> str:
    """``knowledge-stores/{id}`` (the id checked)."""
    return f"knowledge-stores/{check_id('knowledge_store_id', ks_id)}"


def _item(ks_id: str, item_id: str) -> str:
    return f"{store_path(ks_id)}/items/{check_id('item_id', item_id)}"


def _coll(ks_id: str, cid: str) -> str:
    return f"{store_path(ks_id)}/item-collections/{check_id('collection_id', cid)}"


def json_body(**fields: Any) -> dict[str, Any]:
    """A JSON body without the unset (None) fields; mappings copied."""
    return {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in fields.items() if v is not None}


def query_args(**kw: Any) -> dict[str, Any]:
    """Query parameters without the unset (None) ones."""
    return {k: v for k, v in kw.items() if v is not None}


# ---------------------------------------------------------------------------------------------- items
def _item_create_spec(ks_id: str, asset_id: str, asset_type: str | None,
                      metadata: Mapping[str, Any] | None) -> RequestSpec:
    body = json_body(asset_id=check_id("asset_id", asset_id), asset_type=asset_type, metadata=metadata)
    return RequestSpec("POST", f"{store_path(ks_id)}/items", json=body)


def _item_create_and_wait(res: Any, ks_id: str, timeout: float | None, poll_interval: float | None,
                          on_progress: Any, **create: Any) -> Plan[KnowledgeStoreItem]:
    item = yield res.create(ks_id, **create)
    result: KnowledgeStoreItem = yield res.wait(ks_id, item.id, timeout=timeout, poll_interval=poll_interval,
                                                on_progress=on_progress)
    return result


class KnowledgeStoreItems(SyncResource):
    """``client.knowledge_stores.items``."""

    def create(self, knowledge_store_id: str, *, asset_id: str, asset_type: str | None = None,
               metadata: Mapping[str, Any] | None = None) -> KnowledgeStoreItem:
        """Add an asset to a store; the item is ``queued`` and becomes ``ready`` when ingested."""
        return parse_model(KnowledgeStoreItem,
                           self._client._request(_item_create_spec(knowledge_store_id, asset_id, asset_type, metadata)))

    def list(self, knowledge_store_id: str, *, page_limit: int | None = None, sort_by: str | None = None,
             sort_option: str | None = None, status: StrOrList | None = None) -> SyncPage[KnowledgeStoreItem]:
        """Every item of a store (``status`` filters, one or several)."""
        params = query_args(page_limit=page_limit, sort_by=sort_by, sort_option=sort_option, status=status)
        return self._list(f"{store_path(knowledge_store_id)}/items", params, KnowledgeStoreItem)

    def retrieve(self, knowledge_store_id: str, item_id: str) -> KnowledgeStoreItem:
        """One item (its status shows ingestion progress)."""
        spec = RequestSpec("GET", _item(knowledge_store_id, item_id))
        return parse_model(KnowledgeStoreItem, self._client._request(spec))

    def delete(self, knowledge_store_id: str, item_id: str) -> None:
        """Remove an item from the store (the asset stays)."""
        self._client._request(RequestSpec("DELETE", _item(knowledge_store_id, item_id)))

    def wait(self, knowledge_store_id: str, item_id: str, *, timeout: float | None = None,
             poll_interval: float | None = None,
             on_progress: Callable[[KnowledgeStoreItem], Any] | None = None) -> KnowledgeStoreItem:
        """Poll until the item is ``ready``; TaskFailedError on ``failed``, WaitTimeoutError after ``timeout`` s."""
        return self._wait(lambda: self.retrieve(knowledge_store_id, item_id), item_id, "task", timeout, poll_interval,
                          on_progress)

    def create_and_wait(self, knowledge_store_id: str, *, asset_id: str, asset_type: str | None = None,
                        metadata: Mapping[str, Any] | None = None, timeout: float | None = None,
                        poll_interval: float | None = None,
                        on_progress: Callable[[KnowledgeStoreItem], Any] | None = None) -> KnowledgeStoreItem:
        """``create`` then ``wait``: the ready item."""
        kw = call_args(locals())
        return self._run(_item_create_and_wait(self, kw.pop("knowledge_store_id"), **kw))


class AsyncKnowledgeStoreItems(AsyncResource):
    """``client.knowledge_stores.items`` of the async client."""

    async def create(self, knowledge_store_id: str, *, asset_id: str, asset_type: str | None = None,
                     metadata: Mapping[str, Any] | None = None) -> KnowledgeStoreItem:
        """Add an asset to a store; the item is ``queued`` and becomes ``ready`` when ingested."""
        spec = _item_create_spec(knowledge_store_id, asset_id, asset_type, metadata)
        return parse_model(KnowledgeStoreItem, await self._client._request(spec))

    def list(self, knowledge_store_id: str, *, page_limit: int | None = None, sort_by: str | None = None,
             sort_option: str | None = None, status: StrOrList | None = None) -> AsyncPage[KnowledgeStoreItem]:
        """Every item of a store (``async for``)."""
        params = query_args(page_limit=page_limit, sort_by=sort_by, sort_option=sort_option, status=status)
        return self._list(f"{store_path(knowledge_store_id)}/items", params, KnowledgeStoreItem)

    async def retrieve(self, knowledge_store_id: str, item_id: str) -> KnowledgeStoreItem:
        """One item (its status shows ingestion progress)."""
        return parse_model(KnowledgeStoreItem,
                           await self._client._request(RequestSpec("GET", _item(knowledge_store_id, item_id))))

    async def delete(self, knowledge_store_id: str, item_id: str) -> None:
        """Remove an item from the store (the asset stays)."""
        await self._client._request(RequestSpec("DELETE", _item(knowledge_store_id, item_id)))

    async def wait(self, knowledge_store_id: str, item_id: str, *, timeout: float | None = None,
                   poll_interval: float | None = None,
                   on_progress: Callable[[KnowledgeStoreItem], Any] | None = None) -> KnowledgeStoreItem:
        """Poll until the item is ``ready``; TaskFailedError on ``failed``, WaitTimeoutError after ``timeout`` s."""
        return await self._wait(lambda: self.retrieve(knowledge_store_id, item_id), item_id, "task", timeout,
                                poll_interval, on_progress)

    async def create_and_wait(self, knowledge_store_id: str, *, asset_id: str, asset_type: str | None = None,
                              metadata: Mapping[str, Any] | None = None, timeout: float | None = None,
                              poll_interval: float | None = None,
                              on_progress: Callable[[KnowledgeStoreItem], Any] | None = None) -> KnowledgeStoreItem:
        """``create`` then ``wait``: the ready item."""
        kw = call_args(locals())
        return await self._run(_item_create_and_wait(self, kw.pop("knowledge_store_id"), **kw))


# ---------------------------------------------------------------------------------------------- item collections
def _coll_create_spec(ks_id: str, name: str, description: str | None,
                      metadata: Mapping[str, Any] | None) -> RequestSpec:
    body = json_body(name=check_id("name", name), description=description, metadata=metadata)
    return RequestSpec("POST", f"{store_path(ks_id)}/item-collections", json=body)


def _coll_update_spec(ks_id: str, cid: str, name: str | None, description: str | None,
                      metadata: Mapping[str, Any] | None) -> RequestSpec:
    return RequestSpec("PATCH", _coll(ks_id, cid),
                       json=json_body(name=name, description=description, metadata=metadata))


def _members_spec(ks_id: str, cid: str, item_ids: Sequence[str], verb: str) -> RequestSpec:
    if isinstance(item_ids, str) or not item_ids:
        raise ValueError(f"{verb}_items needs item_ids=[...] with at least one item id, got {item_ids!r}")
    ids = [check_id("item_ids[]", i) for i in item_ids]
    if len(ids) > 500:
        raise ValueError(f"{verb}_items takes at most 500 item ids per call, got {len(ids)}; split the list")
    return RequestSpec("POST", f"{_coll(ks_id, cid)}/items/{verb}", json={"item_ids": ids})


class ItemCollections(SyncResource):
    """``client.knowledge_stores.item_collections``: named groups of items (for Responses selections)."""

    def create(self, knowledge_store_id: str, *, name: str, description: str | None = None,
               metadata: Mapping[str, Any] | None = None) -> ItemCollection:
        """Create a collection (names are unique within a store)."""
        return parse_model(ItemCollection, self._client._request(_coll_create_spec(knowledge_store_id, name,
                                                                                   description, metadata)))

    def list(self, knowledge_store_id: str, *, page_limit: int | None = None, sort_by: str | None = None,
             sort_option: str | None = None) -> SyncPage[ItemCollection]:
        """Every collection of a store."""
        params = query_args(page_limit=page_limit, sort_by=sort_by, sort_option=sort_option)
        return self._list(f"{store_path(knowledge_store_id)}/item-collections", params, ItemCollection)

    def retrieve(self, knowledge_store_id: str, collection_id: str) -> ItemCollection:
        """One collection (with ``member_count``)."""
        return parse_model(ItemCollection, self._client._request(RequestSpec("GET", _coll(knowledge_store_id,
                                                                                          collection_id))))

    def update(self, knowledge_store_id: str, collection_id: str, *, name: str | None = None,
               description: str | None = None, metadata: Mapping[str, Any] | None = None) -> ItemCollection:
        """Rename/re-describe; ``metadata`` replaces the whole map."""
        return parse_model(ItemCollection, self._client._request(_coll_update_spec(knowledge_store_id, collection_id,
                                                                                   name, description, metadata)))

    def delete(self, knowledge_store_id: str, collection_id: str) -> None:
        """Delete a collection (its items stay in the store)."""
        self._client._request(RequestSpec("DELETE", _coll(knowledge_store_id, collection_id)))

    def list_items(self, knowledge_store_id: str, collection_id: str, *,
                   page_limit: int | None = None) -> SyncPage[KnowledgeStoreItem]:
        """The items of a collection."""
        return self._list(f"{_coll(knowledge_store_id, collection_id)}/items", query_args(page_limit=page_limit),
                          KnowledgeStoreItem)

    def add_items(self, knowledge_store_id: str, collection_id: str, item_ids: Sequence[str]) -> ItemCollection:
        """Add items (idempotent, at most 500 per call)."""
        return parse_model(ItemCollection, self._client._request(_members_spec(knowledge_store_id, collection_id,
                                                                               item_ids, "add")))

    def remove_items(self, knowledge_store_id: str, collection_id: str, item_ids: Sequence[str]) -> None:
        """Remove items from the collection (idempotent; the items stay in the store)."""
        self._client._request(_members_spec(knowledge_store_id, collection_id, item_ids, "remove"))


class AsyncItemCollections(AsyncResource):
    """``client.knowledge_stores.item_collections`` of the async client."""

    async def create(self, knowledge_store_id: str, *, name: str, description: str | None = None,
                     metadata: Mapping[str, Any] | None = None) -> ItemCollection:
        """Create a collection (names are unique within a store)."""
        return parse_model(ItemCollection, await self._client._request(_coll_create_spec(knowledge_store_id, name,
                                                                                         description, metadata)))

    def list(self, knowledge_store_id: str, *, page_limit: int | None = None, sort_by: str | None = None,
             sort_option: str | None = None) -> AsyncPage[ItemCollection]:
        """Every collection of a store (``async for``)."""
        params = query_args(page_limit=page_limit, sort_by=sort_by, sort_option=sort_option)
        return self._list(f"{store_path(knowledge_store_id)}/item-collections", params, ItemCollection)

    async def retrieve(self, knowledge_store_id: str, collection_id: str) -> ItemCollection:
        """One collection (with ``member_count``)."""
        return parse_model(ItemCollection, await self._client._request(RequestSpec("GET", _coll(knowledge_store_id,
                                                                                                collection_id))))

    async def update(self, knowledge_store_id: str, collection_id: str, *, name: str | None = None,
                     description: str | None = None, metadata: Mapping[str, Any] | None = None) -> ItemCollection:
        """Rename/re-describe; ``metadata`` replaces the whole map."""
        return parse_model(ItemCollection, await self._client._request(
            _coll_update_spec(knowledge_store_id, collection_id, name, description, metadata)))

    async def delete(self, knowledge_store_id: str, collection_id: str) -> None:
        """Delete a collection (its items stay in the store)."""
        await self._client._request(RequestSpec("DELETE", _coll(knowledge_store_id, collection_id)))

    def list_items(self, knowledge_store_id: str, collection_id: str, *,
                   page_limit: int | None = None) -> AsyncPage[KnowledgeStoreItem]:
        """The items of a collection (``async for``)."""
        return self._list(f"{_coll(knowledge_store_id, collection_id)}/items", query_args(page_limit=page_limit),
                          KnowledgeStoreItem)

    async def add_items(self, knowledge_store_id: str, collection_id: str, item_ids: Sequence[str]) -> ItemCollection:
        """Add items (idempotent, at most 500 per call)."""
        return parse_model(ItemCollection, await self._client._request(_members_spec(knowledge_store_id, collection_id,
                                                                                     item_ids, "add")))

    async def remove_items(self, knowledge_store_id: str, collection_id: str, item_ids: Sequence[str]) -> None:
        """Remove items from the collection (idempotent; the items stay in the store)."""
        await self._client._request(_members_spec(knowledge_store_id, collection_id, item_ids, "remove"))
