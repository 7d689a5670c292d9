"""LangChain integration for TwelveLabs: Marengo embeddings, search retriever, video loader,
Pegasus chat model and LLM, and a local segment vector store.

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
    "format_citation",
    "__version__",
]
