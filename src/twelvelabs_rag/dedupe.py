"""Is a source already in an index, or still on its way in? One rule for ``tlrag upload`` and the loaders.

A re-run after a timed-out wait must not upload (and pay for) the same file twice: a source counts
as present when the index has its video (:func:`twelvelabs_rag.moments.find_indexed`: same name and
size, or the same sha256/URL mark) **or** a task still validating, pending or indexing it.

```python
from twelvelabs_rag.dedupe import find_upload
from twelvelabs_rag.testing import FakeTwelveLabs
client = FakeTwelveLabs().client()
index = client.indexes.create(index_name="d", models=[{"model_name": "marengo3.0", "model_options": ["visual"]}])
assert find_upload(client, index.id, url="https://x/v.mp4") is None
```
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .moments import HASH_KEY, URL_KEY, afind_indexed, find_indexed
from .types.tasks import TERMINAL_TASK_STATUSES

__all__ = ["IN_PROGRESS_TASK_STATUSES", "ExistingUpload", "find_upload", "afind_upload"]

#: Task statuses that mean "this upload is still on its way into the index" (everything not terminal).
IN_PROGRESS_TASK_STATUSES = ("validating", "pending", "queued", "indexing", "uploading")


@dataclass(frozen=True)
class ExistingUpload:
    """What an index already holds for a source: a finished video, or a task still indexing it.

    ``task_id`` is set (and ``in_progress`` true) when the source was uploaded but its task is not
    finished yet: wait for that task instead of uploading the file a second time.
    """

    video_id: str | None
    task_id: str | None = None
    status: str = "ready"

    @property
    def in_progress(self) -> bool:
        return self.task_id is not None and self.status not in TERMINAL_TASK_STATUSES


def _task_matches(task: Any, filename: str | None, sha256: str | None, url: str | None) -> bool:
    """Does an unfinished task upload this source? By our marks in its ``user_metadata`` when the API
    returns them, else (local files) by file name: a task reports no size, so the name must do."""
    if task.status in TERMINAL_TASK_STATUSES:
        return False
    meta = (task.model_extra or {}).get("user_metadata")
    if isinstance(meta, dict):
        if url is not None and meta.get(URL_KEY) == url:
            return True
        if sha256 is not None and meta.get(HASH_KEY) == sha256:
            return True
    sysmeta = task.system_metadata
    return url is None and bool(filename) and sysmeta is not None and sysmeta.filename == filename


def _task_query(index_id: str, filename: str | None, url: str | None) -> dict[str, Any]:
    query: dict[str, Any] = {"index_id": index_id, "status": list(IN_PROGRESS_TASK_STATUSES)}
    if url is None and filename:
        query["filename"] = filename
    return query


def _in_progress(task: Any) -> ExistingUpload:
    return ExistingUpload(video_id=task.video_id, task_id=str(task.id), status=task.status)


def find_upload(
    client: Any,
    index_id: str,
    *,
    filename: str | None = None,
    size: int | None = None,
    sha256: str | None = None,
    url: str | None = None,
) -> ExistingUpload | None:
    """The rule "is this source already in the index?" shared by ``tlrag upload`` and both framework
    loaders: a task still validating, pending or indexing it (same hash/URL mark, or same file name;
    checked first, since an index may list a video before its task is done), else a finished video
    (as :func:`find_indexed`). None means: upload it.
    """
    for task in client.tasks.list(**_task_query(index_id, filename, url)):
        if _task_matches(task, filename, sha256, url):
            return _in_progress(task)
    video_id = find_indexed(client, index_id, filename=filename, size=size, sha256=sha256, url=url)
    return None if video_id is None else ExistingUpload(video_id=video_id)


async def afind_upload(
    client: Any,
    index_id: str,
    *,
    filename: str | None = None,
    size: int | None = None,
    sha256: str | None = None,
    url: str | None = None,
) -> ExistingUpload | None:
    """Async twin of :func:`find_upload` (``client`` is an ``AsyncTwelveLabs``)."""
    async for task in client.tasks.list(**_task_query(index_id, filename, url)):
        if _task_matches(task, filename, sha256, url):
            return _in_progress(task)
    video_id = await afind_indexed(client, index_id, filename=filename, size=size, sha256=sha256, url=url)
    return None if video_id is None else ExistingUpload(video_id=video_id)
