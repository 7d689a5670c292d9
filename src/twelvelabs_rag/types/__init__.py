"""Typed response models. Every model tolerates extra fields; ``_id`` is exposed as ``.id``."""

from ._base import APIModel, ListPage, PageInfo, Vector
from .analyze import AnalyzeError, AnalyzeResponse, StreamEnd, StreamEvent, StreamStart, TextGeneration, Usage
from .embed import (
    EmbeddingResponse,
    EmbeddingSegment,
    EmbeddingTask,
    EmbeddingTaskCreated,
    EmbeddingTaskStatus,
    MediaEmbedding,
    VideoEmbedding,
    VideoEmbeddingMetadata,
    VideoSegment,
)
from .indexes import Index, IndexCreated, IndexModel
from .search import SearchClip, SearchItem, SearchPageInfo, SearchPool, SearchResults
from .tasks import HLS, Task, TaskCreated, TaskSystemMetadata, TransferImportResult, TransferLogs, TransferStatus
from .videos import TranscriptionLine, Video, VideoIndexEmbedding, VideoSystemMetadata

__all__ = [
    "APIModel", "ListPage", "PageInfo", "Vector",
    "AnalyzeError", "AnalyzeResponse", "StreamEnd", "StreamEvent", "StreamStart", "TextGeneration", "Usage",
    "EmbeddingResponse", "EmbeddingSegment", "EmbeddingTask", "EmbeddingTaskCreated", "EmbeddingTaskStatus",
    "MediaEmbedding", "VideoEmbedding", "VideoEmbeddingMetadata", "VideoSegment",
    "Index", "IndexCreated", "IndexModel",
    "SearchClip", "SearchItem", "SearchPageInfo", "SearchPool", "SearchResults",
    "HLS", "Task", "TaskCreated", "TaskSystemMetadata", "TransferImportResult", "TransferLogs", "TransferStatus",
    "TranscriptionLine", "Video", "VideoIndexEmbedding", "VideoSystemMetadata",
]

# current surface, hosted RAG: entities, knowledge stores, Responses, data connectors
from .connectors import Connection, Import, ImportDetail, ImportItem, ImportResult
from .entities import BulkEntityResult, Entity, EntityCollection
from .knowledge import (
    ItemCollection,
    KnowledgeStore,
    KnowledgeStoreHit,
    KnowledgeStoreItem,
    KnowledgeStoreMatch,
    KnowledgeStoreSearchResults,
)
from .responses import Annotation, ContentPart, OutputItem, ResponseEvent, ResponseObject

__all__ += [
    "Connection", "Import", "ImportDetail", "ImportItem", "ImportResult", "BulkEntityResult", "Entity",
    "EntityCollection", "ItemCollection", "KnowledgeStore", "KnowledgeStoreHit", "KnowledgeStoreItem",
    "KnowledgeStoreMatch", "KnowledgeStoreSearchResults", "Annotation", "ContentPart", "OutputItem", "ResponseEvent",
    "ResponseObject",
]

# current API: embed v2 and async analyze (appended as one block so parallel additions merge cleanly)
from .analyze_async import (  # noqa: E402
    AnalyzeBatch,
    AnalyzeBatchStatus,
    AnalyzeTask,
    AnalyzeTaskRef,
    AnalyzeTaskResult,
    BatchResultItem,
)
from .embed_v2 import EmbedV2Data, EmbedV2Response, EmbedV2Task, EmbedV2TaskCreated, EmbedV2TaskSummary  # noqa: E402

__all__ += [
    "AnalyzeBatch", "AnalyzeBatchStatus", "AnalyzeTask", "AnalyzeTaskRef", "AnalyzeTaskResult", "BatchResultItem",
    "EmbedV2Data", "EmbedV2Response", "EmbedV2Task", "EmbedV2TaskCreated", "EmbedV2TaskSummary",
]
