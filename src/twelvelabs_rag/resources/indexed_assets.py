"""``/indexes/{index_id}/indexed-assets``: index an existing asset, list, retrieve (vectors,
transcript), update metadata, delete, wait; and ``list_by_asset`` (``/assets/{asset_id}/indexed-assets``).

```python
ia = client.indexes.indexed_assets.create_and_wait(index_id, asset_id=asset.id)
detail = client.indexes.indexed_assets.retrieve(index_id, ia.id, embedding_option=["visual", "audio"])
matrix = detail.embedding.video_embedding.matrix   # float32 (n, 512)
```

The indexed asset ``id`` is what search results call ``video_id``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from .._pagination import AsyncPage, SyncPage
from .._request import RequestSpec, query_params
from ..types._fast import take_matrix
from ..types.indexed_assets import AssetIndexEntry, IndexedAsset, IndexedAssetCreated
from ._resource import AsyncResource, Plan, SyncResource, call_args, check_id, parse_json, parse_model, validate

__all__ = ["IndexedAssets", "AsyncIndexedAssets"]

#: A range filter: ``{"gte": 10, "lte": 60}`` (sent as ``duration[gte]=10&duration[lte]=60``).
Range = Mapping[str, float]
_RANGES = ("duration", "fps", "width", "height", "size")


def _base(index_id: str) -> str:
    return f"indexes/{check_id('index_id', index_id)}/indexed-assets"


def _one(index_id: str, indexed_asset_id: str) -> str:
    return f"{_base(index_id)}/{check_id('indexed_asset_id', indexed_asset_id)}"


def _list_params(kw: dict[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for key, value in kw.items():
        if value is None:
            continue
        if key in _RANGES and not isinstance(value, Mapping):
            raise ValueError(f"{key} is a range filter: pass {{'gte': ..., 'lte': ...}}, got {value!r}")
        if key in _RANGES and not set(value) <= {"gte", "lte"}:
            raise ValueError(f"{key} takes only 'gte' and 'lte' bounds, got {sorted(value)}")
        params[key] = dict(value) if isinstance(value, Mapping) else value
    return params


def _create_spec(index_id: str, asset_id: str, enable_video_stream: bool | None,
                 user_metadata: Mapping[str, Any] | None) -> RequestSpec:
    body = {"asset_id": check_id("asset_id", asset_id), "enable_video_stream": enable_video_stream,
            "user_metadata": dict(user_metadata) if user_metadata else None}
    return RequestSpec("POST", _base(index_id), json={k: v for k, v in body.items() if v is not None})


def _retrieve_spec(index_id: str, indexed_asset_id: str, embedding_option: str | Sequence[str] | None,
                   transcription: bool) -> RequestSpec:
    params = query_params({"embedding_option": embedding_option, "transcription": True if transcription else None})
    return RequestSpec("GET", _one(index_id, indexed_asset_id), params=params)


def _to_indexed_asset(response: Any) -> IndexedAsset:
    data = parse_json(response)
    if isinstance(data, dict):
        emb = data.get("embedding")
        ve = emb.get("video_embedding") if isinstance(emb, dict) else None
        matrix = take_matrix(ve.get("segments") or []) if isinstance(ve, dict) else None
        try:
            item = IndexedAsset.model_validate(data)
        except ValidationError:
            item = None  # reported below as APIResponseValidationError
        if item is not None:
            if matrix is not None and item.embedding is not None and item.embedding.video_embedding is not None:
                item.embedding.video_embedding._matrix = matrix
            return item
    return validate(IndexedAsset, data, response)


def _create_and_wait(res: Any, *, timeout: float | None, poll_interval: float | None, on_progress: Any,
                     index_id: str, **create: Any) -> Plan[IndexedAsset]:
    created = yield res.create(index_id, **create)
    result: IndexedAsset = yield res.wait(index_id, created.id, timeout=timeout, poll_interval=poll_interval,
                                          on_progress=on_progress)
    return result


class IndexedAssets(SyncResource):
    """``client.indexes.indexed_assets``."""

    def create(self, index_id: str, *, asset_id: str, enable_video_stream: bool | None = None,
               user_metadata: Mapping[str, Any] | None = None) -> IndexedAssetCreated:
        """Index a ``ready`` asset into a Marengo 3.0 index (answers 202 at once; see :meth:`wait`)."""
        return parse_model(IndexedAssetCreated, self._client._request(_create_spec(**call_args(locals()))))

    def list(self, index_id: str, *, page_limit: int | None = None, sort_by: str | None = None,
             sort_option: str | None = None, status: str | Sequence[str] | None = None, filename: str | None = None,
             duration: Range | None = None, fps: Range | None = None, width: Range | None = None,
             height: Range | None = None, size: Range | None = None, created_at: str | None = None,
             updated_at: str | None = None, user_metadata: Mapping[str, Any] | None = None) -> SyncPage[IndexedAsset]:
        """The indexed assets of an index, lazily page by page (ranges as ``{"gte": .., "lte": ..}``)."""
        kw = call_args(locals())
        return self._list(_base(kw.pop("index_id")), _list_params(kw), IndexedAsset)

    def retrieve(self, index_id: str, indexed_asset_id: str, *, embedding_option: str | Sequence[str] | None = None,
                 transcription: bool = False) -> IndexedAsset:
        """One indexed asset; ``embedding_option`` (visual, audio, transcription) adds float32 segment vectors."""
        return _to_indexed_asset(self._client._request(_retrieve_spec(**call_args(locals()))))

    def update(self, index_id: str, indexed_asset_id: str, *, user_metadata: Mapping[str, Any]) -> None:
        """Merge user metadata (a ``None`` value deletes the key)."""
        self._client._request(RequestSpec("PATCH", _one(index_id, indexed_asset_id),
                                          json={"user_metadata": dict(user_metadata)}))

    def delete(self, index_id: str, indexed_asset_id: str) -> None:
        """Remove an indexed asset from its index (the asset itself stays)."""
        self._client._request(RequestSpec("DELETE", _one(index_id, indexed_asset_id)))

    def list_by_asset(self, asset_id: str, *, page_limit: int | None = None) -> SyncPage[AssetIndexEntry]:
        """Every indexed asset made from ``asset_id``, with its index."""
        return self._list(f"assets/{check_id('asset_id', asset_id)}/indexed-assets", {"page_limit": page_limit},
                          AssetIndexEntry)

    def wait(self, index_id: str, indexed_asset_id: str, *, timeout: float | None = None,
             poll_interval: float | None = None,
             on_progress: Callable[[IndexedAsset], Any] | None = None) -> IndexedAsset:
        """Poll until ``ready``; raises TaskFailedError on ``failed``, WaitTimeoutError after ``timeout`` s."""
        return self._wait(lambda: self.retrieve(index_id, indexed_asset_id), indexed_asset_id, "task", timeout,
                          poll_interval, on_progress)

    def create_and_wait(self, index_id: str, *, asset_id: str, enable_video_stream: bool | None = None,
                        user_metadata: Mapping[str, Any] | None = None, timeout: float | None = None,
                        poll_interval: float | None = None,
                        on_progress: Callable[[IndexedAsset], Any] | None = None) -> IndexedAsset:
        """:meth:`create` then :meth:`wait`."""
        return self._run(_create_and_wait(self, **call_args(locals())))


class AsyncIndexedAssets(AsyncResource):
    """``client.indexes.indexed_assets`` of the async client."""

    async def create(self, index_id: str, *, asset_id: str, enable_video_stream: bool | None = None,
                     user_metadata: Mapping[str, Any] | None = None) -> IndexedAssetCreated:
        """Index a ``ready`` asset into a Marengo 3.0 index (answers 202 at once; see :meth:`wait`)."""
        return parse_model(IndexedAssetCreated, await self._client._request(_create_spec(**call_args(locals()))))

    def list(self, index_id: str, *, page_limit: int | None = None, sort_by: str | None = None,
             sort_option: str | None = None, status: str | Sequence[str] | None = None, filename: str | None = None,
             duration: Range | None = None, fps: Range | None = None, width: Range | None = None,
             height: Range | None = None, size: Range | None = None, created_at: str | None = None,
             updated_at: str | None = None, user_metadata: Mapping[str, Any] | None = None) -> AsyncPage[IndexedAsset]:
        """The indexed assets of an index, ``async for`` (ranges as ``{"gte": .., "lte": ..}``)."""
        kw = call_args(locals())
        return self._list(_base(kw.pop("index_id")), _list_params(kw), IndexedAsset)

    async def retrieve(self, index_id: str, indexed_asset_id: str, *,
                       embedding_option: str | Sequence[str] | None = None,
                       transcription: bool = False) -> IndexedAsset:
        """One indexed asset; ``embedding_option`` (visual, audio, transcription) adds float32 segment vectors."""
        return _to_indexed_asset(await self._client._request(_retrieve_spec(**call_args(locals()))))

    async def update(self, index_id: str, indexed_asset_id: str, *, user_metadata: Mapping[str, Any]) -> None:
        """Merge user metadata (a ``None`` value deletes the key)."""
        await self._client._request(RequestSpec("PATCH", _one(index_id, indexed_asset_id),
                                                json={"user_metadata": dict(user_metadata)}))

    async def delete(self, index_id: str, indexed_asset_id: str) -> None:
        """Remove an indexed asset from its index (the asset itself stays)."""
        await self._client._request(RequestSpec("DELETE", _one(index_id, indexed_asset_id)))

    def list_by_asset(self, asset_id: str, *, page_limit: int | None = None) -> AsyncPage[AssetIndexEntry]:
        """Every indexed asset made from ``asset_id``, with its index."""
        return self._list(f"assets/{check_id('asset_id', asset_id)}/indexed-assets", {"page_limit": page_limit},
                          AssetIndexEntry)

    async def wait(self, index_id: str, indexed_asset_id: str, *, timeout: float | None = None,
                   poll_interval: float | None = None,
                   on_progress: Callable[[IndexedAsset], Any] | None = None) -> IndexedAsset:
        """Poll until ``ready``; raises TaskFailedError on ``failed``, WaitTimeoutError after ``timeout`` s."""
        return await self._wait(lambda: self.retrieve(index_id, indexed_asset_id), indexed_asset_id, "task", timeout,
                                poll_interval, on_progress)

    async def create_and_wait(self, index_id: str, *, asset_id: str, enable_video_stream: bool | None = None,
                              user_metadata: Mapping[str, Any] | None = None, timeout: float | None = None,
                              poll_interval: float | None = None,
                              on_progress: Callable[[IndexedAsset], Any] | None = None) -> IndexedAsset:
        """:meth:`create` then :meth:`wait`."""
        return await self._run(_create_and_wait(self, **call_args(locals())))
