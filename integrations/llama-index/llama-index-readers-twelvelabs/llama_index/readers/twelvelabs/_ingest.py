"""Resolving reader inputs to indexed video ids: de-duplication, preflight and bounded uploads (private)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from twelvelabs_rag.dedupe import ExistingUpload, afind_upload, find_upload
from twelvelabs_rag.media_inputs import is_url
from twelvelabs_rag.moments import dedupe_metadata, file_sha256

__all__ = ["Source", "classify", "find_existing", "afind_existing", "preflight_all"]


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
    task_id: str | None = None  # an earlier upload's task, still indexing: wait for it, do not upload again

    def found(self, existing: ExistingUpload | None) -> None:
        """Record what the index already holds for this source (see ``twelvelabs_rag.dedupe``)."""
        if existing is not None and existing.in_progress:
            self.task_id = existing.task_id
        elif existing is not None:
            self.video_id = existing.video_id

    @property
    def filename(self) -> str:
        if self.path is not None:
            return self.path.name
        assert self.url is not None
        return self.url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0] or self.url

    def user_metadata(self) -> dict[str, Any]:
        return dedupe_metadata(sha256=self.digest) if self.path is not None else dedupe_metadata(url=self.url)

    def facts(self) -> dict[str, Any]:
        """What identifies this source in an index (``twelvelabs_rag.moments.find_indexed`` keywords)."""
        if self.path is not None:
            return {"filename": self.filename, "size": self.size, "sha256": self.digest}
        return {"url": self.url}


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
        source = Source(raw=raw, path=path, size=path.stat().st_size, digest=file_sha256(path))
        out.setdefault(f"sha256:{source.digest}", source)
    return list(out.values())


def preflight_all(sources: Sequence[Source], check: Callable[[Path], Any] | None) -> None:
    """Run the client's media preflight on every local file before any byte is uploaded."""
    if check is None:
        return
    for source in sources:
        if source.path is not None:
            check(source.path)


def find_existing(client: Any, index_id: str, source: Source) -> ExistingUpload | None:
    """What the index holds for this source: its video, or a task still indexing it (the core's rule)."""
    return find_upload(client, index_id, **source.facts())


async def afind_existing(client: Any, index_id: str, source: Source) -> ExistingUpload | None:
    """Async twin of :func:`find_existing`."""
    return await afind_upload(client, index_id, **source.facts())


async def aclassify(inputs: Any) -> list[Source]:
    """:func:`classify` in a worker thread (it stats and hashes files)."""
    return await asyncio.to_thread(classify, inputs)


class _NoBar:
    """Stands in for a progress bar that is not shown (tqdm is not even imported then)."""

    def update(self, n: int = 1) -> None:
        pass

    def set_postfix_str(self, s: str = "", refresh: bool = True) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int, enabled: bool) -> Any:
    """A tqdm bar when one is shown: the notebook widget when ipywidgets is installed, else the text bar.

    ``tqdm.auto`` in a Jupyter kernel without ipywidgets warns "IProgress not found" as soon as it is
    imported, so it is only imported when the widget can work.
    """
    if not enabled or total == 0:
        return _NoBar()
    import importlib.util

    if importlib.util.find_spec("ipywidgets") is not None:
        from tqdm.auto import tqdm
    else:
        from tqdm.std import tqdm
    return tqdm(total=total, desc="Indexing videos", unit="video", leave=False)
