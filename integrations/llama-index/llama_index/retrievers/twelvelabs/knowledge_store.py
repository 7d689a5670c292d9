"""``TwelveLabsKnowledgeStoreRetriever``: a LlamaIndex retriever over a hosted TwelveLabs knowledge store.

One node per matching moment of a video item (its time range and the modalities that matched) or
per matching image item; pages of the search are followed until ``similarity_top_k`` nodes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.callbacks import CallbackManager
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from twelvelabs_rag import AsyncTwelveLabs, ConfigurationError, LazyClients, TwelveLabs
from twelvelabs_rag.moments import clip_id, format_timestamp

__all__ = ["TwelveLabsKnowledgeStoreRetriever"]

_LLM_HIDDEN = ["knowledge_store_id", "item_id", "asset_id", "rank", "asset_type"]


def _moments(hit: Any) -> list[dict[str, Any]]:
    base = {"item_id": hit.item_id, "asset_type": hit.asset_type, "rank": hit.rank}
    if not hit.matches:
        return [{**base, "start": None, "end": None, "modalities": ["visual"], "text": None}]
    return [{**base, "start": float(m.start_sec), "end": float(m.end_sec), "modalities": list(m.modalities),
             "text": (m.transcription or "").strip() or None} for m in hit.matches]


class TwelveLabsKnowledgeStoreRetriever(BaseRetriever):
    """Retrieve moments from a TwelveLabs knowledge store (``client.knowledge_stores.search``).

    Node ids are ``clip_id(item_id, start, end)`` (the item id for an image), so LlamaIndex's
    de-duplication by id keeps distinct moments. Node text is the moment's transcription when the
    audio matched, else a line naming the item and the time range. Metadata: ``knowledge_store_id``,
    ``item_id``, ``asset_type``, ``asset_id`` and ``filename`` (looked up once per item when
    ``fetch_item_details``), ``start``/``end`` (seconds; ``None`` for an image), ``modalities``,
    ``rank``; the node score is ``1 / rank``. ``aretrieve`` is natively async.

    Example:
        ```python
        retriever = TwelveLabsKnowledgeStoreRetriever("ks_123", similarity_top_k=5)
        for hit in retriever.retrieve("an eagle over the lake"):
            print(hit.node.metadata["item_id"], hit.node.metadata["start"], hit.node.text)
        ```
    """

    def __init__(
        self,
        knowledge_store_id: str,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        client: TwelveLabs | None = None,
        async_client: AsyncTwelveLabs | None = None,
        similarity_top_k: int = 10,
        modalities: Sequence[str] = ("visual", "audio"),
        asset_type: str | Sequence[str] | None = None,
        item_ids: str | Sequence[str] | None = None,
        page_size: int | None = None,
        fetch_item_details: bool = True,
        callback_manager: CallbackManager | None = None,
        verbose: bool = False,
    ) -> None:
        if not knowledge_store_id or not isinstance(knowledge_store_id, str):
            raise ConfigurationError("TwelveLabsKnowledgeStoreRetriever needs the id of a knowledge store "
                                     "(knowledge_store_id='ks_…', from client.knowledge_stores.create)")
        if similarity_top_k < 1:
            raise ConfigurationError(f"similarity_top_k must be >= 1, got {similarity_top_k}")
        self._clients = LazyClients.for_component("TwelveLabsKnowledgeStoreRetriever", api_key=api_key, base_url=base_url,
                                     client=client, async_client=async_client)
        self.knowledge_store_id = knowledge_store_id
        self.similarity_top_k = similarity_top_k
        self.modalities = [modalities] if isinstance(modalities, str) else list(modalities)
        self.asset_type = asset_type
        self.item_ids = item_ids
        if page_size is not None and not 1 <= page_size <= 50:
            raise ConfigurationError(f"page_size must be between 1 and 50 (hits per search page), got {page_size}")
        self.page_size = page_size
        self.fetch_item_details = fetch_item_details
        self._items: dict[str, Any] = {}
        super().__init__(callback_manager=callback_manager, verbose=verbose)

    def __repr__(self) -> str:
        return (f"TwelveLabsKnowledgeStoreRetriever(knowledge_store_id={self.knowledge_store_id!r}, "
                f"similarity_top_k={self.similarity_top_k})")

    def _query(self, bundle: QueryBundle) -> tuple[str, dict[str, Any]]:
        text = (bundle.query_str or "").strip()
        if not text:
            raise ConfigurationError("Empty query: knowledge-store search needs words to search for, "
                                     "e.g. retriever.retrieve('an eagle over the lake')")
        return text, {"modalities": self.modalities, "asset_type": self.asset_type, "item_ids": self.item_ids,
                      "page_size": self.page_size or min(self.similarity_top_k, 50)}

    def _nodes(self, records: list[dict[str, Any]]) -> list[NodeWithScore]:
        out = []
        for rec in records:
            item = self._items.get(rec["item_id"])
            filename = ((item.system_metadata or {}).get("filename") if item is not None else None)
            name = filename or rec["item_id"]
            text = rec["text"]
            if text is None:
                text = (f"Image item {name}." if rec["start"] is None else
                        f"Moment of {name} from {format_timestamp(rec['start'])} to {format_timestamp(rec['end'])}.")
            metadata = {"knowledge_store_id": self.knowledge_store_id, "item_id": rec["item_id"],
                        "asset_type": rec["asset_type"], "asset_id": item.asset_id if item is not None else None,
                        "filename": filename, "start": rec["start"], "end": rec["end"],
                        "modalities": rec["modalities"], "rank": rec["rank"]}
            node_id = rec["item_id"] if rec["start"] is None else clip_id(rec["item_id"], rec["start"], rec["end"])
            node = TextNode(id_=node_id, text=text, metadata=metadata, excluded_llm_metadata_keys=list(_LLM_HIDDEN),
                            excluded_embed_metadata_keys=list(_LLM_HIDDEN))
            out.append(NodeWithScore(node=node, score=1.0 / max(1, rec["rank"])))
        return out

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        text, params = self._query(query_bundle)
        client = self._clients.sync
        records: list[dict[str, Any]] = []
        for hit in client.knowledge_stores.query(self.knowledge_store_id, text, **params):
            records.extend(_moments(hit))
            if len(records) >= self.similarity_top_k:
                break
        records = records[: self.similarity_top_k]
        if self.fetch_item_details:
            for item_id in dict.fromkeys(r["item_id"] for r in records):
                if item_id not in self._items:
                    self._items[item_id] = client.knowledge_stores.items.retrieve(self.knowledge_store_id, item_id)
        return self._nodes(records)

    async def _aretrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        text, params = self._query(query_bundle)
        client = self._clients.aio
        records: list[dict[str, Any]] = []
        async for hit in client.knowledge_stores.query(self.knowledge_store_id, text, **params):
            records.extend(_moments(hit))
            if len(records) >= self.similarity_top_k:
                break
        records = records[: self.similarity_top_k]
        if self.fetch_item_details:
            for item_id in dict.fromkeys(r["item_id"] for r in records):
                if item_id not in self._items:
                    self._items[item_id] = await client.knowledge_stores.items.retrieve(self.knowledge_store_id,
                                                                                        item_id)
        return self._nodes(records)
