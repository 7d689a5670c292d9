"""Turning an indexed video (its metadata, Pegasus analysis and transcript) into Documents (private)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from llama_index.core.schema import Document

from twelvelabs_rag.moments import clip_id, format_transcript, parse_timestamped

__all__ = ["DEFAULT_PROMPT", "VideoContent", "documents_for"]

#: Default Pegasus prompt: a timestamped description that the segments mode can split.
DEFAULT_PROMPT = (
    "Describe this video scene by scene. Write one line per scene, starting with its time range "
    "in seconds in square brackets, like [0-4] a red fox runs through snow. Mention what is seen, "
    "any on-screen text, and what is said."
)


@dataclass
class VideoContent:
    """What the reader learnt about one video."""

    video_id: str
    index_id: str
    source: str
    filename: str | None = None
    duration: float | None = None
    width: int | None = None
    height: int | None = None
    analysis: str | None = None
    transcript: list[Any] | None = None  # TranscriptionLine-like: start, end, value
    analysis_extra: dict[str, Any] | None = None
    asset_id: str | None = None  # current flow: the asset behind the indexed asset

    def metadata(self) -> dict[str, Any]:
        extra = {"asset_id": self.asset_id} if self.asset_id is not None else {}
        return {**extra,
            "video_id": self.video_id,
            "index_id": self.index_id,
            "filename": self.filename,
            "duration": self.duration,
            "width": self.width,
            "height": self.height,
            "source": self.source,
        }

    def transcript_text(self) -> str:
        return format_transcript(self.transcript)


_HIDDEN = ["index_id", "width", "height", "source"]


def _doc(id_: str, text: str, metadata: dict[str, Any]) -> Document:
    return Document(
        id_=id_,
        text=text,
        metadata=metadata,
        excluded_llm_metadata_keys=list(_HIDDEN),
        excluded_embed_metadata_keys=list(_HIDDEN),
    )


def documents_for(content: VideoContent, *, mode: str) -> Iterator[Document]:
    """One Document per video (``mode="video"``) or one per timestamped chunk (``"segments"``)."""
    base = content.metadata()
    if mode == "video":
        parts: list[str] = []
        if content.analysis is not None:
            parts.append(content.analysis.strip())
        if content.transcript is not None:
            spoken = content.transcript_text()
            if content.analysis is not None:
                parts.append("Transcript:\n" + (spoken or "(no speech was transcribed)"))
            else:
                parts.append(spoken or "(no speech was transcribed)")
        yield _doc(content.video_id, "\n\n".join(parts), base)
        return
    emitted = False
    if content.analysis is not None:
        chunks = parse_timestamped(content.analysis)
        if not chunks and content.analysis.strip():
            chunks = [(0.0, float(content.duration or 0.0), content.analysis.strip())]
        for start, end, text in chunks:
            emitted = True
            meta = {**base, "start": start, "end": end, "kind": "description"}
            yield _doc(clip_id(content.video_id, start, end), text, meta)
    for ln in content.transcript or []:
        text = (ln.value or "").strip()
        if not text:
            continue
        emitted = True
        start, end = float(ln.start), float(ln.end)
        meta = {**base, "start": start, "end": end, "kind": "transcript"}
        yield _doc(f"{clip_id(content.video_id, start, end)}#transcript", text, meta)
    if not emitted:
        name = content.filename or content.video_id
        note = f"Video {name}: no timestamped description or speech was found."
        meta = {**base, "start": 0.0, "end": float(content.duration or 0.0), "kind": "empty"}
        yield _doc(clip_id(content.video_id, 0.0, float(content.duration or 0.0)), note, meta)
