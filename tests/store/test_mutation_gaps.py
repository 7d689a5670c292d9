"""Store behaviours that one-line mutants showed no test pinned (benchmarks/mutation_run.py).

Each test names the mutant it kills; ``mutation_run.py --mutant "<module>:<line> <change>" --tests
tests/store/test_mutation_gaps.py`` applies one and must report it killed.

- filters: an empty sub-filter keeps every candidate row (``_n``: ``rows is None``), ids at and
  beyond 2**53 compare exactly (no float rounding), and a bound beyond a column's range puts every
  stored value on one side of it;
- persistence: files are fsynced before they are renamed into place (durable by default), and a
  failed save removes exactly what it wrote — unless its manifest was already committed, in which
  case its files are the store.
"""

from __future__ import annotations

import json
import os
import zlib
from pathlib import Path

import numpy as np
import pytest

from twelvelabs_rag.store import SegmentStore, save_steps

DIM = 8
MODEL = "my-test-model"


class Stop(Exception):
    pass


def _rows(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, DIM)).astype(np.float32)


def _add(store: SegmentStore, n: int, video: str, seed: int = 0) -> list[int]:
    return store.add(_rows(n, seed), video_ids=video, starts=np.arange(float(n)), ends=np.arange(float(n)) + 1,
                     scopes="clip", options="visual")


def _store(closing) -> tuple[SegmentStore, list[int], list[int]]:
    store = closing(SegmentStore.create(None, dim=DIM, model_name=MODEL))
    a = _add(store, 4, "a", 0)
    b = _add(store, 3, "b", 1)
    return store, a, b


def _ids(store: SegmentStore, where: dict) -> list[int]:
    return sorted(int(i) for i in store.ids(where=where))


# ---------------------------------------------------------------- filters


def test_an_empty_sub_filter_keeps_every_candidate_row(closing) -> None:
    """Kills ``store/_filters.py`` ``_n``: ``rows is None`` -> ``rows is not None``."""
    store, a, b = _store(closing)
    assert _ids(store, {"$and": [{}]}) == sorted(a + b)  # no candidate rows: every row
    assert _ids(store, {"$or": [{}, {"video_id": "b"}]}) == sorted(a + b)
    assert _ids(store, {"video_id": "a", "$and": [{}]}) == a  # candidates from the video index
    assert _ids(store, {"video_id": "b", "$not": {}}) == []


def _write_manifest(path: Path, body: dict) -> None:
    """Rewrite the manifest with a valid self-checksum: crc32 of its canonical JSON without the checksum."""
    body = {k: v for k, v in body.items() if k != "checksum"}
    body["checksum"] = zlib.crc32(json.dumps(body, sort_keys=True, separators=(",", ":")).encode())
    (path / "manifest.json").write_text(json.dumps(body))


def test_ids_beyond_two_to_the_53_compare_exactly(tmp_path: Path) -> None:
    """Kills ``store/_filters.py`` ``key != "id" or isinstance(value, int)`` -> ``and`` (ids compared as floats).

    A store whose id counter has passed 2**53 (the manifest allows up to 2**62) must still tell
    neighbouring ids apart: as float64, 2**53 and 2**53 + 1 are the same number."""
    path = tmp_path / "s"
    with SegmentStore.create(path, dim=DIM, model_name=MODEL) as store:
        store.save()
    man = json.loads((path / "manifest.json").read_text())
    man["next_id"] = 2**53
    _write_manifest(path, man)
    with SegmentStore.open(path) as store:
        ids = _add(store, 4, "v")
        assert ids == [2**53, 2**53 + 1, 2**53 + 2, 2**53 + 3]
        assert _ids(store, {"id": 2**53 + 1}) == [2**53 + 1]
        assert _ids(store, {"id": {"$ne": 2**53 + 1}}) == [2**53, 2**53 + 2, 2**53 + 3]
        assert _ids(store, {"id": {"$gt": 2**53}}) == [2**53 + 1, 2**53 + 2, 2**53 + 3]
        assert _ids(store, {"id": {"$lte": 2**53 + 2}}) == [2**53, 2**53 + 1, 2**53 + 2]
        assert [s.id for s in store.scan(where={"id": 2**53 + 3})] == [2**53 + 3]


@pytest.mark.parametrize("key", ["start", "end", "id"])
def test_a_bound_beyond_the_column_range_puts_every_row_on_one_side(closing, key: str) -> None:
    """Kills ``store/_filters.py`` ``"$gt": not above`` / ``"$gte": not above`` -> ``above`` (both mutants)."""
    store, a, b = _store(closing)
    every = sorted(a + b)
    huge = 10**400 if key != "id" else 2**70  # beyond float32 (times) / int64 (ids)
    for value in (huge, float("1e39") if key != "id" else 2.0**64):
        assert _ids(store, {key: {"$gt": value}}) == [], value
        assert _ids(store, {key: {"$gte": value}}) == [], value
        assert _ids(store, {key: {"$lt": value}}) == every, value
        assert _ids(store, {key: {"$lte": value}}) == every, value
        assert _ids(store, {key: {"$gt": -value}}) == every, value
        assert _ids(store, {key: {"$gte": -value}}) == every, value
        assert _ids(store, {key: {"$lt": -value}}) == [], value
        assert _ids(store, {key: {"$lte": -value}}) == [], value


