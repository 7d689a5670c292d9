"""``/analyze/tasks`` (``client.analyze.tasks``): Pegasus on long videos (up to 2 h windows), asynchronously.

```python
task = client.analyze.tasks.create_and_wait(
    video={"type": "asset_id", "asset_id": asset_id}, prompt="List the chapters", model_name="pegasus1.5")
print(task.result.data)
```

``wait`` returns the ``ready`` task, raises TaskFailedError on ``failed`` or ``canceled`` (the
task's ``error.message`` in the text) and WaitTimeoutError after ``timeout`` seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .._pagination import AsyncPage, SyncPage
from .._request import RequestSpec
from ..types.analyze_async import AnalyzeTask, AnalyzeTaskRef
from ._analyze_body import analyze_body
from ._resource import AsyncResource, Plan, SyncResource, call_args, check_id, parse_model

__all__ = ["AnalyzeTasks", "AsyncAnalyzeTasks"]


def _create_spec(*, video: Any, image: Any, prompt: Any, prompt_v2: Any, model_name: Any, temperature: Any,
                 max_tokens: Any, response_format: Any, start_time: Any, end_time: Any, **extra: Any) -> RequestSpec:
    custom_id = extra.get("custom_id")
    if custom_id is not None and (not isinstance(custom_id, str) or not 1 <= len(custom_id) <= 64):
        from .._exceptions import InvalidRequestError

        raise InvalidRequestError(f"custom_id must be 1-64 characters of A-Z, a-z, 0-9, _ or -, got {custom_id!r}")
    body = analyze_body(prompt=prompt, prompt_v2=prompt_v2, video_id=None, video=video, image=image,
                        model_name=model_name, temperature=temperature, max_tokens=max_tokens,
                        response_format=response_format, start_time=start_time, end_time=end_time,
                        endpoint="analyze_tasks", **extra)
    return RequestSpec("POST", "analyze/tasks", json=body)


def _path(task_id: str, suffix: str = "") -> str:
    return f"analyze/tasks/{check_id('task_id', task_id)}{suffix}"


def _create_and_wait(res: Any, *, timeout: float | None, poll_interval: float | None, on_progress: Any,
                     **create: Any) -> Plan[AnalyzeTask]:
    created = yield res.create(**create)
    result: AnalyzeTask = yield res.wait(created.task_id, timeout=timeout, poll_interval=poll_interval,
                                         on_progress=on_progress)
    return result


class AnalyzeTasks(SyncResource):
    """``client.analyze.tasks``."""

    def create(self, *, video: Mapping[str, Any] | None = None, image: Sequence[Mapping[str, Any]] | None = None,
               prompt: str | None = None, prompt_v2: Mapping[str, Any] | None = None, model_name: str | None = None,
               custom_id: str | None = None, analysis_mode: str | None = None, temperature: float | None = None,
               max_tokens: int | str | None = None, response_format: Any = None,
               min_segment_duration: float | None = None, max_segment_duration: float | None = None,
               start_time: float | None = None, end_time: float | None = None) -> AnalyzeTaskRef:
        """Start an analysis (``{task_id, status}``); ``analysis_mode="time_based_metadata"`` segments the video."""
        return parse_model(AnalyzeTaskRef, self._client._request(_create_spec(**call_args(locals()))))

    def list(self, *, status: str | None = None, video_url: str | None = None, asset_id: str | None = None,
             analysis_mode: str | None = None, page_limit: int | None = None) -> SyncPage[AnalyzeTask]:
        """Analyze tasks, newest first (filters: one ``status``, ``video_url``, ``asset_id``, ``analysis_mode``)."""
        return self._list("analyze/tasks", call_args(locals()), AnalyzeTask)

    def retrieve(self, task_id: str) -> AnalyzeTask:
        """The task: status, request, and ``result`` once ``ready`` (``error`` once ``failed``/``canceled``)."""
        return parse_model(AnalyzeTask, self._client._request(RequestSpec("GET", _path(task_id))))

    def cancel(self, task_id: str) -> AnalyzeTaskRef:
        """Cancel a queued/pending/processing task (idempotent); 409 once it is finished."""
        return parse_model(AnalyzeTaskRef, self._client._request(RequestSpec("POST", _path(task_id, "/cancel"))))

    def delete(self, task_id: str) -> None:
        """Delete a task that is not being processed (409 while it is)."""
        self._client._request(RequestSpec("DELETE", _path(task_id)))

    def wait(self, task_id: str, *, timeout: float | None = None, poll_interval: float | None = None,
             on_progress: Callable[[AnalyzeTask], Any] | None = None) -> AnalyzeTask:
        """Poll until ``ready``; TaskFailedError on ``failed``/``canceled``, WaitTimeoutError after ``timeout`` s."""
        return self._wait(lambda: self.retrieve(task_id), task_id, "analyze", timeout, poll_interval,
                          on_progress)

    def create_and_wait(self, *, video: Mapping[str, Any] | None = None,
                        image: Sequence[Mapping[str, Any]] | None = None, prompt: str | None = None,
                        prompt_v2: Mapping[str, Any] | None = None, model_name: str | None = None,
                        custom_id: str | None = None, analysis_mode: str | None = None,
                        temperature: float | None = None, max_tokens: int | str | None = None,
                        response_format: Any = None, min_segment_duration: float | None = None,
                        max_segment_duration: float | None = None, start_time: float | None = None,
                        end_time: float | None = None, timeout: float | None = None,
                        poll_interval: float | None = None,
                        on_progress: Callable[[AnalyzeTask], Any] | None = None) -> AnalyzeTask:
        """:meth:`create` then :meth:`wait`; returns the ready task with its ``result``."""
        return self._run(_create_and_wait(self, **call_args(locals())))


class AsyncAnalyzeTasks(AsyncResource):
    """``client.analyze.tasks`` of the async client."""

    async def create(self, *, video: Mapping[str, Any] | None = None,
                     image: Sequence[Mapping[str, Any]] | None = None, prompt: str | None = None,
                     prompt_v2: Mapping[str, Any] | None = None, model_name: str | None = None,
                     custom_id: str | None = None, analysis_mode: str | None = None,
                     temperature: float | None = None, max_tokens: int | str | None = None,
                     response_format: Any = None, min_segment_duration: float | None = None,
                     max_segment_duration: float | None = None, start_time: float | None = None,
                     end_time: float | None = None) -> AnalyzeTaskRef:
        """Start an analysis (``{task_id, status}``); ``analysis_mode="time_based_metadata"`` segments the video."""
        return parse_model(AnalyzeTaskRef, await self._client._request(_create_spec(**call_args(locals()))))

    def list(self, *, status: str | None = None, video_url: str | None = None, asset_id: str | None = None,
             analysis_mode: str | None = None, page_limit: int | None = None) -> AsyncPage[AnalyzeTask]:
        """Analyze tasks, newest first (filters: one ``status``, ``video_url``, ``asset_id``, ``analysis_mode``)."""
        return self._list("analyze/tasks", call_args(locals()), AnalyzeTask)

    async def retrieve(self, task_id: str) -> AnalyzeTask:
        """The task: status, request, and ``result`` once ``ready`` (``error`` once ``failed``/``canceled``)."""
        return parse_model(AnalyzeTask, await self._client._request(RequestSpec("GET", _path(task_id))))

    async def cancel(self, task_id: str) -> AnalyzeTaskRef:
        """Cancel a queued/pending/processing task (idempotent); 409 once it is finished."""
        return parse_model(AnalyzeTaskRef, await self._client._request(RequestSpec("POST", _path(task_id, "/cancel"))))

    async def delete(self, task_id: str) -> None:
        """Delete a task that is not being processed (409 while it is)."""
        await self._client._request(RequestSpec("DELETE", _path(task_id)))

    async def wait(self, task_id: str, *, timeout: float | None = None, poll_interval: float | None = None,
                   on_progress: Callable[[AnalyzeTask], Any] | None = None) -> AnalyzeTask:
        """Poll until ``ready``; TaskFailedError on ``failed``/``canceled``, WaitTimeoutError after ``timeout`` s."""
        return await self._wait(lambda: self.retrieve(task_id), task_id, "analyze", timeout,
                                poll_interval, on_progress)

    async def create_and_wait(self, *, video: Mapping[str, Any] | None = None,
                              image: Sequence[Mapping[str, Any]] | None = None, prompt: str | None = None,
                              prompt_v2: Mapping[str, Any] | None = None, model_name: str | None = None,
                              custom_id: str | None = None, analysis_mode: str | None = None,
                              temperature: float | None = None, max_tokens: int | str | None = None,
                              response_format: Any = None, min_segment_duration: float | None = None,
                              max_segment_duration: float | None = None, start_time: float | None = None,
                              end_time: float | None = None, timeout: float | None = None,
                              poll_interval: float | None = None,
                              on_progress: Callable[[AnalyzeTask], Any] | None = None) -> AnalyzeTask:
        """:meth:`create` then :meth:`wait`; returns the ready task with its ``result``."""
        return await self._run(_create_and_wait(self, **call_args(locals())))
