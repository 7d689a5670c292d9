"""``/assets/multipart-uploads``: the raw session calls (``client.assets.multipart``) and the one
chunk PUT to a presigned URL.

Most code wants ``client.assets.upload(path)``, which drives these (see ``_asset_upload``). A chunk
PUT goes straight to its presigned URL with the raw bytes of one file range: no ``x-api-key``, no
temporary file, the body read from disk on each attempt.

```python
session = client.assets.multipart.create(filename="big.mp4", type="video", total_size=size)
status = client.assets.multipart.get_status(session.upload_id)
```
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import anyio
import httpx

from .._exceptions import APIConnectionError
from .._pagination import AsyncPage, SyncPage
from .._policy import translate_transport_error
from .._request import RequestSpec
from ..types.assets import ChunkReport, IncompleteUpload, MultipartSession, PresignedUrls, UploadStatus
from ._multipart_plan import MAX_BATCH, Chunk
from ._resource import AsyncResource, SyncResource, call_args, check_id, parse_model

__all__ = ["MultipartUploads", "AsyncMultipartUploads", "read_range"]

_PATH = "assets/multipart-uploads"
_FILE_LOCK = threading.Lock()


def _create_spec(filename: str, type: str, total_size: int, enable_hls: bool | None, enable_thumbnail: bool | None,
                 user_metadata: Mapping[str, Any] | None) -> RequestSpec:
    if not isinstance(total_size, int) or total_size <= 0:
        raise ValueError(f"total_size must be a positive number of bytes, got {total_size!r}")
    body = {"filename": filename, "type": type, "total_size": total_size, "enable_hls": enable_hls,
            "enable_thumbnail": enable_thumbnail, "user_metadata": dict(user_metadata) if user_metadata else None}
    return RequestSpec("POST", _PATH, json={k: v for k, v in body.items() if v is not None})


def _status_spec(upload_id: str, page: int, page_limit: int | None) -> RequestSpec:
    params = [(k, str(v)) for k, v in (("page", page), ("page_limit", page_limit)) if v is not None]
    return RequestSpec("GET", f"{_PATH}/{check_id('upload_id', upload_id)}", params=params)


def _report_spec(upload_id: str, completed_chunks: Sequence[Mapping[str, Any]]) -> RequestSpec:
    if not 1 <= len(completed_chunks) <= MAX_BATCH:
        raise ValueError(f"report 1 to {MAX_BATCH} chunks per call (got {len(completed_chunks)})")
    return RequestSpec("POST", f"{_PATH}/{check_id('upload_id', upload_id)}",
                       json={"completed_chunks": [dict(c) for c in completed_chunks]})


def _urls_spec(upload_id: str, start: int, count: int) -> RequestSpec:
    if start < 1 or not 1 <= count <= MAX_BATCH:
        raise ValueError(f"start must be >= 1 and count 1..{MAX_BATCH} (got start={start}, count={count})")
    return RequestSpec("POST", f"{_PATH}/{check_id('upload_id', upload_id)}/presigned-urls",
                       json={"start": start, "count": count})


def read_range(source: Path | memoryview | Any, offset: int, length: int) -> bytes:
    """Bytes ``[offset, offset + length)`` of a path, an in-memory buffer or a seekable binary file."""
    if isinstance(source, memoryview):
        return bytes(source[offset:offset + length])
    if isinstance(source, Path):
        with open(source, "rb") as fh:
            fh.seek(offset)
            data = fh.read(length)
    else:
        with _FILE_LOCK:  # one shared file object: seek + read must not interleave
            source.seek(offset)
            data = source.read(length)
    if len(data) != length:
        raise OSError(f"the file shrank while uploading: wanted {length} bytes at offset {offset}, read {len(data)}")
    return data


def _blocks(source: Any, chunk: Chunk, block: int) -> Iterator[bytes]:
    done = 0
    while done < chunk.length:
        n = min(block, chunk.length - done)
        yield read_range(source, chunk.offset + done, n)
        done += n


async def _ablocks(source: Any, chunk: Chunk, block: int) -> AsyncIterator[bytes]:
    done = 0
    while done < chunk.length:
        n = min(block, chunk.length - done)
        yield await anyio.to_thread.run_sync(read_range, source, chunk.offset + done, n)
        done += n


def _put_request(client: Any, url: str, content: Any, chunk: Chunk, headers: Mapping[str, str]) -> httpx.Request:
    hdrs = {**headers, "content-type": "application/octet-stream", "content-length": str(chunk.length)}
    request = client._http.build_request("PUT", url, content=content, headers=hdrs, timeout=client.timeout)
    request.headers.pop("x-api-key", None)  # presigned: the key never leaves for the storage host
    return request  # type: ignore[no-any-return]


class MultipartUploads(SyncResource):
    """``client.assets.multipart``."""

    def create(self, *, filename: str, type: str = "video", total_size: int, enable_hls: bool | None = None,
               enable_thumbnail: bool | None = None,
               user_metadata: Mapping[str, Any] | None = None) -> MultipartSession:
        """Open a session for a ``total_size``-byte file (``type`` video, audio or image)."""
        return parse_model(MultipartSession, self._client._request(_create_spec(**call_args(locals()))))

    def list(self, *, page_limit: int | None = None) -> SyncPage[IncompleteUpload]:
        """The active (incomplete) sessions, lazily page by page."""
        return self._list(_PATH, {"page_limit": page_limit}, IncompleteUpload)

    def get_status(self, upload_id: str, *, page: int = 1, page_limit: int | None = None) -> UploadStatus:
        """One page (``page=1`` is sent, as the SDK does) of a session's chunk statuses (``uploaded_chunks``)."""
        return parse_model(UploadStatus, self._client._request(_status_spec(upload_id, page, page_limit)))

    def report_chunks(self, upload_id: str, completed_chunks: Sequence[Mapping[str, Any]]) -> ChunkReport:
        """Confirm 1..50 uploaded chunks with their ETag proofs."""
        return parse_model(ChunkReport, self._client._request(_report_spec(upload_id, completed_chunks)))

    def get_presigned_urls(self, upload_id: str, *, start: int, count: int) -> PresignedUrls:
        """Fresh presigned URLs for chunks ``start .. start + count - 1`` (count <= 50)."""
        return parse_model(PresignedUrls, self._client._request(_urls_spec(upload_id, start, count)))

    def _put_chunk(self, url: str, source: Any, chunk: Chunk, headers: Mapping[str, str],
                   block: int | None) -> httpx.Response | APIConnectionError:
        """One PUT attempt of one chunk; a failed connection is returned, not raised (the plan decides)."""
        content = read_range(source, chunk.offset, chunk.length) if block is None else _blocks(source, chunk, block)
        request = _put_request(self._client, url, content, chunk, headers)
        try:
            response = self._client._http.send(request)
            response.read()
            return response  # type: ignore[no-any-return]
        except httpx.TransportError as exc:
            return translate_transport_error(exc, request)


