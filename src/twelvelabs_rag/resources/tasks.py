"""``/tasks``: upload a video (file or URL) into an index, poll it, list and delete tasks.

Uploads are never duplicated: each upload carries a client token in ``user_metadata``
(``tlrag_upload_id``), and after an ambiguous failure (5xx, read timeout, dropped connection) the
client looks for the task the failed attempt may have created before uploading again
(docs/retries.md).

```python
task = client.tasks.create_and_wait(index_id=index.id, file="clip.mp4", timeout=900,
                                    on_progress=lambda t: print(t.status))
print(task.video_id)
```
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import Any

from .._config import UPLOAD_RECOVERY_TIMEOUT, UPLOAD_TOKEN_KEY
from .._exceptions import APIStatusError, TaskFailedError, WaitTimeoutError
from .._multipart import FilePart
from .._pagination import AsyncPage, SyncPage
from .._preflight import check_media, needs_index_check, source_of
from .._request import RequestSpec, form_fields, query_params
from ..types._base import ListPage
from ..types.indexes import Index
from ..types.tasks import Task, TaskCreated
from ._recovery import lookup_since, pick_recovered_task, recent_candidates, token_of
from ._resource import AsyncResource, Plan, SyncResource, call_args, check_id, parse_model
from .transfers import AsyncTransfers, Transfers

__all__ = ["Tasks", "AsyncTasks", "lookup_since", "pick_recovered_task", "recent_candidates"]


def _validate_source(file: Any, url: str | None) -> None:
    if (file is None) == (url is None):
        raise ValueError("tasks.create needs exactly one of file=... (path, bytes or binary file) "
                         "or url=... (a direct media URL)")


def _create_spec(index_id: str, part: FilePart | None, url: str | None, user_metadata: Mapping[str, Any] | None,
                 enable_video_stream: bool | None, token: str) -> RequestSpec:
    check_id("index_id", index_id)
    meta = dict(user_metadata or {})
    meta[UPLOAD_TOKEN_KEY] = token
    fields = form_fields([("index_id", index_id), ("video_url", url), ("enable_video_stream", enable_video_stream),
                          ("user_metadata", meta)])
    return RequestSpec("POST", "tasks", form=fields, files=[part] if part else [], multipart=True)


def _list_params(**kw: Any) -> dict[str, Any]:
    return {k: v for k, v in kw.items() if v is not None}


def _task_spec(method: str, task_id: str) -> RequestSpec:
    return RequestSpec(method, f"tasks/{check_id('task_id', task_id)}")


def _lookup_spec(index_id: str, filename: str | None) -> RequestSpec:
    params = query_params({"index_id": index_id, "filename": filename, "sort_by": "created_at",
                           "sort_option": "desc", "page_limit": 50})
    return RequestSpec("GET", "tasks", params=params)


def _pegasus_only(index: Index) -> bool:
    names = [m.model_name for m in index.models]
    return bool(names) and all(n.startswith("pegasus") for n in names)


# Shared bodies (plans, see ``_resource``): ``res`` is a Tasks or an AsyncTasks. ---------------


def _preflight(res: Any, index_id: str, part: FilePart, preflight: bool | None) -> Plan[None]:
    if not res._use_preflight(preflight):
        return
    src = source_of(part)
    facts = yield res._offload(lambda: check_media(src, name=part.filename, expect="video"))
    if needs_index_check(facts) and _pegasus_only((yield res._client.indexes.retrieve(index_id))):
        yield res._offload(lambda: check_media(src, name=part.filename, expect="video", pegasus_only=True))


def _verify(res: Any, index_id: str, task: Task, token: str) -> Plan[bool | None]:
    """Is ``task`` the one our upload (``token``) created? None when it cannot be told."""
    found = token_of(task)
    if found is not None:
        return bool(found == token)
    if task.status not in ("ready", "failed"):
        try:
            task = yield res.wait(task.id, timeout=UPLOAD_RECOVERY_TIMEOUT)
        except TaskFailedError:
            return False
        except WaitTimeoutError:
            return None
    if task.status == "failed" or not task.video_id:
        return False if task.status == "failed" else None
    try:
        video = yield res._client.indexes.videos.retrieve(index_id, task.video_id)
    except APIStatusError:
        return None
    found = (video.user_metadata or {}).get(UPLOAD_TOKEN_KEY)
    return None if found is None else found == token


def _recover(res: Any, index_id: str, filename: str | None, started: float, token: str) -> Plan[TaskCreated | None]:
    response = yield res._client._request(_lookup_spec(index_id, filename))
    since = lookup_since(response.headers.get("date"), res._client._clock() - started)
    candidates = recent_candidates(parse_model(ListPage[Task], response).data, filename=filename)
    verdicts = []
    for task in candidates:
        verdicts.append((task, (yield from _verify(res, index_id, task, token))))
    return pick_recovered_task(verdicts, since=since, by_filename=filename is not None)


def _create(res: Any, index_id: str, file: Any, url: str | None, user_metadata: Mapping[str, Any] | None,
            enable_video_stream: bool | None, preflight: bool | None) -> Plan[TaskCreated]:
    _validate_source(file, url)
    part = (yield res._prepare_file("video_file", file, default_filename="video.mp4")) if file is not None else None
    if part is not None:
        yield from _preflight(res, index_id, part, preflight)
    token = uuid.uuid4().hex
    spec = _create_spec(index_id, part, url, user_metadata, enable_video_stream, token)
    started = res._client._clock()
    filename = part.filename if part else None
    result = yield res._client._request(
        spec, recover=lambda: res._run(_recover(res, index_id, filename, started, token)))
    return result if isinstance(result, TaskCreated) else parse_model(TaskCreated, result)


def _create_and_wait(res: Any, *, timeout: float | None, poll_interval: float | None, on_progress: Any,
                     **create: Any) -> Plan[Task]:
    created = yield res.create(**create)
    result: Task = yield res.wait(created.id, timeout=timeout, poll_interval=poll_interval, on_progress=on_progress)
    return result


def _create_many(res: Any, *, files: Sequence[Any] | None, urls: Sequence[str] | None, max_concurrency: int,
                 return_exceptions: bool, **create: Any) -> Any:
    jobs = [("file", f) for f in files or []] + [("url", u) for u in urls or []]
    return res._bounded(jobs, lambda job: res.create(**create, **{job[0]: job[1]}), max_concurrency, return_exceptions)


class Tasks(SyncResource):
    """``client.tasks``."""

    @cached_property
    def transfers(self) -> Transfers:
        return Transfers(self._client)

    def create(
        self,
        *,
        index_id: str,
        file: Any = None,
        url: str | None = None,
        user_metadata: Mapping[str, Any] | None = None,
        enable_video_stream: bool | None = None,
        preflight: bool | None = None,
    ) -> TaskCreated:
        """Upload a video (``file``: path, bytes, binary file or ``(name, bytes)``; or ``url``) for indexing."""
        return self._run(_create(self, **call_args(locals())))

    def list(
        self,
        *,
        index_id: str | None = None,
        status: str | Sequence[str] | None = None,
        filename: str | None = None,
        page_limit: int | None = None,
        sort_by: str | None = None,
        sort_option: str | None = None,
        created_at: str | None = None,
        updated_at: str | None = None,
    ) -> SyncPage[Task]:
        """Every task (optionally of one index / with given statuses), lazily page by page."""
        return self._list("tasks", _list_params(**call_args(locals())), Task)

    def retrieve(self, task_id: str) -> Task:
        """One task (with ``hls`` when streaming was enabled)."""
        return parse_model(Task, self._client._request(_task_spec("GET", task_id)))

    def delete(self, task_id: str) -> None:
        """Delete a ``ready`` or ``failed`` task."""
        self._client._request(_task_spec("DELETE", task_id))

    def wait(self, task_id: str, *, timeout: float | None = None, poll_interval: float | None = None,
             on_progress: Callable[[Task], Any] | None = None) -> Task:
        """Poll until ``ready``; raises TaskFailedError on ``failed``, WaitTimeoutError after ``timeout`` s."""
        return self._wait(lambda: self.retrieve(task_id), task_id, "task", timeout, poll_interval, on_progress)

    def create_and_wait(
        self,
        *,
        index_id: str,
        file: Any = None,
        url: str | None = None,
        user_metadata: Mapping[str, Any] | None = None,
        enable_video_stream: bool | None = None,
        preflight: bool | None = None,
        timeout: float | None = None,
        poll_interval: float | None = None,
        on_progress: Callable[[Task], Any] | None = None,
    ) -> Task:
        """:meth:`create` then :meth:`wait`."""
        return self._run(_create_and_wait(self, **call_args(locals())))

    def create_many(
        self,
        *,
        index_id: str,
        files: Sequence[Any] | None = None,
        urls: Sequence[str] | None = None,
        user_metadata: Mapping[str, Any] | None = None,
        enable_video_stream: bool | None = None,
        preflight: bool | None = None,
        max_concurrency: int = 4,
        return_exceptions: bool = False,
    ) -> builtins.list[Any]:
        """Upload many videos (files, then urls) with at most ``max_concurrency`` uploads in flight."""
        done: builtins.list[Any] = _create_many(self, **call_args(locals()))
        return done


class AsyncTasks(AsyncResource):
    """``client.tasks`` of the async client."""

    @cached_property
    def transfers(self) -> AsyncTransfers:
        return AsyncTransfers(self._client)

    async def create(
        self,
        *,
        index_id: str,
        file: Any = None,
        url: str | None = None,
        user_metadata: Mapping[str, Any] | None = None,
        enable_video_stream: bool | None = None,
        preflight: bool | None = None,
    ) -> TaskCreated:
        """Upload a video (``file``: path, bytes, binary file or ``(name, bytes)``; or ``url``) for indexing."""
        return await self._run(_create(self, **call_args(locals())))

    def list(
        self,
        *,
        index_id: str | None = None,
        status: str | Sequence[str] | None = None,
        filename: str | None = None,
        page_limit: int | None = None,
        sort_by: str | None = None,
        sort_option: str | None = None,
        created_at: str | None = None,
        updated_at: str | None = None,
    ) -> AsyncPage[Task]:
        """Every task (optionally of one index / with given statuses), ``async for``."""
        return self._list("tasks", _list_params(**call_args(locals())), Task)

    async def retrieve(self, task_id: str) -> Task:
        """One task (with ``hls`` when streaming was enabled)."""
        return parse_model(Task, await self._client._request(_task_spec("GET", task_id)))

    async def delete(self, task_id: str) -> None:
        """Delete a ``ready`` or ``failed`` task."""
        await self._client._request(_task_spec("DELETE", task_id))

    async def wait(self, task_id: str, *, timeout: float | None = None, poll_interval: float | None = None,
                   on_progress: Callable[[Task], Any] | None = None) -> Task:
        """Poll until ``ready``; raises TaskFailedError on ``failed``, WaitTimeoutError after ``timeout`` s."""
        return await self._wait(lambda: self.retrieve(task_id), task_id, "task", timeout, poll_interval, on_progress)

    async def create_and_wait(
        self,
        *,
        index_id: str,
        file: Any = None,
        url: str | None = None,
        user_metadata: Mapping[str, Any] | None = None,
        enable_video_stream: bool | None = None,
        preflight: bool | None = None,
        timeout: float | None = None,
        poll_interval: float | None = None,
        on_progress: Callable[[Task], Any] | None = None,
    ) -> Task:
        """:meth:`create` then :meth:`wait`."""
        return await self._run(_create_and_wait(self, **call_args(locals())))

    async def create_many(
        self,
        *,
        index_id: str,
        files: Sequence[Any] | None = None,
        urls: Sequence[str] | None = None,
        user_metadata: Mapping[str, Any] | None = None,
        enable_video_stream: bool | None = None,
        preflight: bool | None = None,
        max_concurrency: int = 4,
        return_exceptions: bool = False,
    ) -> builtins.list[Any]:
        """Upload many videos (files, then urls) with at most ``max_concurrency`` uploads in flight."""
        done: builtins.list[Any] = await _create_many(self, **call_args(locals()))
        return done
