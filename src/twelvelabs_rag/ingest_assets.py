"""Bring one source into a current index: asset (upload or URL) -> indexed asset, skipping what is there.

The current-flow ingest shared by the LangChain loader and the LlamaIndex reader (the rule "same
file -> same asset, including assets still processing" is :mod:`twelvelabs_rag.dedupe`). Local files
go through ``client.assets.upload`` (multipart with resume for large files, ``on_progress`` per
confirmed batch), URLs become assets by URL; the asset is then indexed with
``indexes.indexed_assets.create_and_wait``. A source already ingested costs two list calls.

When a wait runs out (``timeout`` seconds per wait: the asset's processing, then its indexing), the
error is an :class:`IngestWaitTimeoutError` carrying the ids made so far; calling again with the same
source finds them (the dedupe rule) and waits on, never uploading twice.

```python
from twelvelabs_rag.ingest_assets import Ingested, IngestWaitTimeoutError
assert Ingested("ia_1", "asset_1", reused=True).video_id == "ia_1"
err = IngestWaitTimeoutError("still indexing", asset_id="asset_1", video_id="ia_1", last_status="indexing")
assert (err.task_id, err.asset_id) == ("ia_1", "asset_1")
```
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._exceptions import WaitTimeoutError
from .dedupe import afind_asset_upload, find_asset_upload
from .moments import dedupe_metadata

__all__ = ["Ingested", "IngestWaitTimeoutError", "ingest_asset", "aingest_asset"]


@dataclass(frozen=True)
class Ingested:
    """The indexed asset (its id is the ``video_id`` search answers) and the asset behind it.

    ``reused``: the source was found (asset, maybe already indexed) instead of uploaded;
    ``already_indexed``: the index already held it, ready, before this call.
    """

    video_id: str
    asset_id: str
    reused: bool = False
    already_indexed: bool = False


class IngestWaitTimeoutError(WaitTimeoutError):
    """A wait of :func:`ingest_asset` ran out: the asset exists (``asset_id``) and, once its indexing
    started, so does the indexed asset (``video_id``, else None); both keep processing on the server.
    Call again with the same source to keep waiting (it is found, not uploaded again). ``reused``: this
    call found the source (an earlier upload) instead of uploading it."""

    def __init__(self, message: str, *, asset_id: str, video_id: str | None, last_status: str | None,
                 reused: bool = False) -> None:
        super().__init__(message, task_id=video_id or asset_id, last_status=last_status)
        self.asset_id = asset_id
        self.video_id = video_id
        self.reused = reused


class _Progress:
    """The ids an ingest has made so far, to name them when a wait runs out."""

    def __init__(self, reused: bool) -> None:
        self.asset_id: str | None = None
        self.reused = reused


@contextmanager
def _naming_ids(made: _Progress) -> Iterator[None]:
    try:
        yield
    except IngestWaitTimeoutError:
        raise
    except WaitTimeoutError as exc:
        # before the asset id was known, the wait that ran out was the asset's own (its id is the task_id)
        asset_id = made.asset_id or exc.task_id
        video_id = exc.task_id if made.asset_id is not None and exc.task_id != made.asset_id else None
        stage = "indexing" if video_id else "processing"
        raise IngestWaitTimeoutError(
            f"{exc.message} The source is uploaded (asset {asset_id}"
            + (f", indexed asset {video_id}" if video_id else "")
            + f") and still {stage}; ingest it again to keep waiting (it is not uploaded twice).",
            asset_id=asset_id, video_id=video_id, last_status=exc.last_status, reused=made.reused) from exc


def _mark(facts: dict[str, Any]) -> dict[str, str]:
    return dedupe_metadata(url=facts["url"]) if "url" in facts else dedupe_metadata(sha256=facts.get("sha256"))


def _wait_kw(timeout: float | None, poll_interval: float | None) -> dict[str, Any]:
    return {"timeout": timeout, **({"poll_interval": poll_interval} if poll_interval is not None else {})}


def ingest_asset(client: Any, index_id: str, source: str | Path, facts: dict[str, Any], *,
                 user_metadata: dict[str, Any] | None = None, skip_existing: bool = True,
                 timeout: float | None = None, poll_interval: float | None = None,
                 on_progress: Callable[[Any], Any] | None = None) -> Ingested:
    """``facts`` is ``{"url": ...}`` or ``{"filename", "size", "sha256"}`` (``moments.file_sha256``).

    Raises:
        IngestWaitTimeoutError: a wait ran out; it names the asset and indexed asset made so far.
    """
    wait = _wait_kw(timeout, poll_interval)
    meta = {**(user_metadata or {}), **_mark(facts)}
    found = find_asset_upload(client, index_id, **facts) if skip_existing else None  # the one dedupe rule
    made = _Progress(reused=found is not None)
    with _naming_ids(made):
        if found is not None and found.in_index:
            made.asset_id = found.asset_id
            client.indexes.indexed_assets.wait(index_id, str(found.indexed_asset_id), **wait)
            return Ingested(str(found.indexed_asset_id), found.asset_id, reused=True, already_indexed=found.indexed)
        if found is not None and found.upload_id is None:
            asset_id = client.assets.wait(found.asset_id, **wait).id  # ready, or still processing: wait, never re-send
        elif "url" in facts:
            asset_id = client.assets.wait(client.assets.create(url=facts["url"], user_metadata=meta).id, **wait).id
        else:  # a new file, or the rest of an interrupted multipart upload (found.upload_id)
            asset = client.assets.upload(Path(source).expanduser(), user_metadata=meta, on_progress=on_progress,
                                         timeout=timeout, upload_id=found.upload_id if found else None)
            asset_id = asset.id if asset.done else client.assets.wait(asset.id, **wait).id
        made.asset_id = asset_id
        indexed = client.indexes.indexed_assets.create_and_wait(index_id, asset_id=asset_id, user_metadata=meta,
                                                                **wait)
    return Ingested(indexed.id, asset_id, reused=found is not None)


async def aingest_asset(client: Any, index_id: str, source: str | Path, facts: dict[str, Any], *,
                        user_metadata: dict[str, Any] | None = None, skip_existing: bool = True,
                        timeout: float | None = None, poll_interval: float | None = None,
                        on_progress: Callable[[Any], Any] | None = None) -> Ingested:
    """Async twin of :func:`ingest_asset` (``client`` is an ``AsyncTwelveLabs``)."""
    wait = _wait_kw(timeout, poll_interval)
    meta = {**(user_metadata or {}), **_mark(facts)}
    found = await afind_asset_upload(client, index_id, **facts) if skip_existing else None
    made = _Progress(reused=found is not None)
    with _naming_ids(made):
        if found is not None and found.in_index:
            made.asset_id = found.asset_id
            await client.indexes.indexed_assets.wait(index_id, str(found.indexed_asset_id), **wait)
            return Ingested(str(found.indexed_asset_id), found.asset_id, reused=True, already_indexed=found.indexed)
        if found is not None and found.upload_id is None:
            asset_id = (await client.assets.wait(found.asset_id, **wait)).id
        elif "url" in facts:
            created = await client.assets.create(url=facts["url"], user_metadata=meta)
            asset_id = (await client.assets.wait(created.id, **wait)).id
        else:
            asset = await client.assets.upload(Path(source).expanduser(), user_metadata=meta,
                                               on_progress=on_progress, timeout=timeout,
                                               upload_id=found.upload_id if found else None)
            asset_id = asset.id if asset.done else (await client.assets.wait(asset.id, **wait)).id
        made.asset_id = asset_id
        indexed = await client.indexes.indexed_assets.create_and_wait(index_id, asset_id=asset_id,
                                                                      user_metadata=meta, **wait)
    return Ingested(indexed.id, asset_id, reused=found is not None)
