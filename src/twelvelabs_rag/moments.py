"""Framework-free helpers for "moments" (clips of indexed videos), shared by the framework packages.

Everything here is plain Python on top of the client: time formatting, clip ids, the timestamped
lines of a Pegasus description, the transcript of a clip's time range (with a per-video cache,
sync and async), and the ``user_metadata`` keys that mark a file or URL as already indexed.

```python
from twelvelabs_rag.moments import clip_id, format_timestamp, parse_timestamped
assert format_timestamp(72.4) == "01:12"
assert clip_id("v1", 8, 12.5) == "v1@8.000-12.500"
assert parse_timestamped("[00:00-00:04] a fox\\n[00:04-00:09] an owl") == [(0.0, 4.0, "a fox"), (4.0, 9.0, "an owl")]
```
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._config import UPLOAD_TOKEN_KEY

__all__ = [
    "HASH_KEY",
    "URL_KEY",
    "format_timestamp",
    "clip_id",
    "parse_timestamped",
    "transcript_text",
    "format_transcript",
    "VideoTranscript",
    "TranscriptCache",
    "AsyncTranscriptCache",
    "public_metadata",
    "file_sha256",
    "dedupe_metadata",
    "find_indexed",
    "afind_indexed",
]

#: ``user_metadata`` key holding the sha256 of an uploaded local file (lets a re-run skip the upload).
HASH_KEY = "tlrag_sha256"
#: ``user_metadata`` key holding the http(s) URL a video was indexed from.
URL_KEY = "tlrag_source_url"


# --- time -------------------------------------------------------------------------------------
def format_timestamp(seconds: float | None) -> str:
    """``mm:ss`` (``h:mm:ss`` from one hour on) for a time offset in seconds, rounded to the second.

    ```python
    assert format_timestamp(12.4) == "00:12" and format_timestamp(3725) == "1:02:05"
    assert format_timestamp(None) == "00:00"
    ```
    """
    total = max(0, int(round(float(seconds or 0.0))))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def clip_id(video_id: str, start: float, end: float) -> str:
    """A stable id for a clip, unique per ``(video_id, start, end)`` (milliseconds).

    Framework packages use it as Document/Node id and as the prefix of longer row ids.

    ```python
    assert clip_id("v1", 8, 12.5) == "v1@8.000-12.500"
    ```
    """
    return f"{video_id}@{float(start):.3f}-{float(end):.3f}"


# --- timestamped text ---------------------------------------------------------------------------
_NUM = r"(\d+(?::\d{1,2}){0,2}(?:\.\d+)?)"
_LINE_RE = re.compile(
    r"^\s*(?:[-*•]\s*)?[\[(]?\s*" + _NUM + r"\s*s?\s*(?:-|–|—|to)\s*" + _NUM
    + r"\s*s?\s*[\])]?\s*[:.\-–—]?\s*(.*?)\s*$",
    re.IGNORECASE,
)
_INLINE_RE = re.compile(
    r"\bfrom\s+" + _NUM + r"\s*s?\s+(?:to|-|–)\s+" + _NUM + r"\s*s?\s*[,:\-–—]?\s*(.+?)\s*(?=;|\n|\.\s|\.?$)",
    re.IGNORECASE,
)


def _seconds(token: str) -> float:
    total = 0.0
    for part in token.split(":"):
        total = total * 60 + float(part)
    return total


def parse_timestamped(text: str | None) -> list[tuple[float, float, str]]:
    """``(start, end, text)`` for each time-ranged line of a description (e.g. Pegasus output).

    Accepted line shapes: ``[0-4] ...``, ``[00:04 - 00:09] ...``, ``- 0:09 to 0:12: ...``,
    ``(1:02:03 to 1:02:09) ...``, ``8s-12s: ...``. A line without a time range continues the
    previous segment (a wrapped description); lines before the first range are ignored, and so is
    a range whose end is not after its start. When no line starts with a range, inline prose such as
    ``from 0s to 4s, a fox; from 4s to 8s, an owl.`` is read instead (sorted by time; when a range is
    mentioned twice, the last mention wins).

    Example:
    ```python
    assert parse_timestamped("Scenes:\\n[0-4] a fox\\n  in snow\\n0:04 - 0:09: an owl") == [
        (0.0, 4.0, "a fox in snow"), (4.0, 9.0, "an owl")]
    assert parse_timestamped("It shows: from 0s to 4s, a fox; from 4s to 8s, an eagle.") == [
        (0.0, 4.0, "a fox"), (4.0, 8.0, "an eagle")]
    ```
    """
    out: list[tuple[float, float, str]] = []
    for raw in (text or "").splitlines():
        match = _LINE_RE.match(raw)
        if match:
            start, end = _seconds(match.group(1)), _seconds(match.group(2))
            if end > start:
                out.append((start, end, match.group(3).strip()))
                continue
        if out and raw.strip():
            s, e, t = out[-1]
            out[-1] = (s, e, f"{t} {raw.strip()}".strip())
    if out:
        return out
    found: dict[tuple[float, float], str] = {}
    for match in _INLINE_RE.finditer(text or ""):
        start, end = _seconds(match.group(1)), _seconds(match.group(2))
        body = match.group(3).strip().rstrip(".").strip()
        if end > start and body:
            found.pop((start, end), None)
            found[(start, end)] = body
    return sorted(((s, e, t) for (s, e), t in found.items()), key=lambda x: (x[0], x[1]))


# --- transcripts --------------------------------------------------------------------------------
def transcript_text(lines: Iterable[Any] | None, start: float, end: float) -> str:
    """What is said during ``[start, end)``: the transcript lines overlapping it, joined by spaces.

    ``lines`` are ``TranscriptionLine``-like objects (``start``, ``end``, ``value``), as in
    ``client.indexes.videos.retrieve(index_id, video_id, transcription=True).transcription``.

    ```python
    from twelvelabs_rag.types import TranscriptionLine as L
    lines = [L(start=0, end=4, value="hello"), L(start=4, end=8, value=" the bear "), L(start=8, end=9, value="bye")]
    assert transcript_text(lines, 3, 8) == "hello the bear"
    ```
    """
    parts = [(ln.value or "").strip() for ln in lines or () if ln.end > start and ln.start < end]
    return " ".join(p for p in parts if p)


def format_transcript(lines: Iterable[Any] | None) -> str:
    """The whole transcript, one ``[mm:ss-mm:ss] text`` line per non-empty transcript line.

    ```python
    from twelvelabs_rag.types import TranscriptionLine as L
    assert format_transcript([L(start=0, end=4, value="hi"), L(start=4, end=5, value=" ")]) == "[00:00-00:04] hi"
    ```
    """
    return "\n".join(
        f"[{format_timestamp(ln.start)}-{format_timestamp(ln.end)}] {(ln.value or '').strip()}"
        for ln in lines or ()
        if (ln.value or "").strip()
    )


@dataclass(frozen=True)
class VideoTranscript:
    """A video's filename and transcript lines, as fetched once by a transcript cache."""

    video_id: str
    filename: str | None = None
    lines: tuple[Any, ...] = field(default_factory=tuple)

    @classmethod
    def from_video(cls, video: Any) -> VideoTranscript:
        """Build from a retrieved ``Video`` (``transcription=True``)."""
        meta = getattr(video, "system_metadata", None)
        return cls(str(video.id), getattr(meta, "filename", None), tuple(getattr(video, "transcription", None) or ()))

    def text(self, start: float, end: float) -> str:
        """:func:`transcript_text` of this video for ``[start, end)``."""
        return transcript_text(self.lines, start, end)


