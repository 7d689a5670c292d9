"""TwelveLabs video reader for LlamaIndex: index videos, read them back as Documents.

See :class:`TwelveLabsVideoReader` and the runnable, offline example in the docstring of
``llama_index.readers.twelvelabs.base``.
"""

from llama_index.readers.twelvelabs.base import DEFAULT_PROMPT, TwelveLabsVideoReader

from twelvelabs_rag.moments import parse_timestamped

__all__ = ["TwelveLabsVideoReader", "DEFAULT_PROMPT", "parse_timestamped"]
