"""TwelveLabs video reader for LlamaIndex: index videos, read them back as Documents.

Example::

    from llama_index.readers.twelvelabs import TwelveLabsVideoReader

    reader = TwelveLabsVideoReader(index_id="<index with Marengo + Pegasus>", show_progress=False)
    docs = reader.load_data(["talk.mp4"], video_ids=["<already indexed video id>"])
"""

from llama_index.readers.twelvelabs._content import parse_timestamped
from llama_index.readers.twelvelabs.base import DEFAULT_PROMPT, TwelveLabsVideoReader

__all__ = ["TwelveLabsVideoReader", "DEFAULT_PROMPT", "parse_timestamped"]
