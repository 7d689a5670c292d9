"""TwelveLabs retrievers for LlamaIndex."""
