"""``/knowledge-stores``: hosted stores of video/image items, item collections, and search over them.

```python
ks = client.knowledge_stores.create(name="lectures")
item = client.knowledge_stores.items.create_and_wait(ks.id, asset_id=asset_id)
page = client.knowledge_stores.search(ks.id, query="the fox in the snow")
for hit in client.knowledge_stores.query(ks.id, "the fox in the snow", page_size=5):  # follows page tokens
    print(hit.item_id, [(m.start_sec, m.end_sec) for m in hit.matches])
```
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import Any

from .._pagination import AsyncPage, SyncPage
from .._request import RequestSpec
from ..types.knowledge import ItemCollection, KnowledgeStore, KnowledgeStoreItem, KnowledgeStoreSearchResults
from ._resource import AsyncResource, Plan, SyncResource, call_args, check_id, parse_model

__all__ = ["KnowledgeStores", "AsyncKnowledgeStores", "KnowledgeStoreItems", "AsyncKnowledgeStoreItems",
           "ItemCollections", "AsyncItemCollections", "search_body"]

StrOrList = str | Sequence[str]


def _store(ks_id: str) -> str:
    return f"knowledge-stores/{check_id('knowledge_store_id', ks_id)}"


def _item(ks_id: str, item_id: str) -> str:
    return f"{_store(ks_id)}/items/{check_id('item_id', item_id)}"


def _coll(ks_id: str, cid: str) -> str:
    return f"{_store(ks_id)}/item-collections/{check_id('collection_id', cid)}"


def _body(**fields: Any) -> dict[str, Any]:
    return {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in fields.items() if v is not None}


def _params(**kw: Any) -> dict[str, Any]:
    return {k: v for k, v in kw.items() if v is not None}


def _one_of(name: str, value: StrOrList | None) -> dict[str, Any] | None:
    """A search filter condition: one value -> ``{"eq": v}``, several -> ``{"in": [...]}``."""
    if value is None:
        return None
    if isinstance(value, str):
        return {"eq": check_id(name, value)}
    values = [check_id(name, v) for v in value]
    if not values:
        raise ValueError(f"`{name}` is an empty list; pass None to search everything or at least one value")
    return {"in": values}


def search_body(query: str, asset_type: StrOrList | None = None, item_ids: StrOrList | None = None,
                modalities: Sequence[str] | None = None, group_by: str | None = None, page_size: int | None = None,
                page_token: str | None = None, include_metadata: bool | None = None) -> dict[str, Any]:
    """The JSON body of ``POST /knowledge-stores/{id}/search`` (pure)."""
    if not isinstance(query, str) or not query.strip():
        raise ValueError("knowledge-store search needs a non-empty query text, e.g. query='a fox in the snow'")
    if page_size is not None and not 1 <= page_size <= 50:
        raise ValueError(f"page_size must be between 1 and 50, got {page_size}")
    if group_by is not None and group_by not in ("none", "item"):
        raise ValueError(f"group_by must be 'none' or 'item', got {group_by!r}")
    flt = _body(asset_type=_one_of("asset_type", asset_type), item_id=_one_of("item_ids", item_ids))
    options = None
    if modalities is not None:
        mods = [modalities] if isinstance(modalities, str) else list(modalities)
        if not mods or not set(mods) <= {"visual", "audio"}:
            raise ValueError(f"modalities must be a non-empty list of 'visual' and 'audio', got {modalities!r}")
        options = {"video": {"modalities": mods}}
    return _body(query={"text": query}, filter=flt or None, search_options=options, group_by=group_by,
                 page_size=page_size, page_token=page_token, include_metadata=include_metadata)


def _search_spec(ks_id: str, **kw: Any) -> RequestSpec:
    return RequestSpec("POST", f"{_store(ks_id)}/search", json=search_body(**kw))


def _token_pager(res: Any, page_cls: type, ks_id: str, kw: dict[str, Any]) -> Any:
    """A lazy pager over every hit of a search, following ``next_page_token``."""

    def fetch(token: str | None) -> Plan[KnowledgeStoreSearchResults]:
        spec = _search_spec(ks_id, **{**kw, "page_token": token})
        return parse_model(KnowledgeStoreSearchResults, (yield res._client._request(spec)))

    def following(page: KnowledgeStoreSearchResults) -> Plan[Any]:
        return None if not page.next_page_token else (yield from fetch(page.next_page_token))

    return page_cls(lambda: res._run(fetch(None)), lambda page: res._run(following(page)))


class _StoreSpecs:
    @staticmethod
    def create(name: str, description: str | None, ingestion_config: Mapping[str, Any] | None,
               metadata: Mapping[str, Any] | None) -> RequestSpec:
        body = _body(name=check_id("name", name), description=description, ingestion_config=ingestion_config,
                     metadata=metadata)
        return RequestSpec("POST", "knowledge-stores", json=body)

    @staticmethod
    def update(ks_id: str, name: str | None, description: str | None, metadata: Mapping[str, Any] | None) -> RequestSpec:
        return RequestSpec("PATCH", _store(ks_id), json=_body(name=name, description=description, metadata=metadata))


class KnowledgeStores(SyncResource):
    """``client.knowledge_stores`` (with ``.items`` and ``.item_collections``)."""

    @cached_property
    def items(self) -> KnowledgeStoreItems:
        return KnowledgeStoreItems(self._client)

    @cached_property
    def item_collections(self) -> ItemCollections:
        return ItemCollections(self._client)

    def create(self, *, name: str, description: str | None = None, ingestion_config: Mapping[str, Any] | None = None,
               metadata: Mapping[str, Any] | None = None) -> KnowledgeStore:
        """Create a store; ``ingestion_config`` (enrichment) cannot be changed later."""
        return parse_model(KnowledgeStore, self._client._request(_StoreSpecs.create(name, description, ingestion_config,
                                                                                    metadata)))

    def list(self, *, page_limit: int | None = None, sort_by: str | None = None,
             sort_option: str | None = None) -> SyncPage[KnowledgeStore]:
        """Every knowledge store."""
        return self._list("knowledge-stores", _params(**call_args(locals())), KnowledgeStore)

    def retrieve(self, knowledge_store_id: str) -> KnowledgeStore:
        """One store (with ``item_count``)."""
        return parse_model(KnowledgeStore, self._client._request(RequestSpec("GET", _store(knowledge_store_id))))

    def update(self, knowledge_store_id: str, *, name: str | None = None, description: str | None = None,
               metadata: Mapping[str, Any] | None = None) -> KnowledgeStore:
        """Rename/re-describe; ``metadata`` replaces the whole map (``{}`` clears it)."""
        return parse_model(KnowledgeStore, self._client._request(_StoreSpecs.update(knowledge_store_id, name,
                                                                                    description, metadata)))

    def delete(self, knowledge_store_id: str) -> None:
        """Delete a store and every item in it."""
        self._client._request(RequestSpec("DELETE", _store(knowledge_store_id)))

    def search(self, knowledge_store_id: str, *, query: str, asset_type: StrOrList | None = None,
               item_ids: StrOrList | None = None, modalities: Sequence[str] | None = None, group_by: str | None = None,
               page_size: int | None = None, page_token: str | None = None,
               include_metadata: bool | None = None) -> KnowledgeStoreSearchResults:
        """One page of hits; pass its ``next_page_token`` as ``page_token`` for the next (410 once it expired)."""
        kw = call_args(locals())
        return parse_model(KnowledgeStoreSearchResults, self._client._request(_search_spec(kw.pop("knowledge_store_id"),
                                                                                           **kw)))

    def query(self, knowledge_store_id: str, query: str, *, asset_type: StrOrList | None = None,
              item_ids: StrOrList | None = None, modalities: Sequence[str] | None = None, group_by: str | None = None,
              page_size: int | None = None, include_metadata: bool | None = None) -> SyncPage[Any]:
        """Every hit of a search, pages fetched on demand by following the page tokens."""
        kw = call_args(locals())
        return _token_pager(self, SyncPage, kw.pop("knowledge_store_id"), kw)


class AsyncKnowledgeStores(AsyncResource):
    """``client.knowledge_stores`` of the async client."""

    @cached_property
    def items(self) -> AsyncKnowledgeStoreItems:
        return AsyncKnowledgeStoreItems(self._client)

    @cached_property
    def item_collections(self) -> AsyncItemCollections:
        return AsyncItemCollections(self._client)

    async def create(self, *, name: str, description: str | None = None,
                     ingestion_config: Mapping[str, Any] | None = None,
                     metadata: Mapping[str, Any] | None = None) -> KnowledgeStore:
        """Create a store; ``ingestion_config`` (enrichment) cannot be changed later."""
        return parse_model(KnowledgeStore, await self._client._request(_StoreSpecs.create(name, description,
                                                                                          ingestion_config, metadata)))

    def list(self, *, page_limit: int | None = None, sort_by: str | None = None,
             sort_option: str | None = None) -> AsyncPage[KnowledgeStore]:
        """Every knowledge store (``async for``)."""
        return self._list("knowledge-stores", _params(**call_args(locals())), KnowledgeStore)

    async def retrieve(self, knowledge_store_id: str) -> KnowledgeStore:
        """One store (with ``item_count``)."""
        return parse_model(KnowledgeStore, await self._client._request(RequestSpec("GET", _store(knowledge_store_id))))

    async def update(self, knowledge_store_id: str, *, name: str | None = None, description: str | None = None,
                     metadata: Mapping[str, Any] | None = None) -> KnowledgeStore:
        """Rename/re-describe; ``metadata`` replaces the whole map (``{}`` clears it)."""
        return parse_model(KnowledgeStore, await self._client._request(_StoreSpecs.update(knowledge_store_id, name,
                                                                                          description, metadata)))

    async def delete(self, knowledge_store_id: str) -> None:
        """Delete a store and every item in it."""
        await self._client._request(RequestSpec("DELETE", _store(knowledge_store_id)))

    async def search(self, knowledge_store_id: str, *, query: str, asset_type: StrOrList | None = None,
                     item_ids: StrOrList | None = None, modalities: Sequence[str] | None = None,
                     group_by: str | None = None, page_size: int | None = None, page_token: str | None = None,
                     include_metadata: bool | None = None) -> KnowledgeStoreSearchResults:
        """One page of hits; pass its ``next_page_token`` as ``page_token`` for the next (410 once it expired)."""
        kw = call_args(locals())
        return parse_model(KnowledgeStoreSearchResults,
                           await self._client._request(_search_spec(kw.pop("knowledge_store_id"), **kw)))

    def query(self, knowledge_store_id: str, query: str, *, asset_type: StrOrList | None = None,
              item_ids: StrOrList | None = None, modalities: Sequence[str] | None = None, group_by: str | None = None,
              page_size: int | None = None, include_metadata: bool | None = None) -> AsyncPage[Any]:
        """Every hit of a search (``async for``), following the page tokens."""
        kw = call_args(locals())
        return _token_pager(self, AsyncPage, kw.pop("knowledge_store_id"), kw)


# ---------------------------------------------------------------------------------------------- items
def _item_create_spec(ks_id: str, asset_id: str, asset_type: str | None, metadata: Mapping[str, Any] | None) -> RequestSpec:
    body = _body(asset_id=check_id("asset_id", asset_id), asset_type=asset_type, metadata=metadata)
    return RequestSpec("POST", f"{_store(ks_id)}/items", json=body)


def _item_create_and_wait(res: Any, ks_id: str, timeout: float | None, poll_interval: float | None,
                          on_progress: Any, **create: Any) -> Plan[KnowledgeStoreItem]:
    item = yield res.create(ks_id, **create)
    return (yield res.wait(ks_id, item.id, timeout=timeout, poll_interval=poll_interval, on_progress=on_progress))


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
        params = _params(page_limit=page_limit, sort_by=sort_by, sort_option=sort_option, status=status)
        return self._list(f"{_store(knowledge_store_id)}/items", params, KnowledgeStoreItem)

    def retrieve(self, knowledge_store_id: str, item_id: str) -> KnowledgeStoreItem:
        """One item (its status shows ingestion progress)."""
        return parse_model(KnowledgeStoreItem, self._client._request(RequestSpec("GET", _item(knowledge_store_id, item_id))))

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
        return parse_model(KnowledgeStoreItem,
                           await self._client._request(_item_create_spec(knowledge_store_id, asset_id, asset_type, metadata)))

    def list(self, knowledge_store_id: str, *, page_limit: int | None = None, sort_by: str | None = None,
             sort_option: str | None = None, status: StrOrList | None = None) -> AsyncPage[KnowledgeStoreItem]:
        """Every item of a store (``async for``)."""
        params = _params(page_limit=page_limit, sort_by=sort_by, sort_option=sort_option, status=status)
        return self._list(f"{_store(knowledge_store_id)}/items", params, KnowledgeStoreItem)

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
def _coll_create_spec(ks_id: str, name: str, description: str | None, metadata: Mapping[str, Any] | None) -> RequestSpec:
    body = _body(name=check_id("name", name), description=description, metadata=metadata)
    return RequestSpec("POST", f"{_store(ks_id)}/item-collections", json=body)


def _coll_update_spec(ks_id: str, cid: str, name: str | None, description: str | None,
                      metadata: Mapping[str, Any] | None) -> RequestSpec:
    return RequestSpec("PATCH", _coll(ks_id, cid), json=_body(name=name, description=description, metadata=metadata))


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
        params = _params(page_limit=page_limit, sort_by=sort_by, sort_option=sort_option)
        return self._list(f"{_store(knowledge_store_id)}/item-collections", params, ItemCollection)

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
        return self._list(f"{_coll(knowledge_store_id, collection_id)}/items", _params(page_limit=page_limit),
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
        params = _params(page_limit=page_limit, sort_by=sort_by, sort_option=sort_option)
        return self._list(f"{_store(knowledge_store_id)}/item-collections", params, ItemCollection)

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
        return self._list(f"{_coll(knowledge_store_id, collection_id)}/items", _params(page_limit=page_limit),
                          KnowledgeStoreItem)

    async def add_items(self, knowledge_store_id: str, collection_id: str, item_ids: Sequence[str]) -> ItemCollection:
        """Add items (idempotent, at most 500 per call)."""
        return parse_model(ItemCollection, await self._client._request(_members_spec(knowledge_store_id, collection_id,
                                                                                     item_ids, "add")))

    async def remove_items(self, knowledge_store_id: str, collection_id: str, item_ids: Sequence[str]) -> None:
        """Remove items from the collection (idempotent; the items stay in the store)."""
        await self._client._request(_members_spec(knowledge_store_id, collection_id, item_ids, "remove"))
