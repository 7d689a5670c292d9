"""A LangChain retriever over a hosted TwelveLabs knowledge store: one Document per matching moment or item."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from langchain_core.callbacks import AsyncCallbackManagerForRetrieverRun, CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field, PrivateAttr

from twelvelabs_rag import ConfigurationError
from twelvelabs_rag.hosted_rag import asearch_moments, search_moments

from ._utils import TwelveLabsClientMixin

__all__ = ["TwelveLabsKnowledgeStoreRetriever"]

_MAX_PAGE = 50


class TwelveLabsKnowledgeStoreRetriever(TwelveLabsClientMixin, BaseRetriever):
    """Retriever over ``client.knowledge_stores.search``: one ``Document`` per matching moment (video) or item (image).

    Pages are followed (``next_page_token``) until ``k`` Documents are collected. Each Document's
    metadata holds ``item_id``, ``knowledge_store_id``, ``asset_type``, ``start``/``end`` (seconds;
    ``None`` for an image), ``modalities``, ``rank`` and, with ``fetch_item_details`` (default), the
    item's ``asset_id`` and ``filename`` (one item lookup per distinct item, cached).
    ``format_citation(doc)`` renders ``"[<filename or item_id> 00:04-00:08]"``.

    Setup:
        ```bash
        pip install -U langchain-twelvelabs
        export TWELVELABS_API_KEY="tlk_..."
        ```

    Instantiate:
        ```python
        from langchain_twelvelabs import TwelveLabsKnowledgeStoreRetriever

        retriever = TwelveLabsKnowledgeStoreRetriever(knowledge_store_id="ks_123", k=4)
        ```

    Invoke:
        ```python
        docs = retriever.invoke("an eagle over the lake", k=2)
        docs = await retriever.ainvoke("an eagle", modalities=["audio"])
        ```
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True, arbitrary_types_allowed=True)

    knowledge_store_id: str
    k: int = Field(default=4, ge=1)
    modalities: list[Literal["visual", "audio"]] = Field(
        default_factory=lambda: list[Literal["visual", "audio"]](["visual", "audio"]))
    asset_type: str | list[str] | None = None
    item_ids: str | list[str] | None = None
    page_size: int | None = Field(default=None, ge=1, le=_MAX_PAGE,
                                  description="Hits per search page (default min(k, 50)).")
    fetch_item_details: bool = True

    _items: dict[tuple[str, str], Any] = PrivateAttr(default_factory=dict)

    def _search_kwargs(self, query: str, kwargs: dict[str, Any]) -> tuple[int, str, dict[str, Any]]:
        k_arg = kwargs.pop("k", None)
        k = self.k if k_arg is None else int(k_arg)
        if k < 1:
            raise ConfigurationError(f"k must be >= 1 (got {k}); pass how many moments to return")
        if not isinstance(query, str) or not query.strip():
            raise ConfigurationError("Empty query: TwelveLabsKnowledgeStoreRetriever needs words to search for, "
                                     "e.g. retriever.invoke('an eagle over the lake')")
        ks_id = kwargs.pop("knowledge_store_id", self.knowledge_store_id)
        params = {"modalities": list(kwargs.pop("modalities", self.modalities)),
                  "asset_type": kwargs.pop("asset_type", self.asset_type),
                  "item_ids": kwargs.pop("item_ids", self.item_ids),
                  "page_size": self.page_size or min(k, _MAX_PAGE)}
        if kwargs:
            raise ConfigurationError(f"Unknown arguments {sorted(kwargs)}: the knowledge-store retriever takes k, "
                                     "knowledge_store_id, modalities, asset_type and item_ids")
        return k, ks_id, params

    @staticmethod
    def _documents(moments: Sequence[dict[str, Any]]) -> list[Document]:
        return [Document(page_content=m["text"], metadata=m["metadata"], id=m["id"]) for m in moments]

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        k, ks_id, params = self._search_kwargs(query, dict(kwargs))
        return self._documents(search_moments(self._sync_client(), ks_id, query, k=k, items=self._items,
                                              fetch_item_details=self.fetch_item_details, **params))

    async def _aget_relevant_documents(
        self, query: str, *, run_manager: AsyncCallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        k, ks_id, params = self._search_kwargs(query, dict(kwargs))
        return self._documents(await asearch_moments(self._async_client(), ks_id, query, k=k, items=self._items,
                                                     fetch_item_details=self.fetch_item_details, **params))
