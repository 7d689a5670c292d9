"""TwelveLabs Pegasus as a LlamaIndex LLM bound to one video.

Example::

    from llama_index.llms.twelvelabs import TwelveLabsPegasus

    llm = TwelveLabsPegasus(video_id="<indexed video id>")
    print(llm.complete("What happens in this video?").text)
"""

from llama_index.llms.twelvelabs.base import PROMPT_TOKEN_LIMIT, TwelveLabsPegasus, json_schema_for

__all__ = ["TwelveLabsPegasus", "PROMPT_TOKEN_LIMIT", "json_schema_for"]
