"""Pure decisions of a multipart upload (no I/O): chunking, URL and report batches, chunk retries,
which session to resume, and the bookkeeping shared by the upload's workers.

```python
from twelvelabs_rag.resources._multipart_plan import chunk_plan, decide_chunk, url_batches
assert [c.length for c in chunk_plan(10, 4)] == [4, 4, 2]
assert url_batches([1, 2, 3, 60]) == [(1, 3), (60, 1)]
assert decide_chunk(0, 2, status=503, failure=None, has_etag=False).kind == "retry"
assert decide_chunk(0, 2, status=403, failure=None, has_etag=False).kind == "refresh"
```
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .._config import INITIAL_RETRY_DELAY, MAX_RETRY_DELAY

__all__ = ["MAX_BATCH", "FINGERPRINT_KEY", "SESSION_KEY", "Chunk", "ChunkAction", "chunk_plan", "url_batches",
           "decide_chunk", "pick_resume", "UploadState"]

#: At most this many presigned URLs per request and chunks per report (spec-current §1.1).
MAX_BATCH = 50
#: user_metadata keys the client writes on a multipart asset so an interrupted upload can be found again.
FINGERPRINT_KEY = "tlrag_fingerprint"
SESSION_KEY = "tlrag_multipart_upload"


@dataclass(frozen=True)
class Chunk:
    """Chunk ``index`` (1-based) is bytes ``[offset, offset + length)`` of the file."""

    index: int
    offset: int
    length: int


@dataclass(frozen=True)
class ChunkAction:
    """What to do after one PUT attempt of a chunk: ``done``, ``retry`` (after ``delay`` s),
    ``refresh`` (its presigned URL expired: fetch a new one, then retry) or ``raise``."""

    kind: Literal["done", "retry", "refresh", "raise"]
    delay: float = 0.0
    reason: str = ""


def chunk_plan(total_size: int, chunk_size: int) -> list[Chunk]:
    """The chunks of a ``total_size``-byte file cut at exactly ``chunk_size`` (the last one smaller)."""
    if chunk_size <= 0:
        raise ValueError(f"chunk_size must be positive, got {chunk_size}")
    if total_size <= 0:
        raise ValueError(f"total_size must be positive, got {total_size}")
    count = -(-total_size // chunk_size)
    return [Chunk(i + 1, i * chunk_size, min(chunk_size, total_size - i * chunk_size)) for i in range(count)]


def url_batches(indexes: Iterable[int], limit: int = MAX_BATCH) -> list[tuple[int, int]]:
    """``(start, count)`` requests covering ``indexes``: contiguous runs, at most ``limit`` each."""
    out: list[tuple[int, int]] = []
    for i in sorted(set(indexes)):
        if out and out[-1][0] + out[-1][1] == i and out[-1][1] < limit:
            out[-1] = (out[-1][0], out[-1][1] + 1)
        else:
            out.append((i, 1))
    return out


def decide_chunk(attempt: int, max_retries: int, *, status: int | None, failure: str | None,
                 has_etag: bool) -> ChunkAction:
    """After attempt ``attempt`` (0-based) of one chunk PUT answered ``status`` (None: no answer,
    ``failure`` says how it failed). A PUT of the same bytes is idempotent, so every transient
    failure is retried, alone, with backoff; 403 means the URL expired (refresh it)."""
    if status is not None and 200 <= status < 300:
        if has_etag:
            return ChunkAction("done")
        return ChunkAction("raise", reason=f"the chunk PUT answered {status} without an ETag header")
    left = attempt < max_retries
    delay = min(MAX_RETRY_DELAY, INITIAL_RETRY_DELAY * 2**attempt)
    if status == 403:
        return ChunkAction("refresh", reason="the presigned URL was refused (expired)") if left else ChunkAction(
            "raise", reason="the presigned URL was refused (403) again after fresh URLs")
    if status is None or status in (408, 429) or status >= 500:
        why = f"HTTP {status}" if status is not None else f"connection {failure or 'failure'}"
        return ChunkAction("retry", delay, why) if left else ChunkAction("raise", reason=f"{why}, retries exhausted")
    return ChunkAction("raise", reason=f"the chunk PUT was refused with HTTP {status}")


def pick_resume(sessions: Sequence[Any], assets: Sequence[Any], *, total_size: int,
                fingerprint: str) -> tuple[Any, Any] | None:
    """The ``(incomplete session, its asset)`` an interrupted upload of this file left, or None.

    A session qualifies when it is ``active``, has the file's size, and an asset carries both this
    file's fingerprint and that session's id in its user_metadata (written at creation).
    """
    by_id = {s.upload_id: s for s in sessions if s.status == "active" and s.total_size == total_size}
    for asset in assets:
        meta = asset.user_metadata or {}
        if meta.get(FINGERPRINT_KEY) == fingerprint and meta.get(SESSION_KEY) in by_id:
            return by_id[meta[SESSION_KEY]], asset
    return None


@dataclass
class UploadState:
    """What the workers of one upload share: URLs, confirmed chunks, proofs awaiting a report.

    Every method is atomic (a lock for the sync twin's threads; harmless under asyncio).
    """

    upload_id: str
    total_size: int
    chunk_size: int
    report_every: int
    urls: dict[int, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    confirmed: set[int] = field(default_factory=set)
    resumed: int = 0
    sent_bytes: int = 0
    asset_id: str | None = None
    finished_url: str | None = None
    _proofs: list[dict[str, Any]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def chunks(self) -> list[Chunk]:
        return chunk_plan(self.total_size, self.chunk_size)

    def missing(self) -> list[Chunk]:
        """Chunks not yet confirmed by the server (the only ones an upload or a resume sends)."""
        return [c for c in self.chunks if c.index not in self.confirmed]

    def add_urls(self, urls: Iterable[Any]) -> None:
        with self._lock:
            for u in urls:
                self.urls[u.chunk_index] = u.url

    def drop_url(self, index: int) -> None:
        with self._lock:
            self.urls.pop(index, None)

    def chunk_sent(self, chunk: Chunk, etag: str) -> list[dict[str, Any]] | None:
        """Note a chunk's ETag; returns a batch to report when ``report_every`` proofs are waiting."""
        with self._lock:
            self.sent_bytes += chunk.length
            self._proofs.append({"chunk_index": chunk.index, "proof": etag.strip('"'), "proof_type": "etag",
                                 "chunk_size": chunk.length})
            if len(self._proofs) < self.report_every:
                return None
            batch, self._proofs = self._proofs[:MAX_BATCH], self._proofs[MAX_BATCH:]
            return batch

    def requeue(self, batch: Sequence[Mapping[str, Any]]) -> None:
        """Put back proofs whose report failed, so the final reports send them again."""
        with self._lock:
            self._proofs[:0] = [dict(c) for c in batch]

    def take_all(self) -> list[list[dict[str, Any]]]:
        """Every waiting proof, in batches of at most 50 (the final reports)."""
        with self._lock:
            proofs, self._proofs = self._proofs, []
        return [proofs[i:i + MAX_BATCH] for i in range(0, len(proofs), MAX_BATCH)]

    def reported(self, batch: Sequence[Mapping[str, Any]], answer: Any) -> None:
        with self._lock:
            self.confirmed.update(int(c["chunk_index"]) for c in batch)
            self.asset_id = answer.asset_id or self.asset_id
            self.finished_url = answer.url or self.finished_url

    @property
    def complete(self) -> bool:
        return len(self.confirmed) >= len(self.chunks)
