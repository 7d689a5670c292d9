"""``/analyze``: Pegasus text generation about a video, whole or streamed (NDJSON).

``client.analyze(...)`` is the same as ``client.analyze.create(...)``. Give ``video_id`` (classic,
``pegasus1.2``) or ``video`` (current: ``{"type": "url", "url": ...}``, ``{"type": "asset_id", ...}``).
``response_format`` may be a JSON schema dict, a full ``{"type": "json_schema", ...}`` object, or a
pydantic model class.

```python
answer = client.analyze(video_id=vid, prompt="Summarise in one line", temperature=0.2)
for event in client.analyze(video_id=vid, prompt="Describe", stream=True):
    print(getattr(event, "text", ""), end="")
```
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from .._request import RequestSpec
from .._streaming import AsyncStream, Stream
from ..types.analyze import AnalyzeResponse
from ._resource import AsyncResource, SyncResource, call_args, parse_model

__all__ = ["Analyze", "AsyncAnalyze", "response_format_body"]


def response_format_body(response_format: Any) -> dict[str, Any] | None:
    """Normalise ``response_format`` to the wire shape ``{"type": "json_schema", "json_schema": {...}}``."""
    if response_format is None:
        return None
    if isinstance(response_format, type) and issubclass(response_format, BaseModel):
        return {"type": "json_schema", "json_schema": response_format.model_json_schema()}
    if isinstance(response_format, Mapping):
        if response_format.get("type") == "json_schema" and "json_schema" in response_format:
            return dict(response_format)
        return {"type": "json_schema", "json_schema": dict(response_format)}
    raise TypeError("response_format must be a JSON schema dict or a pydantic model class")


def _spec(prompt: str, video_id: str | None, video: Mapping[str, Any] | None, temperature: float | None,
          max_tokens: int | None, response_format: Any, model_name: str | None, stream: bool) -> RequestSpec:
    if not prompt:
        raise ValueError("prompt must be a non-empty string")
    if (video_id is None) == (video is None):
        raise ValueError('analyze needs exactly one of video_id=... (classic) or video={"type": "url", "url": ...}')
    body: dict[str, Any] = {"prompt": prompt}
    if video_id is not None:
        body["video_id"] = video_id
    else:
        body["video"] = dict(video)  # type: ignore[arg-type]
    for key, value in (("temperature", temperature), ("max_tokens", max_tokens), ("model_name", model_name),
                       ("response_format", response_format_body(response_format))):
        if value is not None:
            body[key] = value
    body["stream"] = bool(stream)  # the server defaults to streaming, so always say which
    return RequestSpec("POST", "analyze", json=body, stream=bool(stream))


def _result(response: Any, stream: bool, stream_cls: type) -> Any:
    return stream_cls(response) if stream else parse_model(AnalyzeResponse, response)


class Analyze(SyncResource):
    """``client.analyze`` (callable)."""

    def create(
        self,
        *,
        prompt: str,
        video_id: str | None = None,
        video: Mapping[str, Any] | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        response_format: Any = None,
        model_name: str | None = None,
        stream: bool = False,
    ) -> AnalyzeResponse | Stream:
        """Generate text about a video; ``stream=True`` returns a :class:`Stream` of typed events."""
        return _result(self._client._request(_spec(**call_args(locals()))), stream, Stream)

    def __call__(
        self,
        *,
        prompt: str,
        video_id: str | None = None,
        video: Mapping[str, Any] | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        response_format: Any = None,
        model_name: str | None = None,
        stream: bool = False,
    ) -> AnalyzeResponse | Stream:
        """Same as :meth:`create`."""
        return self.create(**call_args(locals()))


class AsyncAnalyze(AsyncResource):
    """``client.analyze`` of the async client (awaitable call)."""

    async def create(
        self,
        *,
        prompt: str,
        video_id: str | None = None,
        video: Mapping[str, Any] | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        response_format: Any = None,
        model_name: str | None = None,
        stream: bool = False,
    ) -> AnalyzeResponse | AsyncStream:
        """Generate text about a video; ``stream=True`` returns an :class:`AsyncStream` of typed events."""
        return _result(await self._client._request(_spec(**call_args(locals()))), stream, AsyncStream)

    async def __call__(
        self,
        *,
        prompt: str,
        video_id: str | None = None,
        video: Mapping[str, Any] | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        response_format: Any = None,
        model_name: str | None = None,
        stream: bool = False,
    ) -> AnalyzeResponse | AsyncStream:
        """Same as :meth:`create`."""
        return await self.create(**call_args(locals()))
