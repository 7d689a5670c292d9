"""TwelveLabs llms for LlamaIndex."""
