"""Load videos as LangChain Documents: upload/index them, then describe them with Pegasus and transcripts."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from langchain_core.document_loaders import BaseLoader
from langchain_core.documents import Document
from pydantic import SecretStr

from twelvelabs_rag import LazyClients
from twelvelabs_rag.analyze_answer import whole_answer
from twelvelabs_rag.bulk import amap_bounded, map_bounded
from twelvelabs_rag.dedupe import afind_upload, find_upload
from twelvelabs_rag.flow import AssetIds, Flow, choose_flow
from twelvelabs_rag.ingest_assets import aingest_asset, ingest_asset
from twelvelabs_rag.knowledge_ingest import KnowledgeStoreTarget, check_target
from twelvelabs_rag.media_inputs import is_url
from twelvelabs_rag.moments import (
    clip_id,
    dedupe_metadata,
    file_sha256,
    format_transcript,
    parse_timestamped,
)

from ._utils import progress_bar

__all__ = ["TwelveLabsVideoLoader", "DEFAULT_PROMPT", "DEFAULT_INDEX_MODELS", "parse_timestamped_lines"]

DEFAULT_PROMPT = (
    "Describe this video as a list of scenes in time order. Write one line per scene in the form "
    "[mm:ss-mm:ss] what happens and what is said, covering the whole video."
)
#: The models of a new index on the current flow: Marengo 3.0 only (Pegasus 1.5 analyzes the assets).
#: ``api_shape="classic"`` creates ``twelvelabs_rag.flow.CLASSIC.index_models`` instead.
DEFAULT_INDEX_MODELS: list[dict[str, Any]] = choose_flow("current").index_models
#: The time ranges of a Pegasus description (``twelvelabs_rag.moments.parse_timestamped``).
parse_timestamped_lines = parse_timestamped

@dataclass
class _Item:
    source: str
    kind: Literal["file", "url", "video_id"]
    video_id: str | None = None
    asset_id: str | None = None


class TwelveLabsVideoLoader(BaseLoader):
    """Index videos on TwelveLabs and load one Document per video (or per timestamped segment).

    Setup:
        ```bash
        pip install -U "langchain-twelvelabs[progress]"
        export TWELVELABS_API_KEY="tlk_..."
        ```

    Key init args:
        sources: local video paths and/or http(s) URLs to upload (skipped when already indexed:
            same filename and size, or same content hash / URL in ``user_metadata``:
            ``tlrag_sha256`` / ``tlrag_source_url``, the keys of ``twelvelabs_rag.moments``; a task
            still indexing the same file is waited for, not uploaded again: ``twelvelabs_rag.dedupe``).
        video_ids: videos already in the index.
        index_id: the index to use; without it an index is created from ``models`` (once).
        api_shape: ``"current"`` (default for a new index: assets + indexed assets, Pegasus 1.5 on the
            asset) or ``"classic"`` (``/tasks``, Pegasus 1.2 by ``video_id``); an existing index
            decides by its models. On the current flow local files of any size go through
            ``client.assets.upload`` (multipart with resume) and URLs become assets by URL; a file
            already uploaded (same hash, or same name and size), even still processing, is reused
            (``twelvelabs_rag.dedupe.find_asset_upload``), and Documents carry ``asset_id``.
        content: ``"analyze"`` (Pegasus, with ``prompt``), ``"transcript"`` or ``"both"`` (default;
            Pegasus is skipped on an index without a Pegasus model).
        mode: ``"video"`` (one Document per video) or ``"segments"`` (one per timestamped chunk).
        max_concurrency, timeout, poll_interval, show_progress: upload behaviour.
        preflight: check every local file against the API's limits before uploading any (default on).
        target: ``"index"`` (default) or ``"knowledge_store"``: also add each video's asset to the hosted
            store ``knowledge_store_id`` (created, named ``index_name``, when not given; then read
            ``loader.knowledge_store_id``), waiting until the item is ready; Documents gain
            ``knowledge_store_id``, ``item_id`` and ``asset_id``. One call builds the store from local files.

    Instantiate:
        ```python
        from langchain_twelvelabs import TwelveLabsVideoLoader

        loader = TwelveLabsVideoLoader(["talks/keynote.mp4", "https://example.com/demo.mp4"], index_id="idx_123")
        ```

    Load:
        ```python
        for doc in loader.lazy_load():
            doc.metadata  # {'video_id', 'index_id', 'filename', 'duration', 'width', 'height', 'source'}
        segments = TwelveLabsVideoLoader(video_ids=["vid_1"], index_id="idx_123", mode="segments").load()
        ```

    Async:
        ```python
        docs = [doc async for doc in loader.alazy_load()]
        ```
    """

    def __init__(
        self,
        sources: str | Path | Sequence[str | Path] = (),
        *,
        video_ids: Sequence[str] = (),
        index_id: str | None = None,
        index_name: str = "langchain-twelvelabs",
        models: list[dict[str, Any]] | None = None,
        api_shape: Literal["current", "classic"] | None = None,
        content: Literal["analyze", "transcript", "both"] = "both",
        mode: Literal["video", "segments"] = "video",
        prompt: str = DEFAULT_PROMPT,
        temperature: float | None = None,
        max_concurrency: int = 4,
        timeout: float | None = 3600.0,
        poll_interval: float | None = None,
        show_progress: bool = True,
        skip_existing: bool = True,
        preflight: bool = True,
        user_metadata: dict[str, Any] | None = None,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        client: Any = None,
        async_client: Any = None,
        target: Literal["index", "knowledge_store"] = "index",
        knowledge_store_id: str | None = None,
    ) -> None:
        check_target(target, knowledge_store_id)
        if content not in ("analyze", "transcript", "both"):
            raise ValueError(f"content must be 'analyze', 'transcript' or 'both' (got {content!r})")
        if mode not in ("video", "segments"):
            raise ValueError(f"mode must be 'video' or 'segments' (got {mode!r})")
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be >= 1")
        raw = [sources] if isinstance(sources, (str, Path)) else list(sources)
        self.items = [_Item(str(s), "url" if is_url(s) else "file") for s in raw]
        self.items += [_Item(v, "video_id", video_id=v) for v in video_ids]
        if not self.items:
            raise ValueError("Nothing to load: pass sources (paths/URLs) and/or video_ids")
        if video_ids and index_id is None:
            raise ValueError("video_ids need the index they belong to: pass index_id=...")
        self.index_id, self.index_name = index_id, index_name
        self.api_shape = api_shape
        self._flow: Flow | None = None if index_id is not None else choose_flow(api_shape, index_models=models)
        self.models = models or (self._flow or choose_flow(api_shape)).index_models
        self._asset_ids = AssetIds()
        self.content, self.mode, self.prompt, self.temperature = content, mode, prompt, temperature
        self.max_concurrency, self.timeout, self.poll_interval = max_concurrency, timeout, poll_interval
        self.show_progress, self.skip_existing, self.preflight = show_progress, skip_existing, preflight
        self.user_metadata = dict(user_metadata or {})
        self._store = (KnowledgeStoreTarget(knowledge_store_id, index_name, timeout, poll_interval)
                       if target == "knowledge_store" else None)
        key = SecretStr(api_key) if isinstance(api_key, str) else api_key
        self._clients = LazyClients(key, base_url=base_url, client=client, async_client=async_client,
                                    owner=type(self).__name__)
        self._lock = threading.Lock()
        self._pegasus: bool | None = None if index_id is not None else (
            self._flow is not None and self._flow.analyze_by == "video"
        ) or any(str(m.get("model_name", "")).startswith("pegasus") for m in self.models)

    def close(self) -> None:
        """Close the sync client this loader built from its settings (a ``client`` you passed in stays yours).

        Async clients it built close when their event loop shuts down, or earlier with :meth:`aclose`.
        """
        self._clients.close()

    async def aclose(self) -> None:
        """Close the async client this loader built for the running event loop (a given one stays yours)."""
        await self._clients.aclose()

    @property
    def knowledge_store_id(self) -> str | None:
        """The store videos are added to (``target="knowledge_store"``; set once created)."""
        return self._store.knowledge_store_id if self._store is not None else None

    def __repr__(self) -> str:
        return f"TwelveLabsVideoLoader(items={len(self.items)}, index_id={self.index_id!r}, mode={self.mode!r})"

    # --- planning (pure) -------------------------------------------------------------------
    def _check_files(self) -> None:
        """Fail before any upload: every local file must exist and pass the API's limits (preflight)."""
        from twelvelabs_rag import preflight

        for item in self.items:
            if item.kind != "file":
                continue
            path = Path(item.source).expanduser()
            if not path.is_file():
                raise FileNotFoundError(f"Video file not found: {item.source!r}; pass an existing path or a URL")
            if self.preflight:
                preflight(path, kind="video")

    @staticmethod
    def _facts(item: _Item) -> dict[str, Any]:
        """What identifies a source in the index (stats and hashes a local file: blocking)."""
        if item.kind == "url":
            return {"url": item.source}
        path = Path(item.source).expanduser()
        return {"filename": path.name, "size": path.stat().st_size, "sha256": file_sha256(path)}

    def _wait_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"timeout": self.timeout}
        if self.poll_interval is not None:
            kwargs["poll_interval"] = self.poll_interval
        return kwargs

    def _task_kwargs(self, item: _Item, facts: dict[str, Any]) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"index_id": self.index_id, **self._wait_kwargs()}
        if item.kind == "url":
            kwargs["url"] = item.source
        else:
            kwargs["file"] = Path(item.source).expanduser()
        mark = dedupe_metadata(url=facts["url"]) if item.kind == "url" else dedupe_metadata(sha256=facts["sha256"])
        kwargs["user_metadata"] = {**self.user_metadata, **mark}
        return kwargs

    def _progress(self, total: int) -> Any:
        return progress_bar(total, "Indexing videos", "video") if self.show_progress else None

    def _bytes(self, bar: Any) -> Any:
        """``assets.upload(on_progress=...)``: the bytes sent so far, on the bar's postfix."""
        if bar is None:
            return None

        def show(progress: Any) -> None:
            with self._lock:
                bar.set_postfix_str(f"{progress.bytes_sent >> 20}/{progress.total_bytes >> 20} MiB", refresh=True)

        return show

    def _ingest_kwargs(self, item: _Item, bar: Any) -> dict[str, Any]:
        return {"user_metadata": self.user_metadata, "skip_existing": self.skip_existing,
                "timeout": self.timeout, "poll_interval": self.poll_interval, "on_progress": self._bytes(bar)}

    def _analyze_kwargs(self, item: _Item) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"prompt": self.prompt}
        if self.temperature is not None:
            kwargs["temperature"] = self.temperature
        if self._flow is not None and self._flow.analyze_by == "video":
            return {**kwargs, "video": {"type": "asset_id", "asset_id": item.asset_id},
                    "model_name": self._flow.pegasus}
        return {**kwargs, "video_id": item.video_id}

    def _tick(self, bar: Any) -> None:
        if bar is not None:
            with self._lock:
                bar.update(1)

    # --- documents (pure) -------------------------------------------------------------------
    def _documents(self, item: _Item, video: Any, analysis: str | None) -> list[Document]:
        meta = video.system_metadata
        base = {
            "video_id": video.id,
            "index_id": self.index_id,
            "filename": getattr(meta, "filename", None),
            "duration": getattr(meta, "duration", None),
            "width": getattr(meta, "width", None),
            "height": getattr(meta, "height", None),
            "source": item.source,
        }
        if item.asset_id is not None:
            base["asset_id"] = item.asset_id
        lines = list(video.transcription or [])
        if self.mode == "segments":
            chunks: list[tuple[float, float, str, str]] = []
            if analysis:
                chunks += [(s, e, t, "analysis") for s, e, t in parse_timestamped(analysis)]
            chunks += [(ln.start, ln.end, ln.value.strip(), "transcript") for ln in lines if ln.value.strip()]
            chunks.sort(key=lambda c: (c[0], c[1]))
            return [
                Document(
                    page_content=text,
                    metadata={**base, "start": float(s), "end": float(e), "kind": kind},
                    id=f"{clip_id(video.id, s, e)}:{kind}:{i}",
                )
                for i, (s, e, text, kind) in enumerate(chunks)
            ]
        parts = []
        if analysis:
            parts.append(analysis.strip())
        spoken = format_transcript(lines)
        if spoken:
            parts.append(f"Transcript:\n{spoken}" if analysis else spoken)
        text = "\n\n".join(parts) or f"Video {base['filename'] or video.id} (no description or speech found)."
        return [Document(page_content=text, metadata=base, id=video.id)]

    def _wants(self, what: str) -> bool:
        return self.content in (what, "both")

    def _pending(self) -> list[_Item]:
        """Sources still to resolve, once each (a path or URL given twice is uploaded once)."""
        seen: dict[tuple[str, str], _Item] = {}
        for item in self.items:
            if item.kind != "video_id" and item.video_id is None:
                seen.setdefault((item.kind, item.source), item)
        return list(seen.values())

    def _propagate(self) -> None:
        done = {(i.kind, i.source): (i.video_id, i.asset_id) for i in self.items if i.video_id is not None}
        for item in self.items:
            if item.video_id is None:
                item.video_id, item.asset_id = done.get((item.kind, item.source), (None, None))

    def _analyze_wanted(self, index: Any) -> bool:
        """``content="both"`` skips Pegasus on an index without a Pegasus model; ``"analyze"`` always asks."""
        if self.content == "transcript":
            return False
        if self.content == "analyze" or (self._flow is not None and self._flow.analyze_by == "video"):
            return True
        if self._pegasus is None:
            self._pegasus = any(m.model_name.startswith("pegasus") for m in index.models)
        return self._pegasus

    # --- sync ----------------------------------------------------------------------------------
    def _ensure_index(self, client: Any) -> None:
        if self.index_id is None:
            self.index_id = client.indexes.create(index_name=self.index_name, models=self.models).id
        elif self._flow is None:
            self._flow = choose_flow(self.api_shape, index=client.indexes.retrieve(self.index_id))

    def _upload_all(self, client: Any) -> None:
        pending = self._pending()
        if not pending:
            return
        bar = self._progress(len(pending))

        def one(item: _Item) -> None:
            facts = self._facts(item)
            if self._flow is not None and self._flow.ingest == "assets":
                done = ingest_asset(client, str(self.index_id), item.source, facts, **self._ingest_kwargs(item, bar))
                item.video_id, item.asset_id = done.video_id, done.asset_id
                self._tick(bar)
                return
            if self.skip_existing:
                found = find_upload(client, str(self.index_id), **facts)
                if found is not None and found.in_progress:  # uploaded before; its task is still running
                    item.video_id = client.tasks.wait(str(found.task_id), **self._wait_kwargs()).video_id
                elif found is not None:
                    item.video_id = found.video_id
            if item.video_id is None:
                task = client.tasks.create_and_wait(**self._task_kwargs(item, facts))
                item.video_id = task.video_id
            self._tick(bar)

        try:
            map_bounded(client, pending, one, max_concurrency=self.max_concurrency)
        finally:
            if bar is not None:
                bar.close()

    def lazy_load(self) -> Iterator[Document]:
        """Upload what is missing (concurrently), then yield the Documents video by video."""
        self._check_files()
        client = self._clients.sync
        self._ensure_index(client)
        self._upload_all(client)
        self._propagate()
        index = client.indexes.retrieve(str(self.index_id)) if self._pegasus is None and self.content == "both" else None
        analyze = self._analyze_wanted(index)
        current = self._flow is not None and self._flow.ingest == "assets"
        for item in self.items:
            if current and item.asset_id is None:
                item.asset_id = self._asset_ids.resolve(client, str(self.index_id), str(item.video_id))
            videos = client.indexes.indexed_assets if current else client.indexes.videos
            video = videos.retrieve(str(self.index_id), str(item.video_id), transcription=self._wants("transcript"))
            analysis = whole_answer(client.analyze(**self._analyze_kwargs(item))).data if analyze else None
            extra = self._store.add(client, video) if self._store is not None else {}
            for doc in self._documents(item, video, analysis):
                doc.metadata.update(extra)
                yield doc

    # --- async ---------------------------------------------------------------------------------
    async def _aupload_all(self, client: Any) -> None:
        pending = self._pending()
        if not pending:
            return
        bar = self._progress(len(pending))

        async def one(item: _Item) -> None:
            facts = await asyncio.to_thread(self._facts, item) if item.kind == "file" else self._facts(item)
            if self._flow is not None and self._flow.ingest == "assets":
                done = await aingest_asset(client, str(self.index_id), item.source, facts,
                                           **self._ingest_kwargs(item, bar))
                item.video_id, item.asset_id = done.video_id, done.asset_id
                self._tick(bar)
                return
            if self.skip_existing:
                found = await afind_upload(client, str(self.index_id), **facts)
                if found is not None and found.in_progress:  # uploaded before; its task is still running
                    item.video_id = (await client.tasks.wait(str(found.task_id), **self._wait_kwargs())).video_id
                elif found is not None:
                    item.video_id = found.video_id
            if item.video_id is None:
                task = await client.tasks.create_and_wait(**self._task_kwargs(item, facts))
                item.video_id = task.video_id
            self._tick(bar)

        try:
            await amap_bounded(client, pending, one, max_concurrency=self.max_concurrency)
        finally:
            if bar is not None:
                bar.close()

    async def alazy_load(self) -> AsyncIterator[Document]:
        """Async twin of :meth:`lazy_load` (real async calls through ``AsyncTwelveLabs``)."""
        await asyncio.to_thread(self._check_files)
        client = self._clients.aio
        if self.index_id is None:
            self.index_id = (await client.indexes.create(index_name=self.index_name, models=self.models)).id
        elif self._flow is None:
            self._flow = choose_flow(self.api_shape, index=await client.indexes.retrieve(self.index_id))
        await self._aupload_all(client)
        self._propagate()
        index = await client.indexes.retrieve(self.index_id) if self._pegasus is None and self.content == "both" else None
        analyze = self._analyze_wanted(index)
        current = self._flow is not None and self._flow.ingest == "assets"
        for item in self.items:
            if current and item.asset_id is None:
                item.asset_id = await self._asset_ids.aresolve(client, str(self.index_id), str(item.video_id))
            videos = client.indexes.indexed_assets if current else client.indexes.videos
            video = await videos.retrieve(str(self.index_id), str(item.video_id), transcription=self._wants("transcript"))
            analysis = whole_answer(await client.analyze(**self._analyze_kwargs(item))).data if analyze else None
            extra = await self._store.aadd(client, video) if self._store is not None else {}
            for doc in self._documents(item, video, analysis):
                doc.metadata.update(extra)
                yield doc
