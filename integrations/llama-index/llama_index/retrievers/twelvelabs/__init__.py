"""TwelveLabs search retriever for LlamaIndex: one node per matching clip.

See :class:`TwelveLabsRetriever` and the runnable, offline example in the docstring of
``llama_index.retrievers.twelvelabs.base``.
"""

from llama_index.retrievers.twelvelabs.base import TwelveLabsRetriever, clip_node_id

__all__ = ["TwelveLabsRetriever", "clip_node_id"]
