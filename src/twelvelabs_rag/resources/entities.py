"""``/entity-collections`` and their entities: the people or objects entity search finds (``<@entity_id>``).

```python
people = client.entity_collections.create(name="cast")
ada = client.entity_collections.entities.create(people.id, name="Ada", asset_ids=[portrait_asset_id])
ada = client.entity_collections.entities.wait(people.id, ada.id)   # processing -> ready for search
hits = client.search.create(index_id=ix, query_text=f"{ada.mention} is walking", search_options=["visual"])
```
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

from .._pagination import AsyncPage, SyncPage
from .._request import RequestSpec
from ..types.entities import BulkEntityResult, Entity, EntityCollection
from ._resource import AsyncResource, SyncResource, call_args, check_id, parse_model

__all__ = ["EntityCollections", "AsyncEntityCollections", "Entities", "AsyncEntities"]


def _body(**fields: Any) -> dict[str, Any]:
    return {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in fields.items() if v is not None}


def _collection(ecid: str) -> str:
    return f"entity-collections/{check_id('entity_collection_id', ecid)}"


def _entity(ecid: str, eid: str) -> str:
    return f"{_collection(ecid)}/entities/{check_id('entity_id', eid)}"


def _asset_ids(asset_ids: Sequence[str], what: str) -> list[str]:
    if isinstance(asset_ids, str) or not isinstance(asset_ids, Sequence) or not asset_ids:
        raise ValueError(f"{what} needs asset_ids=[...] with at least one asset id (a list, not {asset_ids!r})")
    return [check_id("asset_ids[]", a) for a in asset_ids]


def _entity_body(name: str, asset_ids: Sequence[str], description: str | None, metadata: Mapping[str, Any] | None,
                 what: str) -> dict[str, Any]:
    check_id("name", name)
    return _body(name=name, asset_ids=_asset_ids(asset_ids, what), description=description, metadata=metadata)


def _bulk_body(entities: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    if isinstance(entities, (str, Mapping)) or not entities:
        raise ValueError("create_bulk needs entities=[{'name': ..., 'asset_ids': [...]}, ...] (at least one)")
    out = []
    for i, e in enumerate(entities):
        if not isinstance(e, Mapping) or "name" not in e or "asset_ids" not in e:
            raise ValueError(f"entities[{i}] must be a mapping with 'name' and 'asset_ids', got {e!r}")
        out.append(_entity_body(e["name"], e["asset_ids"], e.get("description"), e.get("metadata"), f"entities[{i}]"))
    return {"entities": out}


def _list_params(**kw: Any) -> dict[str, Any]:
    return {k: v for k, v in kw.items() if v is not None}


class _Specs:
    """Pure request decisions of both twins."""

    create = staticmethod(lambda name, description: RequestSpec(
        "POST", "entity-collections", json=_body(name=check_id("name", name), description=description)))
    update = staticmethod(lambda ecid, name, description: RequestSpec(
        "PATCH", _collection(ecid), json=_body(name=name, description=description)))


class EntityCollections(SyncResource):
    """``client.entity_collections``."""

    @cached_property
    def entities(self) -> Entities:
        return Entities(self._client)

    def create(self, *, name: str, description: str | None = None) -> EntityCollection:
        """Create an entity collection."""
        return parse_model(EntityCollection, self._client._request(_Specs.create(name, description)))

    def list(self, *, page_limit: int | None = None, name: str | None = None, sort_by: str | None = None,
             sort_option: str | None = None) -> SyncPage[EntityCollection]:
        """Every entity collection (``name`` filters)."""
        return self._list("entity-collections", _list_params(**call_args(locals())), EntityCollection)

    def retrieve(self, entity_collection_id: str) -> EntityCollection:
        """One entity collection."""
        spec = RequestSpec("GET", _collection(entity_collection_id))
        return parse_model(EntityCollection, self._client._request(spec))

    def update(self, entity_collection_id: str, *, name: str | None = None,
               description: str | None = None) -> EntityCollection:
        """Rename or re-describe a collection."""
        spec = _Specs.update(entity_collection_id, name, description)
        return parse_model(EntityCollection, self._client._request(spec))

    def delete(self, entity_collection_id: str) -> None:
        """Delete a collection and its entities."""
        self._client._request(RequestSpec("DELETE", _collection(entity_collection_id)))


class AsyncEntityCollections(AsyncResource):
    """``client.entity_collections`` of the async client."""

    @cached_property
    def entities(self) -> AsyncEntities:
        return AsyncEntities(self._client)

    async def create(self, *, name: str, description: str | None = None) -> EntityCollection:
        """Create an entity collection."""
        return parse_model(EntityCollection, await self._client._request(_Specs.create(name, description)))

    def list(self, *, page_limit: int | None = None, name: str | None = None, sort_by: str | None = None,
             sort_option: str | None = None) -> AsyncPage[EntityCollection]:
        """Every entity collection (``async for``)."""
        return self._list("entity-collections", _list_params(**call_args(locals())), EntityCollection)

    async def retrieve(self, entity_collection_id: str) -> EntityCollection:
        """One entity collection."""
        return parse_model(EntityCollection,
                           await self._client._request(RequestSpec("GET", _collection(entity_collection_id))))

    async def update(self, entity_collection_id: str, *, name: str | None = None,
                     description: str | None = None) -> EntityCollection:
        """Rename or re-describe a collection."""
        return parse_model(EntityCollection,
                           await self._client._request(_Specs.update(entity_collection_id, name, description)))

    async def delete(self, entity_collection_id: str) -> None:
        """Delete a collection and its entities."""
        await self._client._request(RequestSpec("DELETE", _collection(entity_collection_id)))


def _create_spec(entity_collection_id: str, name: str, asset_ids: Sequence[str], description: str | None,
                 metadata: Mapping[str, Any] | None) -> RequestSpec:
    body = _entity_body(name, asset_ids, description, metadata, "entities.create")
    return RequestSpec("POST", f"{_collection(entity_collection_id)}/entities", json=body)


def _update_spec(ecid: str, eid: str, name: str | None, description: str | None,
                 metadata: Mapping[str, Any] | None) -> RequestSpec:
    return RequestSpec("PATCH", _entity(ecid, eid), json=_body(name=name, description=description, metadata=metadata))


def _assets_spec(method: str, ecid: str, eid: str, asset_ids: Sequence[str]) -> RequestSpec:
    what = "entities.add_assets" if method == "POST" else "entities.remove_assets"
    return RequestSpec(method, f"{_entity(ecid, eid)}/assets", json={"asset_ids": _asset_ids(asset_ids, what)})


def _by_asset(asset_id: str) -> str:
    return f"assets/{check_id('asset_id', asset_id)}/entities"


class Entities(SyncResource):
    """``client.entity_collections.entities``."""

    def create(self, entity_collection_id: str, *, name: str, asset_ids: Sequence[str], description: str | None = None,
               metadata: Mapping[str, Any] | None = None) -> Entity:
        """Create an entity from reference assets (images); it is ``processing`` until ready for search."""
        return parse_model(Entity, self._client._request(_create_spec(**call_args(locals()))))

    def create_bulk(self, entity_collection_id: str, entities: Sequence[Mapping[str, Any]]) -> BulkEntityResult:
        """Create several entities; failures are reported per entity, not raised."""
        spec = RequestSpec("POST", f"{_collection(entity_collection_id)}/entities/bulk", json=_bulk_body(entities))
        return parse_model(BulkEntityResult, self._client._request(spec))

    def list(self, entity_collection_id: str, *, page_limit: int | None = None, name: str | None = None,
             status: str | None = None, sort_by: str | None = None, sort_option: str | None = None) -> SyncPage[Entity]:
        """Every entity of a collection (``name``/``status`` filter)."""
        params = _list_params(page_limit=page_limit, name=name, status=status, sort_by=sort_by, sort_option=sort_option)
        return self._list(f"{_collection(entity_collection_id)}/entities", params, Entity)

    def retrieve(self, entity_collection_id: str, entity_id: str) -> Entity:
        """One entity."""
        return parse_model(Entity, self._client._request(RequestSpec("GET", _entity(entity_collection_id, entity_id))))

    def wait(self, entity_collection_id: str, entity_id: str, *, timeout: float | None = None,
             poll_interval: float | None = None, on_progress: Any = None) -> Entity:
        """Poll until the entity is ``ready`` for search (it is ``processing`` after create and asset changes)."""
        return self._wait(lambda: self.retrieve(entity_collection_id, entity_id), entity_id, "task", timeout,
                          poll_interval, on_progress)

    def update(self, entity_collection_id: str, entity_id: str, *, name: str | None = None,
               description: str | None = None, metadata: Mapping[str, Any] | None = None) -> Entity:
        """Change name/description; ``metadata`` replaces the whole map."""
        spec = _update_spec(entity_collection_id, entity_id, name, description, metadata)
        return parse_model(Entity, self._client._request(spec))

    def delete(self, entity_collection_id: str, entity_id: str) -> None:
        """Delete an entity."""
        self._client._request(RequestSpec("DELETE", _entity(entity_collection_id, entity_id)))

    def add_assets(self, entity_collection_id: str, entity_id: str, asset_ids: Sequence[str]) -> Entity:
        """Add reference assets (the entity goes back to ``processing``)."""
        spec = _assets_spec("POST", entity_collection_id, entity_id, asset_ids)
        return parse_model(Entity, self._client._request(spec))

    def remove_assets(self, entity_collection_id: str, entity_id: str, asset_ids: Sequence[str]) -> Entity:
        """Remove reference assets (the last one cannot be removed)."""
        return parse_model(Entity, self._client._request(_assets_spec("DELETE", entity_collection_id, entity_id,
                                                                      asset_ids)))

    def list_by_asset(self, asset_id: str, *, page_limit: int | None = None) -> SyncPage[Entity]:
        """Every entity that uses an asset as a reference."""
        return self._list(_by_asset(asset_id), _list_params(page_limit=page_limit), Entity)


class AsyncEntities(AsyncResource):
    """``client.entity_collections.entities`` of the async client."""

    async def create(self, entity_collection_id: str, *, name: str, asset_ids: Sequence[str],
                     description: str | None = None, metadata: Mapping[str, Any] | None = None) -> Entity:
        """Create an entity from reference assets (images); it is ``processing`` until ready for search."""
        return parse_model(Entity, await self._client._request(_create_spec(**call_args(locals()))))

    async def create_bulk(self, entity_collection_id: str, entities: Sequence[Mapping[str, Any]]) -> BulkEntityResult:
        """Create several entities; failures are reported per entity, not raised."""
        spec = RequestSpec("POST", f"{_collection(entity_collection_id)}/entities/bulk", json=_bulk_body(entities))
        return parse_model(BulkEntityResult, await self._client._request(spec))

    def list(self, entity_collection_id: str, *, page_limit: int | None = None, name: str | None = None,
             status: str | None = None, sort_by: str | None = None,
             sort_option: str | None = None) -> AsyncPage[Entity]:
        """Every entity of a collection (``async for``)."""
        params = _list_params(page_limit=page_limit, name=name, status=status, sort_by=sort_by, sort_option=sort_option)
        return self._list(f"{_collection(entity_collection_id)}/entities", params, Entity)

    async def retrieve(self, entity_collection_id: str, entity_id: str) -> Entity:
        """One entity."""
        return parse_model(Entity,
                           await self._client._request(RequestSpec("GET", _entity(entity_collection_id, entity_id))))

    async def wait(self, entity_collection_id: str, entity_id: str, *, timeout: float | None = None,
                   poll_interval: float | None = None, on_progress: Any = None) -> Entity:
        """Poll until the entity is ``ready`` for search (it is ``processing`` after create and asset changes)."""
        return await self._wait(lambda: self.retrieve(entity_collection_id, entity_id), entity_id, "task", timeout,
                                poll_interval, on_progress)

    async def update(self, entity_collection_id: str, entity_id: str, *, name: str | None = None,
                     description: str | None = None, metadata: Mapping[str, Any] | None = None) -> Entity:
        """Change name/description; ``metadata`` replaces the whole map."""
        return parse_model(Entity, await self._client._request(_update_spec(entity_collection_id, entity_id, name,
                                                                            description, metadata)))

    async def delete(self, entity_collection_id: str, entity_id: str) -> None:
        """Delete an entity."""
        await self._client._request(RequestSpec("DELETE", _entity(entity_collection_id, entity_id)))

    async def add_assets(self, entity_collection_id: str, entity_id: str, asset_ids: Sequence[str]) -> Entity:
        """Add reference assets (the entity goes back to ``processing``)."""
        return parse_model(Entity, await self._client._request(_assets_spec("POST", entity_collection_id, entity_id,
                                                                            asset_ids)))

    async def remove_assets(self, entity_collection_id: str, entity_id: str, asset_ids: Sequence[str]) -> Entity:
        """Remove reference assets (the last one cannot be removed)."""
        return parse_model(Entity, await self._client._request(_assets_spec("DELETE", entity_collection_id, entity_id,
                                                                            asset_ids)))

    def list_by_asset(self, asset_id: str, *, page_limit: int | None = None) -> AsyncPage[Entity]:
        """Every entity that uses an asset as a reference (``async for``)."""
        return self._list(_by_asset(asset_id), _list_params(page_limit=page_limit), Entity)
