"""Responses (``POST /responses``): the answer object, its citations, and the typed SSE stream events.

Every stream event carries ``type`` and ``sequence_number``; :data:`EVENT_TYPES` maps each wire
type to its model. Types this library does not know yet parse as :class:`ResponseEvent` (kept, not
dropped: the stream stays forward compatible).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from ._base import APIModel

__all__ = [
    "Annotation", "ContentPart", "OutputItem", "ResponseUsage", "ResponseObject", "ResponseEvent",
    "ResponseLifecycleEvent", "OutputItemEvent", "ContentPartEvent", "OutputTextDeltaEvent", "OutputTextDoneEvent",
    "FunctionCallArgumentsDoneEvent", "KeepaliveEvent", "EVENT_TYPES", "TERMINAL_EVENT_TYPES",
]


class Annotation(APIModel):
    """A citation over ``text[start_index:end_index + 1]`` (inclusive, code points) of a content part."""

    type: str
    start_index: int
    end_index: int
    item_id: str | None = None
    collection_id: str | None = None
    start_sec: float | None = None
    end_sec: float | None = None
    title: str | None = None
    thumbnail_url: str | None = None
    hls_url: str | None = None


class ContentPart(APIModel):
    type: str
    text: str
    annotations: list[Annotation]

    def cited(self, annotation: Annotation) -> str:
        """The text an annotation of this part covers."""
        return self.text[annotation.start_index: annotation.end_index + 1]


class OutputItem(APIModel):
    type: str
    id: str
    status: str
    role: str | None = None
    phase: str | None = None
    content: list[ContentPart] = Field(default_factory=list)
    name: str | None = None
    call_id: str | None = None
    arguments: str | None = None
    output: str | None = None


class ResponseUsage(APIModel):
    input_tokens: int | None = None
    output_tokens: int | None = None


class ResponseObject(APIModel):
    """A Responses answer: ``output_text`` is the final answer, ``annotations`` its citations."""

    id: str | None = None
    type: str | None = None
    object: str | None = None
    knowledge_store_id: str | None = None
    session_id: str | None = None
    status: str | None = None
    incomplete_details: dict[str, Any] | None = None
    output: list[OutputItem] = Field(default_factory=list)
    usage: ResponseUsage | None = None
    created_at: datetime | None = None

    def _final_parts(self) -> list[ContentPart]:
        messages = [o for o in self.output if o.type == "message" and o.phase != "commentary"]
        return [p for o in messages for p in o.content if p.type == "output_text"]

    @property
    def output_text(self) -> str:
        """The text of the assistant's final message(s)."""
        return "".join(p.text for p in self._final_parts())

    @property
    def annotations(self) -> list[Annotation]:
        """Every citation of the final message(s), in text order."""
        return [a for p in self._final_parts() for a in p.annotations]


class ResponseEvent(APIModel):
    """Base of every stream event (and the model of event types not known to this library)."""

    type: str
    sequence_number: int


class ResponseLifecycleEvent(ResponseEvent):
    """``response.created`` / ``in_progress`` / ``completed`` / ``failed``."""

    response: ResponseObject


class OutputItemEvent(ResponseEvent):
    """``response.output_item.added`` / ``.done``."""

    output_index: int | None = None
    item: OutputItem


class ContentPartEvent(ResponseEvent):
    """``response.content_part.added`` / ``.done``."""

    item_id: str | None = None
    output_index: int | None = None
    content_index: int | None = None
    part: ContentPart


class OutputTextDeltaEvent(ResponseEvent):
    item_id: str | None = None
    output_index: int | None = None
    content_index: int | None = None
    delta: str


class OutputTextDoneEvent(ResponseEvent):
    item_id: str | None = None
    output_index: int | None = None
    content_index: int | None = None
    text: str


class FunctionCallArgumentsDoneEvent(ResponseEvent):
    item_id: str | None = None
    output_index: int | None = None
    arguments: str | None = None


class KeepaliveEvent(ResponseEvent):
    """A heartbeat with no data."""


EVENT_TYPES: dict[str, type[ResponseEvent]] = {
    "response.created": ResponseLifecycleEvent, "response.in_progress": ResponseLifecycleEvent,
    "response.completed": ResponseLifecycleEvent, "response.failed": ResponseLifecycleEvent,
    "response.output_item.added": OutputItemEvent, "response.output_item.done": OutputItemEvent,
    "response.content_part.added": ContentPartEvent, "response.content_part.done": ContentPartEvent,
    "response.output_text.delta": OutputTextDeltaEvent, "response.output_text.done": OutputTextDoneEvent,
    "response.function_call_arguments.done": FunctionCallArgumentsDoneEvent, "keepalive": KeepaliveEvent,
}
#: The events after which the server sends nothing but ``[DONE]``.
TERMINAL_EVENT_TYPES = frozenset({"response.completed", "response.failed"})
