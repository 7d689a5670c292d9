"""httpx adapters of the emulator: request headers in, ``httpx.Response`` (incl. streams) out."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx

from ._http import Resp, StreamCut

__all__ = ["lower_headers", "origin_of", "to_httpx"]


def lower_headers(headers: httpx.Headers) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def origin_of(request: httpx.Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc.decode()}"


class _ByteStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    def __init__(self, chunks: Iterator[bytes], request: httpx.Request) -> None:
        self._chunks, self._request = chunks, request

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._chunks
        except StreamCut:
            raise httpx.RemoteProtocolError("peer closed connection without sending complete message body "
                                            "(incomplete chunked read)", request=self._request) from None

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self:
            yield chunk


def to_httpx(resp: Resp, request: httpx.Request) -> httpx.Response:
    headers = dict(resp.headers)
    if resp.stream is not None:
        headers["content-type"] = resp.content_type
        return httpx.Response(resp.status, headers=headers, stream=_ByteStream(resp.stream, request),
                              request=request)
    content = resp.encoded()
    if content:
        headers["content-type"] = resp.content_type
    return httpx.Response(resp.status, headers=headers, content=content, request=request)
