"""``/assets`` (current surface): upload, list, retrieve, delete, transcription, user metadata, wait.

```python
asset = client.assets.upload("talk.mp4", on_progress=lambda p: print(p.bytes_sent, "/", p.total_bytes))
asset = client.assets.create(url="https://cdn.example.com/clip.mp4")   # direct file <= 200 MB or a URL
client.assets.wait(asset.id)
```

``upload`` picks a direct upload or a multipart session by size (``_limits.asset_upload_method``)
and resumes interrupted sessions; ``create`` is the raw ``POST /assets``. A direct create carries a
client token in ``user_metadata`` so an ambiguous failure never uploads (and bills) twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import Any

from .._config import UPLOAD_TOKEN_KEY
from .._exceptions import TaskFailedError
from .._multipart import FilePart
from .._pagination import AsyncPage, SyncPage
from .._preflight import check_asset_size
from .._request import RequestSpec, form_fields, query_params
from ..types.assets import Asset, AssetTranscription, UploadProgress
from ._asset_upload import _all_pages, upload_plan
from ._resource import AsyncResource, Plan, SyncResource, call_args, check_id, parse_model
from .multipart import AsyncMultipartUploads, MultipartUploads

__all__ = ["Assets", "AsyncAssets"]


def _asset_path(asset_id: str, tail: str = "") -> str:
    return f"assets/{check_id('asset_id', asset_id)}{tail}"


def _create_spec(part: FilePart | None, url: str | None, filename: str | None, enable_hls: bool | None,
                 enable_thumbnail: bool | None, user_metadata: dict[str, Any]) -> RequestSpec:
    fields = form_fields([("method", "direct" if part is not None else "url"), ("url", url), ("filename", filename),
                          ("enable_hls", enable_hls), ("enable_thumbnail", enable_thumbnail),
                          ("user_metadata", user_metadata or None)])
    return RequestSpec("POST", "assets", form=fields, files=[part] if part else [], multipart=True)


def _recover(res: Any, filename: str | None, token: str) -> Plan[Asset | None]:
    """After an ambiguous create: the asset that attempt made (its token in user_metadata), or None."""
    assets = yield from _all_pages(res, "assets", {"filename": filename} if filename else {}, Asset)
    return next((a for a in assets if (a.user_metadata or {}).get(UPLOAD_TOKEN_KEY) == token), None)


def _create(res: Any, file: Any, url: str | None, filename: str | None, user_metadata: Mapping[str, Any] | None,
            enable_hls: bool | None, enable_thumbnail: bool | None, preflight: bool | None) -> Plan[Asset]:
    if (file is None) == (url is None):
        raise ValueError("assets.create needs exactly one of file=... (path, bytes or binary file, at most 200 MB) "
                         "or url=... (a direct media URL); for bigger files use assets.upload")
    part = None
    if file is not None:
        part = yield res._prepare_file("file", file, default_filename=filename or "asset.mp4")
    if part is not None and res._use_preflight(preflight):
        check_asset_size(part.size, filename or part.filename, method="direct")
    token = uuid.uuid4().hex
    meta = {**dict(user_metadata or {}), UPLOAD_TOKEN_KEY: token}
    name = filename or (part.filename if part is not None else None)
    spec = _create_spec(part, url, name, enable_hls, enable_thumbnail, meta)
    result = yield res._client._request(spec, recover=lambda: res._run(_recover(res, name, token)))
    return result if isinstance(result, Asset) else parse_model(Asset, result)


def _wait(res: Any, asset_id: str, timeout: float | None, poll_interval: float | None, on_progress: Any) -> Plan[Asset]:
    try:
        result: Asset = yield res._wait(lambda: res.retrieve(asset_id), asset_id, "task", timeout, poll_interval,
                                        on_progress)
        return result
    except TaskFailedError as exc:
        why = exc.task.error.message if exc.task is not None and exc.task.error is not None else None
        raise TaskFailedError(f"Asset {asset_id} failed{': ' + why if why else ''}. Check the file (format, size, "
                              "that it plays) and upload it again.", task_id=asset_id, task=exc.task) from None


def _list_params(asset_ids: Sequence[str] | None, asset_types: Sequence[str] | str | None, filename: str | None,
                 page_limit: int | None) -> dict[str, Any]:
    return {"asset_ids": list(asset_ids) if asset_ids else None, "asset_types": asset_types, "filename": filename,
            "page_limit": page_limit}


def _transcription_spec(asset_id: str, include: str | Sequence[str] | None) -> RequestSpec:
    return RequestSpec("GET", _asset_path(asset_id, "/transcription"), params=query_params({"include": include}))


def _metadata_spec(method: str, asset_id: str, user_metadata: Mapping[str, Any] | None) -> RequestSpec:
    body = None if user_metadata is None else {"user_metadata": dict(user_metadata)}
    return RequestSpec(method, _asset_path(asset_id, "/user-metadata"), json=body)


def _delete_spec(asset_id: str, force: bool) -> RequestSpec:
    return RequestSpec("DELETE", _asset_path(asset_id), params=[("force", "true")] if force else [])


class Assets(SyncResource):
    """``client.assets``."""

    @cached_property
    def multipart(self) -> MultipartUploads:
        return MultipartUploads(self._client)

    def create(self, *, file: Any = None, url: str | None = None, filename: str | None = None,
               user_metadata: Mapping[str, Any] | None = None, enable_hls: bool | None = None,
               enable_thumbnail: bool | None = None, preflight: bool | None = None) -> Asset:
        """Create an asset from a local file (<= 200 MB; path, bytes, binary file) or a URL.

        It starts ``processing``.
        """
        return self._run(_create(self, **call_args(locals())))

    def upload(self, file: Any, *, filename: str | None = None, user_metadata: Mapping[str, Any] | None = None,
               on_progress: Callable[[UploadProgress], Any] | None = None, max_concurrency: int = 4,
               chunk_size: int | None = None, upload_id: str | None = None, method: str = "auto", wait: bool = True,
               timeout: float | None = None, preflight: bool | None = None) -> Asset:
        """Upload a file of any size (direct <= 200 MB, else multipart, resuming an interrupted session) and
        return the asset (``ready`` unless ``wait=False``). Each chunk PUT streams from the file in blocks of
        ``chunk_size`` bytes (default 1 MiB; the server sets the chunking itself), so memory stays near
        ``max_concurrency`` blocks. ``on_progress`` may be called from worker threads (sync client)."""
        return self._run(upload_plan(self, **call_args(locals())))

    def list(self, *, asset_ids: Sequence[str] | None = None, asset_types: Sequence[str] | str | None = None,
             filename: str | None = None, page_limit: int | None = None) -> SyncPage[Asset]:
        """Every asset (newest first), optionally by ids, types (video, audio, image, document) or filename part."""
        return self._list("assets", _list_params(asset_ids, asset_types, filename, page_limit), Asset)

    def retrieve(self, asset_id: str) -> Asset:
        """One asset with its detail (hls, thumbnail, technical_metadata, size, duration, error)."""
        return parse_model(Asset, self._client._request(RequestSpec("GET", _asset_path(asset_id))))

    def delete(self, asset_id: str, *, force: bool = False) -> None:
        """Delete an asset; ``force=True`` even while indexed assets still use it (else 409)."""
        self._client._request(_delete_spec(asset_id, force))

    def retrieve_transcription(self, asset_id: str, *,
                               include: str | Sequence[str] | None = None) -> AssetTranscription:
        """The speech of a video/audio asset: ``words`` (default), ``sentences``, ``utterances``."""
        return parse_model(AssetTranscription, self._client._request(_transcription_spec(asset_id, include)))

    def replace_user_metadata(self, asset_id: str, user_metadata: Mapping[str, Any]) -> None:
        """Replace the whole user metadata (omitted keys are removed; ``{}`` clears it)."""
        self._client._request(_metadata_spec("PUT", asset_id, user_metadata))

    def update_user_metadata(self, asset_id: str, user_metadata: Mapping[str, Any]) -> None:
        """Merge into the user metadata; a ``None`` value deletes that key."""
        self._client._request(_metadata_spec("PATCH", asset_id, user_metadata))

    def delete_user_metadata(self, asset_id: str) -> None:
        """Remove every user metadata key."""
        self._client._request(_metadata_spec("DELETE", asset_id, None))

    def wait(self, asset_id: str, *, timeout: float | None = None, poll_interval: float | None = None,
             on_progress: Callable[[Asset], Any] | None = None) -> Asset:
        """Poll until ``ready``; raises TaskFailedError on ``failed``, WaitTimeoutError after ``timeout`` s."""
        return self._run(_wait(self, asset_id, timeout, poll_interval, on_progress))


class AsyncAssets(AsyncResource):
    """``client.assets`` of the async client."""

    @cached_property
    def multipart(self) -> AsyncMultipartUploads:
        return AsyncMultipartUploads(self._client)

    async def create(self, *, file: Any = None, url: str | None = None, filename: str | None = None,
                     user_metadata: Mapping[str, Any] | None = None, enable_hls: bool | None = None,
                     enable_thumbnail: bool | None = None, preflight: bool | None = None) -> Asset:
        """Create an asset from a local file (<= 200 MB; path, bytes, binary file) or a URL.

        It starts ``processing``.
        """
        return await self._run(_create(self, **call_args(locals())))

    async def upload(self, file: Any, *, filename: str | None = None, user_metadata: Mapping[str, Any] | None = None,
                     on_progress: Callable[[UploadProgress], Any] | None = None, max_concurrency: int = 4,
                     chunk_size: int | None = None, upload_id: str | None = None, method: str = "auto",
                     wait: bool = True, timeout: float | None = None, preflight: bool | None = None) -> Asset:
        """Upload a file of any size (direct <= 200 MB, else multipart, resuming an interrupted session) and
        return the asset (``ready`` unless ``wait=False``). Each chunk PUT streams from the file in blocks of
        ``chunk_size`` bytes (default 1 MiB; the server sets the chunking itself), so memory stays near
        ``max_concurrency`` blocks. ``on_progress`` may be called from worker threads (sync client)."""
        return await self._run(upload_plan(self, **call_args(locals())))

    def list(self, *, asset_ids: Sequence[str] | None = None, asset_types: Sequence[str] | str | None = None,
             filename: str | None = None, page_limit: int | None = None) -> AsyncPage[Asset]:
        """Every asset (newest first), optionally by ids, types (video, audio, image, document) or filename part."""
        return self._list("assets", _list_params(asset_ids, asset_types, filename, page_limit), Asset)

    async def retrieve(self, asset_id: str) -> Asset:
        """One asset with its detail (hls, thumbnail, technical_metadata, size, duration, error)."""
        return parse_model(Asset, await self._client._request(RequestSpec("GET", _asset_path(asset_id))))

    async def delete(self, asset_id: str, *, force: bool = False) -> None:
        """Delete an asset; ``force=True`` even while indexed assets still use it (else 409)."""
        await self._client._request(_delete_spec(asset_id, force))

    async def retrieve_transcription(self, asset_id: str, *,
                                     include: str | Sequence[str] | None = None) -> AssetTranscription:
        """The speech of a video/audio asset: ``words`` (default), ``sentences``, ``utterances``."""
        return parse_model(AssetTranscription, await self._client._request(_transcription_spec(asset_id, include)))

    async def replace_user_metadata(self, asset_id: str, user_metadata: Mapping[str, Any]) -> None:
        """Replace the whole user metadata (omitted keys are removed; ``{}`` clears it)."""
        await self._client._request(_metadata_spec("PUT", asset_id, user_metadata))

    async def update_user_metadata(self, asset_id: str, user_metadata: Mapping[str, Any]) -> None:
        """Merge into the user metadata; a ``None`` value deletes that key."""
        await self._client._request(_metadata_spec("PATCH", asset_id, user_metadata))

    async def delete_user_metadata(self, asset_id: str) -> None:
        """Remove every user metadata key."""
        await self._client._request(_metadata_spec("DELETE", asset_id, None))

    async def wait(self, asset_id: str, *, timeout: float | None = None, poll_interval: float | None = None,
                   on_progress: Callable[[Asset], Any] | None = None) -> Asset:
        """Poll until ``ready``; raises TaskFailedError on ``failed``, WaitTimeoutError after ``timeout`` s."""
        return await self._run(_wait(self, asset_id, timeout, poll_interval, on_progress))
