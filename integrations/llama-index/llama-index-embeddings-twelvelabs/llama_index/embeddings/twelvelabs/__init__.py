"""TwelveLabs Marengo embeddings for LlamaIndex (text, image and audio in one space).

See :class:`TwelveLabsEmbedding` and the runnable, offline example in the docstring of
``llama_index.embeddings.twelvelabs.base``.
"""

from llama_index.embeddings.twelvelabs.base import MODEL_DIMENSIONS, TwelveLabsEmbedding

__all__ = ["TwelveLabsEmbedding", "MODEL_DIMENSIONS"]
