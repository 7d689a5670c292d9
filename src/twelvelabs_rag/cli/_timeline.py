"""A PNG timeline of where search hits fall in each video (matplotlib, Agg backend, the ``plot`` extra).

Scores are drawn, not just positions: a hit's opacity is its score (a legend shows the scale), and
hits under a relevance floor are left out with a note, so a 0.003 "match" does not look like a 0.86 one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Hit", "plot_timeline", "timeline_figure", "opacity", "split_by_floor", "SCORE_FLOOR"]

#: Hits scoring below this are noise (cosine similarity of unrelated moments), not matches: not drawn.
SCORE_FLOOR = 0.05
#: The faintest a drawn hit gets, so that a weak but real match stays visible.
MIN_OPACITY = 0.15
#: The scores the opacity legend shows.
LEGEND_SCORES = (0.25, 0.5, 1.0)


@dataclass(frozen=True)
class Hit:
    """One moment to draw: which query found it, in which video, when, and how well (0..1)."""

    query: str
    video: str
    start: float
    end: float
    score: float = 1.0


def opacity(score: float) -> float:
    """The opacity a hit is drawn with: its score, clipped to ``[MIN_OPACITY, 1]``.

    ```python
    >>> opacity(0.9), opacity(0.3), opacity(0.01), opacity(2.0)
    (0.9, 0.3, 0.15, 1.0)

    ```
    """
    return round(max(MIN_OPACITY, min(1.0, float(score))), 6)


def split_by_floor(hits: Sequence[Hit], floor: float = SCORE_FLOOR) -> tuple[list[Hit], list[Hit]]:
    """``(drawn, hidden)``: hits at or above the relevance floor, and the ones below it."""
    drawn = [h for h in hits if h.score >= floor]
    return drawn, [h for h in hits if h.score < floor]


def timeline_figure(durations: Mapping[str, float], hits: Sequence[Hit], *, title: str = "Where the hits fall",
                    floor: float = SCORE_FLOOR, figure: Any = None) -> Any:
    """The matplotlib ``Figure`` of :func:`plot_timeline` (nothing written).

    ``figure``: draw into this (empty) figure, e.g. ``plt.figure()`` so a notebook shows it inline;
    by default a new bare ``Figure``, which touches no GUI backend.
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError("the timeline needs matplotlib: pip install 'twelvelabs-rag[plot]'") from exc
    # A bare Figure (no pyplot): no GUI backend is touched, and a notebook's inline backend stays as it is.
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    drawn, hidden = split_by_floor(hits, floor)
    videos = list(durations)
    queries = list(dict.fromkeys(h.query for h in hits))
    palette = ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
    colour = {q: palette[i % len(palette)] for i, q in enumerate(queries)}
    lanes = max(1, len(queries))

    size = (11, 1.6 + (0.35 + 0.18 * lanes) * len(videos))
    fig = Figure(figsize=size, dpi=100) if figure is None else figure
    fig.set_size_inches(*size)
    ax = fig.add_subplot()
    for row, video in enumerate(videos):
        y = len(videos) - 1 - row
        ax.broken_barh([(0, durations[video])], (y - 0.4, 0.8), facecolors="#e8e8e8", edgecolor="#bbbbbb")
        for h in drawn:
            if h.video != video:
                continue
            lane = queries.index(h.query)
            height = 0.8 / lanes
            top = y + 0.4 - (lane + 1) * height  # first query on top, as in the legend
            ax.broken_barh([(h.start, max(h.end - h.start, 0.1))], (top + 0.1 * height, 0.8 * height),
                           facecolors=colour[h.query], alpha=opacity(h.score), label=f"{h.query} {h.score:.3f}")
    ax.set_yticks(range(len(videos)), list(reversed(videos)))
    ax.set_xlabel("seconds")
    ax.set_xlim(0, max(list(durations.values()) + [1.0]))
    ax.set_ylim(-0.6, len(videos) - 0.4)
    ax.set_title(title)
    if queries:
        by_query = ax.legend(handles=[Patch(color=colour[q], label=q) for q in queries], loc="upper left",
                             bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False,
                             title="query (lane order)", title_fontsize="small")
        ax.add_artist(by_query)
        ax.legend(handles=[Patch(color="#333333", alpha=opacity(s), label=f"score {s:g}") for s in LEGEND_SCORES],
                  loc="lower left", bbox_to_anchor=(1.01, 0.0), fontsize="small", frameon=False,
                  title="opacity = score", title_fontsize="small")
    if hidden:
        fig.text(0.01, 0.01, f"{len(hidden)} hit{'s' if len(hidden) != 1 else ''} scoring below {floor:g} "
                             "not drawn (unrelated moments, not matches)", fontsize="small", color="#555555")
    fig.tight_layout(rect=(0, 0.04 if hidden else 0, 1, 1))
    return fig


def plot_timeline(path: str | os.PathLike[str], durations: Mapping[str, float], hits: Sequence[Hit], *,
                  title: str = "Where the hits fall", floor: float = SCORE_FLOOR) -> Path:
    """Draw one row per video (its full length in grey) and each hit as a coloured span; write a PNG.

    A hit's opacity is its score (legend: "opacity = score"); hits under ``floor`` are not drawn and
    a note says how many. The file is written atomically with the umask's mode. Needs matplotlib:
    ``pip install 'twelvelabs-rag[plot]'``.

    ```python
    plot_timeline("t.png", {"a.mp4": 12.0}, [Hit("fox", "a.mp4", 0, 4, 0.9)])
    ```
    """
    from ..testing.samples import new_file_mode

    fig = timeline_figure(durations, hits, title=title, floor=floor)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".png")
    try:
        with os.fdopen(fd, "wb") as f:
            fig.savefig(f, format="png")
        os.chmod(tmp, new_file_mode())  # mkstemp made it 0600; a new file follows the umask
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
