"""Is a source already in an index, or still on its way in? One rule for ``tlrag upload`` and the loaders.

Classic indexes (``/tasks``): :func:`find_upload`. Current indexes (assets + indexed assets):
:func:`find_asset_upload` -- the same file is the same asset, including an asset still processing.

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

__all__ = ["IN_PROGRESS_TASK_STATUSES", "ExistingUpload", "find_upload", "afind_upload",
           "ExistingAsset", "MAX_ASSET_SCAN", "asset_matches", "find_asset_upload", "afind_asset_upload"]

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


# --- current indexes: assets + indexed assets ----------------------------------------------------

#: A URL lookup scans at most this many assets (newest first; a file lookup is narrowed by file name).
MAX_ASSET_SCAN = 1000


@dataclass(frozen=True)
class ExistingAsset:
    """The asset a source already became, and its indexed asset in this index (if any).

    - ``indexed_asset_id`` set: the index holds (or is still indexing, ``indexed_status``) the source;
    - else the asset exists (``asset_status`` ``ready`` or still ``processing``): wait for it and index
      it instead of uploading the file a second time;
    - ``upload_id`` set: the asset is still waiting for the bytes of an interrupted multipart upload
      (an active session): resume it with ``client.assets.upload(file, upload_id=upload_id)``.
    """

    asset_id: str
    asset_status: str | None
    indexed_asset_id: str | None = None
    indexed_status: str | None = None
    upload_id: str | None = None

    @property
    def asset_ready(self) -> bool:
        return self.asset_status == "ready"

    @property
    def in_index(self) -> bool:
        return self.indexed_asset_id is not None

    @property
    def indexed(self) -> bool:
        return self.indexed_status == "ready"


def asset_matches(asset: Any, *, filename: str | None, size: int | None, sha256: str | None,
                  url: str | None) -> bool:
    """Is ``asset`` this source? Not failed, and the same URL mark, sha256 mark, or file name and size."""
    if asset.status == "failed":
        return False
    meta = asset.user_metadata or {}
    if url is not None:
        return meta.get(URL_KEY) == url
    if sha256 is not None and meta.get(HASH_KEY) == sha256:
        return True
    return bool(filename) and size is not None and asset.filename == filename and asset.size == size


def _asset_queries(filename: str | None, sha256: str | None, url: str | None) -> list[dict[str, Any]]:
    """Cheapest first: a local file by its name (one filtered page); then, to find the same bytes under
    another name by the sha256 mark, every asset (the API filters assets by name, type and id, not by
    metadata). A URL: every asset (its mark is in the metadata)."""
    if url is None and not filename:
        raise ValueError("pass filename=... with sha256=... (a local file), or url=...")
    if url is None:
        return [{"filename": filename}, {}] if sha256 is not None else [{"filename": filename}]
    return [{}]


def _rank(asset: Any) -> int:
    """Prefer a ready asset over one still processing (both beat uploading again)."""
    return 0 if asset.status == "ready" else 1


def _session_of(asset: Any) -> str | None:
    """The multipart session an asset still processing was opened by (our mark), else None."""
    from .resources._multipart_plan import SESSION_KEY

    value = (asset.user_metadata or {}).get(SESSION_KEY)
    return value if asset.status == "processing" and isinstance(value, str) else None


def _unfinished(asset: Any, active: set[str]) -> ExistingAsset:
    session = _session_of(asset)
    return ExistingAsset(str(asset.id), asset.status, upload_id=session if session in active else None)


def _entry_here(entries: list[Any], index_id: str) -> str | None:
    return next((str(e.id) for e in entries if e.index is not None and e.index.id == index_id), None)


def find_asset_upload(
    client: Any,
    index_id: str | None,
    *,
    filename: str | None = None,
    size: int | None = None,
    sha256: str | None = None,
    url: str | None = None,
) -> ExistingAsset | None:
    """The rule "is this source already ingested?" on a current (assets) index, for ``tlrag upload``
    and both framework loaders: the asset carrying this file's sha256 (or URL) mark -- or its name and
    size -- including an asset still processing, with its indexed asset in ``index_id`` if there is one
    (a failed indexed asset does not count). ``index_id=None`` looks for the asset only (embed v2,
    analyze). None means: upload it.

    ```python
    from twelvelabs_rag.testing import FakeTwelveLabs
    client = FakeTwelveLabs().client()
    assert find_asset_upload(client, "no-index", url="https://x/v.mp4") is None
    ```
    """
    from itertools import islice

    found: list[Any] = []
    for query in _asset_queries(filename, sha256, url):
        found = [a for a in islice(client.assets.list(**query), MAX_ASSET_SCAN)
                 if asset_matches(a, filename=filename, size=size, sha256=sha256, url=url)]
        if found:
            break
    best: ExistingAsset | None = None
    for asset in sorted(found, key=_rank):
        here = None if index_id is None else \
            _entry_here(list(client.indexes.indexed_assets.list_by_asset(asset.id)), index_id)
        if index_id is not None and here is not None:
            status = client.indexes.indexed_assets.retrieve(index_id, here).status
            if status != "failed":
                return ExistingAsset(str(asset.id), asset.status, here, status)
        if best is None:
            active = ({u.upload_id for u in islice(client.assets.multipart.list(), MAX_ASSET_SCAN)
                       if u.status == "active"} if _session_of(asset) else set())
            best = _unfinished(asset, active)
    return best


async def _active_sessions(client: Any) -> set[str]:
    active, seen = set(), 0
    async for u in client.assets.multipart.list():
        if u.status == "active":
            active.add(u.upload_id)
        seen += 1
        if seen >= MAX_ASSET_SCAN:
            break
    return active


async def afind_asset_upload(
    client: Any,
    index_id: str | None,
    *,
    filename: str | None = None,
    size: int | None = None,
    sha256: str | None = None,
    url: str | None = None,
) -> ExistingAsset | None:
    """Async twin of :func:`find_asset_upload` (``client`` is an ``AsyncTwelveLabs``)."""
    found: list[Any] = []
    for query in _asset_queries(filename, sha256, url):
        seen = 0
        async for a in client.assets.list(**query):
            seen += 1
            if asset_matches(a, filename=filename, size=size, sha256=sha256, url=url):
                found.append(a)
            if seen >= MAX_ASSET_SCAN:
                break
        if found:
            break
    best: ExistingAsset | None = None
    for asset in sorted(found, key=_rank):
        here = None if index_id is None else \
            _entry_here([e async for e in client.indexes.indexed_assets.list_by_asset(asset.id)], index_id)
        if index_id is not None and here is not None:
            status = (await client.indexes.indexed_assets.retrieve(index_id, here)).status
            if status != "failed":
                return ExistingAsset(str(asset.id), asset.status, here, status)
        if best is None:
            active = await _active_sessions(client) if _session_of(asset) else set()
            best = _unfinished(asset, active)
    return best
