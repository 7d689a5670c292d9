"""The demo's PNG timeline draws scores, not just positions (issue 9, item 26)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

from twelvelabs_rag.cli._timeline import SCORE_FLOOR, Hit, opacity, plot_timeline, split_by_floor, timeline_figure


def _bars(fig) -> dict[str, float]:
    """``label -> alpha`` of the drawn hit spans (the grey video rows carry no label)."""
    ax = fig.axes[0]
    return {c.get_label(): c.get_alpha() for c in ax.collections if not c.get_label().startswith("_")}


def test_a_weak_hit_is_drawn_fainter_than_a_strong_one_and_noise_is_hidden() -> None:
    hits = [Hit("taxi", "city.mp4", 4, 8, 0.86), Hit("taxi", "city.mp4", 0, 4, 0.18),
            Hit("taxi", "kitchen.mp4", 4, 8, 0.003)]
    fig = timeline_figure({"city.mp4": 12.0, "kitchen.mp4": 12.0}, hits)
    bars = _bars(fig)
    assert bars == {"taxi 0.860": pytest.approx(0.86), "taxi 0.180": pytest.approx(0.18)}
    texts = [t.get_text() for t in fig.texts]
    assert texts == [f"1 hit scoring below {SCORE_FLOOR:g} not drawn (unrelated moments, not matches)"]
    legends = [child for child in fig.axes[0].get_children() if type(child).__name__ == "Legend"]
    titles = {lg.get_title().get_text() for lg in legends}
    assert titles == {"query (lane order)", "opacity = score"}
    scale = next(lg for lg in legends if lg.get_title().get_text() == "opacity = score")
    assert [t.get_text() for t in scale.get_texts()] == ["score 0.25", "score 0.5", "score 1"]


def test_opacity_and_floor_are_monotonic_and_bounded() -> None:
    assert opacity(0.003) == opacity(0.0) == 0.15
    assert opacity(0.3) < opacity(0.6) < opacity(0.99) <= 1.0
    assert opacity(3.0) == 1.0
    drawn, hidden = split_by_floor([Hit("q", "v", 0, 1, s) for s in (0.01, 0.05, 0.5)])
    assert [h.score for h in drawn] == [0.05, 0.5] and [h.score for h in hidden] == [0.01]


def test_png_is_written_with_the_umask_mode(tmp_path: Path) -> None:
    from twelvelabs_rag.testing.samples import new_file_mode

    path = plot_timeline(tmp_path / "t.png", {"a.mp4": 12.0}, [Hit("fox", "a.mp4", 0, 4, 0.9)])
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_mode & 0o777 == new_file_mode()
    assert [p.name for p in tmp_path.iterdir()] == ["t.png"]  # no temporary file left
