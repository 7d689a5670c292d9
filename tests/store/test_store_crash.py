"""Crash safety and hostile files.

* kill -9 of a process in the middle of ``save()`` (a handful of trials; the >= 200-trial soak
  is ``benchmarks/crash_soak.py``, which this test drives with fewer trials): reopening always
  shows exactly the old or the new snapshot, with no stale lock and a working next save.
* every file of a saved snapshot truncated, bit-flipped or deleted: opening raises the store's
  typed corrupt error, or (for a file that is not part of the snapshot) loads exactly the same
  snapshot. Garbage is never loaded.
"""

from __future__ import annotations

import importlib.util
import random
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.slow  # kill -9 trials: deselect with -m 'not slow' for a quick loop

ROOT = Path(__file__).resolve().parents[2]


def _harness():
    spec = importlib.util.spec_from_file_location("crash_soak", ROOT / "benchmarks" / "crash_soak.py")
    if spec.name in sys.modules:
        return sys.modules[spec.name]
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("crash_soak", mod)
    spec.loader.exec_module(mod)
    return mod


crash = _harness()


@pytest.mark.timeout(120)
def test_kill9_during_save_leaves_old_or_new_snapshot(tmp_path: Path) -> None:
    # Kill points spread over the measured save duration; 0 -> before any byte, 3.0 -> after.
    fractions = [0.0, 0.3, 0.65, 0.95, 3.0]
    res = crash.run(
        len(fractions),
        rows=10_000,
        seed=11,
        write_every=2,
        corrupt_every=1,
        fractions=fractions,
        workdir=tmp_path,
    )
    assert res.failures == [], "\n".join(res.failures)
    assert res.trials == len(fractions)
    assert res.old + res.new == res.trials
    assert res.old >= 1 and res.new >= 1, res.summary()  # kill at 0 -> old, after the save -> new
    assert res.corrupt_trials >= 1


@pytest.mark.timeout(120)
def test_kill9_random_points(tmp_path: Path) -> None:
    # The saving process maps its vectors (mmap=True): the save must not depend on the old files.
    seed = random.randrange(1 << 30)
    res = crash.run(2, rows=10_000, seed=seed, write_every=0, corrupt_every=1, child_mmap=True, workdir=tmp_path)
    assert res.failures == [], f"seed {seed}:\n" + "\n".join(res.failures)
    assert res.old + res.new == 2


# ---------------------------------------------------------------- hostile files


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory):
    from twelvelabs_rag.store import SegmentStore

    base = tmp_path_factory.mktemp("pristine") / "store"
    snap = crash.build_base(base, 600, crash.DIM, 5, SegmentStore)
    return base, snap


def _files(base: Path) -> list[Path]:
    return sorted(p.relative_to(base) for p in base.rglob("*") if p.is_file())


def _open_must_refuse_or_match(path: Path, snap, what: str, damaged: Path) -> str:
    import twelvelabs_rag.store as mod

    outcome = crash.judge_damaged(path, snap, crash.DIM, mod.SegmentStore, getattr(mod, crash.CORRUPT_ERROR),
                                  path / damaged, what)
    assert not outcome.startswith("FAIL"), outcome
    return outcome


