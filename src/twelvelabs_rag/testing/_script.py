"""The emulator's "meaning" of media: scripts of timed scenes.

A script is text with one scene per line::

    [0-4] a red fox runs through snow
    [4-9.5] a city street at night with neon signs | "welcome to the night market"

``[start-end]`` are seconds; the text describes what is seen; an optional part after ``|`` is what
is said (used for the ``audio``/``transcription`` embeddings and the transcript). Lines that
do not match are ignored, so free text (a PNG description) has no scenes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Scene", "parse_script", "format_script", "ScriptLike"]

_LINE = re.compile(r"^\s*\[\s*(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*\]\s*(.*?)\s*$")


@dataclass(frozen=True)
class Scene:
    """One timed scene of a script: ``Scene(0, 4, "a red fox runs", "look, a fox")``."""

    start: float
    end: float
    visual: str
    speech: str = ""

    @property
    def text(self) -> str:
        """Everything the scene is about (visual description and speech)."""
        return f"{self.visual} {self.speech}".strip()


ScriptLike = str | Sequence[Scene | tuple[Any, ...]]


def parse_script(text: str | None) -> list[Scene]:
    """Parse ``[start-end] visual | speech`` lines; other lines are skipped.

    Example:
        ```python
        assert parse_script("[0-4] a fox")[0].end == 4.0
        ```
    """
    scenes: list[Scene] = []
    for line in (text or "").splitlines():
        m = _LINE.match(line)
        if not m:
            continue
        start, end, rest = float(m.group(1)), float(m.group(2)), m.group(3)
        if end <= start:
            continue
        visual, _, speech = rest.partition("|")
        scenes.append(Scene(start, end, visual.strip(), speech.strip().strip('"').strip()))
    return scenes


def coerce_script(script: ScriptLike) -> list[Scene]:
    """Accept a script string, a list of :class:`Scene`, or ``(start, end, text[, speech])`` tuples."""
    if isinstance(script, str):
        return parse_script(script)
    out: list[Scene] = []
    for item in script:
        if isinstance(item, Scene):
            out.append(item)
        else:
            start, end, visual, *speech = item
            out.append(Scene(float(start), float(end), str(visual), str(speech[0]) if speech else ""))
    return out


def format_script(scenes: Iterable[Scene]) -> str:
    """Render scenes back to script text (inverse of :func:`parse_script`).

    Example:
        ```python
        assert format_script([Scene(0, 4, "a fox", "hi")]) == '[0-4] a fox | "hi"'
        ```
    """
    lines = []
    for s in scenes:
        line = f"[{_num(s.start)}-{_num(s.end)}] {s.visual}"
        if s.speech:
            line += f' | "{s.speech}"'
        lines.append(line)
    return "\n".join(lines)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"
