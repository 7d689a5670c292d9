"""LangChain integration for TwelveLabs: Marengo embeddings, search retriever, video loader,
Pegasus chat model and LLM, a local segment vector store, agent tools (``langchain_twelvelabs.tools``) and
hosted RAG (knowledge-store retriever, Responses chat model).

```python
from langchain_twelvelabs import TwelveLabsSearchRetriever, ChatTwelveLabsPegasus
```
"""

from importlib import metadata

from .chat_models import ChatTwelveLabsPegasus
from .document_loaders import TwelveLabsVideoLoader
from .embeddings import TwelveLabsEmbeddings
from .knowledge_stores import TwelveLabsKnowledgeStoreRetriever
from .llms import TwelveLabsPegasusLLM
from .responses import ChatTwelveLabsResponses
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
    "ChatTwelveLabsResponses",
    "TwelveLabsEmbeddings",
    "TwelveLabsKnowledgeStoreRetriever",
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
