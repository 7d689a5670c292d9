"""TwelveLabs segment vector store for LlamaIndex (local FAISS-backed ``SegmentStore``, no pickle).

Example::

    from llama_index.core import VectorStoreIndex
    from llama_index.embeddings.twelvelabs import TwelveLabsEmbedding
    from llama_index.vector_stores.twelvelabs import TwelveLabsSegmentVectorStore

    store = TwelveLabsSegmentVectorStore(path="segments")
    store.add_embedding_task(task)  # one node per Marengo segment
    index = VectorStoreIndex.from_vector_store(store, embed_model=TwelveLabsEmbedding())
    print(index.as_retriever(similarity_top_k=3).retrieve("a fox in the snow"))
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
