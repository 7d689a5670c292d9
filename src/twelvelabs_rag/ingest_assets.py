"""Bring one source into a current index: asset (upload or URL) -> indexed asset, skipping what is there.

The current-flow ingest shared by the LangChain loader and the LlamaIndex reader (the rule "same
file -> same asset, including assets still processing" is :mod:`twelvelabs_rag.dedupe`). Local files
go through ``client.assets.upload`` (multipart with resume for large files, ``on_progress`` per
confirmed batch), URLs become assets by URL; the asset is then indexed with
``indexes.indexed_assets.create_and_wait``. A source already ingested costs two list calls.

```python
from twelvelabs_rag.ingest_assets import Ingested
assert Ingested("ia_1", "asset_1", reused=True).video_id == "ia_1"
```
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .dedupe import afind_asset_upload, find_asset_upload
from .moments import dedupe_metadata

__all__ = ["Ingested", "ingest_asset", "aingest_asset"]


@dataclass(frozen=True)
class Ingested:
    """The indexed asset (its id is the ``video_id`` search answers) and the asset behind it."""

    video_id: str
    asset_id: str
    reused: bool = False


def _mark(facts: dict[str, Any]) -> dict[str, str]:
    return dedupe_metadata(url=facts["url"]) if "url" in facts else dedupe_metadata(sha256=facts.get("sha256"))


def _wait_kw(timeout: float | None, poll_interval: float | None) -> dict[str, Any]:
    return {"timeout": timeout, **({"poll_interval": poll_interval} if poll_interval is not None else {})}


def ingest_asset(client: Any, index_id: str, source: str | Path, facts: dict[str, Any], *,
                 user_metadata: dict[str, Any] | None = None, skip_existing: bool = True,
                 timeout: float | None = None, poll_interval: float | None = None,
                 on_progress: Callable[[Any], Any] | None = None) -> Ingested:
    """``facts`` is ``{"url": ...}`` or ``{"filename", "size", "sha256"}`` (``moments.file_sha256``)."""
    wait = _wait_kw(timeout, poll_interval)
    meta = {**(user_metadata or {}), **_mark(facts)}
    found = find_asset_upload(client, index_id, **facts) if skip_existing else None  # the one dedupe rule
    if found is not None and found.in_index:
        client.indexes.indexed_assets.wait(index_id, str(found.indexed_asset_id), **wait)
        return Ingested(str(found.indexed_asset_id), found.asset_id, reused=True)
    if found is not None and found.upload_id is None:
        asset_id = client.assets.wait(found.asset_id, **wait).id  # ready, or still processing: wait, never re-send
    elif "url" in facts:
        asset_id = client.assets.wait(client.assets.create(url=facts["url"], user_metadata=meta).id, **wait).id
    else:  # a new file, or the rest of an interrupted multipart upload (found.upload_id)
        asset = client.assets.upload(Path(source).expanduser(), user_metadata=meta, on_progress=on_progress,
                                     timeout=timeout, upload_id=found.upload_id if found else None)
        asset_id = asset.id if asset.done else client.assets.wait(asset.id, **wait).id
    indexed = client.indexes.indexed_assets.create_and_wait(index_id, asset_id=asset_id, user_metadata=meta, **wait)
    return Ingested(indexed.id, asset_id, reused=found is not None)


async def aingest_asset(client: Any, index_id: str, source: str | Path, facts: dict[str, Any], *,
                        user_metadata: dict[str, Any] | None = None, skip_existing: bool = True,
                        timeout: float | None = None, poll_interval: float | None = None,
                        on_progress: Callable[[Any], Any] | None = None) -> Ingested:
    """Async twin of :func:`ingest_asset` (``client`` is an ``AsyncTwelveLabs``)."""
    wait = _wait_kw(timeout, poll_interval)
    meta = {**(user_metadata or {}), **_mark(facts)}
    found = await afind_asset_upload(client, index_id, **facts) if skip_existing else None
    if found is not None and found.in_index:
        await client.indexes.indexed_assets.wait(index_id, str(found.indexed_asset_id), **wait)
        return Ingested(str(found.indexed_asset_id), found.asset_id, reused=True)
    if found is not None and found.upload_id is None:
        asset_id = (await client.assets.wait(found.asset_id, **wait)).id
    elif "url" in facts:
        created = await client.assets.create(url=facts["url"], user_metadata=meta)
        asset_id = (await client.assets.wait(created.id, **wait)).id
    else:
        asset = await client.assets.upload(Path(source).expanduser(), user_metadata=meta, on_progress=on_progress,
                                           timeout=timeout, upload_id=found.upload_id if found else None)
        asset_id = asset.id if asset.done else (await client.assets.wait(asset.id, **wait)).id
    indexed = await client.indexes.indexed_assets.create_and_wait(index_id, asset_id=asset_id, user_metadata=meta,
                                                                  **wait)
    return Ingested(indexed.id, asset_id, reused=found is not None)
