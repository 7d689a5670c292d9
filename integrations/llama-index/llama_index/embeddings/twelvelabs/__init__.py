"""TwelveLabs Marengo embeddings for LlamaIndex (text, image and audio in one space).

Example (offline, against the bundled emulator)::

    from twelvelabs_rag.testing import FakeTwelveLabs
    from llama_index.embeddings.twelvelabs import TwelveLabsEmbedding

    fake = FakeTwelveLabs()
    embed = TwelveLabsEmbedding(client=fake.client(), async_client=fake.async_client())
    vec = embed.get_query_embedding("a red fox running through snow")
    assert len(vec) == embed.dimension == 1024
"""

from llama_index.embeddings.twelvelabs.base import MODEL_DIMENSIONS, TwelveLabsEmbedding

__all__ = ["TwelveLabsEmbedding", "MODEL_DIMENSIONS"]