class _CacheBase:
    def __init__(self, *, maxsize: int | None = None, share: _CacheBase | None = None) -> None:
        if maxsize is not None and maxsize < 1:
            raise ValueError(f"maxsize must be >= 1 or None (got {maxsize})")
        self._entries: OrderedDict[tuple[str, str], VideoTranscript] = (
            share._entries if share is not None else OrderedDict()
        )
        self.maxsize: int | None = share.maxsize if share is not None and maxsize is None else maxsize

    def get(self, index_id: str, video_id: str) -> VideoTranscript | None:
        """The cached transcript of a video, or None when it has not been fetched (no I/O)."""
        return self._entries.get((index_id, video_id))

    def missing(self, index_id: str, video_ids: Iterable[str]) -> list[str]:
        """The distinct ``video_ids`` not cached yet, in order."""
        return [v for v in dict.fromkeys(video_ids) if (index_id, v) not in self._entries]

    def put(self, index_id: str, video: Any) -> VideoTranscript:
        """Cache a retrieved ``Video`` (the least recently added entry goes when ``maxsize`` is reached)."""
        entry = video if isinstance(video, VideoTranscript) else VideoTranscript.from_video(video)
        key = (index_id, entry.video_id)
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while self.maxsize is not None and len(self._entries) > self.maxsize:
            self._entries.popitem(last=False)
        return entry

    def clear(self) -> None:
        """Forget every cached transcript (they are fetched again when next needed)."""
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(entries={len(self._entries)}, maxsize={self.maxsize})"


