"""Models of the current surface's assets and multipart upload sessions (spec-current §1, §1.1).

Every model tolerates extra fields; timestamps stay strings (RFC 3339 on the wire).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ._base import APIModel, PageInfo

__all__ = [
    "TERMINAL_ASSET_STATUSES", "AssetError", "AssetMedia", "Asset", "TranscriptionEntry", "AssetTranscription",
    "PresignedUrl", "MultipartSession", "PresignedUrls", "ChunkInfo", "UploadStatus", "IncompleteUpload",
    "ChunkReport", "UploadProgress",
]

TERMINAL_ASSET_STATUSES = frozenset({"ready", "failed"})


class AssetError(APIModel):
    message: str | None = None


class AssetMedia(APIModel):
    """``hls`` / ``thumbnail`` of an asset detail."""

    manifest_url: str | None = None
    representative_url: str | None = None
    status: str | None = None


class Asset(APIModel):
    """An asset (create answers the short form; retrieve/list add the detail fields)."""

    id: str = Field(alias="_id")
    method: str | None = None
    status: str | None = None
    filename: str | None = None
    file_type: str | None = None
    created_at: str | None = None
    user_metadata: dict[str, Any] | None = None
    hls: AssetMedia | None = None
    thumbnail: AssetMedia | None = None
    technical_metadata: dict[str, Any] | None = None
    size: int | None = None
    duration: float | None = None
    error: AssetError | None = None

    @property
    def done(self) -> bool:
        return self.status in TERMINAL_ASSET_STATUSES


class TranscriptionEntry(APIModel):
    start: float
    end: float
    value: str
    speaker: str | None = None


class AssetTranscription(APIModel):
    status: str
    words: list[TranscriptionEntry] | None = None
    sentences: list[TranscriptionEntry] | None = None
    utterances: list[TranscriptionEntry] | None = None
    error: AssetError | None = None


class PresignedUrl(APIModel):
    chunk_index: int
    url: str
    expires_at: str | None = None


class MultipartSession(APIModel):
    """``POST /assets/multipart-uploads``: the session, its first presigned URLs and its chunking."""

    upload_id: str
    asset_id: str
    upload_urls: list[PresignedUrl] = Field(default_factory=list)
    upload_headers: dict[str, str] = Field(default_factory=dict)
    chunk_size: int
    total_chunks: int
    expires_at: str | None = None


class PresignedUrls(APIModel):
    upload_id: str | None = None
    start_index: int | None = None
    count: int | None = None
    upload_urls: list[PresignedUrl] = Field(default_factory=list)
    expires_at: str | None = None


class ChunkInfo(APIModel):
    index: int
    status: str
    uploaded_at: str | None = None
    updated_at: str | None = None
    error: str | None = None


class UploadStatus(APIModel):
    """One page of ``GET /assets/multipart-uploads/{upload_id}`` (its items are ``uploaded_chunks``)."""

    upload_id: str | None = None
    status: str | None = None
    uploaded_chunks: list[ChunkInfo] = Field(default_factory=list)
    chunks_completed: int | None = None
    chunks_failed: int | None = None
    chunks_pending: int | None = None
    page_info: PageInfo | None = None
    total_size: int | None = None
    uploaded_size: int | None = None
    created_at: str | None = None
    updated_at: str | None = None


class IncompleteUpload(APIModel):
    upload_id: str
    status: str
    total_size: int
    chunk_size: int
    total_chunks: int
    created_at: str | None = None
    expires_at: str | None = None


class ChunkReport(APIModel):
    """The answer to a chunk report; ``url`` appears once every chunk is reported."""

    url: str | None = None
    asset_id: str | None = None
    processed_chunks: int | None = None
    duplicate_chunks: int | None = None
    total_completed: int | None = None


class UploadProgress(APIModel):
    """What ``assets.upload(on_progress=...)`` reports after each confirmed batch (and at the start)."""

    upload_id: str | None = None
    bytes_sent: int = 0
    total_bytes: int = 0
    chunks_done: int = 0
    total_chunks: int = 0
    resumed_chunks: int = 0
