"""TwelveLabs segment vector store for LlamaIndex (the local ``SegmentStore``, no pickle, or a ``MilvusSegmentStore``).

See :class:`TwelveLabsSegmentVectorStore` and the runnable, offline example in the docstring of
``llama_index.vector_stores.twelvelabs.base``.
"""

from llama_index.vector_stores.twelvelabs._filters import COLUMN_KEYS, to_where
from llama_index.vector_stores.twelvelabs._segments import nodes_from_embedding_task, segment_node_id
from llama_index.vector_stores.twelvelabs.base import TwelveLabsSegmentVectorStore

__all__ = [
    "TwelveLabsSegmentVectorStore",
    "nodes_from_embedding_task",
    "segment_node_id",
    "to_where",
    "COLUMN_KEYS",
]
