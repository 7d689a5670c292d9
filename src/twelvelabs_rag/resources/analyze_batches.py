"""``/analyze/batches`` (``client.analyze.batches``): up to 1,000 Pegasus 1.5 analyses in one job.

``results(batch_id)`` streams the JSON Lines answer item by item (one :class:`BatchResultItem` per
line, parsed as its bytes arrive; nothing is buffered beyond the current line). It may be called
while the batch is still running: items not yet finished are reported with their status.

```python
batch = client.analyze.batches.create(model_name="pegasus1.5", analysis_mode="general", requests=[
    {"video": {"type": "asset_id", "asset_id": a}, "custom_id": a} for a in asset_ids],
    defaults={"prompt": {"input_text": "Summarise in one line"}})
for item in client.analyze.batches.results(batch.batch_id):
    print(item.custom_id, item.status, item.data.data if item.data else item.error)
```
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import Any

import httpx
from pydantic import ValidationError

from .._exceptions import APIResponseValidationError, InvalidRequestError
from .._pagination import AsyncPage, SyncPage
from .._policy import translate_transport_error
from .._request import RequestSpec
from .._streaming import NDJSONDecoder
from ..models import find_model, get_model
from ..types.analyze_async import AnalyzeBatch, AnalyzeBatchStatus, BatchResultItem
from ._analyze_body import response_format_body
from ._resource import AsyncResource, SyncResource, call_args, check_id, parse_model

__all__ = ["AnalyzeBatches", "AsyncAnalyzeBatches", "batch_body", "parse_result_line"]

_ITEM_FORMATS = ("response_format",)


def batch_body(requests: Sequence[Mapping[str, Any]], model_name: str, analysis_mode: str,
               defaults: Mapping[str, Any] | None) -> dict[str, Any]:
    """The JSON body of POST /analyze/batches (pure; checked before any I/O)."""
    spec = find_model(model_name)
    if spec is not None and not spec.accepts("analyze_batches"):
        get_model(model_name, endpoint="analyze_batches")
    if analysis_mode not in ("general", "time_based_metadata"):
        raise InvalidRequestError(f"analysis_mode must be general or time_based_metadata, got {analysis_mode!r}")
    if isinstance(requests, (str, bytes, Mapping)) or not 1 <= len(requests) <= 1000:
        raise InvalidRequestError("requests must be a list of 1 to 1,000 dicts, each with "
                                  "video={'type': 'asset_id', 'asset_id': ...}")
    items = []
    for i, req in enumerate(requests):
        video = req.get("video") if isinstance(req, Mapping) else None
        if not isinstance(video, Mapping) or not video.get("asset_id") or video.get("type", "asset_id") != "asset_id":
            raise InvalidRequestError(f"requests[{i}] needs video={{'type': 'asset_id', 'asset_id': ...}} "
                                      "(batches analyze uploaded assets only)")
        item = dict(req)
        item["video"] = {"type": "asset_id", **video}
        if isinstance(item.get("prompt"), str):
            item["prompt"] = {"input_text": item["prompt"]}
        for key in _ITEM_FORMATS:
            if item.get(key) is not None:
                item[key] = response_format_body(item[key])
        items.append(item)
    body: dict[str, Any] = {"model_name": model_name, "analysis_mode": analysis_mode, "requests": items}
    if defaults is not None:
        d = dict(defaults)
        if isinstance(d.get("prompt"), str):
            d["prompt"] = {"input_text": d["prompt"]}
        if d.get("response_format") is not None:
            d["response_format"] = response_format_body(d["response_format"])
        body["defaults"] = d
    return body


def parse_result_line(line: bytes, lineno: int, response: httpx.Response | None = None) -> BatchResultItem | None:
    """One JSON Lines record (None for a blank line); a bad line raises APIResponseValidationError naming it."""
    text = line.strip()
    if not text:
        return None
    try:
        return BatchResultItem.model_validate(json.loads(text))
    except (ValueError, UnicodeDecodeError, ValidationError) as exc:
        snippet = text[:80].decode("utf-8", "replace")
        raise APIResponseValidationError(f"batch results line {lineno} is not a result item ({exc}): {snippet!r}",
                                         response=response, body=snippet) from exc


def _path(batch_id: str, suffix: str = "") -> str:
    return f"analyze/batches/{check_id('batch_id', batch_id)}{suffix}"


def _results_spec(batch_id: str) -> RequestSpec:
    return RequestSpec("GET", _path(batch_id, "/results"), stream=True)


def _cut(exc: httpx.TransportError, response: httpx.Response, items: int) -> Exception:
    """A results stream that broke: say how far it got and that results() starts over."""
    err = translate_transport_error(exc, response.request)
    err.message = (f"The batch results stream was cut after {items} item(s) ({type(exc).__name__}); the list is "
                   "incomplete. Call results() again: it returns every item from the first.")
    err.args = (err.message,)
    return err


def _iter_results(response: httpx.Response) -> Iterator[BatchResultItem]:
    decoder, lineno, count = NDJSONDecoder(), 0, 0
    try:
        try:
            for chunk in response.iter_bytes():
                for line in decoder.feed(chunk):
                    lineno += 1
                    item = parse_result_line(line, lineno, response)
                    if item is not None:
                        count += 1
                        yield item
        except httpx.TransportError as exc:
            raise _cut(exc, response, count) from exc
        for line in decoder.flush():
            item = parse_result_line(line, lineno + 1, response)
            if item is not None:
                yield item
    finally:
        response.close()


async def _aiter_results(response: httpx.Response) -> AsyncIterator[BatchResultItem]:
    decoder, lineno, count = NDJSONDecoder(), 0, 0
    try:
        try:
            async for chunk in response.aiter_bytes():
                for line in decoder.feed(chunk):
                    lineno += 1
                    item = parse_result_line(line, lineno, response)
                    if item is not None:
                        count += 1
                        yield item
        except httpx.TransportError as exc:
            raise _cut(exc, response, count) from exc
        for line in decoder.flush():
            item = parse_result_line(line, lineno + 1, response)
            if item is not None:
                yield item
    finally:
        await response.aclose()


class AnalyzeBatches(SyncResource):
    """``client.analyze.batches``."""

    def create(self, *, requests: Sequence[Mapping[str, Any]], model_name: str = "pegasus1.5",
               analysis_mode: str = "general", defaults: Mapping[str, Any] | None = None) -> AnalyzeBatch:
        """Submit a batch; ``items`` gives each request's ``task_id`` (a str ``prompt`` means ``{input_text}``)."""
        return parse_model(AnalyzeBatch, self._client._request(
            RequestSpec("POST", "analyze/batches", json=batch_body(requests, model_name, analysis_mode, defaults))))

    def list(self, *, status: str | Sequence[str] | None = None, analysis_mode: str | Sequence[str] | None = None,
             page_limit: int | None = None) -> SyncPage[AnalyzeBatchStatus]:
        """Batches, newest first (``status``/``analysis_mode`` may repeat)."""
        return self._list("analyze/batches", call_args(locals()), AnalyzeBatchStatus)

    def retrieve(self, batch_id: str) -> AnalyzeBatchStatus:
        """The batch's progress counters."""
        return parse_model(AnalyzeBatchStatus, self._client._request(RequestSpec("GET", _path(batch_id))))

    def cancel(self, batch_id: str) -> AnalyzeBatchStatus:
        """Cancel the batch (status ``canceling`` then ``canceled``); 409 once it is finished."""
        return parse_model(AnalyzeBatchStatus, self._client._request(RequestSpec("POST", _path(batch_id, "/cancel"))))

    def delete(self, batch_id: str) -> None:
        """Delete a finished batch (409 while it runs)."""
        self._client._request(RequestSpec("DELETE", _path(batch_id)))

    def results(self, batch_id: str) -> Iterator[BatchResultItem]:
        """Stream the batch's results, one item per JSON line, as they arrive."""
        return _iter_results(self._client._request(_results_spec(batch_id)))


