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

__all__ = ["IN_PROGRESS_TASK_STATUSES", "ExistingUpload", "find_upload", "afind_upload", "find_asset", "afind_asset",
           "find_indexed_asset", "afind_indexed_asset"]

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


# --- the current flow: assets and indexed assets -----------------------------------------------------


def _asset_matches(asset: Any, filename: str | None, size: int | None, sha256: str | None, url: str | None) -> bool:
    """Same source: our sha256/URL mark in ``user_metadata``, else (files) the same name and size.
    A failed asset never counts (it must be uploaded again); one still processing does."""
    if asset.status == "failed":
        return False
    meta = asset.user_metadata or {}
    if url is not None:
        return meta.get(URL_KEY) == url
    if sha256 is not None and meta.get(HASH_KEY) == sha256:
        return True
    return bool(filename) and asset.filename == filename and size is not None and asset.size == size


def _asset_queries(filename: str | None, sha256: str | None, url: str | None) -> list[dict[str, Any]]:
    """Cheapest first: a local file by its name (one filtered page); then, to find the same bytes under
    another name, every asset (the API filters assets by name, type and id only, not by metadata)."""
    if url is None and filename:
        return [{"filename": filename}, {}] if sha256 is not None else [{"filename": filename}]
    return [{}]


def find_asset(client: Any, *, filename: str | None = None, size: int | None = None, sha256: str | None = None,
               url: str | None = None) -> Any:
    """The asset already made from this source (ready or still processing), or None: upload it.

    The current-flow half of the rule "same file -> same asset": the framework loaders and the CLI
    call it before ``client.assets.upload``; an asset still processing is waited for, not uploaded again.
    """
    for query in _asset_queries(filename, sha256, url):
        for asset in client.assets.list(**query):
            if _asset_matches(asset, filename, size, sha256, url):
                return asset
    return None


async def afind_asset(client: Any, *, filename: str | None = None, size: int | None = None,
                      sha256: str | None = None, url: str | None = None) -> Any:
    """Async twin of :func:`find_asset`."""
    for query in _asset_queries(filename, sha256, url):
        async for asset in client.assets.list(**query):
            if _asset_matches(asset, filename, size, sha256, url):
                return asset
    return None


def find_indexed_asset(client: Any, index_id: str, asset_id: str) -> str | None:
    """The id of the indexed asset made from ``asset_id`` in ``index_id`` (ready or still indexing), or None."""
    for entry in client.indexes.indexed_assets.list_by_asset(asset_id):
        if entry.index is not None and entry.index.id == index_id:
            return str(entry.id)
    return None


async def afind_indexed_asset(client: Any, index_id: str, asset_id: str) -> str | None:
    """Async twin of :func:`find_indexed_asset`."""
    async for entry in client.indexes.indexed_assets.list_by_asset(asset_id):
        if entry.index is not None and entry.index.id == index_id:
            return str(entry.id)
    return None
