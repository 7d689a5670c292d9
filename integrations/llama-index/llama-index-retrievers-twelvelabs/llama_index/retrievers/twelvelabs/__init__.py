"""TwelveLabs retrievers for LlamaIndex: index search (one node per clip) and hosted knowledge-store search.

See :class:`TwelveLabsRetriever` (the runnable, offline example in the docstring of
``llama_index.retrievers.twelvelabs.base``) and :class:`TwelveLabsKnowledgeStoreRetriever`.
"""

from llama_index.retrievers.twelvelabs.base import TwelveLabsRetriever, clip_node_id
from llama_index.retrievers.twelvelabs.knowledge_store import TwelveLabsKnowledgeStoreRetriever

__all__ = ["TwelveLabsRetriever", "TwelveLabsKnowledgeStoreRetriever", "clip_node_id"]
