"""``TwelveLabsVideoReader``: index videos on TwelveLabs and read them back as Documents.

Example (offline, against the bundled emulator)::

    import tempfile, pathlib
    from twelvelabs_rag.testing import FakeTwelveLabs
    from twelvelabs_rag.testing.samples import make_clip
    from llama_index.readers.twelvelabs import TwelveLabsVideoReader

    fake = FakeTwelveLabs(task_statuses=("ready",))  # the emulator indexes instantly
    client = fake.client()
    index = client.indexes.create(index_name="demo", models=[
        {"model_name": "marengo2.7", "model_options": ["visual", "audio"]},
        {"model_name": "pegasus1.2", "model_options": ["visual", "audio"]}])
    clip = make_clip(pathlib.Path(tempfile.mkdtemp()) / "fox.mp4", "[0-4] a red fox runs through snow")
    reader = TwelveLabsVideoReader(index_id=index.id, client=client, show_progress=False)
    docs = reader.load_data([clip])
    print(docs[0].metadata["filename"], docs[0].text[:60])
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any, Literal

from llama_index.core.bridge.pydantic import Field, PrivateAttr, SecretStr
from llama_index.core.readers.base import BasePydanticReader
from llama_index.core.schema import Document

from twelvelabs_rag import AsyncTwelveLabs, LazyClients, TwelveLabs
from twelvelabs_rag.bulk import amap_bounded, map_bounded
from twelvelabs_rag.flow import AssetIds, Flow, choose_flow
from twelvelabs_rag.ingest_assets import aingest_asset, ingest_asset
from twelvelabs_rag.knowledge_ingest import KnowledgeStoreTarget, check_target

from ._content import DEFAULT_PROMPT, VideoContent, documents_for
from ._ingest import Source, _progress, aclassify, afind_existing, classify, find_existing, preflight_all

__all__ = ["TwelveLabsVideoReader", "DEFAULT_PROMPT"]

SourcesArg = str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None


class TwelveLabsVideoReader(BasePydanticReader):
    """Upload videos to a TwelveLabs index (or use indexed ones) and read them as Documents.

    Inputs: local paths and/or ``http(s)`` URLs (``sources``) and/or ids of videos already in the
    index (``video_ids``). New files are uploaded through indexing tasks, ``max_concurrency`` at a
    time, after a preflight of every local file (nothing is uploaded if one fails), with a tqdm
    progress bar (``show_progress=False`` silences it) and a per-task ``timeout``. A file already in
    the index (same filename and size, or the same sha256 in ``user_metadata["tlrag_sha256"]``) is
    not uploaded again; a URL already indexed (``user_metadata["tlrag_source_url"]``) neither; a file
    whose earlier upload is still indexing is waited for (``twelvelabs_rag.dedupe.find_upload``).

    Flow: the index's models decide (``api_shape=`` to insist). On a current (Marengo 3.0) index new
    sources become assets (local files of any size through ``client.assets.upload``, multipart with
    resume; URLs by URL), then indexed assets; a file already uploaded (same hash, or same name and
    size), even still processing, is reused (``twelvelabs_rag.dedupe.find_asset_upload``); the analysis is
    Pegasus 1.5 on the asset and Documents carry ``asset_id``.

    Content: ``content="both"`` (default: Pegasus analysis with ``prompt``, by default a timestamped
    description, followed by the transcript), ``"analyze"`` or ``"transcript"``. ``mode="video"`` gives one Document per video;
    ``mode="segments"`` one per timestamped chunk (description lines and transcript lines) with
    ``start``/``end``. Metadata: ``video_id``, ``index_id``, ``filename``, ``duration``, ``width``,
    ``height``, ``source``.

    ``target="knowledge_store"`` (with ``knowledge_store_id=``, or a store is created and its id set
    on the reader) also adds each video's asset to a hosted knowledge store, waiting until the item is
    ready: one call builds the store from local files. Documents gain ``knowledge_store_id``,
    ``item_id`` and ``asset_id``.

    Example:
        ```python
        reader = TwelveLabsVideoReader(index_id="<index with pegasus>", content="both")
        docs = reader.load_data(["talk.mp4", "https://example.com/demo.mp4"], video_ids=["<id>"])
        ```
    """

    is_remote: bool = True
    index_id: str = Field(description="Index the videos are (or will be) in; it needs Pegasus for content='analyze'.")
    content: Literal["analyze", "transcript", "both"] = "both"
    mode: Literal["video", "segments"] = "video"
    prompt: str = Field(default=DEFAULT_PROMPT, min_length=1)
    temperature: float | None = Field(default=None, ge=0.0, le=1.0)
    max_tokens: int | None = Field(default=None, gt=0)
    max_concurrency: int = Field(default=4, gt=0, le=32)
    show_progress: bool = True
    timeout: float | None = Field(default=3600.0, gt=0, description="Seconds to wait for each indexing task.")
    poll_interval: float | None = Field(default=None, ge=0, description="Seconds between task polls (client default).")
    skip_existing: bool = True
    preflight: bool = Field(default=True, description="Check every local file against the API limits before uploading any.")
    user_metadata: dict[str, Any] | None = Field(default=None, description="Extra user_metadata for new uploads.")
    enable_video_stream: bool | None = None
    api_shape: Literal["current", "classic"] | None = None
    api_key: SecretStr | None = Field(default=None, exclude=True, repr=False)
    base_url: str | None = None
    target: Literal["index", "knowledge_store"] = Field(
        default="index", description="'knowledge_store': also add each video's asset to a hosted knowledge store.")
    knowledge_store_id: str | None = Field(
        default=None, description="The store for target='knowledge_store' (created, named after the index, if not given).")

    _clients: LazyClients = PrivateAttr()
    _store: KnowledgeStoreTarget | None = PrivateAttr(default=None)
    _flow: Flow | None = PrivateAttr(default=None)
    _asset_ids: AssetIds = PrivateAttr(default_factory=AssetIds)

    def __init__(
        self,
        index_id: str,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        client: TwelveLabs | None = None,
        async_client: AsyncTwelveLabs | None = None,
        **kwargs: Any,
    ) -> None:
        if not index_id or not isinstance(index_id, str):
            raise ValueError("TwelveLabsVideoReader needs index_id=<id of a TwelveLabs index> (a non-empty string)")
        check_target(kwargs.get("target", "index"), kwargs.get("knowledge_store_id"))
        holder = LazyClients.for_component(
            "TwelveLabsVideoReader", api_key=api_key, base_url=base_url, client=client, async_client=async_client
        )
        super().__init__(index_id=index_id, api_key=holder.api_key, base_url=holder.base_url, **kwargs)
        self._clients = holder
        if self.target == "knowledge_store":
            self._store = KnowledgeStoreTarget(self.knowledge_store_id, f"llama-index {index_id}", self.timeout,
                                               self.poll_interval)

    def _with(self, docs: Any, extra: dict[str, Any]) -> Any:
        """The Documents with the knowledge-store metadata (``target="knowledge_store"``) added."""
        if self._store is not None:
            self.knowledge_store_id = self._store.knowledge_store_id  # set once the store was created
        for doc in docs:
            doc.metadata.update(extra)
            yield doc

    @classmethod
    def class_name(cls) -> str:
        return "TwelveLabsVideoReader"

    def close(self) -> None:
        """Close the sync client this object built from the key (clients you passed in stay open)."""
        self._clients.close()

    async def aclose(self) -> None:
        """Close the async client this object built for the running loop."""
        await self._clients.aclose()

    # ------------------------------------------------------------------ shared
    @staticmethod
    def _check_ids(video_ids: Sequence[str] | None) -> list[str]:
        if video_ids is None:
            return []
        if isinstance(video_ids, str):
            video_ids = [video_ids]
        ids = [v for v in video_ids]
        if any(not isinstance(v, str) or not v for v in ids):
            raise TypeError("video_ids must be a list of non-empty video id strings")
        return list(dict.fromkeys(ids))

    def _create_kwargs(self, source: Source) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "index_id": self.index_id,
            "user_metadata": {**(self.user_metadata or {}), **source.user_metadata()},
        }
        if source.path is not None:
            kwargs["file"] = source.path
        else:
            kwargs["url"] = source.url
        if self.enable_video_stream is not None:
            kwargs["enable_video_stream"] = self.enable_video_stream
        if not self.preflight:
            kwargs["preflight"] = False
        return kwargs

    def _preflight_check(self) -> Any:
        if not self.preflight:
            return None
        from twelvelabs_rag import preflight

        return lambda path: preflight(path, kind="video")

    def _current(self) -> bool:
        return self._flow is not None and self._flow.ingest == "assets"

    def _ingest_kwargs(self, bar: Any, source: Source) -> dict[str, Any]:
        def report(progress: Any) -> None:
            bar.set_postfix_str(f"{source.filename}: {progress.bytes_sent >> 20}/{progress.total_bytes >> 20} MiB",
                                refresh=False)

        return {"user_metadata": self.user_metadata, "skip_existing": self.skip_existing, "timeout": self.timeout,
                "poll_interval": self.poll_interval, "on_progress": report}

    def _ingested(self, source: Source, done: Any) -> None:
        source.video_id, source.uploaded = done.video_id, not done.reused
        self._asset_ids.put(self.index_id, done.video_id, done.asset_id)

    def _analyze_kwargs(self, video_id: str) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"video_id": video_id, "prompt": self.prompt}
        if self._current():
            asset_id = self._asset_ids.get(self.index_id, video_id)
            kwargs = {"video": {"type": "asset_id", "asset_id": asset_id}, "prompt": self.prompt,
                      "model_name": self._flow.pegasus}  # type: ignore[union-attr]
        if self.temperature is not None:
            kwargs["temperature"] = self.temperature
        if self.max_tokens is not None:
            kwargs["max_tokens"] = self.max_tokens
        return kwargs

    def _content(self, video_id: str, source: str, video: Any, analysis: Any) -> VideoContent:
        meta = video.system_metadata
        return VideoContent(
            video_id=video_id,
            index_id=self.index_id,
            source=source,
            filename=meta.filename if meta else None,
            duration=meta.duration if meta else None,
            width=meta.width if meta else None,
            height=meta.height if meta else None,
            analysis=analysis.data if analysis is not None else None,
            transcript=list(video.transcription or []) if self.content != "analyze" else None,
            asset_id=self._asset_ids.get(self.index_id, video_id) if self._current() else None,
        )

    def _targets(self, sources: list[Source], video_ids: list[str]) -> list[tuple[str, str]]:
        out = [(s.video_id, s.raw) for s in sources if s.video_id]
        out += [(v, "video_id") for v in video_ids]
        return list({v: (v, src) for v, src in out}.values())

    @staticmethod
    def _nothing_to_load(items: list[Source], ids: list[str]) -> None:
        if not items and not ids:
            raise ValueError("nothing to load: pass sources=[paths or URLs] and/or video_ids=[...]")

    def _wait_kwargs(self, bar: Any, source: Source) -> dict[str, Any]:
        def report(task: Any) -> None:
            bar.set_postfix_str(f"{source.filename}: {task.status}", refresh=False)

        kwargs: dict[str, Any] = {"timeout": self.timeout, "on_progress": report}
        if self.poll_interval is not None:
            kwargs["poll_interval"] = self.poll_interval
        return kwargs

    def _to_store(self, video_id: str) -> dict[str, Any]:
        """Add the indexed video's asset to the knowledge store (``target="knowledge_store"``): its metadata."""
        assert self._store is not None
        client = self._clients.sync
        return self._store.add(client, client.indexes.videos.retrieve(self.index_id, video_id))

    async def _ato_store(self, video_id: str) -> dict[str, Any]:
        assert self._store is not None
        client = self._clients.aio
        return await self._store.aadd(client, await client.indexes.videos.retrieve(self.index_id, video_id))

    # ------------------------------------------------------------------ sync
    def _index_sync(self, sources: list[Source]) -> None:
        client = self._clients.sync
        if self._flow is None:
            self._flow = choose_flow(self.api_shape, index=client.indexes.retrieve(self.index_id))
        if self._current():
            preflight_all(sources, self._preflight_check())
            bar = _progress(len(sources), self.show_progress)

            def ingest(source: Source) -> None:
                done = ingest_asset(client, self.index_id, source.path or str(source.url), source.facts(),
                                    **self._ingest_kwargs(bar, source))
                self._ingested(source, done)
                bar.update(1)

            try:
                map_bounded(client, sources, ingest, max_concurrency=self.max_concurrency)
            finally:
                bar.close()
            return
        if self.skip_existing:
            for source in sources:
                source.found(find_existing(client, self.index_id, source))
        todo = [s for s in sources if s.video_id is None]
        preflight_all([s for s in todo if s.task_id is None], self._preflight_check())
        bar = _progress(len(todo), self.show_progress)

        def upload(source: Source) -> None:
            if source.task_id is not None:  # uploaded by an earlier call; its task is still indexing
                task = client.tasks.wait(source.task_id, **self._wait_kwargs(bar, source))
                source.video_id = task.video_id
            else:
                created = client.tasks.create(**self._create_kwargs(source))
                task = client.tasks.wait(created.id, **self._wait_kwargs(bar, source))
                source.video_id, source.uploaded = task.video_id or created.video_id, True
            bar.update(1)

        try:
            map_bounded(client, todo, upload, max_concurrency=self.max_concurrency)
        finally:
            bar.close()

    def _read_sync(self, video_id: str, source: str) -> VideoContent:
        client = self._clients.sync
        need_transcript = self.content != "analyze"
        if self._current():
            self._asset_ids.resolve(client, self.index_id, video_id)
        videos = client.indexes.indexed_assets if self._current() else client.indexes.videos
        video = videos.retrieve(self.index_id, video_id, transcription=need_transcript)
        analysis = client.analyze(**self._analyze_kwargs(video_id)) if self.content != "transcript" else None
        return self._content(video_id, source, video, analysis)

    def lazy_load_data(
        self, sources: SourcesArg = None, *, video_ids: Sequence[str] | None = None, **_: Any
    ) -> Iterator[Document]:
        """Index what is new, then yield Documents video by video (analysis runs as you iterate)."""
        ids = self._check_ids(video_ids)
        items = classify(sources)
        self._nothing_to_load(items, ids)
        self._index_sync(items)
        for video_id, source in self._targets(items, ids):
            extra = self._to_store(video_id) if self._store else {}
            yield from self._with(documents_for(self._read_sync(video_id, source), mode=self.mode), extra)

    def load_data(
        self, sources: SourcesArg = None, *, video_ids: Sequence[str] | None = None, **kwargs: Any
    ) -> list[Document]:
        """Index what is new and return the Documents of every requested video."""
        return list(self.lazy_load_data(sources, video_ids=video_ids, **kwargs))

    # ------------------------------------------------------------------ async
    async def _index_async(self, sources: list[Source]) -> None:
        client = self._clients.aio
        if self._flow is None:
            self._flow = choose_flow(self.api_shape, index=await client.indexes.retrieve(self.index_id))
        if self._current():
            await asyncio.to_thread(preflight_all, sources, self._preflight_check())
            bar = _progress(len(sources), self.show_progress)

            async def ingest(source: Source) -> None:
                done = await aingest_asset(client, self.index_id, source.path or str(source.url), source.facts(),
                                           **self._ingest_kwargs(bar, source))
                self._ingested(source, done)
                bar.update(1)

            try:  # one failure stops the others: no upload is left running
                await amap_bounded(client, sources, ingest, max_concurrency=self.max_concurrency)
            finally:
                bar.close()
            return
        if self.skip_existing:
            found = await asyncio.gather(*(afind_existing(client, self.index_id, s) for s in sources))
            for source, existing in zip(sources, found, strict=True):
                source.found(existing)
        todo = [s for s in sources if s.video_id is None]
        await asyncio.to_thread(preflight_all, [s for s in todo if s.task_id is None], self._preflight_check())
        bar = _progress(len(todo), self.show_progress)

        async def upload(source: Source) -> None:
            if source.task_id is not None:  # uploaded by an earlier call; its task is still indexing
                task = await client.tasks.wait(source.task_id, **self._wait_kwargs(bar, source))
                source.video_id = task.video_id
            else:
                created = await client.tasks.create(**self._create_kwargs(source))
                task = await client.tasks.wait(created.id, **self._wait_kwargs(bar, source))
                source.video_id, source.uploaded = task.video_id or created.video_id, True
            bar.update(1)

        try:
            await amap_bounded(client, todo, upload, max_concurrency=self.max_concurrency)
        finally:
            bar.close()

    async def _aprepare(self, sources: SourcesArg, video_ids: Sequence[str] | None) -> list[tuple[str, str]]:
        """Check the inputs, index what is new, and return the ``(video_id, source)`` pairs to read."""
        ids = self._check_ids(video_ids)
        items = await aclassify(sources)
        self._nothing_to_load(items, ids)
        await self._index_async(items)
        return self._targets(items, ids)

    async def _read_async(self, video_id: str, source: str) -> VideoContent:
        client = self._clients.aio
        need_transcript = self.content != "analyze"
        if self._current():
            await self._asset_ids.aresolve(client, self.index_id, video_id)
        videos = client.indexes.indexed_assets if self._current() else client.indexes.videos
        retrieve = videos.retrieve(self.index_id, video_id, transcription=need_transcript)
        if self.content == "transcript":
            return self._content(video_id, source, await retrieve, None)
        video, analysis = await asyncio.gather(retrieve, client.analyze(**self._analyze_kwargs(video_id)))
        return self._content(video_id, source, video, analysis)

    async def alazy_load_data(  # type: ignore[override]
        self, sources: SourcesArg = None, *, video_ids: Sequence[str] | None = None, **_: Any
    ) -> AsyncIterator[Document]:
        """Async twin of :meth:`lazy_load_data` (an async generator)."""
        targets = await self._aprepare(sources, video_ids)
        for video_id, source in targets:
            extra = await self._ato_store(video_id) if self._store else {}
            for doc in self._with(documents_for(await self._read_async(video_id, source), mode=self.mode), extra):
                yield doc

    async def aload_data(
        self, sources: SourcesArg = None, *, video_ids: Sequence[str] | None = None, **kwargs: Any
    ) -> list[Document]:
        """Async twin of :meth:`load_data`; videos are read ``max_concurrency`` at a time."""
        targets = await self._aprepare(sources, video_ids)
        contents = await amap_bounded(self._clients.aio, targets, lambda t: self._read_async(*t),
                                      max_concurrency=self.max_concurrency)
        extras = [await self._ato_store(v) if self._store else {}
                  for v, _ in targets]  # one at a time: the store is created once and items de-duplicated
        return [doc for c, extra in zip(contents, extras, strict=True)
                for doc in self._with(documents_for(c, mode=self.mode), extra)]
