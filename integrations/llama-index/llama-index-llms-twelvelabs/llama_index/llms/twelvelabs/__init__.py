"""TwelveLabs Pegasus as a LlamaIndex LLM bound to one video, and Responses (hosted RAG) as a chat LLM.

See :class:`TwelveLabsPegasus` and the runnable, offline example in the docstring of
``llama_index.llms.twelvelabs.base``.
"""

from llama_index.llms.twelvelabs.base import PROMPT_TOKEN_LIMIT, TwelveLabsPegasus, json_schema_for
from llama_index.llms.twelvelabs.responses import TwelveLabsResponses, citations_of

__all__ = ["TwelveLabsPegasus", "TwelveLabsResponses", "PROMPT_TOKEN_LIMIT", "citations_of", "json_schema_for"]
