"""TwelveLabs Marengo embeddings for LlamaIndex (text, image and audio in one space).

Example::

    from twelvelabs_rag.testing import FakeTwelveLabs
    from llama_index.embeddings.twelvelabs import TwelveLabsEmbedding

    fake = FakeTwelveLabs()
    embed = TwelveLabsEmbedding(client=fake.client(), async_client=fake.async_client())
    assert len(embed.get_text_embedding("a red fox")) == 1024
"""

from llama_index.embeddings.twelvelabs.base import MODEL_DIMENSIONS, TwelveLabsEmbedding

__all__ = ["TwelveLabsEmbedding", "MODEL_DIMENSIONS"]
