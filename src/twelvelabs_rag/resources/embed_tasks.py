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

import httpx

from .._exceptions import APIConnectionError
from .._multipart import FilePart
from .._pagination import AsyncPage, SyncPage
from .._preflight import check_media, source_of
from .._request import RequestSpec, form_fields, query_params
from ..types._base import ListPage
from ..types._fast import embedding_task_from_json
from ..types.embed import EmbeddingTask, EmbeddingTaskCreated, EmbeddingTaskStatus
from ._recovery import lookup_since
from ._resource import AsyncResource, Plan, SyncResource, call_args, check_id, parse_json, parse_model, validate

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


def _status_spec(task_id: str) -> RequestSpec:
    return RequestSpec("GET", f"embed/tasks/{check_id('task_id', task_id)}/status")


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
    return EmbeddingTaskCreated(id=matches[0].id) if matches else None


# Shared bodies (plans, see ``_resource``): ``res`` is an EmbedTasks or an AsyncEmbedTasks. ------


def _recover(res: Any, filename: str | None, url: str | None, started: float) -> Plan[EmbeddingTaskCreated | None]:
    response = yield res._client._request(_lookup_spec())
    since = lookup_since(response.headers.get("date"), res._client._clock() - started)
    return pick_embed_task(parse_model(ListPage[EmbeddingTask], response).data, filename=filename, url=url, since=since)


def _create(res: Any, model_name: str, video_file: Any, preflight: bool | None,
            **kw: Any) -> Plan[EmbeddingTaskCreated]:
    part = None
    if video_file is not None:
        part = yield res._prepare_file("video_file", video_file, default_filename="video.mp4")
    if part is not None and res._use_preflight(preflight):
        yield res._offload(lambda: check_media(source_of(part), name=part.filename, expect="video"))
    spec = _create_spec(model_name, part, **kw)
    started = res._client._clock()
    filename = part.filename if part else None
    result = yield res._client._request(
        spec, recover=lambda: res._run(_recover(res, filename, kw["video_url"], started)))
    return result if isinstance(result, EmbeddingTaskCreated) else parse_model(EmbeddingTaskCreated, result)


def _create_and_wait(res: Any, *, embedding_option: Any, timeout: float | None, poll_interval: float | None,
                     on_progress: Any, **create: Any) -> Plan[EmbeddingTask]:
    created = yield res.create(**create)
    yield res.wait(created.id, timeout=timeout, poll_interval=poll_interval, on_progress=on_progress)
    result: EmbeddingTask = yield res.retrieve(created.id, embedding_option=embedding_option)
    return result


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
        return self._run(_create(self, **call_args(locals())))

    def list(self, *, started_at: str | None = None, ended_at: str | None = None, status: str | None = None,
             page_limit: int | None = None) -> SyncPage[EmbeddingTask]:
        """Embedding tasks (the last 7 days unless ``started_at``/``ended_at`` say otherwise)."""
        return self._list("embed/tasks", call_args(locals()), EmbeddingTask)

    def status(self, task_id: str) -> EmbeddingTaskStatus:
        """The task's status (``processing``, ``ready``, ``failed``)."""
        return parse_model(EmbeddingTaskStatus, self._client._request(_status_spec(task_id)))

    def retrieve(self, task_id: str, *, embedding_option: str | Sequence[str] | None = None) -> EmbeddingTask:
        """The task with its vectors (``video_embedding.segments`` / ``.matrix``)."""
        return _parse_task(self._client._request(_retrieve_spec(task_id, embedding_option)))

    def wait(self, task_id: str, *, timeout: float | None = None, poll_interval: float | None = None,
             on_progress: Callable[[EmbeddingTaskStatus], Any] | None = None) -> EmbeddingTaskStatus:
        """Poll ``status`` until ``ready``; TaskFailedError on ``failed``, WaitTimeoutError after ``timeout`` s."""
        return self._wait(lambda: self.status(task_id), task_id, "embed", timeout, poll_interval, on_progress)

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
        return self._run(_create_and_wait(self, **call_args(locals())))


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
        return await self._run(_create(self, **call_args(locals())))

    def list(self, *, started_at: str | None = None, ended_at: str | None = None, status: str | None = None,
             page_limit: int | None = None) -> AsyncPage[EmbeddingTask]:
        """Embedding tasks (the last 7 days unless ``started_at``/``ended_at`` say otherwise)."""
        return self._list("embed/tasks", call_args(locals()), EmbeddingTask)

    async def status(self, task_id: str) -> EmbeddingTaskStatus:
        """The task's status (``processing``, ``ready``, ``failed``)."""
        return parse_model(EmbeddingTaskStatus, await self._client._request(_status_spec(task_id)))

    async def retrieve(self, task_id: str, *, embedding_option: str | Sequence[str] | None = None) -> EmbeddingTask:
        """The task with its vectors (``video_embedding.segments`` / ``.matrix``)."""
        return _parse_task(await self._client._request(_retrieve_spec(task_id, embedding_option)))

    async def wait(self, task_id: str, *, timeout: float | None = None, poll_interval: float | None = None,
                   on_progress: Callable[[EmbeddingTaskStatus], Any] | None = None) -> EmbeddingTaskStatus:
        """Poll ``status`` until ``ready``; TaskFailedError on ``failed``, WaitTimeoutError after ``timeout`` s."""
        return await self._wait(lambda: self.status(task_id), task_id, "embed", timeout, poll_interval, on_progress)

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
        return await self._run(_create_and_wait(self, **call_args(locals())))
