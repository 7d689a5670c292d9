"""TwelveLabs tools for LlamaIndex agents (``TwelveLabsToolSpec``) and a scripted test-double LLM."""

from llama_index.tools.twelvelabs.base import ToolAnswer, TwelveLabsToolSpec

__all__ = ["ToolAnswer", "TwelveLabsToolSpec"]