class AsyncMultipartUploads(AsyncResource):
    """``client.assets.multipart`` of the async client."""

    async def create(self, *, filename: str, type: str = "video", total_size: int, enable_hls: bool | None = None,
                     enable_thumbnail: bool | None = None,
                     user_metadata: Mapping[str, Any] | None = None) -> MultipartSession:
        """Open a session for a ``total_size``-byte file (``type`` video, audio or image)."""
        return parse_model(MultipartSession, await self._client._request(_create_spec(**call_args(locals()))))

    def list(self, *, page_limit: int | None = None) -> AsyncPage[IncompleteUpload]:
        """The active (incomplete) sessions, ``async for``."""
        return self._list(_PATH, {"page_limit": page_limit}, IncompleteUpload)

    async def get_status(self, upload_id: str, *, page: int = 1, page_limit: int | None = None) -> UploadStatus:
        """One page (``page=1`` is sent, as the SDK does) of a session's chunk statuses (``uploaded_chunks``)."""
        return parse_model(UploadStatus, await self._client._request(_status_spec(upload_id, page, page_limit)))

    async def report_chunks(self, upload_id: str, completed_chunks: Sequence[Mapping[str, Any]]) -> ChunkReport:
        """Confirm 1..50 uploaded chunks with their ETag proofs."""
        return parse_model(ChunkReport, await self._client._request(_report_spec(upload_id, completed_chunks)))

    async def get_presigned_urls(self, upload_id: str, *, start: int, count: int) -> PresignedUrls:
        """Fresh presigned URLs for chunks ``start .. start + count - 1`` (count <= 50)."""
        return parse_model(PresignedUrls, await self._client._request(_urls_spec(upload_id, start, count)))

    async def _put_chunk(self, url: str, source: Any, chunk: Chunk, headers: Mapping[str, str],
                         block: int | None) -> httpx.Response | APIConnectionError:
        """One PUT attempt of one chunk (file reads in a worker thread, never on the event loop)."""
        if block is None:
            content: Any = await anyio.to_thread.run_sync(read_range, source, chunk.offset, chunk.length)
        else:
            content = _ablocks(source, chunk, block)
        request = _put_request(self._client, url, content, chunk, headers)
        try:
            response = await self._client._http.send(request)
            await response.aread()
            return response  # type: ignore[no-any-return]
        except httpx.TransportError as exc:
            return translate_transport_error(exc, request)
