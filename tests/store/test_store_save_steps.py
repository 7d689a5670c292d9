"""A save stopped between any two of its steps leaves the old snapshot (or, once the manifest is
committed, the new one) — never a torn store. The fault is injected through ``save_steps``.

This is what catches a manifest written in place instead of temp file + rename: at the step
"manifest.json written" the manifest on disk must still be the old one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from twelvelabs_rag.store import SegmentStore, save_steps


class Stop(Exception):
    pass


def _rows(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, 8)).astype(np.float32)


def _saved(path: Path) -> None:
    with SegmentStore.create(path, dim=8, model_name="my-test-model") as store:
        store.add(_rows(5, 0), video_ids="old", starts=np.arange(5.0), ends=np.arange(5.0) + 1, scopes="clip", options="visual")
        store.save()


def _steps(path: Path) -> list[str]:
    seen: list[str] = []
    with SegmentStore.open(path) as store, save_steps(seen.append):
        store.add(_rows(3, 1), video_ids="new", starts=np.arange(3.0), ends=np.arange(3.0) + 1, scopes="clip", options="visual",
                  texts=["a", "b", "c"])
        store.save()
    return seen


def test_the_save_steps_are_reported_in_order(tmp_path: Path) -> None:
    _saved(tmp_path / "s")
    steps = _steps(tmp_path / "s")
    assert steps[-3:] == ["data published", "manifest.json written", "manifest committed"]


@pytest.mark.parametrize("stop_at", ["data published", "manifest.json written", "manifest committed"])
def test_a_save_stopped_at_each_step_leaves_a_whole_snapshot(tmp_path: Path, stop_at: str) -> None:
    path = tmp_path / "s"
    _saved(path)

    def hook(step: str) -> None:
        if step == stop_at:
            raise Stop(step)

    store = SegmentStore.open(path)
    store.add(_rows(3, 1), video_ids="new", starts=np.arange(3.0), ends=np.arange(3.0) + 1, scopes="clip", options="visual")
    with save_steps(hook), pytest.raises(Stop):
        store.save()
    store.close()
    with SegmentStore.open(path, read_only=True) as reopened:
        expected = 8 if stop_at == "manifest committed" else 5  # the rename is the commit point
        assert len(reopened) == expected
        videos = {seg.video_id for seg in reopened.scan()}
        assert videos == ({"old", "new"} if expected == 8 else {"old"})
    assert not list(path.glob("*.tmp"))
