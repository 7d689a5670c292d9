"""twelvelabs-rag: video RAG on TwelveLabs.

```python
from twelvelabs_rag import TwelveLabs
client = TwelveLabs()  # TWELVELABS_API_KEY from the environment
```
"""

from ._client import AsyncTwelveLabs, TwelveLabs
from ._config import API_KEY_ENVS, BASE_URL_ENV, UPLOAD_TOKEN_KEY
from ._exceptions import *  # noqa: F403
from ._exceptions import __all__ as _exc_all
from ._lazy import LazyClients
from ._pagination import AsyncPage, SyncPage
from ._preflight import MediaFacts, preflight
from ._streaming import AsyncStream, Stream
from ._version import __version__

__all__ = [
    "__version__", "TwelveLabs", "AsyncTwelveLabs", "SyncPage", "AsyncPage", "Stream", "AsyncStream", "preflight",
    "MediaFacts", "UPLOAD_TOKEN_KEY", "API_KEY_ENVS", "BASE_URL_ENV", "LazyClients", *_exc_all,
]

# current surface, hosted RAG: the Responses SSE stream and its cut-stream error
from ._sse import AsyncResponseStream, ResponseStream, StreamCutError

__all__ += ["ResponseStream", "AsyncResponseStream", "StreamCutError"]
