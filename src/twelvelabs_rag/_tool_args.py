"""Argument schemas of the agent tools (pydantic), shared by the LangChain tools and the LlamaIndex tool spec.

The field descriptions are what a tool-calling model reads; :func:`validate_args` turns a schema
violation into a :class:`ToolInputError` that names the argument and the fix.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, Field, ValidationError

from ._exceptions import TwelveLabsError

__all__ = ["ToolInputError", "SearchArgs", "AnalyzeArgs", "SegmentSearchArgs", "IngestArgs", "validate_args",
           "validation_message"]

M = TypeVar("M", bound=BaseModel)


class ToolInputError(TwelveLabsError, ValueError):
    """A tool was called with arguments it cannot use; the message says which and how to fix it."""


class SearchArgs(BaseModel):
    """Arguments of the search tool."""

    query: str | None = Field(default=None,
                              description="What to look for, in words, e.g. 'a red fox running through snow'.")
    image: str | None = Field(default=None,
                              description="An image to look for: a local image path or an http(s) image URL.")
    k: int | None = Field(default=None, ge=1, le=50, description="How many moments to return (default 5).")


class AnalyzeArgs(BaseModel):
    """Arguments of the analyze tool."""

    prompt: str = Field(description="The question or instruction about the video, e.g. 'What is the fox doing?'.")
    asset_id: str | None = Field(
        default=None, description="A TwelveLabs asset id, e.g. the asset_id of a search result or of the ingest tool.")
    video_id: str | None = Field(
        default=None, description="A video in the index: the video_id of a search result that has no asset_id.")
    url: str | None = Field(default=None, description="A direct http(s) URL of a video file (instead of video_id).")
    start: float | None = Field(default=None, ge=0, description="Start of the moment to ask about, in seconds.")
    end: float | None = Field(default=None, ge=0, description="End of the moment to ask about, in seconds.")
    json_schema: dict[str, Any] | None = Field(
        default=None, description="Optional JSON schema the answer must follow (the answer is then JSON)."
    )


class SegmentSearchArgs(BaseModel):
    """Arguments of the segment-store search tool."""

    query: str | None = Field(default=None, description="What to look for, in words.")
    image: str | None = Field(default=None, description="An image to look for: a local image path or an http(s) URL.")
    like_segment_id: int | None = Field(
        default=None, description="The segment_id of an earlier result: find more moments like it."
    )
    k: int | None = Field(default=None, ge=1, le=100, description="How many moments to return (default 5).")


class IngestArgs(BaseModel):
    """Arguments of the ingest tool."""

    source: str = Field(description="The video to index: a local file path or a direct http(s) URL.")


def validation_message(exc: Any) -> str:
    """What is wrong with a tool call's arguments, per argument, and what to do about it."""
    errors = getattr(exc, "errors", None)
    parts = [f"`{'.'.join(str(x) for x in e['loc']) or 'input'}`: {e['msg']}" for e in (errors() if errors else [])]
    return "Invalid arguments: " + ("; ".join(parts) or str(exc)) + ". Fix them and call the tool again."


def validate_args(model: type[M], kwargs: dict[str, Any]) -> M:
    """``model(**kwargs)``, raising :class:`ToolInputError` (with :func:`validation_message`) when they do not fit."""
    try:
        return model(**kwargs)
    except ValidationError as exc:
        raise ToolInputError(validation_message(exc)) from None
