"""``TwelveLabsRetriever``: a LlamaIndex retriever backed by TwelveLabs ``search``.

Example (offline, against the bundled emulator)::

    import tempfile, pathlib
    from twelvelabs_rag.testing import FakeTwelveLabs
    from twelvelabs_rag.testing.samples import make_clip
    from llama_index.retrievers.twelvelabs import TwelveLabsRetriever

    fake = FakeTwelveLabs(task_statuses=("ready",))  # the emulator indexes instantly
    client = fake.client()
    index = client.indexes.create(index_name="demo", models=[{"model_name": "marengo2.7", "model_options": ["visual", "audio"]}])
    clip = make_clip(pathlib.Path(tempfile.mkdtemp()) / "fox.mp4", "[0-4] a red fox runs through snow\\n[4-8] a dog sleeps")
    client.tasks.create_and_wait(index_id=index.id, file=clip)
    retriever = TwelveLabsRetriever(index.id, client=client, similarity_top_k=2)
    print(retriever.retrieve("fox in the snow")[0].node.metadata["start"])
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from typing import Any

from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.callbacks import CallbackManager
from llama_index.core.schema import NodeRelationship, NodeWithScore, QueryBundle, RelatedNodeInfo, TextNode

from twelvelabs_rag import AsyncTwelveLabs, InvalidRequestError, LazyClients, NotFoundError, TwelveLabs
from twelvelabs_rag.entity_query import afind_entity, find_entity, with_mention
from twelvelabs_rag.flow import AssetIds, Flow, choose_flow
from twelvelabs_rag.media_inputs import is_url
from twelvelabs_rag.moments import AsyncTranscriptCache, TranscriptCache, clip_id, format_timestamp, public_metadata
from twelvelabs_rag.types import SearchClip, SearchItem

__all__ = ["TwelveLabsRetriever", "clip_node_id"]

_LLM_HIDDEN = ["index_id", "thumbnail_url", "score", "rank", "confidence", "user_metadata", "asset_id",
               "score_kind", "api_shape"]
#: A hit whose video has no asset (uploaded through ``/tasks``): its node keeps asset_id=None.
_NO_ASSET = (NotFoundError, InvalidRequestError)


def clip_node_id(video_id: str, start: float, end: float) -> str:
    """Node id of a clip: unique per (video_id, start, end), stable across queries.

    It is ``twelvelabs_rag.moments.clip_id``, the id langchain-twelvelabs gives the clip's Document.

    Example:
        ```python
        assert clip_node_id("v1", 8, 12.5) == "v1@8.000-12.500"
        ```
    """
    return clip_id(video_id, start, end)


async def _aiterate(result: Any) -> AsyncIterator[Any]:
    """Iterate an async page whether the client returns it directly or behind an awaitable."""
    if not hasattr(result, "__aiter__") and inspect.isawaitable(result):
        result = await result
    async for item in result:
        yield item


class TwelveLabsRetriever(BaseRetriever):
    """Retrieve video clips from a TwelveLabs index with server-side ``search``.

    Each hit becomes a ``NodeWithScore`` holding a ``TextNode`` whose id is unique per
    ``(video_id, start, end)`` (LlamaIndex de-duplicates by node id). The node text is the spoken
    transcript of the clip's time range when there is one (fetched once per video and cached),
    else a readable line naming the video and the time range. Metadata: ``video_id``, ``index_id``,
    ``start``, ``end``, ``score`` (Marengo 2.7) and/or ``rank``, ``thumbnail_url``, ``filename``,
    ``user_metadata``. With Marengo 3.0 (rank only) the node score is ``1 / rank`` and the metadata
    says so: ``score_kind="rank"`` (``"similarity"`` when the API scored the hit). On a current index
    (the index's models decide, or ``api_shape=``) each node also carries the ``asset_id`` of its
    video (``twelvelabs_rag.flow.AssetIds``, cached), so Pegasus can be asked about the moment.

    Marengo 3.0 options: ``search_options`` may include ``"transcription"`` (tuned by
    ``transcription_options``); ``images=[...]`` adds up to 10 query images to every query;
    ``entity="Ana"`` resolves the entity by name once and puts ``<@entity_id>`` before the query.

    Text queries, image queries (``QueryBundle(query_str="", image_path=path_or_url)``) and
    composed text+image queries (Marengo 3.0) are supported. ``aretrieve`` is natively async.

    Example:
        ```python
        retriever = TwelveLabsRetriever("<index id>", similarity_top_k=5, search_options=("visual", "audio"))
        for hit in retriever.retrieve("a goal is scored"):
            print(hit.node.metadata["video_id"], hit.node.metadata["start"], hit.node.text)
        ```
    """

    def __init__(
        self,
        index_id: str,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        client: TwelveLabs | None = None,
        async_client: AsyncTwelveLabs | None = None,
        similarity_top_k: int = 10,
        search_options: Sequence[str] = ("visual", "audio"),
        operator: str | None = None,
        filter: dict[str, Any] | None = None,
        threshold: str | None = None,
        include_user_metadata: bool = True,
        fetch_transcripts: bool = True,
        cache_size: int = 256,
        api_shape: str | None = None,
        transcription_options: Sequence[str] | None = None,
        images: Sequence[str] | None = None,
        entity: str | None = None,
        entity_collection_id: str | None = None,
        callback_manager: CallbackManager | None = None,
        verbose: bool = False,
    ) -> None:
        if not index_id or not isinstance(index_id, str):
            raise ValueError("TwelveLabsRetriever needs the index_id of a TwelveLabs index (a non-empty string)")
        if similarity_top_k < 1:
            raise ValueError(f"similarity_top_k must be >= 1, got {similarity_top_k}")
        if isinstance(search_options, str):
            search_options = (search_options,)
        if not search_options:
            raise ValueError("search_options must name at least one of 'visual', 'audio', 'transcription'")
        self._clients = LazyClients.for_component(
            "TwelveLabsRetriever", api_key=api_key, base_url=base_url, client=client, async_client=async_client
        )
        self.index_id = index_id
        self.similarity_top_k = similarity_top_k
        self.search_options = tuple(search_options)
        self.operator = operator
        self.filter = dict(filter) if filter else None
        self.threshold = threshold
        self.include_user_metadata = include_user_metadata
        self.fetch_transcripts = fetch_transcripts
        self._transcripts = TranscriptCache(maxsize=max(1, cache_size))
        self._atranscripts = AsyncTranscriptCache(share=self._transcripts, max_concurrency=8)
        if api_shape is not None:
            choose_flow(api_shape)  # a typo fails here, not at the first query
        self.api_shape = api_shape
        self.transcription_options = list(transcription_options) if transcription_options else None
        self.images = [str(i) for i in images] if images else []
        self.entity, self.entity_collection_id = entity, entity_collection_id
        self._mention: str | None = None
        self._flow: Flow | None = None
        self._asset_ids = AssetIds(maxsize=max(1, cache_size) * 16)
        super().__init__(callback_manager=callback_manager, verbose=verbose)

    def __repr__(self) -> str:
        return (
            f"TwelveLabsRetriever(index_id={self.index_id!r}, similarity_top_k={self.similarity_top_k}, "
            f"search_options={self.search_options!r})"
        )

    # ------------------------------------------------------------------ request shape
    def _search_kwargs(self, query: QueryBundle, k: int) -> dict[str, Any]:
        text = (query.query_str or "").strip()
        kwargs: dict[str, Any] = {
            "index_id": self.index_id,
            "search_options": list(self.search_options),
            "group_by": "clip",
            "page_limit": min(k, 50),
        }
        if self._mention is not None:
            text = with_mention(self._mention, text)
        if text:
            kwargs["query_text"] = text
        images = ([query.image_path] if query.image_path else []) + self.images
        if images:
            kwargs["query_media_type"] = "image"
            urls = [i for i in images if is_url(i)]
            if urls and len(urls) != len(images):
                raise ValueError("query images mix URLs and local files; search takes one kind per query")
            if urls:
                kwargs["query_media_url"] = urls[0] if len(urls) == 1 else urls
            else:
                from pathlib import Path

                paths = [Path(i) for i in images]
                for path in paths:
                    if not path.is_file():
                        raise FileNotFoundError(f"image query {str(path)!r} is neither an http(s) URL nor an existing file")
                kwargs["query_media_file"] = paths[0] if len(paths) == 1 else paths
        if not text and not images:
            raise ValueError("TwelveLabsRetriever needs a text query or a QueryBundle with image_path")
        if self.transcription_options:
            kwargs["transcription_options"] = list(self.transcription_options)
        for name in ("operator", "filter", "threshold"):
            value = getattr(self, name)
            if value is not None:
                kwargs[name] = value
        if self.include_user_metadata:
            kwargs["include_user_metadata"] = True
        return kwargs

    @staticmethod
    def _clips(items: Iterable[SearchItem], k: int) -> Iterator[SearchItem | SearchClip]:
        seen: set[tuple[str, float, float]] = set()
        for item in items:
            clips: list[SearchItem | SearchClip] = list(item.clips) if item.clips else [item]
            for clip in clips:
                if clip.video_id is None or clip.start is None or clip.end is None:
                    continue  # a grouped item without times: nothing to cite
                key = (clip.video_id, float(clip.start), float(clip.end))
                if key in seen:
                    continue
                seen.add(key)
                yield clip
                if len(seen) >= k:
                    return

    # ------------------------------------------------------------------ mapping
    def _to_node(self, clip: Any, position: int) -> NodeWithScore:
        info = self._transcripts.get(self.index_id, clip.video_id) if self.fetch_transcripts else None
        filename = info.filename if info is not None else None
        start, end = float(clip.start), float(clip.end)
        text = (clip.transcription or "").strip() or (info.text(start, end) if info else "")
        if not text:
            name = filename or clip.video_id
            text = f"Clip of video {name} from {format_timestamp(start)} to {format_timestamp(end)}."
        metadata: dict[str, Any] = {
            "video_id": clip.video_id,
            "index_id": self.index_id,
            "start": start,
            "end": end,
            "score": clip.score,
            "rank": clip.rank if clip.rank is not None else position,
            "confidence": clip.confidence,
            "thumbnail_url": clip.thumbnail_url,
            "filename": filename,
            "user_metadata": public_metadata(clip.user_metadata),
            "score_kind": "similarity" if clip.score is not None else "rank",
            "api_shape": self._flow.shape if self._flow is not None else None,
        }
        if self._flow is not None and not self._flow.scored_hits:
            metadata["asset_id"] = self._asset_ids.get(self.index_id, clip.video_id)
        node = TextNode(
            id_=clip_id(clip.video_id, start, end),
            text=text,
            metadata=metadata,
            excluded_llm_metadata_keys=list(_LLM_HIDDEN),
            excluded_embed_metadata_keys=list(_LLM_HIDDEN),
            relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=clip.video_id)},
        )
        if clip.score is not None:
            score: float | None = float(clip.score)
        else:
            score = 1.0 / float(metadata["rank"] or position)
        return NodeWithScore(node=node, score=score)

    # ------------------------------------------------------------------ sync
    def _prepare(self, client: TwelveLabs) -> Flow:
        if self._flow is None:
            self._flow = choose_flow(self.api_shape, index=client.indexes.retrieve(self.index_id))
        if self.entity is not None and self._mention is None:
            self._mention = find_entity(client, self.entity, entity_collection_id=self.entity_collection_id).mention
        return self._flow

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        k = self.similarity_top_k
        client = self._clients.sync
        flow = self._prepare(client)
        clips = list(self._clips(client.search.query(**self._search_kwargs(query_bundle, k)), k))
        video_ids = [c.video_id for c in clips if c.video_id is not None]  # _clips skips clips without one
        if self.fetch_transcripts:
            self._transcripts.fetch(client, self.index_id, video_ids)
        if not flow.scored_hits:
            for video_id in dict.fromkeys(video_ids):
                try:
                    self._asset_ids.resolve(client, self.index_id, video_id)
                except _NO_ASSET:
                    pass
        return [self._to_node(c, i + 1) for i, c in enumerate(clips)]

    # ------------------------------------------------------------------ async
    async def _aprepare(self, client: AsyncTwelveLabs) -> Flow:
        if self._flow is None:
            self._flow = choose_flow(self.api_shape, index=await client.indexes.retrieve(self.index_id))
        if self.entity is not None and self._mention is None:
            found = await afind_entity(client, self.entity, entity_collection_id=self.entity_collection_id)
            self._mention = found.mention
        return self._flow

    async def _aretrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        k = self.similarity_top_k
        client = self._clients.aio
        flow = await self._aprepare(client)
        kwargs = await asyncio.to_thread(self._search_kwargs, query_bundle, k)  # may stat an image file
        items: list[Any] = []
        seen: set[tuple[Any, float, float]] = set()
        async for item in _aiterate(client.search.query(**kwargs)):
            items.append(item)
            seen.update((c.video_id, float(c.start), float(c.end)) for c in (item.clips or [item]))
            if len(seen) >= k:
                break
        clips = list(self._clips(items, k))
        video_ids = [c.video_id for c in clips if c.video_id is not None]  # _clips skips clips without one
        if self.fetch_transcripts:
            await self._atranscripts.fetch(client, self.index_id, video_ids)
        if not flow.scored_hits:
            for video_id in dict.fromkeys(video_ids):
                try:
                    await self._asset_ids.aresolve(client, self.index_id, video_id)
                except _NO_ASSET:
                    pass
        return [self._to_node(c, i + 1) for i, c in enumerate(clips)]

    def close(self) -> None:
        """Close the sync client this object built from the key (clients you passed in stay open)."""
        self._clients.close()

    async def aclose(self) -> None:
        """Close the async client this object built for the running loop."""
        await self._clients.aclose()

    def clear_cache(self) -> None:
        """Forget the cached transcripts and filenames (they are fetched again on the next query)."""
        self._transcripts.clear()
