"""Time ranges in generated text: ``[00:00-00:04] ...`` lines or inline ``from 0s to 4s, ...`` phrases."""

from __future__ import annotations

import re

__all__ = ["parse_timestamped_lines"]

_TIME = r"(\d+:\d{2}(?::\d{2})?(?:\.\d+)?|\d+(?:\.\d+)?s?)"
_INLINE_RE = re.compile(
    rf"\bfrom\s+{_TIME}\s+(?:to|-|–)\s+{_TIME}\s*[,:\-–—]?\s*(.+?)(?=;|\n|\.\s|\.$|$)", re.IGNORECASE
)
_LINE_RE = re.compile(rf"^\s*[-*•]?\s*[\[(]?\s*{_TIME}\s*(?:-|–|—|to)\s*{_TIME}\s*[\])]?\s*[:\-–—]?\s*(.*\S)\s*$")


def _seconds(stamp: str) -> float:
    stamp = stamp.rstrip("s")
    total = 0.0
    for part in stamp.split(":"):
        total = total * 60 + float(part)
    return total


def parse_timestamped_lines(text: str) -> list[tuple[float, float, str]]:
    """``(start, end, text)`` for every line of ``text`` that starts with a time range.

    When no line starts with one, inline phrases such as ``from 0s to 4s, a fox runs;`` are used.

    ```python
    assert parse_timestamped_lines("[00:00-00:04] a fox\\nnoise\\n0:04 - 0:09: snow") == [
        (0.0, 4.0, "a fox"), (4.0, 9.0, "snow")]
    assert parse_timestamped_lines("It shows: from 0s to 4s, a fox; from 4s to 8s, an eagle.") == [
        (0.0, 4.0, "a fox"), (4.0, 8.0, "an eagle")]
    ```
    """
    out: list[tuple[float, float, str]] = []
    for line in text.splitlines():
        match = _LINE_RE.match(line)
        if match:
            out.append((_seconds(match.group(1)), _seconds(match.group(2)), match.group(3).strip()))
    if not out:
        for match in _INLINE_RE.finditer(text):
            item = (_seconds(match.group(1)), _seconds(match.group(2)), match.group(3).strip().rstrip("."))
            if item[2] and item not in out:
                out.append(item)
    return out