@pytest.mark.parametrize("how", ["truncate-half", "truncate-zero", "flip-middle", "flip-last", "delete"])
def test_damaged_snapshot_file_is_refused(pristine, tmp_path: Path, how: str) -> None:
    base, snap = pristine
    files = _files(base)
    assert files, "save() wrote no files"
    outcomes = {}
    for rel in files:
        work = tmp_path / f"{how}-{str(rel).replace('/', '_')}"
        shutil.copytree(base, work)
        target = work / rel
        size = target.stat().st_size
        if how == "delete":
            target.unlink()
        elif how.startswith("truncate"):
            with open(target, "r+b") as f:
                f.truncate(size // 2 if how == "truncate-half" else 0)
        elif size:
            off = size // 2 if how == "flip-middle" else size - 1
            data = bytearray(target.read_bytes())
            data[off] ^= 0x5A
            target.write_bytes(bytes(data))
        outcomes[str(rel)] = _open_must_refuse_or_match(work, snap, f"{how} {rel}", rel)
    # The biggest file holds the vectors: damaging it can never leave the same snapshot.
    biggest = max(files, key=lambda r: (base / r).stat().st_size)
    if how != "flip-last" or (base / biggest).stat().st_size:
        assert outcomes[str(biggest)] == "raised", outcomes


def test_snapshot_files_hold_no_pickle(pristine) -> None:
    base, _ = pristine
    for rel in _files(base):
        head = (base / rel).read_bytes()[:2]
        assert not (len(head) == 2 and head[0] == 0x80 and head[1] in range(2, 6)), f"{rel} looks like a pickle"
        if rel.suffix == ".npy":
            np.load(base / rel, allow_pickle=False)  # raises if the array needs pickle


@pytest.mark.parametrize("how", ["truncate", "delete", "flip"])
def test_damaged_vectors_refused_by_mmap_open(pristine, tmp_path: Path, how: str) -> None:
    import twelvelabs_rag.store as mod

    base, snap = pristine
    work = tmp_path / "s"
    shutil.copytree(base, work)
    biggest = max(_files(work), key=lambda r: (work / r).stat().st_size)
    target = work / biggest
    if how == "truncate":
        with open(target, "r+b") as f:
            f.truncate(target.stat().st_size - 4)
    elif how == "delete":
        target.unlink()
    else:
        data = bytearray(target.read_bytes())
        data[len(data) // 2] ^= 0x5A
        target.write_bytes(bytes(data))
    with pytest.raises(mod.CorruptStoreError):
        view = mod.SegmentStore.open(work, mmap=True, read_only=True)
        # A lazy check is fine too, as long as no search returns the damaged data.
        crash.check_snapshot(view, snap, crash.DIM)
        view.search(np.ones(crash.DIM, np.float32), k=len(view))


DISK_FULL_CHILD = r"""
import json, resource, signal, sys
import numpy as np
sys.path.insert(0, sys.argv[3])
import crash_soak as crash
from twelvelabs_rag.store import SegmentStore

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG instead
path, limit = sys.argv[1], int(sys.argv[2])
s = SegmentStore.open(path)
s.delete(list(range(0, 40)))
s.add(crash.vectors(99, 300), **crash.columns(99, 300))
count = len(s)
soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
try:
    s.save()
    outcome = "saved"
except Exception as exc:
    outcome = f"{type(exc).__name__}: {exc}"
resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
view = SegmentStore.open(path, read_only=True)
after_fail = len(view)
view.close()
s.save()  # room again: the same store saves fine
print(json.dumps({"outcome": outcome, "after_fail": after_fail, "count": count}))
"""


def test_save_on_full_disk_keeps_old_snapshot(tmp_path: Path) -> None:
    """A save that runs out of space (RLIMIT_FSIZE -> EFBIG) fails loudly and leaves the old snapshot."""
    import json
    import os
    import subprocess

    from twelvelabs_rag.store import SegmentStore

    path = tmp_path / "s"
    old = crash.build_base(path, 4000, crash.DIM, 21, SegmentStore)
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run(
        [sys.executable, "-c", DISK_FULL_CHILD, str(path), str(1 << 20), str(ROOT / "benchmarks")],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert res["outcome"] != "saved", "a 1 MB file-size limit cannot hold an 8 MB vectors file"
    assert res["outcome"].startswith("StoreWriteError: [Errno 27]"), res["outcome"]  # typed, with the errno
    assert "previous snapshot is intact" in res["outcome"] and "save() again" in res["outcome"], res["outcome"]
    assert res["after_fail"] == old.count, res  # the failed save left the old snapshot in place
    store = SegmentStore.open(path)
    try:
        assert len(store) == res["count"] == old.count - 40 + 300
    finally:
        store.close()
    assert not [p for p in path.iterdir() if p.name.endswith(".tmp")], "temp files left after a good save"


def test_soak_counts_a_damaged_docs_file_found_on_first_use_as_refused(pristine, tmp_path: Path) -> None:
    """The soak once failed a trial whose zeroed text/metadata file raised CorruptStoreError on first
    read: the file is checked when first needed, and that typed refusal is what the store promises."""
    import twelvelabs_rag.store as mod

    base, snap = pristine
    work = tmp_path / "zeroed"
    shutil.copytree(base, work)
    (docs,) = work.glob("docs.g*.jsonl")
    data = bytearray(docs.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 64] = b"\0" * 64
    docs.write_bytes(bytes(data))
    store = mod.SegmentStore.open(work)  # the size matches: opening does not read the file
    try:
        with pytest.raises(mod.CorruptStoreError, match="crc32"):
            store.get([next(iter(snap.ids))])
    finally:
        store.close()
    what = f"zero {docs.name}"
    assert crash.judge_damaged(work, snap, crash.DIM, mod.SegmentStore, mod.CorruptStoreError, docs, what) == "raised"