# ---------------------------------------------------------------- persistence


class FsyncLog:
    """Wraps ``os.fsync`` (the OS seam every durable write goes through): which files were flushed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.inodes: set[tuple[int, int]] = set()
        real = os.fsync

        def fsync(fd: int) -> None:
            st = os.fstat(fd)
            self.inodes.add((st.st_dev, st.st_ino))
            real(fd)

        monkeypatch.setattr(os, "fsync", fsync)

    def flushed(self, path: Path) -> bool:
        st = path.stat()
        return (st.st_dev, st.st_ino) in self.inodes


def test_write_npy_is_durable_unless_told_otherwise(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Kills ``store/_persist.py`` ``write_npy(..., durable: bool = True)`` -> ``False``.

    A durable write is fsynced, reported as a save step and renamed into place; only an explicit
    ``durable=False`` leaves the bytes in ``name.tmp`` for :func:`publish`."""
    from twelvelabs_rag.store._persist import write_npy

    fsyncs = FsyncLog(monkeypatch)
    arr = np.arange(12, dtype=np.float32).reshape(3, 4)
    steps: list[str] = []
    with save_steps(steps.append):
        entry = write_npy(tmp_path, "a.npy", arr)
    assert steps == ["a.npy written"]
    assert np.array_equal(np.load(tmp_path / "a.npy"), arr) and not list(tmp_path.glob("*.tmp"))
    assert fsyncs.flushed(tmp_path / "a.npy")
    assert entry["bytes"] == (tmp_path / "a.npy").stat().st_size
    assert entry["crc32"] == zlib.crc32((tmp_path / "a.npy").read_bytes())

    write_npy(tmp_path, "b.npy", arr, durable=False)
    assert not (tmp_path / "b.npy").exists() and (tmp_path / "b.npy.tmp").exists()
    assert not fsyncs.flushed(tmp_path / "b.npy.tmp")


def test_every_file_of_a_save_is_fsynced_before_the_manifest_names_it(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The data files and the new manifest are on disk (fsynced) before the manifest is renamed in."""
    path = tmp_path / "s"
    fsyncs = FsyncLog(monkeypatch)
    checked: list[str] = []

    def at_step(step: str) -> None:
        if step == "manifest.json written":  # the new manifest is complete; the rename comes next
            new = json.loads((path / "manifest.json.tmp").read_text())
            for entry in new["files"].values():
                assert fsyncs.flushed(path / entry["name"]), entry["name"]
            assert fsyncs.flushed(path / "manifest.json.tmp")
            checked.append(step)

    with SegmentStore.create(path, dim=DIM, model_name=MODEL) as store, save_steps(at_step):
        store.add(_rows(5, 0), video_ids="v", starts=np.arange(5.0), ends=np.arange(5.0) + 1, scopes="clip",
                  options="visual", texts=list("abcde"))
        store.save()
    assert checked == ["manifest.json written"]


def _saved_old(path: Path) -> set[str]:
    with SegmentStore.create(path, dim=DIM, model_name=MODEL) as store:
        _add(store, 5, "old")
        store.save()
    return {p.name for p in path.iterdir()}


def _failed_save(path: Path, stop_at: str) -> None:
    def hook(step: str) -> None:
        if step == stop_at:
            raise Stop(step)

    store = SegmentStore.open(path)
    try:
        _add(store, 3, "new", seed=1)
        with save_steps(hook), pytest.raises(Stop):
            store.save()
    finally:
        store.close()


@pytest.mark.parametrize("stop_at", ["data published", "manifest.json written"])
def test_a_save_that_fails_before_its_commit_removes_everything_it_wrote(tmp_path: Path, stop_at: str) -> None:
    """Kills ``store/_persist.py`` ``abandon_generation``: ``now[0] == generation`` -> ``!=`` (nothing removed)."""
    path = tmp_path / "s"
    before = _saved_old(path)
    _failed_save(path, stop_at)
    assert {p.name for p in path.iterdir()} == before  # no temp file, no file of the unpublished generation
    with SegmentStore.open(path, read_only=True) as reopened:
        assert {s.video_id for s in reopened.scan()} == {"old"}


def test_a_save_that_fails_after_its_commit_keeps_the_files_it_published(tmp_path: Path) -> None:
    """Kills the same mutant the other way round: once the manifest is committed, its generation is
    the store, and the failed save's clean-up must not remove it."""
    path = tmp_path / "s"
    _saved_old(path)
    _failed_save(path, "manifest committed")
    man = json.loads((path / "manifest.json").read_text())
    for entry in man["files"].values():
        assert (path / entry["name"]).exists(), entry["name"]
    with SegmentStore.open(path, read_only=True) as reopened:
        assert len(reopened) == 8 and {s.video_id for s in reopened.scan()} == {"old", "new"}
