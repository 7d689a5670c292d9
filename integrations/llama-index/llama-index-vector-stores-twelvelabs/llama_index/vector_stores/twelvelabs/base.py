"""``TwelveLabsSegmentVectorStore``: a LlamaIndex vector store over a segment store (local or Milvus).

Example (offline; the vectors would normally come from ``TwelveLabsEmbedding`` or an embed task)::

    from llama_index.core.schema import TextNode
    from llama_index.core.vector_stores import VectorStoreQuery
    from llama_index.vector_stores.twelvelabs import TwelveLabsSegmentVectorStore

    store = TwelveLabsSegmentVectorStore()  # in memory; path="segments/" persists; store=MilvusSegmentStore(...)
    store.add([
        TextNode(id_="fox", text="a fox", embedding=[1.0, 0.0, 0.0], metadata={"video_id": "v1", "start": 0.0, "end": 4.0}),
        TextNode(id_="owl", text="an owl", embedding=[0.0, 1.0, 0.0], metadata={"video_id": "v1", "start": 4.0, "end": 8.0}),
    ])
    result = store.query(VectorStoreQuery(query_embedding=[0.9, 0.1, 0.0], similarity_top_k=1))
    assert result.ids == ["fox"]
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from llama_index.core.bridge.pydantic import PrivateAttr
from llama_index.core.schema import BaseNode
from llama_index.core.vector_stores.types import (
    BasePydanticVectorStore,
    MetadataFilters,
    VectorStoreQuery,
    VectorStoreQueryMode,
    VectorStoreQueryResult,
)
from llama_index.core.vector_stores.utils import metadata_dict_to_node, node_to_metadata_dict

from twelvelabs_rag.models import models_for
from twelvelabs_rag.store import InvalidInputError, SegmentIndex, SegmentStore

from ._filters import combine, to_where
from ._segments import nodes_from_embedding_task

__all__ = ["TwelveLabsSegmentVectorStore"]

#: Default store model per vector size (fixed-size index models of the core registry).
_DIM_MODELS = {m.dimension: m.name for m in models_for("index") if m.family == "marengo" and m.dimension
               and m.dimension_range is None}


def _column_values(node: BaseNode) -> tuple[str, float, float, str, str]:
    """(video_id, start, end, scope, option) of a node; nodes without a time range get a per-node key."""
    meta = node.metadata
    has_range = meta.get("start") is not None and meta.get("end") is not None
    video_id = meta.get("video_id") or node.ref_doc_id or node.node_id
    scope = str(meta.get("scope") or "clip")
    if meta.get("option"):
        option = str(meta["option"])
    elif meta.get("kind"):
        option = f"text:{meta['kind']}"
    else:
        option = "text"
    if not has_range:
        # Not a time segment (e.g. a text chunk): its key must not collide with its siblings'.
        return str(video_id), 0.0, 0.0, scope, f"{option}#{node.node_id}"
    return str(video_id), float(meta["start"]), float(meta["end"]), scope, option


def _copy_rows(target: SegmentStore, segments: list[Any]) -> None:
    """Add ``segments`` (with vectors) to ``target`` as they are: columns, text, metadata, external ids."""
    if not segments:
        return
    target.add(
        np.stack([s.vector for s in segments]),
        video_ids=[s.video_id for s in segments],
        starts=[s.start for s in segments],
        ends=[s.end for s in segments],
        scopes=[s.scope for s in segments],
        options=[s.option for s in segments],
        texts=[s.text for s in segments],
        metadatas=[s.metadata for s in segments],
        external_ids=[s.external_id for s in segments],
    )


class TwelveLabsSegmentVectorStore(BasePydanticVectorStore):
    """LlamaIndex vector store over a ``twelvelabs_rag.store.SegmentIndex``: the local ``SegmentStore`` or Milvus.

    The store is created in memory (``path=None``) or at ``path`` (an existing store there is
    opened); its dimension comes from the first nodes added. Or pass an existing store as ``store=``:
    a ``SegmentStore`` or a ``MilvusSegmentStore`` (a Milvus server, Zilliz Cloud or a milvus-lite
    file); it is used as is (nothing opened or locked here), exposed as :attr:`client`, and stays
    yours to close. Node ids are kept as given (the rows' external ids). The node
    metadata keys ``video_id``, ``start``, ``end``, ``scope`` and ``option`` map to the store's
    typed columns; a segment is keyed by those five values, so adding a node whose key equals a
    stored one replaces it (an upsert). Nodes without ``start``/``end`` are stored under a key of
    their own. ``MetadataFilters`` (EQ, NE, IN, NIN, GT, GTE, LT, LTE; AND, OR, NOT; nested) are
    applied before the search, so ``similarity_top_k`` filtered hits come back whenever that many
    match. ``stores_text=True``: nodes come back whole (text, metadata, relationships).

    The async methods run the (CPU-bound) store work in a worker thread.

    Example:
        ```python
        store = TwelveLabsSegmentVectorStore(path="segments")
        store.add(TwelveLabsSegmentVectorStore.nodes_from_embedding_task(task))
        store.persist("segments")
        ```
    """

    stores_text: bool = True
    flat_metadata: bool = False
    path: str | None = None
    model_name: str | None = None

    _store: SegmentIndex | None = PrivateAttr(default=None)
    _given: bool = PrivateAttr(default=False)
    _lock: threading.RLock = PrivateAttr(default_factory=threading.RLock)

    def __init__(self, path: str | Path | None = None, *, model_name: str | None = None,
                 store: SegmentIndex | None = None, **kwargs: Any) -> None:
        if store is not None and path is not None:
            raise InvalidInputError("pass path= (a local store this object opens or creates) or store= (one you "
                                    "opened), not both")
        if store is not None and not isinstance(store, SegmentIndex):
            raise InvalidInputError(f"store= must be a twelvelabs_rag.store.SegmentIndex (SegmentStore or "
                                    f"MilvusSegmentStore), got {type(store).__name__}")
        super().__init__(path=str(path) if path is not None else None,
                         model_name=model_name or (store.model_name if store is not None else None), **kwargs)
        self._store, self._given = store, store is not None
        if store is None and self.path is not None and SegmentStore.exists(self.path):
            self._store = SegmentStore.open(self.path)

    @classmethod
    def class_name(cls) -> str:
        return "TwelveLabsSegmentVectorStore"

    @classmethod
    def from_persist_dir(cls, persist_dir: str | Path, namespace: str = "default") -> TwelveLabsSegmentVectorStore:
        """Open what ``StorageContext.persist(persist_dir)`` wrote for this store.

        ``StorageContext`` hands ``persist`` the path ``<persist_dir>/<namespace>__vector_store.json``;
        the segment store is a directory at that path.
        """
        return cls(Path(persist_dir) / f"{namespace}__vector_store.json")

    @property
    def client(self) -> SegmentIndex | None:
        """The underlying store: the one given as ``store=``, else a :class:`SegmentStore` (None until the first
        nodes set its dimension)."""
        return self._store

    # ------------------------------------------------------------------ helpers
    def _ensure(self, dim: int) -> SegmentIndex:
        with self._lock:
            if self._store is None:
                model = self.model_name or _DIM_MODELS.get(dim, f"custom-{dim}d")
                self._store = SegmentStore.create(self.path, dim=dim, model_name=model)
            return self._store

    def _select(self, where: dict[str, Any] | None) -> list[int]:
        """Ids of the live segments matching ``where`` (all of them for None)."""
        store = self._store
        return [] if store is None else [int(i) for i in store.ids(where=where)]

    @staticmethod
    def _ids_where(node_ids: Sequence[str] | None) -> dict[str, Any] | None:
        """A ``where`` on the rows' external ids (the node ids) for these node ids (None: no restriction)."""
        if node_ids is None:
            return None
        return {"external_id": {"$in": list(dict.fromkeys(str(n) for n in node_ids))}}

    @staticmethod
    def _node(segment: Any, with_embedding: bool) -> BaseNode:
        node = metadata_dict_to_node(segment.metadata or {}, text=segment.text or "")
        if with_embedding and getattr(segment, "vector", None) is not None:
            node.embedding = np.asarray(segment.vector, dtype=np.float32).tolist()
        return node

    # ------------------------------------------------------------------ sync API
    def add(self, nodes: Sequence[BaseNode], **add_kwargs: Any) -> list[str]:
        """Add (or replace, by node id) nodes that carry an ``embedding``; returns their ids."""
        if not nodes:
            return []
        missing = [n.node_id for n in nodes if n.embedding is None]
        if missing:
            raise InvalidInputError(
                f"nodes {missing[:3]} have no embedding; embed them first (e.g. TwelveLabsEmbedding, "
                "or VectorStoreIndex(nodes, storage_context=..., embed_model=...))"
            )
        given = [n.node_id for n in nodes]
        nodes = list({n.node_id: n for n in nodes}.values())  # a node id given twice: the last one wins
        vectors = np.asarray([n.embedding for n in nodes], dtype=np.float32)
        if vectors.ndim != 2:
            raise InvalidInputError("all nodes must carry embeddings of the same length")
        keys = [_column_values(n) for n in nodes]
        seen: dict[tuple, str] = {}
        for node, key in zip(nodes, keys, strict=True):
            other = seen.setdefault(key, node.node_id)
            if other != node.node_id:
                raise InvalidInputError(
                    f"nodes {other!r} and {node.node_id!r} describe the same segment {key[:3]} "
                    f"(scope {key[3]!r}, option {key[4]!r}); give them different 'option' metadata"
                )
        metadatas = []
        for node in nodes:
            # A shallow copy without the vector: serialising 1024 floats only to drop them is the slow part.
            light = node.model_copy(update={"embedding": None})
            metadatas.append(node_to_metadata_dict(light, remove_text=True, flat_metadata=self.flat_metadata))
        with self._lock:
            # a stored row with one of these node ids is replaced by the store (external ids are unique)
            self._ensure(vectors.shape[1]).add(
                vectors,
                video_ids=[k[0] for k in keys],
                starts=[k[1] for k in keys],
                ends=[k[2] for k in keys],
                scopes=[k[3] for k in keys],
                options=[k[4] for k in keys],
                texts=[n.get_content() for n in nodes],
                metadatas=metadatas,
                external_ids=[n.node_id for n in nodes],
            )
        return given

    def delete(self, ref_doc_id: str, **delete_kwargs: Any) -> None:
        """Delete every node whose ``ref_doc_id`` (source document) is ``ref_doc_id``."""
        with self._lock:
            if self._store is not None:
                self._store.delete(where={"metadata.ref_doc_id": {"$eq": ref_doc_id}})

    def delete_nodes(
        self, node_ids: list[str] | None = None, filters: MetadataFilters | None = None, **delete_kwargs: Any
    ) -> None:
        """Delete nodes by id and/or by filters (both given: nodes matching both)."""
        if node_ids is None and filters is None:
            raise InvalidInputError("delete_nodes needs node_ids and/or filters; use clear() to delete everything")
        with self._lock:
            if self._store is None or (node_ids is not None and not node_ids):
                return
            where = combine(self._ids_where(node_ids), to_where(filters))
            if where is None:
                raise InvalidInputError("these filters are empty, so they match every node; use clear() for that")
            self._store.delete(where=where)

    def get_nodes(self, node_ids: list[str] | None = None, filters: MetadataFilters | None = None) -> list[BaseNode]:
        """Nodes by id (in the order given; unknown ids are skipped) and/or by filters, with embeddings."""
        with self._lock:
            store = self._store
            if store is None:
                return []
            segment_ids = self._select(combine(self._ids_where(node_ids), to_where(filters)))
        segments = store.get(segment_ids) if segment_ids else []
        nodes = [self._node(s, with_embedding=True) for s in segments]
        if node_ids is not None:
            order = {nid: i for i, nid in enumerate(node_ids)}
            nodes.sort(key=lambda n: order.get(n.node_id, len(order)))
        return nodes

    def clear(self) -> None:
        """Delete every node (the store keeps its dimension)."""
        with self._lock:
            if self._store is not None:
                self._store.delete(where={})

    def query(self, query: VectorStoreQuery, **kwargs: Any) -> VectorStoreQueryResult:
        """Exact cosine top-k over the segments matching ``filters`` / ``node_ids`` / ``doc_ids``."""
        if query.mode not in (VectorStoreQueryMode.DEFAULT, VectorStoreQueryMode.HYBRID):
            raise InvalidInputError(
                f"query mode {query.mode.value!r} is not supported by TwelveLabsSegmentVectorStore; use the default mode"
            )
        if query.query_embedding is None:
            raise InvalidInputError(
                "the query has no embedding: build the index with embed_model=TwelveLabsEmbedding(...), "
                "or pass QueryBundle(query_str='', embedding=embed.get_image_embedding(path)) for an image"
            )
        # Empty node_ids / doc_ids lists mean "no restriction" (VectorStoreIndex sends [] by default).
        with self._lock:
            where = combine(
                to_where(query.filters),
                self._ids_where(query.node_ids) if query.node_ids else None,
                {"metadata.ref_doc_id": {"$in": list(query.doc_ids)}} if query.doc_ids else None,
            )
        store = self._store
        if store is None or len(store) == 0:
            return VectorStoreQueryResult(nodes=[], similarities=[], ids=[])
        # The store serves concurrent readers itself; no need to hold this object's write lock.
        hits = store.search(np.asarray(query.query_embedding, dtype=np.float32), k=query.similarity_top_k, where=where)
        nodes = [metadata_dict_to_node(h.metadata or {}, text=h.text or "") for h in hits]
        return VectorStoreQueryResult(
            nodes=nodes, similarities=[float(h.score) for h in hits], ids=[n.node_id for n in nodes]
        )

    def persist(self, persist_path: str, fs: Any = None) -> None:
        """Save the store at ``persist_path`` (atomically); a store created in memory is written there."""
        if fs is not None:
            raise InvalidInputError("fsspec filesystems are not supported; persist to a local directory path")
        with self._lock:
            store = self._store
            if store is None:
                return
            target = Path(persist_path)
            if isinstance(store, SegmentStore) and store.path is not None and store.path.resolve() == target.resolve():
                store.save()
                return
            # Another location (or another backend): write a full local copy there, replacing a store
            # already at that path.
            if SegmentStore.exists(target):
                copy = SegmentStore.open(target)
                copy.delete(where={})
            else:
                copy = SegmentStore.create(target, dim=store.dim, model_name=store.model_name)
            try:
                batch: list[Any] = []
                for segment in store.scan(with_vectors=True):
                    batch.append(segment)
                    if len(batch) == 4096:
                        _copy_rows(copy, batch)
                        batch = []
                _copy_rows(copy, batch)
                copy.save()
            finally:
                copy.close()

    def close(self) -> None:
        """Release the store this object opened or created (its lock file, for an on-disk store).

        A store given as ``store=`` stays open: it is yours to close.
        """
        with self._lock:
            if self._store is not None and not self._given:
                self._store.close()
            self._store = None

    nodes_from_embedding_task: ClassVar[Callable[..., Any]] = staticmethod(nodes_from_embedding_task)

    def add_embedding_task(self, task: Any, *, video_id: str | None = None, **kwargs: Any) -> list[str]:
        """Add one node per segment of a retrieved embedding task, classic or embed v2, or of an indexed
        asset retrieved with ``embedding_option`` (``asset_id`` kept; see :func:`nodes_from_embedding_task`)."""
        return self.add(nodes_from_embedding_task(task, video_id=video_id, **kwargs))

    async def aadd_embedding_task(self, task: Any, *, video_id: str | None = None, **kwargs: Any) -> list[str]:
        """Async twin of :meth:`add_embedding_task`."""
        return await self.async_add(nodes_from_embedding_task(task, video_id=video_id, **kwargs))

    # ------------------------------------------------------------------ async twins (worker thread)
    async def async_add(self, nodes: Sequence[BaseNode], **kwargs: Any) -> list[str]:
        return await asyncio.to_thread(self.add, nodes, **kwargs)

    async def adelete(self, ref_doc_id: str, **delete_kwargs: Any) -> None:
        await asyncio.to_thread(self.delete, ref_doc_id, **delete_kwargs)

    async def adelete_nodes(
        self, node_ids: list[str] | None = None, filters: MetadataFilters | None = None, **delete_kwargs: Any
    ) -> None:
        await asyncio.to_thread(self.delete_nodes, node_ids, filters, **delete_kwargs)

    async def aget_nodes(
        self, node_ids: list[str] | None = None, filters: MetadataFilters | None = None
    ) -> list[BaseNode]:
        return await asyncio.to_thread(self.get_nodes, node_ids, filters)

    async def aclear(self) -> None:
        await asyncio.to_thread(self.clear)

    async def aquery(self, query: VectorStoreQuery, **kwargs: Any) -> VectorStoreQueryResult:
        return await asyncio.to_thread(self.query, query, **kwargs)
