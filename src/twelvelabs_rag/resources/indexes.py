"""``/indexes``: create, list, retrieve, rename and delete indexes (videos under ``.videos``).

```python
models = [{"model_name": "marengo3.0", "model_options": ["visual", "audio"]}]
index = client.indexes.create(index_name="demo", models=models)
for idx in client.indexes.list(model_family="marengo"):
    print(idx.id, idx.index_name)
```
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

from pydantic import BaseModel

from .._pagination import AsyncPage, SyncPage
from .._request import RequestSpec
from ..types.indexes import Index, IndexCreated
from ._resource import AsyncResource, Plan, SyncResource, call_args, check_id, parse_model
from .indexed_assets import AsyncIndexedAssets, IndexedAssets
from .videos import AsyncVideos, Videos

__all__ = ["Indexes", "AsyncIndexes"]


def _create_spec(index_name: str, models: Sequence[Any], addons: Sequence[str] | None) -> RequestSpec:
    if not index_name:
        raise ValueError("index_name must be a non-empty string")
    wire_models = [m.model_dump(exclude_none=True) if isinstance(m, BaseModel) else dict(m) for m in models]
    if not wire_models:
        raise ValueError('models must list at least one model, '
                         'e.g. [{"model_name": "marengo3.0", "model_options": ["visual"]}]')
    body: dict[str, Any] = {"index_name": index_name, "models": wire_models}
    if addons is not None:
        body["addons"] = list(addons)
    return RequestSpec("POST", "indexes", json=body)


def _list_params(**kw: Any) -> dict[str, Any]:
    opts = kw.get("model_options")
    if isinstance(opts, (list, tuple)):
        kw["model_options"] = ",".join(opts)
    return kw


def _index_spec(method: str, index_id: str, **kw: Any) -> RequestSpec:
    return RequestSpec(method, f"indexes/{check_id('index_id', index_id)}", **kw)


def _create(res: Any, index_name: str, models: Sequence[Any], addons: Sequence[str] | None) -> Plan[Index]:
    created = parse_model(IndexCreated, (yield res._client._request(_create_spec(index_name, models, addons))))
    result: Index = yield res.retrieve(created.id)
    return result


class Indexes(SyncResource):
    """``client.indexes``."""

    @cached_property
    def videos(self) -> Videos:
        return Videos(self._client)

    @cached_property
    def indexed_assets(self) -> IndexedAssets:
        return IndexedAssets(self._client)

    def create(self, *, index_name: str, models: Sequence[Any], addons: Sequence[str] | None = None) -> Index:
        """Create an index and return it (retrieved after creation)."""
        return self._run(_create(self, **call_args(locals())))

    def list(
        self,
        *,
        page_limit: int | None = None,
        sort_by: str | None = None,
        sort_option: str | None = None,
        index_name: str | None = None,
        model_options: str | Sequence[str] | None = None,
        model_family: str | None = None,
    ) -> SyncPage[Index]:
        """Every index, page by page (lazily)."""
        return self._list("indexes", _list_params(**call_args(locals())), Index)

    def retrieve(self, index_id: str) -> Index:
        """One index by id."""
        return parse_model(Index, self._client._request(_index_spec("GET", index_id)))

    def update(self, index_id: str, *, index_name: str) -> None:
        """Rename an index."""
        self._client._request(_index_spec("PUT", index_id, json={"index_name": index_name}))

    def delete(self, index_id: str) -> None:
        """Delete an index and all its videos."""
        self._client._request(_index_spec("DELETE", index_id))


class AsyncIndexes(AsyncResource):
    """``client.indexes`` of :class:`~twelvelabs_rag.AsyncTwelveLabs`."""

    @cached_property
    def videos(self) -> AsyncVideos:
        return AsyncVideos(self._client)

    @cached_property
    def indexed_assets(self) -> AsyncIndexedAssets:
        return AsyncIndexedAssets(self._client)

    async def create(self, *, index_name: str, models: Sequence[Any], addons: Sequence[str] | None = None) -> Index:
        """Create an index and return it (retrieved after creation)."""
        return await self._run(_create(self, **call_args(locals())))

    def list(
        self,
        *,
        page_limit: int | None = None,
        sort_by: str | None = None,
        sort_option: str | None = None,
        index_name: str | None = None,
        model_options: str | Sequence[str] | None = None,
        model_family: str | None = None,
    ) -> AsyncPage[Index]:
        """Every index, page by page (``async for``)."""
        return self._list("indexes", _list_params(**call_args(locals())), Index)

    async def retrieve(self, index_id: str) -> Index:
        """One index by id."""
        return parse_model(Index, await self._client._request(_index_spec("GET", index_id)))

    async def update(self, index_id: str, *, index_name: str) -> None:
        """Rename an index."""
        await self._client._request(_index_spec("PUT", index_id, json={"index_name": index_name}))

    async def delete(self, index_id: str) -> None:
        """Delete an index and all its videos."""
        await self._client._request(_index_spec("DELETE", index_id))
