"""A PNG timeline of where search hits fall in each video (matplotlib, Agg backend, the ``plot`` extra)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Hit", "plot_timeline"]


@dataclass(frozen=True)
class Hit:
    """One moment to draw: which query found it, in which video, when, and how well (0..1)."""

    query: str
    video: str
    start: float
    end: float
    score: float = 1.0


def plot_timeline(path: str | os.PathLike[str], durations: Mapping[str, float], hits: Sequence[Hit], *,
                  title: str = "Where the hits fall") -> Path:
    """Draw one row per video (its full length in grey) and each hit as a coloured span; write a PNG.

    The file is written atomically. Needs matplotlib: ``pip install 'twelvelabs-rag[plot]'``.

    ```python
    plot_timeline("t.png", {"a.mp4": 12.0}, [Hit("fox", "a.mp4", 0, 4, 0.9)])
    ```
    """
    try:
        import matplotlib
    except ImportError as exc:
        raise ImportError("the timeline needs matplotlib: pip install 'twelvelabs-rag[plot]'") from exc
    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    videos = list(durations)
    queries = list(dict.fromkeys(h.query for h in hits))
    palette = ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
    colour = {q: palette[i % len(palette)] for i, q in enumerate(queries)}
    lanes = max(1, len(queries))

    fig = Figure(figsize=(11, 1.2 + (0.35 + 0.18 * lanes) * len(videos)), dpi=100)
    ax = fig.add_subplot()
    for row, video in enumerate(videos):
        y = len(videos) - 1 - row
        ax.broken_barh([(0, durations[video])], (y - 0.4, 0.8), facecolors="#e8e8e8", edgecolor="#bbbbbb")
        for h in hits:
            if h.video != video:
                continue
            lane = queries.index(h.query)
            height = 0.8 / lanes
            alpha = 0.35 + 0.65 * max(0.0, min(1.0, h.score))
            top = y + 0.4 - (lane + 1) * height  # first query on top, as in the legend
            ax.broken_barh([(h.start, max(h.end - h.start, 0.1))], (top + 0.1 * height, 0.8 * height),
                           facecolors=colour[h.query], alpha=alpha)
    ax.set_yticks(range(len(videos)), list(reversed(videos)))
    ax.set_xlabel("seconds")
    ax.set_xlim(0, max(list(durations.values()) + [1.0]))
    ax.set_ylim(-0.6, len(videos) - 0.4)
    ax.set_title(title)
    if queries:
        ax.legend(handles=[Patch(color=colour[q], label=q) for q in queries], loc="upper left",
                  bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False, title="query (lane order)",
                  title_fontsize="small")
    fig.tight_layout()

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".png")
    try:
        with os.fdopen(fd, "wb") as f:
            fig.savefig(f, format="png")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
