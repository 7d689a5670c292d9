"""TwelveLabs readers for LlamaIndex."""
