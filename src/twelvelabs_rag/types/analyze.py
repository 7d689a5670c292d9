"""Analyze (Pegasus) models: the non-stream response and the NDJSON stream events."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from ._base import APIModel

__all__ = [
    "Usage",
    "AnalyzeError",
    "AnalyzeResponse",
    "StreamStart",
    "TextGeneration",
    "StreamEnd",
    "StreamEvent",
]


class Usage(APIModel):
    output_tokens: int
    input_tokens: int | None = None


class AnalyzeError(APIModel):
    code: str | None = None
    message: str


class AnalyzeResponse(APIModel):
    id: str | None = None
    data: str = ""
    finish_reason: str | None = None
    usage: Usage | None = None
    error: AnalyzeError | None = None


class _StreamMetadata(APIModel):
    generation_id: str | None = None
    usage: Usage | None = None


class StreamStart(APIModel):
    event_type: Literal["stream_start"] = "stream_start"
    metadata: _StreamMetadata | None = None


class TextGeneration(APIModel):
    event_type: Literal["text_generation"] = "text_generation"
    text: str = ""


class StreamEnd(APIModel):
    event_type: Literal["stream_end"] = "stream_end"
    finish_reason: str | None = None
    metadata: _StreamMetadata | None = None
    error: AnalyzeError | None = None

    @property
    def usage(self) -> Usage | None:
        return self.metadata.usage if self.metadata else None


StreamEvent = Annotated[StreamStart | TextGeneration | StreamEnd, Field(discriminator="event_type")]
