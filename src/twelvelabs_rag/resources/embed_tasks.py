"""``/embed/tasks``: video embedding tasks (create from a file or URL, poll, retrieve vectors).

``retrieve`` parses all segment vectors into one float32 matrix: ``task.video_embedding.matrix``
is ``(n_segments, dim)`` and each ``segment.embedding`` is a row view of it.

```python
task = client.embed.tasks.create_and_wait(model_name="marengo3.0", video_url="https://.../clip.mp4", timeout=600)
print(task.video_embedding.matrix.shape)
```
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import anyio
import httpx

from .._base import RequestSpec, form_fields, query_params
from .._exceptions import APIConnectionError
from .._pagination import AsyncPage, SyncPage
from .._polling import await_until_done, wait_until_done
from .._preflight import check_media, source_of
from ..types._base import ListPage
from ..types._fast import embedding_task_from_json
from ..types.embed import EmbeddingTask, EmbeddingTaskCreated, EmbeddingTaskStatus
from ._files import FilePart, aprepare_file, prepare_file
from ._recovery import lookup_since
from ._resource import AsyncResource, SyncResource, async_list, check_id, parse_json, parse_model, sync_list, validate

__all__ = ["EmbedTasks", "AsyncEmbedTasks"]


def _create_spec(model_name: str, part: FilePart | None, **kw: Any) -> RequestSpec:
    if not model_name:
        raise ValueError("model_name is required, e.g. 'marengo3.0' or 'Marengo-retrieval-2.7'")
    if part is None and not kw.get("video_url"):
        raise ValueError("embed.tasks.create needs video_file=... (path, bytes, binary file) or video_url=...")
    scope = kw.pop("video_embedding_scope")
    if isinstance(scope, str):
        scope = [scope]
    fields = form_fields([("model_name", model_name), *kw.items(), ("video_embedding_scope", scope)])
    return RequestSpec("POST", "embed/tasks", form=fields, files=[part] if part else [], multipart=True)


def _retrieve_spec(task_id: str, embedding_option: str | Sequence[str] | None) -> RequestSpec:
    check_id("task_id", task_id)
    return RequestSpec("GET", f"embed/tasks/{task_id}", params=query_params({"embedding_option": embedding_option}))


def _parse_task(response: httpx.Response) -> EmbeddingTask:
    data = parse_json(response)
    if isinstance(data, dict) and "_id" in data:
        from pydantic import ValidationError

        try:
            return embedding_task_from_json(data)
        except ValidationError:
            pass
    return validate(EmbeddingTask, data, response)


def _lookup_spec() -> RequestSpec:
    return RequestSpec("GET", "embed/tasks", params=query_params({"page_limit": 50}))


def pick_embed_task(tasks: Sequence[EmbeddingTask], *, filename: str | None, url: str | None,
                    since: float | None) -> EmbeddingTaskCreated | None:
    """The embedding task an interrupted create may have made (pure).

    Embedding tasks carry no user metadata, so they are matched by input (URL or filename) and by
    creation time on the server's clock (``since``, from :func:`~.tasks.lookup_since`). One match is
    returned; none means create again; several, or any match when the time is unknown, raise
    rather than guess or duplicate.
    """
    matches = []
    for task in tasks:
        created = task.created_at.timestamp() if task.created_at else None
        if since is not None and created is not None and created < since:
            continue
        meta = task.video_embedding.metadata if task.video_embedding and task.video_embedding.metadata else None
        if meta is None:
            continue
        if (url and meta.input_url == url) or (filename and meta.input_filename == filename):
            matches.append(task)
    if len(matches) > 1 or (matches and since is None):
        raise APIConnectionError(
            f"{len(matches)} embedding task(s) with the same input may come from this request; not creating another. "
            "List embed tasks to check before retrying."
        )
    return EmbeddingTaskCreated(_id=matches[0].id) if matches else None


class EmbedTasks(SyncResource):
    """``client.embed.tasks``."""

    def create(
        self,
        *,
        model_name: str,
        video_file: Any = None,
        video_url: str | None = None,
        video_start_offset_sec: float | None = None,
        video_end_offset_sec: float | None = None,
        video_clip_length: float | None = None,
        video_embedding_scope: str | Sequence[str] | None = None,
        preflight: bool | None = None,
    ) -> EmbeddingTaskCreated:
        """Start a video embedding task from a file (path, bytes, binary file) or a URL."""
        part = prepare_file("video_file", video_file, default_filename="video.mp4") if video_file is not None else None
        if part is not None and (self._client.preflight if preflight is None else preflight):
            check_media(source_of(part), name=part.filename, expect="video")
        spec = _create_spec(model_name, part, video_url=video_url, video_start_offset_sec=video_start_offset_sec,
                            video_end_offset_sec=video_end_offset_sec, video_clip_length=video_clip_length,
                            video_embedding_scope=video_embedding_scope)
        started = self._client._clock()

        def recover() -> EmbeddingTaskCreated | None:
            response = self._client._request(_lookup_spec())
            since = lookup_since(response.headers.get("date"), self._client._clock() - started)
            return pick_embed_task(parse_model(ListPage[EmbeddingTask], response).data,
                                   filename=part.filename if part else None, url=video_url, since=since)

        result = self._client._request(spec, recover=recover)
        return result if isinstance(result, EmbeddingTaskCreated) else parse_model(EmbeddingTaskCreated, result)

    def list(self, *, started_at: str | None = None, ended_at: str | None = None, status: str | None = None,
             page_limit: int | None = None) -> SyncPage[EmbeddingTask]:
        """Embedding tasks (the last 7 days unless ``started_at``/``ended_at`` say otherwise)."""
        params = {"started_at": started_at, "ended_at": ended_at, "status": status, "page_limit": page_limit}
        return sync_list(self._client, "embed/tasks", params, EmbeddingTask)

    def status(self, task_id: str) -> EmbeddingTaskStatus:
        """The task's status (``processing``, ``ready``, ``failed``)."""
        check_id("task_id", task_id)
        return parse_model(EmbeddingTaskStatus, self._client._request(RequestSpec("GET", f"embed/tasks/{task_id}/status")))

    def retrieve(self, task_id: str, *, embedding_option: str | Sequence[str] | None = None) -> EmbeddingTask:
        """The task with its vectors (``video_embedding.segments`` / ``.matrix``)."""
        return _parse_task(self._client._request(_retrieve_spec(task_id, embedding_option)))

    def wait(self, task_id: str, *, timeout: float | None = None, poll_interval: float | None = None,
             on_progress: Callable[[EmbeddingTaskStatus], Any] | None = None) -> EmbeddingTaskStatus:
        """Poll ``status`` until ``ready``; TaskFailedError on ``failed``, WaitTimeoutError after ``timeout`` s."""
        check_id("task_id", task_id)
        return wait_until_done(
            lambda: self.status(task_id), task_id=task_id, kind="embed", timeout=timeout,
            interval=self._client.poll_interval if poll_interval is None else poll_interval,
            on_progress=on_progress, sleep=self._client._sleep, clock=self._client._clock,
        )

    def create_and_wait(
        self,
        *,
        model_name: str,
        video_file: Any = None,
        video_url: str | None = None,
        video_start_offset_sec: float | None = None,
        video_end_offset_sec: float | None = None,
        video_clip_length: float | None = None,
        video_embedding_scope: str | Sequence[str] | None = None,
        preflight: bool | None = None,
        embedding_option: str | Sequence[str] | None = None,
        timeout: float | None = None,
        poll_interval: float | None = None,
        on_progress: Callable[[EmbeddingTaskStatus], Any] | None = None,
    ) -> EmbeddingTask:
        """:meth:`create`, :meth:`wait`, then :meth:`retrieve` the vectors."""
        created = self.create(model_name=model_name, video_file=video_file, video_url=video_url,
                              video_start_offset_sec=video_start_offset_sec, video_end_offset_sec=video_end_offset_sec,
                              video_clip_length=video_clip_length, video_embedding_scope=video_embedding_scope,
                              preflight=preflight)
        self.wait(created.id, timeout=timeout, poll_interval=poll_interval, on_progress=on_progress)
        return self.retrieve(created.id, embedding_option=embedding_option)


