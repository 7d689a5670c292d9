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
from typing import Any, TypeVar

from .._pagination import AsyncPage, SyncPage
from .._request import RequestSpec
from ..types.knowledge import KnowledgeStore, KnowledgeStoreSearchResults
from ._resource import AsyncResource, Plan, SyncResource, call_args, check_id, parse_model
from .knowledge_items import (
    AsyncItemCollections,
    AsyncKnowledgeStoreItems,
    ItemCollections,
    KnowledgeStoreItems,
    StrOrList,
    json_body,
    query_args,
    store_path,
)

__all__ = ["KnowledgeStores", "AsyncKnowledgeStores", "KnowledgeStoreItems", "AsyncKnowledgeStoreItems",
           "ItemCollections", "AsyncItemCollections", "search_body", "store_path"]

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

#: A page class (SyncPage / AsyncPage).
P = TypeVar("P")


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
    flt = json_body(asset_type=_one_of("asset_type", asset_type), item_id=_one_of("item_ids", item_ids))
    options = None
    if modalities is not None:
        mods = [modalities] if isinstance(modalities, str) else list(modalities)
        if not mods or not set(mods) <= {"visual", "audio"}:
            raise ValueError(f"modalities must be a non-empty list of 'visual' and 'audio', got {modalities!r}")
        options = {"video": {"modalities": mods}}
    return json_body(query={"text": query}, filter=flt or None, search_options=options, group_by=group_by,
                 page_size=page_size, page_token=page_token, include_metadata=include_metadata)


def _search_spec(ks_id: str, **kw: Any) -> RequestSpec:
    return RequestSpec("POST", f"{store_path(ks_id)}/search", json=search_body(**kw))


def _token_pager(res: Any, page_cls: Callable[..., P], ks_id: str, kw: dict[str, Any]) -> P:
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
        body = json_body(name=check_id("name", name), description=description, ingestion_config=ingestion_config,
                     metadata=metadata)
        return RequestSpec("POST", "knowledge-stores", json=body)

    @staticmethod
    def update(ks_id: str, name: str | None, description: str | None,
               metadata: Mapping[str, Any] | None) -> RequestSpec:
        return RequestSpec("PATCH", store_path(ks_id),
                           json=json_body(name=name, description=description, metadata=metadata))


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
        return self._list("knowledge-stores", query_args(**call_args(locals())), KnowledgeStore)

    def retrieve(self, knowledge_store_id: str) -> KnowledgeStore:
        """One store (with ``item_count``)."""
        return parse_model(KnowledgeStore, self._client._request(RequestSpec("GET", store_path(knowledge_store_id))))

    def update(self, knowledge_store_id: str, *, name: str | None = None, description: str | None = None,
               metadata: Mapping[str, Any] | None = None) -> KnowledgeStore:
        """Rename/re-describe; ``metadata`` replaces the whole map (``{}`` clears it)."""
        return parse_model(KnowledgeStore, self._client._request(_StoreSpecs.update(knowledge_store_id, name,
                                                                                    description, metadata)))

    def delete(self, knowledge_store_id: str) -> None:
        """Delete a store and every item in it."""
        self._client._request(RequestSpec("DELETE", store_path(knowledge_store_id)))

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
        return self._list("knowledge-stores", query_args(**call_args(locals())), KnowledgeStore)

    async def retrieve(self, knowledge_store_id: str) -> KnowledgeStore:
        """One store (with ``item_count``)."""
        spec = RequestSpec("GET", store_path(knowledge_store_id))
        return parse_model(KnowledgeStore, await self._client._request(spec))

    async def update(self, knowledge_store_id: str, *, name: str | None = None, description: str | None = None,
                     metadata: Mapping[str, Any] | None = None) -> KnowledgeStore:
        """Rename/re-describe; ``metadata`` replaces the whole map (``{}`` clears it)."""
        return parse_model(KnowledgeStore, await self._client._request(_StoreSpecs.update(knowledge_store_id, name,
                                                                                          description, metadata)))

    async def delete(self, knowledge_store_id: str) -> None:
        """Delete a store and every item in it."""
        await self._client._request(RequestSpec("DELETE", store_path(knowledge_store_id)))

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
