"""push/pull between a local SegmentStore and Milvus: incremental, idempotent, resumable after kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from twelvelabs_rag.store import MilvusSegmentStore, SegmentStore
from twelvelabs_rag.store._sync import local_ids, pull, push


def _make_local(path: Path, n: int, seed: int = 0) -> SegmentStore:
    rng = np.random.default_rng(seed)
    s = SegmentStore.create(path, dim=8, model_name="push-model")
    s.add(rng.standard_normal((n, 8)), video_ids=[f"v{i % 20}" for i in range(n)], starts=np.arange(n, dtype=float),
          ends=np.arange(n, dtype=float) + 1, scopes="clip", options="visual",
          texts=[f"t{i}" if i % 4 else None for i in range(n)], metadatas=[{"k": i % 3} for i in range(n)])
    s.save()
    return s


class _Rows:
    """Rows of a store in key order: columns compared exactly, unit vectors to 1e-6."""

    def __init__(self, store, where=None) -> None:
        if isinstance(store, SegmentStore):
            segs = store.get(local_ids(store, where).tolist())
        else:
            segs = list(store.scan(where, with_vectors=True))
        segs.sort(key=lambda g: (g.video_id, g.start, g.end, g.scope, g.option))
        self.cols = [(g.video_id, g.start, g.end, g.scope, g.option, g.text, json.dumps(g.metadata, sort_keys=True))
                     for g in segs]
        self.vectors = np.stack([g.vector for g in segs]) if segs else np.zeros((0, 8))

    def __eq__(self, other: object) -> bool:
        assert isinstance(other, _Rows)
        return self.cols == other.cols and np.allclose(self.vectors, other.vectors, atol=1e-6)


_rows = _Rows


def test_push_is_incremental_and_a_second_push_writes_nothing(tmp_path, make_milvus) -> None:
    local = _make_local(tmp_path / "loc", 500)
    remote = make_milvus(model_name="push-model")
    first = push(local, remote, batch_size=128)
    assert (first.added, first.deleted, first.full) == (500, 0, True)
    assert _rows(remote) == _rows(local)
    next_id = remote.stats()["next_id"]
    again = push(local, remote)
    assert (again.added, again.deleted, again.full) == (0, 0, False)
    assert remote.stats()["next_id"] == next_id  # nothing written: no id was even reserved

    local.delete(where={"video_id": "v3"})
    local.add(np.ones((2, 8)), video_ids="v4", starts=[4.0, 9999.0], ends=[5.0, 10000.0], scopes="clip",
              options="visual", metadatas=[{"k": 9}, None])  # one upsert of an existing key, one new row
    local.save()
    third = push(local, remote)
    assert (third.added, third.deleted) == (2, 26)  # 25 rows of v3 and the replaced row of v4
    assert _rows(remote) == _rows(local) and len(remote) == len(local)


def test_pull_a_subset(tmp_path, make_milvus) -> None:
    local = _make_local(tmp_path / "loc", 200)
    remote = make_milvus(model_name="push-model")
    push(local, remote)
    sub = SegmentStore.create(tmp_path / "sub", dim=8, model_name="push-model")
    assert pull(remote, sub, where={"video_id": {"$in": ["v1", "v2"]}, "k": 1}) == len(
        local_ids(local, {"video_id": {"$in": ["v1", "v2"]}, "k": 1}))
    assert _rows(sub) == _rows(local, {"video_id": {"$in": ["v1", "v2"]}, "k": 1})


@pytest.mark.slow
def test_kill_during_push_then_resume(tmp_path) -> None:
    local = _make_local(tmp_path / "loc", 6000, seed=3)
    expected = _rows(local)
    local.close()
    uri = str(tmp_path / "remote.db")
    cmd = [sys.executable, "-m", "twelvelabs_rag.cli", "store", "push", "--path", str(tmp_path / "loc"),
           "--to", uri, "--batch-size", "200", "--quiet"]
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    cursor_dir = tmp_path / "loc" / "push"
    try:
        for _ in range(3000):  # until the first batches are committed (at most 5 minutes)
            heads = list(cursor_dir.glob("*.json")) if cursor_dir.is_dir() else []
            if heads and json.loads(heads[0].read_text())["rows"] >= 600:
                break
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.1)
        else:
            pytest.fail("the push never committed a batch")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the push and the milvus-lite engine it started
        proc.communicate()  # reap it and close its pipes
    partial = json.loads(heads[0].read_text())["rows"]
    assert 0 < partial < 6000
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "incremental push" in done.stdout
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert "incremental push: 0 rows sent, 0 removed" in again.stdout, again.stderr
    # (milvus-lite serves a file to one process at a time: open it here only after the pushes)
    with MilvusSegmentStore(uri, model_name="push-model") as remote:
        assert len(remote) == 6000
        assert _rows(remote) == expected
