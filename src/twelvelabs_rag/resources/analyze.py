"""``/analyze``: Pegasus text generation about a video, whole or streamed (NDJSON).

``client.analyze(...)`` is the same as ``client.analyze.create(...)``. Give ``video_id`` (classic,
``pegasus1.2``), ``video`` (current, index-free: ``{"type": "url" | "asset_id" | "base64_string", ...}``)
or ``image=[{"name": ..., "url": ...}]`` (Pegasus 1.6); ``start_time``/``end_time`` narrow the window.
Long videos and many videos go through ``client.analyze.tasks`` / ``client.analyze.batches``.
``response_format`` may be a JSON schema dict, a full ``{"type": "json_schema", ...}`` object, or a
pydantic model class.

```python
answer = client.analyze(video_id=vid, prompt="Summarise in one line", temperature=0.2)
for event in client.analyze(video_id=vid, prompt="Describe", stream=True):
    print(getattr(event, "text", ""), end="")
```
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import Any, TypeVar

from .._request import RequestSpec
from .._streaming import AsyncStream, Stream
from ..types.analyze import AnalyzeResponse
from ._analyze_body import analyze_body, response_format_body
from ._resource import AsyncResource, SyncResource, call_args, parse_model
from .analyze_batches import AnalyzeBatches, AsyncAnalyzeBatches
from .analyze_tasks import AnalyzeTasks, AsyncAnalyzeTasks

__all__ = ["Analyze", "AsyncAnalyze", "response_format_body", "analyze_body"]

#: A stream class (Stream / AsyncStream).
S = TypeVar("S")


def _spec(prompt: str | None, video_id: str | None, video: Mapping[str, Any] | None, temperature: float | None,
          max_tokens: int | None, response_format: Any, model_name: str | None, stream: bool,
          image: Sequence[Mapping[str, Any]] | None = None, prompt_v2: Mapping[str, Any] | None = None,
          start_time: float | None = None, end_time: float | None = None) -> RequestSpec:
    body = analyze_body(prompt=prompt, prompt_v2=prompt_v2, video_id=video_id, video=video, image=image,
                        model_name=model_name, temperature=temperature, max_tokens=max_tokens,
                        response_format=response_format, start_time=start_time, end_time=end_time)
    body["stream"] = bool(stream)  # the server defaults to streaming, so always say which
    return RequestSpec("POST", "analyze", json=body, stream=bool(stream))


def _result(response: Any, stream: bool, stream_cls: Callable[[Any], S]) -> AnalyzeResponse | S:
    return stream_cls(response) if stream else parse_model(AnalyzeResponse, response)


class Analyze(SyncResource):
    """``client.analyze`` (callable); ``.tasks`` and ``.batches`` are the async-analysis endpoints."""

    @cached_property
    def tasks(self) -> AnalyzeTasks:
        return AnalyzeTasks(self._client)

    @cached_property
    def batches(self) -> AnalyzeBatches:
        return AnalyzeBatches(self._client)

    def create(
        self,
        *,
        prompt: str | None = None,
        video_id: str | None = None,
        video: Mapping[str, Any] | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        response_format: Any = None,
        model_name: str | None = None,
        stream: bool = False,
        image: Sequence[Mapping[str, Any]] | None = None,
        prompt_v2: Mapping[str, Any] | None = None,
        start_time: float | None = None,
        end_time: float | None = None,
    ) -> AnalyzeResponse | Stream:
        """Generate text about a video; ``stream=True`` returns a :class:`Stream` of typed events."""
        return _result(self._client._request(_spec(**call_args(locals()))), stream, Stream)

    def __call__(
        self,
        *,
        prompt: str | None = None,
        video_id: str | None = None,
        video: Mapping[str, Any] | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        response_format: Any = None,
        model_name: str | None = None,
        stream: bool = False,
        image: Sequence[Mapping[str, Any]] | None = None,
        prompt_v2: Mapping[str, Any] | None = None,
        start_time: float | None = None,
        end_time: float | None = None,
    ) -> AnalyzeResponse | Stream:
        """Same as :meth:`create`."""
        return self.create(**call_args(locals()))


class AsyncAnalyze(AsyncResource):
    """``client.analyze`` of the async client (awaitable call)."""

    @cached_property
    def tasks(self) -> AsyncAnalyzeTasks:
        return AsyncAnalyzeTasks(self._client)

    @cached_property
    def batches(self) -> AsyncAnalyzeBatches:
        return AsyncAnalyzeBatches(self._client)

    async def create(
        self,
        *,
        prompt: str | None = None,
        video_id: str | None = None,
        video: Mapping[str, Any] | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        response_format: Any = None,
        model_name: str | None = None,
        stream: bool = False,
        image: Sequence[Mapping[str, Any]] | None = None,
        prompt_v2: Mapping[str, Any] | None = None,
        start_time: float | None = None,
        end_time: float | None = None,
    ) -> AnalyzeResponse | AsyncStream:
        """Generate text about a video; ``stream=True`` returns an :class:`AsyncStream` of typed events."""
        return _result(await self._client._request(_spec(**call_args(locals()))), stream, AsyncStream)

    async def __call__(
        self,
        *,
        prompt: str | None = None,
        video_id: str | None = None,
        video: Mapping[str, Any] | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        response_format: Any = None,
        model_name: str | None = None,
        stream: bool = False,
        image: Sequence[Mapping[str, Any]] | None = None,
        prompt_v2: Mapping[str, Any] | None = None,
        start_time: float | None = None,
        end_time: float | None = None,
    ) -> AnalyzeResponse | AsyncStream:
        """Same as :meth:`create`."""
        return await self.create(**call_args(locals()))
