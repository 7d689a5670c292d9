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

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .dedupe import afind_asset, afind_indexed_asset, find_asset, find_indexed_asset
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
    asset = find_asset(client, **facts) if skip_existing else None
    reused = asset is not None
    if asset is None and "url" in facts:
        asset = client.assets.create(url=facts["url"], user_metadata=meta)
    elif asset is None:
        asset = client.assets.upload(Path(source).expanduser(), user_metadata=meta, on_progress=on_progress,
                                     timeout=timeout)
    if not asset.done:
        asset = client.assets.wait(asset.id, **wait)
    video_id = find_indexed_asset(client, index_id, asset.id) if reused else None
    if video_id is not None:
        client.indexes.indexed_assets.wait(index_id, video_id, **wait)
        return Ingested(video_id, asset.id, reused=True)
    indexed = client.indexes.indexed_assets.create_and_wait(index_id, asset_id=asset.id, user_metadata=meta, **wait)
    return Ingested(indexed.id, asset.id, reused=False)


async def aingest_asset(client: Any, index_id: str, source: str | Path, facts: dict[str, Any], *,
                        user_metadata: dict[str, Any] | None = None, skip_existing: bool = True,
                        timeout: float | None = None, poll_interval: float | None = None,
                        on_progress: Callable[[Any], Any] | None = None) -> Ingested:
    """Async twin of :func:`ingest_asset` (``client`` is an ``AsyncTwelveLabs``)."""
    wait = _wait_kw(timeout, poll_interval)
    meta = {**(user_metadata or {}), **_mark(facts)}
    asset = await afind_asset(client, **facts) if skip_existing else None
    reused = asset is not None
    if asset is None and "url" in facts:
        asset = await client.assets.create(url=facts["url"], user_metadata=meta)
    elif asset is None:
        asset = await client.assets.upload(Path(source).expanduser(), user_metadata=meta, on_progress=on_progress,
                                           timeout=timeout)
    if not asset.done:
        asset = await client.assets.wait(asset.id, **wait)
    video_id = await afind_indexed_asset(client, index_id, asset.id) if reused else None
    if video_id is not None:
        await client.indexes.indexed_assets.wait(index_id, video_id, **wait)
        return Ingested(video_id, asset.id, reused=True)
    indexed = await client.indexes.indexed_assets.create_and_wait(index_id, asset_id=asset.id, user_metadata=meta,
                                                                  **wait)
    return Ingested(indexed.id, asset.id, reused=False)
