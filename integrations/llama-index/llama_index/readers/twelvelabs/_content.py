"""Turning an indexed video (its metadata, Pegasus analysis and transcript) into Documents (private)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

from llama_index.core.schema import Document

from llama_index.embeddings.twelvelabs._common import fmt_time

__all__ = ["DEFAULT_PROMPT", "VideoContent", "parse_timestamped", "documents_for"]

#: Default Pegasus prompt: a timestamped description that the segments mode can split.
DEFAULT_PROMPT = (
    "Describe this video scene by scene. Write one line per scene, starting with its time range "
    "in seconds in square brackets, like [0-4] a red fox runs through snow. Mention what is seen, "
    "any on-screen text, and what is said."
)

_NUM = r"(\d+(?::\d{1,2}){0,2}(?:\.\d+)?)"
_LINE = re.compile(
    r"^\s*(?:[-*•]\s*)?[\[(]?\s*" + _NUM + r"\s*s?\s*(?:-|–|—|to)\s*" + _NUM + r"\s*s?\s*[\])]?\s*[:.\-–—]?\s*(.*?)\s*$",
    re.IGNORECASE,
)


_INLINE = re.compile(
    r"\bfrom\s+" + _NUM + r"\s*s?\s+to\s+" + _NUM + r"\s*s?\s*[,:]\s*(.+?)\s*(?=;|\.\s|\.?$)",
    re.IGNORECASE,
)


def _seconds(token: str) -> float:
    parts = token.split(":")
    total = 0.0
    for part in parts:
        total = total * 60 + float(part)
    return total


def parse_timestamped(text: str) -> list[tuple[float, float, str]]:
    """Lines like ``[0-4] ...``, ``[00:04 - 00:09] ...`` or ``0:04 to 0:09: ...`` -> (start, end, text).

    Lines without a time range are appended to the previous segment (a wrapped description); prose
    such as ``from 0s to 4s, a fox; from 4s to 8s, an owl`` is understood too.

    Example:
        ```python
        assert parse_timestamped("[0-4] a fox\\n[00:04-00:09] an owl") == [(0.0, 4.0, "a fox"), (4.0, 9.0, "an owl")]
        ```
    """
    out: list[tuple[float, float, str]] = []
    for raw in (text or "").splitlines():
        m = _LINE.match(raw)
        if m and m.group(3) is not None:
            start, end = _seconds(m.group(1)), _seconds(m.group(2))
            if end > start:
                out.append((start, end, m.group(3).strip()))
                continue
        if out and raw.strip():
            s, e, t = out[-1]
            out[-1] = (s, e, f"{t} {raw.strip()}".strip())
    if not out:
        # Prose such as "from 0s to 4s, a fox runs; from 4s to 8s, ..." (the last mention of a range wins).
        found: dict[tuple[float, float], str] = {}
        for m in _INLINE.finditer(text or ""):
            start, end = _seconds(m.group(1)), _seconds(m.group(2))
            if end > start and m.group(3).strip():
                found.pop((start, end), None)
                found[(start, end)] = m.group(3).strip()
        out = sorted(((s, e, t) for (s, e), t in found.items()), key=lambda x: (x[0], x[1]))
    return out


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

    def metadata(self) -> dict[str, Any]:
        return {
            "video_id": self.video_id,
            "index_id": self.index_id,
            "filename": self.filename,
            "duration": self.duration,
            "width": self.width,
            "height": self.height,
            "source": self.source,
        }

    def transcript_text(self) -> str:
        lines = [ln for ln in (self.transcript or []) if (ln.value or "").strip()]
        return "\n".join(f"[{fmt_time(ln.start)}-{fmt_time(ln.end)}] {ln.value.strip()}" for ln in lines)


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
            yield _doc(f"{content.video_id}@{start:.3f}-{end:.3f}", text, meta)
    for ln in content.transcript or []:
        text = (ln.value or "").strip()
        if not text:
            continue
        emitted = True
        start, end = float(ln.start), float(ln.end)
        meta = {**base, "start": start, "end": end, "kind": "transcript"}
        yield _doc(f"{content.video_id}@{start:.3f}-{end:.3f}#transcript", text, meta)
    if not emitted:
        name = content.filename or content.video_id
        note = f"Video {name}: no timestamped description or speech was found."
        meta = {**base, "start": 0.0, "end": float(content.duration or 0.0), "kind": "empty"}
        yield _doc(f"{content.video_id}@0.000-{float(content.duration or 0.0):.3f}", note, meta)
