"""TwelveLabs embeddings for LlamaIndex."""
