"""TwelveLabs search retriever for LlamaIndex: one node per matching clip.

Example::

    from llama_index.retrievers.twelvelabs import TwelveLabsRetriever

    retriever = TwelveLabsRetriever("<index id>", similarity_top_k=5)
    for hit in retriever.retrieve("a red fox in the snow"):
        print(hit.node.metadata["video_id"], hit.node.metadata["start"], hit.node.metadata["end"])
"""

from llama_index.retrievers.twelvelabs.base import TwelveLabsRetriever, clip_node_id

__all__ = ["TwelveLabsRetriever", "clip_node_id"]
