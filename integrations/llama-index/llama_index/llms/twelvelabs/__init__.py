"""TwelveLabs Pegasus as a LlamaIndex LLM bound to one video.

See :class:`TwelveLabsPegasus` and the runnable, offline example in the docstring of
``llama_index.llms.twelvelabs.base``.
"""

from llama_index.llms.twelvelabs.base import PROMPT_TOKEN_LIMIT, TwelveLabsPegasus, json_schema_for

__all__ = ["TwelveLabsPegasus", "PROMPT_TOKEN_LIMIT", "json_schema_for"]
