"""Async analyze models: tasks (``/analyze/tasks``) and batches (``/analyze/batches``), Pegasus 1.5/1.6.

Timestamps are ``datetime`` (RFC 3339 on the wire). Every model tolerates extra fields.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from ._base import APIModel
from .analyze import AnalyzeError, Usage

__all__ = [
    "AnalyzeTaskResult",
    "VideoSource",
    "AnalyzeTask",
    "AnalyzeTaskRef",
    "AnalyzeBatchItem",
    "AnalyzeBatch",
    "AnalyzeBatchStatus",
    "BatchResultData",
    "BatchResultItem",
    "TERMINAL_ANALYZE_STATUSES",
    "TERMINAL_BATCH_STATUSES",
]

TERMINAL_ANALYZE_STATUSES = frozenset({"ready", "failed", "canceled"})
TERMINAL_BATCH_STATUSES = frozenset({"completed", "canceled", "expired"})


class AnalyzeTaskResult(APIModel):
    generation_id: str
    data: str
    finish_reason: str
    usage: Usage


class VideoSource(APIModel):
    type: str | None = None
    url: str | None = None
    asset_id: str | None = None
    video_id: str | None = None
    index_id: str | None = None
    system_metadata: dict[str, Any] | None = None


class AnalyzeTask(APIModel):
    """``GET /analyze/tasks/{task_id}``: status and, once ``ready``, ``result.data``."""

    task_id: str
    status: str
    created_at: datetime
    custom_id: str | None = None
    batch_id: str | None = None
    completed_at: datetime | None = None
    video_source: VideoSource | None = None
    request_params: dict[str, Any] | None = None
    result: AnalyzeTaskResult | None = None
    error: AnalyzeError | None = None
    webhooks: list[dict[str, Any]] | None = None

    @property
    def id(self) -> str:
        return self.task_id


class AnalyzeTaskRef(APIModel):
    """The answer of create and cancel: ``{task_id, status}``."""

    task_id: str
    status: str

    @property
    def id(self) -> str:
        return self.task_id


class AnalyzeBatchItem(APIModel):
    task_id: str
    custom_id: str | None = None


class _BatchBase(APIModel):
    batch_id: str
    status: str
    total_items: int
    created_at: datetime
    expires_at: datetime

    @property
    def id(self) -> str:
        return self.batch_id


class AnalyzeBatch(_BatchBase):
    """``POST /analyze/batches``: the batch and the task id of every request (in request order)."""

    items: list[AnalyzeBatchItem] = Field(default_factory=list)


class AnalyzeBatchStatus(_BatchBase):
    """A batch's progress (retrieve, list, cancel)."""

    analysis_mode: str
    model_name: str
    queued_items: int
    processing_items: int
    ready_items: int
    failed_items: int
    canceled_items: int
    completed_at: datetime | None = None
    canceled_at: datetime | None = None
    expired_at: datetime | None = None
    webhooks: list[dict[str, Any]] | None = None


class BatchResultData(APIModel):
    generation_id: str | None = None
    data: str | None = None
    finish_reason: str | None = None
    usage: Usage | None = None


class BatchResultItem(APIModel):
    """One JSON Lines record of ``GET /analyze/batches/{id}/results``."""

    task_id: str
    status: str
    custom_id: str | None = None
    data: BatchResultData | None = None
    error: AnalyzeError | None = None
