"""A LangChain retriever over TwelveLabs server-side ``search`` on an index: one Document per clip."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from langchain_core.callbacks import AsyncCallbackManagerForRetrieverRun, CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field, PrivateAttr

from twelvelabs_rag import InvalidRequestError, NotFoundError
from twelvelabs_rag.entity_query import afind_entity, find_entity, with_mention
from twelvelabs_rag.flow import AssetIds, Flow, choose_flow
from twelvelabs_rag.media_inputs import is_url, media_arg
from twelvelabs_rag.moments import AsyncTranscriptCache, TranscriptCache, clip_id, format_timestamp, public_metadata

from ._utils import TwelveLabsClientMixin

__all__ = ["TwelveLabsSearchRetriever", "format_citation"]

#: A hit whose video has no asset (uploaded through ``/tasks``): not an error, its asset_id stays None.
_NO_ASSET = (NotFoundError, InvalidRequestError)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif")
_MAX_PAGE_LIMIT = 50


def format_citation(doc: Document | Mapping[str, Any]) -> str:
    """A short citation: ``"[<name> 00:12-00:18]"`` for a clip or moment, ``"[<name>]"`` for a whole image.

    Takes a clip Document (search retriever, knowledge-store retriever) or a citation dict of
    ``ChatTwelveLabsResponses`` (``response_metadata["citations"]``). The name is the filename,
    else the title, the video id or the knowledge-store item id.

    ```python
    from langchain_core.documents import Document
    from langchain_twelvelabs import format_citation

    doc = Document("...", metadata={"video_id": "v1", "filename": "fox.mp4", "start": 12, "end": 18})
    assert format_citation(doc) == "[fox.mp4 00:12-00:18]"
    assert format_citation({"item_id": "ksi_1", "title": "bear.mp4", "start": 8.0, "end": 12.0}) == "[bear.mp4 00:08-00:12]"
    ```
    """
    meta = doc if isinstance(doc, Mapping) else doc.metadata
    doc_id = None if isinstance(doc, Mapping) else doc.id
    name = (meta.get("filename") or meta.get("title") or meta.get("video_id") or meta.get("item_id") or doc_id
            or "video")
    if meta.get("start") is None and meta.get("end") is None and meta.get("item_id") and not meta.get("video_id"):
        return f"[{name}]"  # a whole image item: no time range
    return f"[{name} {format_timestamp(meta.get('start'))}-{format_timestamp(meta.get('end'))}]"


def _looks_like_image(query: str) -> bool:
    text = query.strip()
    if not text or "\n" in text:
        return False
    lowered = text.lower().split("?", 1)[0]
    if is_url(text):
        return lowered.endswith(IMAGE_SUFFIXES)
    if not lowered.endswith(IMAGE_SUFFIXES):
        return False
    try:
        return Path(text).expanduser().is_file()
    except OSError:
        return False


def _flatten(items: Iterable[Any]) -> Iterable[Any]:
    """Clip-level hits from search items (``group_by="video"`` items carry ``clips``)."""
    for item in items:
        if getattr(item, "clips", None):
            for clip in item.clips:
                if clip.user_metadata is None and item.user_metadata is not None:
                    clip.user_metadata = item.user_metadata
                yield clip
        elif getattr(item, "video_id", None) is not None:
            yield item


class TwelveLabsSearchRetriever(TwelveLabsClientMixin, BaseRetriever):
    """Retriever backed by TwelveLabs ``search`` on one index: one ``Document`` per matching clip.

    Setup:
        ```bash
        pip install -U langchain-twelvelabs
        export TWELVELABS_API_KEY="tlk_..."
        ```

    Key init args:
        index_id: the index to search.
        k: clips to return (also per call: ``retriever.invoke(q, k=3)``).
        search_options: modalities, default ``["visual", "audio"]``; ``operator``: ``"or"``/``"and"``.
        group_by: ``"clip"`` (default) or ``"video"`` (clips of the best videos, flattened).
        filter: a dict in the API's filter syntax, e.g. ``{"filename": "fox.mp4"}``.
        include_user_metadata: copy each video's ``user_metadata`` into the Document metadata.
        api_shape: ``"current"`` or ``"classic"``; by default the index's models decide (one
            ``indexes.retrieve`` per index, cached). On a current (Marengo 3.0) index hits carry
            ``rank`` only (``score``/``confidence`` are None) and each Document's metadata gets the
            ``asset_id`` of its video, so Pegasus can be asked about the moment directly.
        transcription_options: ``["lexical"]``/``["semantic"]`` with ``"transcription"`` in ``search_options``.
        entity / entity_collection_id: a per-call ``entity="Ana"`` is resolved by name and put in
            front of the query as ``<@entity_id>`` (Marengo 3.0 entity search).
        fetch_video_details: fetch each hit video's filename and transcript once (cached) so
            ``page_content`` holds what is said in the clip's time range (for a clip where nothing
            is said, or without details, a readable line naming the video and the time range).

    Instantiate:
        ```python
        from langchain_twelvelabs import TwelveLabsSearchRetriever

        retriever = TwelveLabsSearchRetriever(index_id="idx_123", k=4)
        ```

    Invoke:
        ```python
        docs = retriever.invoke("a red fox running through snow", k=3)
        docs[0].metadata  # {'video_id': ..., 'start': 0.0, 'end': 4.0, 'rank': 1, 'filename': ...}

        # Search by image: pass a local image path or an image URL as the query ...
        docs = retriever.invoke("queries/fox.png")
        # ... or compose text and image(s) (Marengo 3.0 indexes, up to 10 images):
        docs = retriever.invoke("in the snow", image=["queries/fox.png", "https://x/fox2.jpg"])
        # ... or find a known person or object (entity search):
        docs = retriever.invoke("is cooking", entity="Ana")
        ```

    Async:
        ```python
        docs = await retriever.ainvoke("a red fox")
        ```
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True, arbitrary_types_allowed=True)

    index_id: str
    k: int = Field(default=4, ge=1)
    search_options: list[str] = Field(default_factory=lambda: ["visual", "audio"])
    group_by: Literal["clip", "video"] | None = None
    operator: Literal["or", "and"] | None = None
    filter: dict[str, Any] | None = None
    include_user_metadata: bool = True
    threshold: Literal["high", "medium", "low", "none"] | None = None
    fetch_video_details: bool = True
    api_shape: Literal["current", "classic"] | None = None
    transcription_options: list[str] | None = None
    entity_collection_id: str | None = None

    _flows: dict[str, Flow] = PrivateAttr(default_factory=dict)
    _asset_ids: AssetIds = PrivateAttr(default_factory=AssetIds)
    _transcripts: TranscriptCache = PrivateAttr(default_factory=TranscriptCache)
    _atranscripts: AsyncTranscriptCache | None = PrivateAttr(default=None)

    # --- request building ------------------------------------------------------------------
    def _search_kwargs(self, query: str, kwargs: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        k_arg = kwargs.pop("k", None)
        k = self.k if k_arg is None else int(k_arg)
        if k < 1:
            raise ValueError(f"k must be >= 1 (got {k})")
        image = kwargs.pop("image", None)
        kwargs.pop("entity", None), kwargs.pop("entity_collection_id", None)  # resolved by the caller
        text: str | None = query if isinstance(query, str) else str(query)
        if image is None and text is not None and _looks_like_image(text):
            image, text = text.strip(), None
        if text is not None and not text.strip():
            text = None
        if text is None and image is None:
            raise ValueError(
                "Empty search query: pass a non-empty text, an image path/URL as the query, "
                "or image=... (TwelveLabsSearchRetriever)"
            )
        params: dict[str, Any] = {
            "index_id": kwargs.pop("index_id", self.index_id),
            "search_options": list(kwargs.pop("search_options", self.search_options)),
            "page_limit": min(k, _MAX_PAGE_LIMIT),
            "include_user_metadata": kwargs.pop("include_user_metadata", self.include_user_metadata),
        }
        for name in ("group_by", "operator", "filter", "threshold"):
            value = kwargs.pop(name, getattr(self, name))
            if value is not None:
                params[name] = value
        if text is not None:
            params["query_text"] = text
        if image is not None:
            params["query_media_type"] = "image"
            images = list(image) if isinstance(image, (list, tuple)) else [image]
            media = [media_arg(one, "image") for one in images]
            urls = [m["image_url"] for m in media if "image_url" in m]
            files = [m["image_file"] for m in media if "image_file" in m]
            if urls and files:
                raise ValueError("image=[...] mixes URLs and local files; search takes one kind per query "
                                 "(pass only URLs or only paths)")
            one_or_many = (urls or files) if len(images) > 1 else (urls or files)[0]
            params["query_media_url" if urls else "query_media_file"] = one_or_many
        if self.transcription_options is not None and "transcription_options" not in kwargs:
            params["transcription_options"] = list(self.transcription_options)
        params.update(kwargs)  # any other search.create keyword (transcription_options, ...)
        return k, params

    # --- mapping ----------------------------------------------------------------------------
    def _to_document(self, hit: Any, position: int, index_id: str, flow: Flow) -> Document:
        info = self._transcripts.get(index_id, hit.video_id)
        filename = info.filename if info is not None else None
        start, end = float(hit.start), float(hit.end)
        text = (hit.transcription or "").strip()
        if not text and info is not None:
            text = info.text(start, end)
        name = filename or hit.video_id
        if not text:
            text = f"Clip of video {name} from {format_timestamp(start)} to {format_timestamp(end)}."
        metadata: dict[str, Any] = {
            "video_id": hit.video_id,
            "index_id": index_id,
            "start": start,
            "end": end,
            "score": hit.score,
            "rank": hit.rank if hit.rank is not None else position,
            "confidence": hit.confidence,
            "thumbnail_url": hit.thumbnail_url,
            "filename": filename,
            "user_metadata": public_metadata(hit.user_metadata),
        }
        if not flow.scored_hits:  # current index: Pegasus analyzes the asset, not the video_id
            metadata["asset_id"] = self._asset_ids.get(index_id, hit.video_id)
        metadata["api_shape"] = flow.shape
        return Document(page_content=text, metadata=metadata, id=clip_id(hit.video_id, start, end))

    def _flow_of(self, index: Any) -> Flow:
        return choose_flow(self.api_shape, index=index)

    def _entity_name(self, kwargs: dict[str, Any]) -> tuple[str | None, str | None]:
        return kwargs.get("entity"), kwargs.get("entity_collection_id", self.entity_collection_id)

    # --- sync ---------------------------------------------------------------------------------
    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        client = self._sync_client()
        entity, collection = self._entity_name(kwargs)
        if entity is not None:
            query = with_mention(find_entity(client, entity, entity_collection_id=collection).mention, query)
        k, params = self._search_kwargs(query, dict(kwargs))
        index_id = params["index_id"]
        flow = self._flows.get(index_id)
        if flow is None:
            flow = self._flows[index_id] = self._flow_of(client.indexes.retrieve(index_id))
        hits = list(itertools.islice(_flatten(client.search.query(**params)), k))
        if self.fetch_video_details:
            self._transcripts.fetch(client, index_id, (h.video_id for h in hits))
        if not flow.scored_hits:
            for video_id in dict.fromkeys(h.video_id for h in hits):
                try:
                    self._asset_ids.resolve(client, index_id, video_id)
                except _NO_ASSET:
                    pass  # a video uploaded through /tasks has no asset: its Document keeps asset_id=None
        return [self._to_document(hit, i + 1, index_id, flow) for i, hit in enumerate(hits)]

    # --- async --------------------------------------------------------------------------------
    async def _aget_relevant_documents(
        self, query: str, *, run_manager: AsyncCallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        client = self._async_client()
        entity, collection = self._entity_name(kwargs)
        if entity is not None:
            query = with_mention((await afind_entity(client, entity, entity_collection_id=collection)).mention, query)
        k, params = await asyncio.to_thread(self._search_kwargs, query, dict(kwargs))  # may stat a file
        index_id = params["index_id"]
        flow = self._flows.get(index_id)
        if flow is None:
            flow = self._flows[index_id] = self._flow_of(await client.indexes.retrieve(index_id))
        hits: list[Any] = []
        async for item in client.search.query(**params):
            hits.extend(_flatten([item]))
            if len(hits) >= k:
                break
        hits = hits[:k]
        if self.fetch_video_details:
            if self._atranscripts is None:  # the same entries as the sync path
                self._atranscripts = AsyncTranscriptCache(share=self._transcripts)
            await self._atranscripts.fetch(client, index_id, (h.video_id for h in hits))
        if not flow.scored_hits:
            for video_id in dict.fromkeys(h.video_id for h in hits):
                try:
                    await self._asset_ids.aresolve(client, index_id, video_id)
                except _NO_ASSET:
                    pass  # as in the sync path
        return [self._to_document(hit, i + 1, index_id, flow) for i, hit in enumerate(hits)]
