"""TwelveLabs segment vector store for LlamaIndex (local FAISS-backed ``SegmentStore``, no pickle).

Example (offline; the vectors would normally come from ``TwelveLabsEmbedding`` or an embed task)::

    from llama_index.core.schema import TextNode
    from llama_index.core.vector_stores import VectorStoreQuery
    from llama_index.vector_stores.twelvelabs import TwelveLabsSegmentVectorStore

    store = TwelveLabsSegmentVectorStore()  # in memory; path="segments/" persists
    store.add([
        TextNode(id_="fox", text="a fox", embedding=[1.0, 0.0, 0.0], metadata={"video_id": "v1", "start": 0.0, "end": 4.0}),
        TextNode(id_="owl", text="an owl", embedding=[0.0, 1.0, 0.0], metadata={"video_id": "v1", "start": 4.0, "end": 8.0}),
    ])
    result = store.query(VectorStoreQuery(query_embedding=[0.9, 0.1, 0.0], similarity_top_k=1))
    assert result.ids == ["fox"]
"""

from llama_index.vector_stores.twelvelabs._filters import COLUMN_KEYS, to_where
from llama_index.vector_stores.twelvelabs._segments import nodes_from_embedding_task, segment_node_id
from llama_index.vector_stores.twelvelabs.base import NODE_ID_KEY, TwelveLabsSegmentVectorStore

__all__ = [
    "TwelveLabsSegmentVectorStore",
    "nodes_from_embedding_task",
    "segment_node_id",
    "to_where",
    "COLUMN_KEYS",
    "NODE_ID_KEY",
]