class TranscriptCache(_CacheBase):
    """Per-video transcripts, fetched once with ``videos.retrieve(..., transcription=True)``.

    ``maxsize`` bounds the number of videos kept (``None``: unbounded). ``share=`` another cache
    (sync or async) to use the same entries, e.g. one cache behind a component's sync and async paths.

    ```python
    from twelvelabs_rag.testing import FakeTwelveLabs
    client = FakeTwelveLabs().client()
    cache = TranscriptCache(maxsize=100)
    assert cache.fetch(client, "idx", []) == {} and len(cache) == 0
    ```
    """

    def fetch(self, client: Any, index_id: str, video_ids: Iterable[str]) -> dict[str, VideoTranscript]:
        """Retrieve the videos not cached yet (one request each); return every requested entry."""
        ids = list(dict.fromkeys(video_ids))
        for video_id in self.missing(index_id, ids):
            self.put(index_id, client.indexes.videos.retrieve(index_id, video_id, transcription=True))
        return {v: e for v in ids if (e := self.get(index_id, v)) is not None}


class AsyncTranscriptCache(_CacheBase):
    """Async twin of :class:`TranscriptCache`: missing videos are fetched concurrently.

    ``max_concurrency`` bounds the retrieve requests in flight.

    ```python
    import asyncio
    from twelvelabs_rag.testing import FakeTwelveLabs
    cache = AsyncTranscriptCache(share=TranscriptCache())
    assert asyncio.run(cache.fetch(FakeTwelveLabs().async_client(), "idx", [])) == {}
    ```
    """

    def __init__(
        self, *, maxsize: int | None = None, share: _CacheBase | None = None, max_concurrency: int = 8
    ) -> None:
        super().__init__(maxsize=maxsize, share=share)
        self.max_concurrency = max(1, max_concurrency)

    async def fetch(self, client: Any, index_id: str, video_ids: Iterable[str]) -> dict[str, VideoTranscript]:
        """Retrieve the videos not cached yet (at most ``max_concurrency`` at once); return every entry."""
        ids = list(dict.fromkeys(video_ids))
        missing = self.missing(index_id, ids)
        if missing:
            semaphore = asyncio.Semaphore(self.max_concurrency)

            async def one(video_id: str) -> Any:
                async with semaphore:
                    return await client.indexes.videos.retrieve(index_id, video_id, transcription=True)

            for video in await asyncio.gather(*(one(v) for v in missing)):
                self.put(index_id, video)
        return {v: e for v in ids if (e := self.get(index_id, v)) is not None}


# --- already indexed? ---------------------------------------------------------------------------
def public_metadata(user_metadata: dict[str, Any] | None) -> dict[str, Any] | None:
    """A video's ``user_metadata`` without the client's internal upload token (``UPLOAD_TOKEN_KEY``).

    ```python
    from twelvelabs_rag import UPLOAD_TOKEN_KEY
    assert public_metadata({"team": "a", UPLOAD_TOKEN_KEY: "u1"}) == {"team": "a"}
    assert public_metadata(None) is None
    ```
    """
    if not user_metadata:
        return user_metadata
    return {k: v for k, v in user_metadata.items() if k != UPLOAD_TOKEN_KEY}


