"""Plain-text output for the CLI: timestamps, tables, and an optional progress bar.

Nothing here talks to the API. Tables are fixed-width text so that they read well in a terminal,
in a log file and in ``docs/demo-output.txt``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

__all__ = ["clock", "span", "table", "Progress", "shorten"]


def clock(seconds: float | None) -> str:
    """Format seconds as ``mm:ss`` (``mm:ss.s`` for fractions, ``h:mm:ss`` past an hour).

    ```python
    >>> clock(4), clock(75.25), clock(3725), clock(None)
    ('00:04', '01:15.2', '1:02:05', '?')

    ```
    """
    if seconds is None:
        return "?"
    seconds = max(0.0, float(seconds))
    if seconds >= 3600:
        h, rest = divmod(int(seconds), 3600)
        m, s = divmod(rest, 60)
        return f"{h}:{m:02d}:{s:02d}"
    minutes, secs = divmod(seconds, 60)
    if abs(secs - round(secs)) < 0.05:
        return f"{int(minutes):02d}:{int(round(secs)):02d}" if round(secs) < 60 else f"{int(minutes) + 1:02d}:00"
    return f"{int(minutes):02d}:{secs:04.1f}"


def span(start: float | None, end: float | None) -> str:
    """A time range as ``00:04-00:08``."""
    return f"{clock(start)}-{clock(end)}"


def shorten(text: Any, width: int) -> str:
    """One line of at most ``width`` characters (an ellipsis marks a cut)."""
    s = " ".join(str(text).split())
    return s if len(s) <= width else s[: max(0, width - 1)] + "…"


def table(rows: Iterable[Sequence[Any]], headers: Sequence[str], *, max_width: int = 48, indent: str = "") -> str:
    """Render rows as an aligned text table; numbers are right-aligned, floats shown with 3 decimals.

    ```python
    >>> print(table([("a", 1.5)], ["name", "score"]))
    name  score
    ----  -----
    a     1.500

    ```
    """
    cells: list[list[str]] = []
    numeric = [True] * len(headers)
    for row in rows:
        line = []
        for i, value in enumerate(row):
            if isinstance(value, bool) or not isinstance(value, int | float):
                numeric[i] = numeric[i] and value is None
                line.append("" if value is None else shorten(value, max_width))
            elif isinstance(value, float):
                line.append(f"{value:.3f}")
            else:
                line.append(str(value))
        cells.append(line)
    if not cells:
        numeric = [False] * len(headers)
    widths = [len(h) for h in headers]
    for line in cells:
        for i, c in enumerate(line):
            widths[i] = max(widths[i], len(c))

    def fmt(line: Sequence[str]) -> str:
        parts = [c.rjust(w) if numeric[i] else c.ljust(w) for i, (c, w) in enumerate(zip(line, widths, strict=True))]
        return (indent + "  ".join(parts)).rstrip()

    out = [fmt(headers), fmt(["-" * w for w in widths])]
    out += [fmt(line) for line in cells]
    if not cells:
        out.append(indent + "(no results)")
    return "\n".join(out)


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class Progress:
    """A progress bar over ``total`` steps: tqdm when installed and enabled, else one line per step.

    ```python
    with Progress(3, "upload", enabled=False) as bar:
        bar.step("a.mp4 ready")
    ```
    """

    def __init__(self, total: int, desc: str, *, enabled: bool = True, stream: TextIO | None = None) -> None:
        self.total = total
        self.desc = desc
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stderr
        self._bar: Any = None
        self._done = 0
        # A live bar only on a terminal; in a log or a pipe, one plain line per finished item.
        if enabled and _isatty(self.stream):
            try:
                from tqdm import tqdm
            except ImportError:  # the `progress` extra is optional
                tqdm = None
            if tqdm is not None:
                self._bar = tqdm(total=total, desc=desc, unit="file", file=self.stream, leave=True, ncols=80)

    def status(self, text: str) -> None:
        """Show the current item's state (task status, file name) next to the bar."""
        if self._bar is not None:
            self._bar.set_postfix_str(text, refresh=True)

    def step(self, text: str = "") -> None:
        """Mark one item done."""
        self._done += 1
        if self._bar is not None:
            self._bar.set_postfix_str(text, refresh=False)
            self._bar.update(1)
        elif self.enabled:
            print(f"{self.desc} [{self._done}/{self.total}] {text}".rstrip(), file=self.stream, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
