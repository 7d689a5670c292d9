"""Resolving reader inputs to indexed video ids: de-duplication, preflight and bounded uploads (private)."""

from __future__ import annotations

import asyncio
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from llama_index.embeddings.twelvelabs._common import is_url

__all__ = ["Source", "classify", "HASH_KEY", "URL_KEY", "find_existing", "afind_existing", "preflight_all"]

#: user_metadata key holding the sha256 of an uploaded local file (used to skip re-uploads).
HASH_KEY = "tlrag_sha256"
#: user_metadata key holding the URL a video was indexed from.
URL_KEY = "tlrag_source_url"
#: Keys written by langchain-twelvelabs for the same purpose (recognised, never written).
_ALT_HASH_KEYS = ("lc_sha256",)
_ALT_URL_KEYS = ("lc_source_url",)


@dataclass
class Source:
    """One input: a local file or a URL (``video_id`` is filled once it is known)."""

    raw: str
    path: Path | None = None
    url: str | None = None
    size: int | None = None
    digest: str | None = None
    video_id: str | None = None
    uploaded: bool = False

    @property
    def filename(self) -> str:
        if self.path is not None:
            return self.path.name
        assert self.url is not None
        return self.url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0] or self.url

    def user_metadata(self) -> dict[str, Any]:
        return {HASH_KEY: self.digest} if self.path is not None else {URL_KEY: self.url}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def classify(inputs: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None) -> list[Source]:
    """Split inputs into local files (stat + sha256) and URLs; duplicates collapse; missing files raise."""
    if inputs is None:
        return []
    items: Iterable[Any] = [inputs] if isinstance(inputs, (str, os.PathLike)) else inputs
    out: dict[str, Source] = {}
    for item in items:
        if not isinstance(item, (str, os.PathLike)):
            raise TypeError(f"a video source must be a path or an http(s) URL string, not {type(item).__name__}")
        raw = os.fspath(item)
        if isinstance(item, str) and is_url(raw):
            out.setdefault(raw, Source(raw=raw, url=raw))
            continue
        path = Path(raw).expanduser()
        if not path.is_file():
            raise FileNotFoundError(
                f"video file not found: {raw!r}; pass an existing local path, an http(s) URL, or video_ids=[...]"
            )
        source = Source(raw=raw, path=path, size=path.stat().st_size, digest=_sha256(path))
        out.setdefault(f"sha256:{source.digest}", source)
    return list(out.values())


def preflight_all(sources: Sequence[Source], check: Callable[[Path], Any] | None) -> None:
    """Run the client's media preflight on every local file before any byte is uploaded."""
    if check is None:
        return
    for source in sources:
        if source.path is not None:
            check(source.path)


def _matches(video: Any, source: Source) -> bool:
    meta = video.user_metadata or {}
    if source.path is not None:
        if any(meta.get(k) == source.digest for k in (HASH_KEY, *_ALT_HASH_KEYS)):
            return True
        sysmeta = video.system_metadata
        same_name = sysmeta is not None and sysmeta.filename == source.filename
        return bool(same_name and sysmeta.size is not None and int(sysmeta.size) == source.size)
    return any(meta.get(k) == source.url for k in (URL_KEY, *_ALT_URL_KEYS))


def _queries(source: Source) -> list[dict[str, Any]]:
    if source.path is not None:
        return [{"filename": source.filename}, {"user_metadata": {HASH_KEY: source.digest}}]
    return [{"user_metadata": {URL_KEY: source.url}}]


def find_existing(client: Any, index_id: str, source: Source) -> str | None:
    """The id of a video already in the index for this source (same name and size, or same hash)."""
    for query in _queries(source):
        for video in client.indexes.videos.list(index_id, **query):
            if _matches(video, source):
                return str(video.id)
    return None


async def afind_existing(client: Any, index_id: str, source: Source) -> str | None:
    """Async twin of :func:`find_existing`."""
    for query in _queries(source):
        async for video in client.indexes.videos.list(index_id, **query):
            if _matches(video, source):
                return str(video.id)
    return None


async def aclassify(inputs: Any) -> list[Source]:
    """:func:`classify` in a worker thread (it stats and hashes files)."""
    return await asyncio.to_thread(classify, inputs)