class AsyncAnalyzeBatches(AsyncResource):
    """``client.analyze.batches`` of the async client."""

    async def create(self, *, requests: Sequence[Mapping[str, Any]], model_name: str = "pegasus1.5",
                     analysis_mode: str = "general", defaults: Mapping[str, Any] | None = None) -> AnalyzeBatch:
        """Submit a batch; ``items`` gives each request's ``task_id`` (a str ``prompt`` means ``{input_text}``)."""
        return parse_model(AnalyzeBatch, await self._client._request(
            RequestSpec("POST", "analyze/batches", json=batch_body(requests, model_name, analysis_mode, defaults))))

    def list(self, *, status: str | Sequence[str] | None = None, analysis_mode: str | Sequence[str] | None = None,
             page_limit: int | None = None) -> AsyncPage[AnalyzeBatchStatus]:
        """Batches, newest first (``status``/``analysis_mode`` may repeat)."""
        return self._list("analyze/batches", call_args(locals()), AnalyzeBatchStatus)

    async def retrieve(self, batch_id: str) -> AnalyzeBatchStatus:
        """The batch's progress counters."""
        return parse_model(AnalyzeBatchStatus, await self._client._request(RequestSpec("GET", _path(batch_id))))

    async def cancel(self, batch_id: str) -> AnalyzeBatchStatus:
        """Cancel the batch (status ``canceling`` then ``canceled``); 409 once it is finished."""
        return parse_model(AnalyzeBatchStatus,
                           await self._client._request(RequestSpec("POST", _path(batch_id, "/cancel"))))

    async def delete(self, batch_id: str) -> None:
        """Delete a finished batch (409 while it runs)."""
        await self._client._request(RequestSpec("DELETE", _path(batch_id)))

    async def results(self, batch_id: str) -> AsyncIterator[BatchResultItem]:
        """Stream the batch's results, one item per JSON line (``async for item in await ....results(id)``)."""
        return _aiter_results(await self._client._request(_results_spec(batch_id)))
