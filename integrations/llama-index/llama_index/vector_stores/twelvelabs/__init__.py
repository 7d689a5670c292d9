"""TwelveLabs vector_stores for LlamaIndex."""
