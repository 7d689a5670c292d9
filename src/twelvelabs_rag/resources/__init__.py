"""Resources of the client, one module per URL path (each with a sync and an async class)."""

from .analyze import Analyze, AsyncAnalyze
from .assets import Assets, AsyncAssets
from .embed import AsyncEmbed, Embed
from .embed_tasks import AsyncEmbedTasks, EmbedTasks
from .indexed_assets import AsyncIndexedAssets, IndexedAssets
from .indexes import AsyncIndexes, Indexes
from .multipart import AsyncMultipartUploads, MultipartUploads
from .search import AsyncSearch, Search
from .tasks import AsyncTasks, Tasks
from .transfers import AsyncTransfers, Transfers
from .videos import AsyncVideos, Videos

__all__ = [
    "Analyze", "AsyncAnalyze", "Embed", "AsyncEmbed", "EmbedTasks", "AsyncEmbedTasks", "Indexes", "AsyncIndexes",
    "Search", "AsyncSearch", "Tasks", "AsyncTasks", "Transfers", "AsyncTransfers", "Videos", "AsyncVideos",
]
__all__ += ["Assets", "AsyncAssets", "IndexedAssets", "AsyncIndexedAssets", "MultipartUploads", "AsyncMultipartUploads"]

#: (sync, async) pairs whose public methods must match exactly (tests/client/test_parity.py).
PAIRS = [
    (Analyze, AsyncAnalyze), (Embed, AsyncEmbed), (EmbedTasks, AsyncEmbedTasks), (Indexes, AsyncIndexes),
    (Search, AsyncSearch), (Tasks, AsyncTasks), (Transfers, AsyncTransfers), (Videos, AsyncVideos),
]

# current surface: hosted RAG (entity collections, knowledge stores, Responses, data connectors)
from .connectors import AsyncDataConnectors, AsyncImports, DataConnectors, Imports  # noqa: E402
from .entities import AsyncEntities, AsyncEntityCollections, Entities, EntityCollections  # noqa: E402
from .knowledge_stores import (  # noqa: E402
    AsyncItemCollections,
    AsyncKnowledgeStoreItems,
    AsyncKnowledgeStores,
    ItemCollections,
    KnowledgeStoreItems,
    KnowledgeStores,
)
from .responses import AsyncResponses, Responses  # noqa: E402

__all__ += [
    "DataConnectors", "AsyncDataConnectors", "Imports", "AsyncImports", "EntityCollections", "AsyncEntityCollections",
    "Entities", "AsyncEntities", "KnowledgeStores", "AsyncKnowledgeStores", "KnowledgeStoreItems",
    "AsyncKnowledgeStoreItems", "ItemCollections", "AsyncItemCollections", "Responses", "AsyncResponses",
]
PAIRS += [
    (DataConnectors, AsyncDataConnectors), (Imports, AsyncImports), (EntityCollections, AsyncEntityCollections),
    (Entities, AsyncEntities), (KnowledgeStores, AsyncKnowledgeStores), (KnowledgeStoreItems, AsyncKnowledgeStoreItems),
    (ItemCollections, AsyncItemCollections), (Responses, AsyncResponses),
]
# current surface (assets area)
PAIRS += [(Assets, AsyncAssets), (IndexedAssets, AsyncIndexedAssets), (MultipartUploads, AsyncMultipartUploads)]