class AsyncEmbedTasks(AsyncResource):
    """``client.embed.tasks`` of the async client."""

    async def create(
        self,
        *,
        model_name: str,
        video_file: Any = None,
        video_url: str | None = None,
        video_start_offset_sec: float | None = None,
        video_end_offset_sec: float | None = None,
        video_clip_length: float | None = None,
        video_embedding_scope: str | Sequence[str] | None = None,
        preflight: bool | None = None,
    ) -> EmbeddingTaskCreated:
        """Start a video embedding task from a file (path, bytes, binary file) or a URL."""
        part = await aprepare_file("video_file", video_file, default_filename="video.mp4") if video_file is not None else None
        if part is not None and (self._client.preflight if preflight is None else preflight):
            await anyio.to_thread.run_sync(lambda: check_media(source_of(part), name=part.filename, expect="video"))
        spec = _create_spec(model_name, part, video_url=video_url, video_start_offset_sec=video_start_offset_sec,
                            video_end_offset_sec=video_end_offset_sec, video_clip_length=video_clip_length,
                            video_embedding_scope=video_embedding_scope)
        started = self._client._clock()

        async def recover() -> EmbeddingTaskCreated | None:
            response = await self._client._request(_lookup_spec())
            since = lookup_since(response.headers.get("date"), self._client._clock() - started)
            return pick_embed_task(parse_model(ListPage[EmbeddingTask], response).data,
                                   filename=part.filename if part else None, url=video_url, since=since)

        result = await self._client._request(spec, recover=recover)
        return result if isinstance(result, EmbeddingTaskCreated) else parse_model(EmbeddingTaskCreated, result)

    def list(self, *, started_at: str | None = None, ended_at: str | None = None, status: str | None = None,
             page_limit: int | None = None) -> AsyncPage[EmbeddingTask]:
        """Embedding tasks (the last 7 days unless ``started_at``/``ended_at`` say otherwise)."""
        params = {"started_at": started_at, "ended_at": ended_at, "status": status, "page_limit": page_limit}
        return async_list(self._client, "embed/tasks", params, EmbeddingTask)

    async def status(self, task_id: str) -> EmbeddingTaskStatus:
        """The task's status (``processing``, ``ready``, ``failed``)."""
        check_id("task_id", task_id)
        return parse_model(EmbeddingTaskStatus, await self._client._request(RequestSpec("GET", f"embed/tasks/{task_id}/status")))

    async def retrieve(self, task_id: str, *, embedding_option: str | Sequence[str] | None = None) -> EmbeddingTask:
        """The task with its vectors (``video_embedding.segments`` / ``.matrix``)."""
        return _parse_task(await self._client._request(_retrieve_spec(task_id, embedding_option)))

    async def wait(self, task_id: str, *, timeout: float | None = None, poll_interval: float | None = None,
                   on_progress: Callable[[EmbeddingTaskStatus], Any] | None = None) -> EmbeddingTaskStatus:
        """Poll ``status`` until ``ready``; TaskFailedError on ``failed``, WaitTimeoutError after ``timeout`` s."""
        check_id("task_id", task_id)
        return await await_until_done(
            lambda: self.status(task_id), task_id=task_id, kind="embed", timeout=timeout,
            interval=self._client.poll_interval if poll_interval is None else poll_interval,
            on_progress=on_progress, sleep=self._client._sleep, clock=self._client._clock,
        )

    async def create_and_wait(
        self,
        *,
        model_name: str,
        video_file: Any = None,
        video_url: str | None = None,
        video_start_offset_sec: float | None = None,
        video_end_offset_sec: float | None = None,
        video_clip_length: float | None = None,
        video_embedding_scope: str | Sequence[str] | None = None,
        preflight: bool | None = None,
        embedding_option: str | Sequence[str] | None = None,
        timeout: float | None = None,
        poll_interval: float | None = None,
        on_progress: Callable[[EmbeddingTaskStatus], Any] | None = None,
    ) -> EmbeddingTask:
        """:meth:`create`, :meth:`wait`, then :meth:`retrieve` the vectors."""
        created = await self.create(model_name=model_name, video_file=video_file, video_url=video_url,
                                    video_start_offset_sec=video_start_offset_sec,
                                    video_end_offset_sec=video_end_offset_sec, video_clip_length=video_clip_length,
                                    video_embedding_scope=video_embedding_scope, preflight=preflight)
        await self.wait(created.id, timeout=timeout, poll_interval=poll_interval, on_progress=on_progress)
        return await self.retrieve(created.id, embedding_option=embedding_option)