def file_sha256(path: str | Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks (blocking: call it in a thread from async code).

    ```python
    import tempfile, pathlib
    p = pathlib.Path(tempfile.mkdtemp()) / "x.bin"; p.write_bytes(b"abc")
    assert file_sha256(p).startswith("ba7816bf")
    ```
    """
    digest = hashlib.sha256()
    with Path(path).expanduser().open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def dedupe_metadata(*, sha256: str | None = None, url: str | None = None) -> dict[str, str]:
    """The ``user_metadata`` that marks an upload as a given file (by hash) or URL.

    ```python
    assert dedupe_metadata(url="https://x/v.mp4") == {URL_KEY: "https://x/v.mp4"}
    assert dedupe_metadata(sha256="ab") == {HASH_KEY: "ab"}
    ```
    """
    if (sha256 is None) == (url is None):
        raise ValueError("pass exactly one of sha256=... (a local file) or url=...")
    return {HASH_KEY: sha256} if sha256 is not None else {URL_KEY: url}  # type: ignore[dict-item]


def _lookups(filename: str | None, sha256: str | None, url: str | None) -> list[dict[str, Any]]:
    if url is not None:
        return [{"user_metadata": {URL_KEY: url}}]
    if sha256 is None:
        raise ValueError("pass sha256=... (with filename/size) for a local file, or url=...")
    queries: list[dict[str, Any]] = [{"filename": filename}] if filename else []
    return queries + [{"user_metadata": {HASH_KEY: sha256}}]


def _matches(video: Any, query: dict[str, Any], filename: str | None, size: int | None, sha256: str | None,
             url: str | None) -> bool:
    if video.user_metadata is None and "user_metadata" in query:
        # List items carry no user_metadata on the real API (twelvelabs-api.md §4: only retrieve
        # returns it), so a video listed for a user-metadata filter matched that filter server-side.
        return True
    meta = video.user_metadata or {}
    if url is not None:
        return meta.get(URL_KEY) == url
    if meta.get(HASH_KEY) == sha256:
        return True
    sysmeta = video.system_metadata
    return bool(
        filename and size is not None and sysmeta is not None and sysmeta.filename == filename
        and sysmeta.size is not None and int(sysmeta.size) == size
    )


def find_indexed(
    client: Any,
    index_id: str,
    *,
    filename: str | None = None,
    size: int | None = None,
    sha256: str | None = None,
    url: str | None = None,
) -> str | None:
    """The id of a video already in the index for a local file or a URL, else None.

    A file matches a video with the same ``filename`` and byte ``size``, or with its ``sha256`` under
    :data:`HASH_KEY` in ``user_metadata``; a URL matches :data:`URL_KEY`. No file I/O here: pass the
    facts (see :func:`file_sha256`).

    ```python
    from twelvelabs_rag.testing import FakeTwelveLabs
    client = FakeTwelveLabs().client()
    index = client.indexes.create(index_name="d", models=[{"model_name": "marengo3.0", "model_options": ["visual"]}])
    assert find_indexed(client, index.id, url="https://x/v.mp4") is None
    ```
    """
    if filename is not None:
        from ._multipart import wire_filename

        filename = wire_filename(filename)  # the name an upload of this file was sent under
    for query in _lookups(filename, sha256, url):
        for video in client.indexes.videos.list(index_id, **query):
            if _matches(video, query, filename, size, sha256, url):
                return str(video.id)
    return None


async def afind_indexed(
    client: Any,
    index_id: str,
    *,
    filename: str | None = None,
    size: int | None = None,
    sha256: str | None = None,
    url: str | None = None,
) -> str | None:
    """Async twin of :func:`find_indexed` (``client`` is an ``AsyncTwelveLabs``)."""
    for query in _lookups(filename, sha256, url):
        async for video in client.indexes.videos.list(index_id, **query):
            if _matches(video, query, filename, size, sha256, url):
                return str(video.id)
    return None
