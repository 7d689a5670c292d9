"""Video indexing task models (``/tasks`` and ``/tasks/transfers``)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ._base import APIModel

__all__ = [
    "TaskSystemMetadata",
    "HLS",
    "Task",
    "TaskCreated",
    "TERMINAL_TASK_STATUSES",
    "TransferImportResult",
    "TransferStatus",
    "TransferLogs",
]

#: Statuses after which a task never changes again.
TERMINAL_TASK_STATUSES = frozenset({"ready", "failed"})


class TaskSystemMetadata(APIModel):
    filename: str | None = None
    duration: float | None = None
    width: int | None = None
    height: int | None = None


class HLS(APIModel):
    video_url: str | None = None
    thumbnail_urls: list[str] = Field(default_factory=list)
    status: str | None = None
    updated_at: str | None = None


class Task(APIModel):
    id: str = Field(alias="_id")
    video_id: str | None = None
    index_id: str | None = None
    status: str
    created_at: str | None = None
    updated_at: str | None = None
    system_metadata: TaskSystemMetadata | None = None
    hls: HLS | None = None

    @property
    def done(self) -> bool:
        return self.status in TERMINAL_TASK_STATUSES


class TaskCreated(APIModel):
    id: str = Field(alias="_id")
    video_id: str | None = None


class TransferImportResult(APIModel):
    videos: list[dict[str, Any]] = Field(default_factory=list)
    failed_files: list[dict[str, Any]] = Field(default_factory=list)


class TransferStatus(APIModel):
    not_imported: list[str] = Field(default_factory=list)
    validating: list[dict[str, Any]] = Field(default_factory=list)
    pending: list[dict[str, Any]] = Field(default_factory=list)
    queued: list[dict[str, Any]] = Field(default_factory=list)
    indexing: list[dict[str, Any]] = Field(default_factory=list)
    ready: list[dict[str, Any]] = Field(default_factory=list)
    failed: list[dict[str, Any]] = Field(default_factory=list)


class TransferLogs(APIModel):
    data: list[dict[str, Any]] = Field(default_factory=list)
