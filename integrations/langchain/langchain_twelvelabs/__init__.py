"""LangChain integration for TwelveLabs: Marengo embeddings, search retriever, video loader,
Pegasus chat model and LLM, a local segment vector store, and agent tools (``langchain_twelvelabs.tools``).

```python
from langchain_twelvelabs import TwelveLabsSearchRetriever, ChatTwelveLabsPegasus
```
"""

from importlib import metadata

from .chat_models import ChatTwelveLabsPegasus
from .document_loaders import TwelveLabsVideoLoader
from .embeddings import TwelveLabsEmbeddings
from .llms import TwelveLabsPegasusLLM
from .retrievers import TwelveLabsSearchRetriever, format_citation
from .tools import (
    TwelveLabsAnalyzeTool,
    TwelveLabsIngestTool,
    TwelveLabsSearchTool,
    TwelveLabsSegmentSearchTool,
    TwelveLabsToolkit,
)
from .vectorstores import TwelveLabsSegmentVectorStore

try:
    __version__ = metadata.version("langchain-twelvelabs")
except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "ChatTwelveLabsPegasus",
    "TwelveLabsEmbeddings",
    "TwelveLabsPegasusLLM",
    "TwelveLabsSearchRetriever",
    "TwelveLabsSegmentVectorStore",
    "TwelveLabsVideoLoader",
    "TwelveLabsSearchTool",
    "TwelveLabsAnalyzeTool",
    "TwelveLabsSegmentSearchTool",
    "TwelveLabsIngestTool",
    "TwelveLabsToolkit",
    "format_citation",
    "__version__",
]
