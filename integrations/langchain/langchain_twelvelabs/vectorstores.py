"""A LangChain VectorStore over a segment store: the local ``SegmentStore`` or a ``MilvusSegmentStore``."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.vectorstores import VectorStore
from langchain_core.vectorstores.utils import maximal_marginal_relevance

from twelvelabs_rag.store import SegmentIndex, SegmentStore

from ._rows import LC_ID_KEY, rewrite_filter, task_columns, text_columns

__all__ = ["TwelveLabsSegmentVectorStore", "LC_ID_KEY"]

class TwelveLabsSegmentVectorStore(VectorStore):
    """Vector store of video segments and documents over a segment store: local or Milvus.

    Holds Marengo per-segment video vectors (from embedding tasks) next to any text you add, in one
    exact cosine index with filters applied before the search. Works with any LangChain ``Embeddings``;
    use :class:`TwelveLabsEmbeddings` so text queries land in the same space as the video segments.

    The rows live in a ``twelvelabs_rag.store.SegmentIndex``: a local ``SegmentStore`` built from
    ``path`` (or in memory), or any existing store passed as ``store=`` -- a ``SegmentStore`` or a
    ``MilvusSegmentStore`` (a Milvus server, Zilliz Cloud or a milvus-lite file) -- exposed as
    ``.client`` like langchain-qdrant's. Document ids are the rows' external ids, so re-adding an id
    replaces that row on either backend.

    Setup:
        ```bash
        pip install -U langchain-twelvelabs
        ```

    Key init args:
        embedding: the ``Embeddings`` used for texts and queries.
        path: a directory to persist to (created on first write; reopened when it exists);
            ``None`` keeps everything in memory. The dimension comes from the first vectors.
        model_name: the store's model tag (default: the embedding's ``model_name`` or class name).
        autosave: save after every write to a local store on disk (default True).
        store: an existing ``SegmentStore`` / ``MilvusSegmentStore`` to use (then ``path`` is not
            given): nothing is opened or locked here, and the store stays yours to close.

    Instantiate:
        ```python
        from langchain_twelvelabs import TwelveLabsEmbeddings, TwelveLabsSegmentVectorStore

        store = TwelveLabsSegmentVectorStore(TwelveLabsEmbeddings(), path="segments.tlstore")

        from twelvelabs_rag.store import MilvusSegmentStore
        milvus = TwelveLabsSegmentVectorStore(TwelveLabsEmbeddings(),
                                              store=MilvusSegmentStore("segments.db", model_name="marengo3.0"))
        ```

    Add:
        ```python
        task = client.embed.tasks.create_and_wait(model_name="Marengo-retrieval-2.7", video_file="fox.mp4")
        store.add_embedding_task(task)  # one Document per segment: video_id/start/end/scope/option
        store.add_texts(["a note about foxes"], metadatas=[{"video_id": task.id}], ids=["note-1"])
        ```

    Search:
        ```python
        store.similarity_search("a fox in the snow", k=3, filter={"start": {"$lt": 30}})
        store.max_marginal_relevance_search("snow", k=3, fetch_k=20)
        store.as_retriever(search_kwargs={"k": 5}).invoke("eagle")
        ```

    Async:
        ```python
        docs = await store.asimilarity_search("a fox")
        ```
    """

    def __init__(
        self,
        embedding: Embeddings,
        *,
        path: str | Path | None = None,
        model_name: str | None = None,
        autosave: bool = True,
        store: SegmentIndex | None = None,
    ) -> None:
        if store is not None and path is not None:
            raise ValueError("pass path= (a local store this object opens or creates) or store= (one you opened), "
                             "not both")
        if store is not None and not isinstance(store, SegmentIndex):
            raise TypeError(f"store= must be a twelvelabs_rag.store.SegmentIndex (SegmentStore or "
                            f"MilvusSegmentStore), got {type(store).__name__}")
        self.embedding = embedding
        self.path = Path(path) if path is not None else None
        self.model_name = model_name or (
            getattr(embedding, "model_name", None)
            or getattr(embedding, "model", None)
            or f"langchain:{type(embedding).__name__}"
        )
        self.autosave = autosave
        self._lock = threading.RLock()
        self._store: SegmentIndex | None = store
        if store is None and self.path is not None and SegmentStore.exists(self.path):
            self._store = SegmentStore.open(self.path)

    # --- plumbing -------------------------------------------------------------------------------
    @property
    def embeddings(self) -> Embeddings:
        """The embedding model used for texts and queries."""
        return self.embedding

    @property
    def client(self) -> SegmentIndex | None:
        """The underlying segment store (``SegmentStore`` or ``MilvusSegmentStore``; ``None`` until the first
        vectors arrive when this object creates it)."""
        return self._store

    @property
    def store(self) -> SegmentIndex | None:
        """Same as :attr:`client`."""
        return self._store

    def _ensure_store(self, dim: int) -> SegmentIndex:
        if self._store is None:
            self._store = SegmentStore.create(self.path, dim=dim, model_name=self.model_name)
        return self._store

    def _autosave(self) -> None:
        if self.autosave:
            self.save()

    def save(self) -> None:
        """Write an atomic snapshot of a local store on disk (a Milvus collection persists every write itself)."""
        with self._lock:
            if isinstance(self._store, SegmentStore) and self._store.path is not None:
                self._store.save()

    @staticmethod
    def _doc(seg: Any) -> Document:
        meta = dict(seg.metadata)
        legacy = meta.pop(LC_ID_KEY, None)  # rows written before external ids kept the id in metadata
        lc_id = seg.external_id or legacy
        return Document(page_content=seg.text or "", metadata=meta, id=lc_id if lc_id is not None else str(seg.id))

    # --- writes ---------------------------------------------------------------------------------
    def _add_rows(
        self,
        vectors: Any,
        lc_ids: list[str],
        columns: dict[str, Any],
        texts: list[str | None],
        metadatas: list[dict[str, Any]],
    ) -> list[str]:
        matrix = np.asarray(vectors, dtype=np.float32)
        if matrix.ndim != 2 or matrix.shape[0] == 0:
            return []
        last = {lc: i for i, lc in enumerate(lc_ids)}  # a repeated id in one call: the last one wins
        if len(last) < len(lc_ids):
            keep = sorted(last.values())
            matrix = matrix[keep]
            columns = {name: [col[i] for i in keep] for name, col in columns.items()}
            texts, metadatas = [texts[i] for i in keep], [metadatas[i] for i in keep]
            kept_ids = [lc_ids[i] for i in keep]
        else:
            kept_ids = lc_ids
        with self._lock:
            store = self._ensure_store(int(matrix.shape[1]))
            # a stored row with one of these ids is replaced by the store (external ids are unique)
            store.add(matrix, texts=texts, metadatas=metadatas, external_ids=kept_ids, **columns)
            self._autosave()
        return list(lc_ids)

    def add_texts(
        self,
        texts: Iterable[str],
        metadatas: list[dict] | None = None,
        *,
        ids: list[str] | None = None,
        **kwargs: Any,
    ) -> list[str]:
        """Embed and add texts; re-adding an id replaces that row. Returns the ids."""
        texts = list(texts)
        if not texts:
            return []
        lc_ids, columns, metas = text_columns(texts, metadatas, ids)
        vectors = self.embedding.embed_documents(texts)
        return self._add_rows(vectors, lc_ids, columns, list(texts), metas)

    async def aadd_texts(
        self,
        texts: Iterable[str],
        metadatas: list[dict] | None = None,
        *,
        ids: list[str] | None = None,
        **kwargs: Any,
    ) -> list[str]:
        """Async twin of :meth:`add_texts` (async embedding; the local index write runs in a thread)."""
        texts = list(texts)
        if not texts:
            return []
        lc_ids, columns, metas = text_columns(texts, metadatas, ids)
        vectors = await self.embedding.aembed_documents(texts)
        return await asyncio.to_thread(self._add_rows, vectors, lc_ids, columns, list(texts), metas)

    def add_embeddings(
        self,
        text_embeddings: Iterable[tuple[str, list[float]]],
        metadatas: list[dict] | None = None,
        *,
        ids: list[str] | None = None,
        **kwargs: Any,
    ) -> list[str]:
        """Add precomputed ``(text, vector)`` pairs without calling the embedding model. Returns the ids."""
        pairs = list(text_embeddings)
        if not pairs:
            return []
        texts = [t for t, _ in pairs]
        lc_ids, columns, metas = text_columns(texts, metadatas, ids)
        return self._add_rows([v for _, v in pairs], lc_ids, columns, list(texts), metas)

    def add_embedding_task(
        self, task: Any, *, metadata: Mapping[str, Any] | None = None, asset_id: str | None = None
    ) -> list[str]:
        """Add every segment of a retrieved embedding task; one Document per segment. Returns the ids.

        ``task`` is a classic embedding task (``client.embed.tasks``), an embed v2 task
        (``client.embed.v2.tasks``) or an indexed asset retrieved with ``embedding_option=[...]``
        (``visual``/``audio``/``transcription``). Each Document has ``video_id`` (the task or indexed
        asset id), ``start``, ``end``, ``scope`` and ``option`` metadata (plus ``metadata``), and
        ``asset_id`` when known (an indexed asset names it; pass ``asset_id=`` for an embed v2 task of
        an asset); its id is derived from those, so re-adding a task replaces it.
        """
        model = self._store.model_name if self._store is not None else self.model_name
        vectors, lc_ids, columns, metas = task_columns(task, model, metadata, asset_id)
        n = len(lc_ids)
        texts: list[str | None] = [None] * n
        return self._add_rows(vectors, lc_ids, columns, texts, metas)

    async def aadd_embedding_task(
        self, task: Any, *, metadata: Mapping[str, Any] | None = None, asset_id: str | None = None
    ) -> list[str]:
        """Async twin of :meth:`add_embedding_task` (a local, CPU-bound write run in a thread)."""
        return await asyncio.to_thread(self.add_embedding_task, task, metadata=metadata, asset_id=asset_id)

    def delete(self, ids: list[str] | None = None, **kwargs: Any) -> bool | None:
        """Delete by ids (missing ids are ignored), or everything matching ``filter=``."""
        where = kwargs.get("filter")
        if ids is None and where is None:
            raise ValueError("delete needs ids=[...] or filter={...}")
        with self._lock:
            if self._store is None:
                return True
            if ids:
                self._store.delete(where={"external_id": {"$in": [str(i) for i in ids]}})
            if where is not None:
                self._store.delete(where=rewrite_filter(where))
            self._autosave()
        return True

    async def adelete(self, ids: list[str] | None = None, **kwargs: Any) -> bool | None:
        """Async twin of :meth:`delete` (local work, run in a thread)."""
        return await asyncio.to_thread(self.delete, ids, **kwargs)

    # --- reads ----------------------------------------------------------------------------------
    def get_by_ids(self, ids: Sequence[str], /) -> list[Document]:
        """Documents for the ids that exist (missing ids are skipped)."""
        wanted = list(dict.fromkeys(str(i) for i in ids))
        with self._lock:
            store = self._store
            if store is None or not wanted:
                return []
            rows = store.ids(where={"external_id": {"$in": wanted}})
            docs = {doc.id: doc for doc in map(self._doc, store.get(rows.tolist()))} if len(rows) else {}
        return [docs[i] for i in wanted if i in docs]

    async def aget_by_ids(self, ids: Sequence[str], /) -> list[Document]:
        """Async twin of :meth:`get_by_ids` (local work, run in a thread)."""
        return await asyncio.to_thread(self.get_by_ids, ids)

    def _search_vector(self, vector: Any, k: int, where: Any) -> list[tuple[Document, float]]:
        if self._store is None or len(self._store) == 0:
            return []
        hits = self._store.search(np.asarray(vector, dtype=np.float32), k=k, where=rewrite_filter(where))
        return [(self._doc(h), float(h.score)) for h in hits]

    def similarity_search_with_score_by_vector(
        self, embedding: list[float], k: int = 4, filter: dict[str, Any] | None = None, **kwargs: Any
    ) -> list[tuple[Document, float]]:
        """``(Document, cosine similarity)`` pairs, best first; ``filter`` uses the store's ``where`` syntax."""
        return self._search_vector(embedding, k, filter)

    def similarity_search_by_vector(
        self, embedding: list[float], k: int = 4, filter: dict[str, Any] | None = None, **kwargs: Any
    ) -> list[Document]:
        """The ``k`` documents most similar to a vector; ``filter`` uses the store's ``where`` syntax."""
        return [doc for doc, _ in self._search_vector(embedding, k, filter)]

    def similarity_search_with_score(
        self, query: str, k: int = 4, filter: dict[str, Any] | None = None, **kwargs: Any
    ) -> list[tuple[Document, float]]:
        """``(Document, cosine similarity)`` pairs for a text query, best first."""
        if self._store is None:
            return []
        return self._search_vector(self.embedding.embed_query(query), k, filter)

    def similarity_search(
        self, query: str, k: int = 4, filter: dict[str, Any] | None = None, **kwargs: Any
    ) -> list[Document]:
        """The ``k`` documents most similar to a text query (``filter``: the store's ``where`` syntax)."""
        return [doc for doc, _ in self.similarity_search_with_score(query, k, filter)]

    async def asimilarity_search_with_score(
        self, query: str, k: int = 4, filter: dict[str, Any] | None = None, **kwargs: Any
    ) -> list[tuple[Document, float]]:
        """Async twin of :meth:`similarity_search_with_score` (async embedding, search in a thread)."""
        if self._store is None:
            return []
        vector = await self.embedding.aembed_query(query)
        return await asyncio.to_thread(self._search_vector, vector, k, filter)

    async def asimilarity_search(
        self, query: str, k: int = 4, filter: dict[str, Any] | None = None, **kwargs: Any
    ) -> list[Document]:
        """Async twin of :meth:`similarity_search`."""
        return [doc for doc, _ in await self.asimilarity_search_with_score(query, k, filter, **kwargs)]

    async def asimilarity_search_by_vector(
        self, embedding: list[float], k: int = 4, filter: dict[str, Any] | None = None, **kwargs: Any
    ) -> list[Document]:
        """Async twin of :meth:`similarity_search_by_vector` (search in a thread)."""
        pairs = await asyncio.to_thread(self._search_vector, embedding, k, filter)
        return [doc for doc, _ in pairs]

    def _select_relevance_score_fn(self) -> Callable[[float], float]:
        return lambda score: (1.0 + score) / 2.0  # cosine in [-1, 1] -> [0, 1]

    def max_marginal_relevance_search_by_vector(
        self,
        embedding: list[float],
        k: int = 4,
        fetch_k: int = 20,
        lambda_mult: float = 0.5,
        filter: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> list[Document]:
        """Diverse results: fetch ``fetch_k`` by similarity, then pick ``k`` by maximal marginal relevance."""
        if self._store is None or len(self._store) == 0:
            return []
        hits = self._store.search(np.asarray(embedding, dtype=np.float32), k=max(k, fetch_k), where=rewrite_filter(filter))
        if not hits:
            return []
        segments = {s.id: s for s in self._store.get([h.id for h in hits])}
        vectors = [np.asarray(segments[h.id].vector, dtype=np.float32).tolist() for h in hits]
        chosen = maximal_marginal_relevance(np.asarray(embedding, dtype=np.float32), vectors, lambda_mult, k)
        return [self._doc(segments[hits[i].id]) for i in chosen]

    def max_marginal_relevance_search(
        self, query: str, k: int = 4, fetch_k: int = 20, lambda_mult: float = 0.5,
        filter: dict[str, Any] | None = None, **kwargs: Any,
    ) -> list[Document]:
        """Diverse results for a text query (see :meth:`max_marginal_relevance_search_by_vector`)."""
        if self._store is None:
            return []
        return self.max_marginal_relevance_search_by_vector(
            self.embedding.embed_query(query), k, fetch_k, lambda_mult, filter
        )

    async def amax_marginal_relevance_search(
        self, query: str, k: int = 4, fetch_k: int = 20, lambda_mult: float = 0.5,
        filter: dict[str, Any] | None = None, **kwargs: Any,
    ) -> list[Document]:
        """Async twin of :meth:`max_marginal_relevance_search`."""
        if self._store is None:
            return []
        vector = await self.embedding.aembed_query(query)
        return await asyncio.to_thread(
            self.max_marginal_relevance_search_by_vector, vector, k, fetch_k, lambda_mult, filter
        )

    # --- construction -------------------------------------------------------------------------
    @classmethod
    def from_texts(
        cls,
        texts: list[str],
        embedding: Embeddings,
        metadatas: list[dict] | None = None,
        *,
        ids: list[str] | None = None,
        **kwargs: Any,
    ) -> TwelveLabsSegmentVectorStore:
        """Build a store (``path=``, ``model_name=`` accepted) and add ``texts``."""
        store = cls(embedding, **kwargs)
        store.add_texts(texts, metadatas, ids=ids)
        return store

    @classmethod
    async def afrom_texts(
        cls,
        texts: list[str],
        embedding: Embeddings,
        metadatas: list[dict] | None = None,
        *,
        ids: list[str] | None = None,
        **kwargs: Any,
    ) -> TwelveLabsSegmentVectorStore:
        """Async twin of :meth:`from_texts`."""
        store = cls(embedding, **kwargs)
        await store.aadd_texts(texts, metadatas, ids=ids)
        return store
