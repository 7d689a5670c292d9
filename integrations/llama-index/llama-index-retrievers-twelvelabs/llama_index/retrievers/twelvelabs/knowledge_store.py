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
from twelvelabs_rag.hosted_rag import asearch_moments, search_moments

__all__ = ["TwelveLabsKnowledgeStoreRetriever"]

_LLM_HIDDEN = ["knowledge_store_id", "item_id", "asset_id", "rank", "asset_type"]


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
        self._items: dict[tuple[str, str], Any] = {}
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

    def _nodes(self, moments: list[dict[str, Any]]) -> list[NodeWithScore]:
        return [NodeWithScore(node=TextNode(id_=m["id"], text=m["text"], metadata=m["metadata"],
                                            excluded_llm_metadata_keys=list(_LLM_HIDDEN),
                                            excluded_embed_metadata_keys=list(_LLM_HIDDEN)),
                              score=1.0 / max(1, m["rank"]))
                for m in moments]

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        text, params = self._query(query_bundle)
        return self._nodes(search_moments(self._clients.sync, self.knowledge_store_id, text, k=self.similarity_top_k,
                                          items=self._items, fetch_item_details=self.fetch_item_details, **params))

    async def _aretrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        text, params = self._query(query_bundle)
        return self._nodes(await asearch_moments(self._clients.aio, self.knowledge_store_id, text,
                                                 k=self.similarity_top_k, items=self._items,
                                                 fetch_item_details=self.fetch_item_details, **params))
