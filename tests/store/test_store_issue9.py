"""Regression tests for the store defects of issue 9 (bad input and tampered files -> typed errors, nothing lost).

Each test names its item. Every one failed before its fix (raw exception, hang, data loss or a wrong answer).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zlib
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from twelvelabs_rag.store import (
    CorruptStoreError,
    FilterError,
    InvalidInputError,
    SegmentNotFoundError,
    SegmentStore,
    StoreError,
    StoreExistsError,
    StoreLockedError,
    StoreNotFoundError,
    StoreWriteError,
)

DIM = 16
MODEL = "issue9-test-model"


def _vecs(n: int, seed: int = 0, dim: int = DIM) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)


def _cols(n: int, **over):
    cols = {"video_ids": [f"v{i % 3}" for i in range(n)], "starts": [float(i) for i in range(n)],
            "ends": [float(i) + 1 for i in range(n)], "scopes": "clip", "options": "visual"}
    cols.update(over)
    return cols


def _saved(path: Path, n: int = 6, **over) -> list[int]:
    s = SegmentStore.create(path, dim=DIM, model_name=MODEL)
    try:
        ids = s.add(_vecs(n), **_cols(n, **over))
        s.save()
    finally:
        s.close()
    return ids


def _manifest(path: Path) -> dict:
    return json.loads((path / "manifest.json").read_bytes())


def _write_manifest(path: Path, body: dict) -> None:
    """Rewrite the manifest with a *valid* self-checksum (what a crafted file would do)."""
    body = {k: v for k, v in body.items() if k != "checksum"}
    body["checksum"] = zlib.crc32(json.dumps(body, sort_keys=True, separators=(",", ":")).encode())
    (path / "manifest.json").write_text(json.dumps(body))


def _refresh_entry(path: Path, key: str) -> None:
    """After editing a data file, make the manifest's size and crc32 agree with it (valid checksums)."""
    man = _manifest(path)
    data = (path / man["files"][key]["name"]).read_bytes()
    man["files"][key].update(bytes=len(data), crc32=zlib.crc32(data))
    _write_manifest(path, man)


# ---------------------------------------------------------------- 1: line separators in text / metadata
@pytest.mark.parametrize("mmap", [False, True])
def test_1_unicode_line_separators_survive_save_and_reopen(tmp_path: Path, mmap: bool) -> None:
    odd = ["a\u2028b", "c\u2029d", "e\x85f", "g\x0bh\x0ci\x1cj\x1dk\x1el", "m\r\nn", None]
    metas = [{"k": t} if t else None for t in odd]
    s = SegmentStore.create(tmp_path / "s", dim=DIM, model_name=MODEL)
    ids = s.add(_vecs(6), texts=odd, metadatas=metas, **_cols(6))
    s.save()
    s.close()
    with SegmentStore.open(tmp_path / "s", mmap=mmap) as again:
        got = again.get(ids)
        assert [g.text for g in got] == odd
        assert [g.metadata for g in got] == [m or {} for m in metas]
        assert [h.text for h in again.search(_vecs(6)[0], k=6, where={"text": "a\u2028b"})] == ["a\u2028b"]


# ---------------------------------------------------------------- 2: lone surrogates
@pytest.mark.parametrize("column", ["texts", "metadata value", "metadata key", "video_ids", "options"])
def test_2_lone_surrogate_is_refused_at_add(tmp_path: Path, column: str) -> None:
    bad = os.fsdecode(b"clip-\xff.mp4")  # what a non-UTF-8 file name becomes
    assert "\udcff" in bad
    kw: dict = {}
    if column == "texts":
        kw["texts"] = [bad, None]
    elif column == "metadata value":
        kw["metadatas"] = [{"filename": bad}, None]
    elif column == "metadata key":
        kw["metadatas"] = [{bad: 1}, None]
    elif column == "video_ids":
        kw["video_ids"] = [bad, "ok"]
    else:
        kw["options"] = [bad, "visual"]
    s = SegmentStore.create(tmp_path / "s", dim=DIM, model_name=MODEL)
    try:
        s.add(_vecs(2, seed=1), **_cols(2))
        with pytest.raises(InvalidInputError, match="surrogate") as info:
            s.add(_vecs(2, seed=2), **{**_cols(2), **kw})
        assert "surrogateescape" in str(info.value)  # names the fix
        assert len(s) == 2
        s.save()  # the refused rows did not poison the store
    finally:
        s.close()
    with SegmentStore.open(tmp_path / "s", read_only=True) as again:
        assert len(again) == 2


EXIT_SAVE_CHILD = r"""
import json, resource, signal, sys
import numpy as np
from pathlib import Path
from twelvelabs_rag.store import SegmentStore, StoreWriteError

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG
path = Path(sys.argv[1])
soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
store = None
outcome = "saved"
try:
    with SegmentStore.create(path, dim=256, model_name="m") as store:
        store.add(np.random.default_rng(0).standard_normal((3000, 256)).astype(np.float32), video_ids="v",
                  starts=np.arange(3000.0), ends=np.arange(3000.0) + 1, scopes="clip", options="visual")
        resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, hard))  # the 3 MB vectors file cannot be written
except StoreWriteError as exc:
    outcome = f"{type(exc).__name__}: {exc} {' '.join(getattr(exc, '__notes__', []))}"
resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
left = sorted(p.name for p in path.iterdir() if p.name.endswith(".tmp") or ".g2." in p.name)
count = len(store)   # still open: the rows were not dropped
store.save()
store.close()
print(json.dumps({"outcome": outcome, "left": left, "count": count,
                  "reopened": len(SegmentStore.open(path, read_only=True))}))
"""


def test_2_failed_exit_save_keeps_rows_and_leaves_no_temp_files(tmp_path: Path) -> None:
    src = Path(__file__).resolve().parents[2] / "src"
    env = dict(os.environ, PYTHONPATH=str(src) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", EXIT_SAVE_CHILD, str(tmp_path / "s")], capture_output=True,
                         text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert res["outcome"].startswith("StoreWriteError"), res
    assert "left open" in res["outcome"] and "save() again" in res["outcome"], res
    assert res["left"] == [], res  # no *.tmp and no half-published generation
    assert res["count"] == res["reopened"] == 3000, res


# ---------------------------------------------------------------- 3: times beyond float32
@pytest.mark.parametrize("field", ["starts", "ends"])
def test_3_times_beyond_float32_are_refused(tmp_path: Path, field: str) -> None:
    s = SegmentStore.create(tmp_path / "s", dim=DIM, model_name=MODEL)
    try:
        big = {"starts": [0.0, 1e39], "ends": [1.0, 2e39]} if field == "starts" else {"ends": [1.0, 1e39]}
        with pytest.raises(InvalidInputError, match="float32"):
            s.add(_vecs(2), **_cols(2, **big))
        s.add(_vecs(1), **_cols(1, starts=[3.0e38], ends=[3.4e38]))  # the largest float32 values are fine
        s.save()
    finally:
        s.close()
    with SegmentStore.open(tmp_path / "s") as again:
        assert again.get([0])[0].end == pytest.approx(3.4e38, rel=1e-6)


# ---------------------------------------------------------------- 4: store.lock removed under a writer
LOCK_PROBE = r"""
import sys
from twelvelabs_rag.store import SegmentStore, StoreLockedError
try:
    SegmentStore.open(sys.argv[1]).close()
    print("opened")
except StoreLockedError:
    print("locked")
"""


def test_4_deleting_the_lock_file_does_not_let_a_second_writer_in(tmp_path: Path) -> None:
    path = tmp_path / "s"
    _saved(path)
    src = Path(__file__).resolve().parents[2] / "src"
    env = dict(os.environ, PYTHONPATH=str(src) + os.pathsep + os.environ.get("PYTHONPATH", ""))

    def probe() -> str:
        out = subprocess.run([sys.executable, "-c", LOCK_PROBE, str(path)], capture_output=True, text=True,
                             env=env, timeout=120)
        assert out.returncode == 0, out.stderr[-2000:]
        return out.stdout.strip()

    first = SegmentStore.open(path)
    try:
        (path / "store.lock").unlink(missing_ok=True)
        assert probe() == "locked"
        first.add(_vecs(1, seed=9), **_cols(1, video_ids="new"))
        first.save()
    finally:
        first.close()
    assert probe() == "opened"  # released on close
    with SegmentStore.open(path) as again:
        assert len(again) == 7


LOCK_HOLDER = r"""
import sys, time
from twelvelabs_rag.store import SegmentStore
s = SegmentStore.open(sys.argv[1])
print("locked", flush=True)
sys.stdin.readline()
s.close()
"""


def test_4_lock_holds_across_processes_without_its_file(tmp_path: Path) -> None:
    path = tmp_path / "s"
    _saved(path)
    src = Path(__file__).resolve().parents[2] / "src"
    env = dict(os.environ, PYTHONPATH=str(src) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    child = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(path)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "locked"
        (path / "store.lock").unlink(missing_ok=True)
        with pytest.raises(StoreLockedError):
            SegmentStore.open(path)
    finally:
        assert child.stdin is not None
        child.stdin.write("\n")
        child.stdin.close()
        child.wait(timeout=60)
        child.stdout.close()
    SegmentStore.open(path).close()


def test_4_save_refuses_to_overwrite_a_snapshot_it_did_not_write(tmp_path: Path) -> None:
    """The directory swapped away under a writer: its save must not clobber the other writer's rows."""
    path = tmp_path / "s"
    _saved(path)
    first = SegmentStore.open(path)
    try:
        path.rename(tmp_path / "moved")
        second = SegmentStore.create(path, dim=DIM, model_name=MODEL)
        second.add(_vecs(2, seed=5), **_cols(2, video_ids="theirs"))
        second.save()
        second.close()
        first.add(_vecs(1, seed=6), **_cols(1, video_ids="mine"))
        # (the first handle's directory fd follows the rename; its path now names the other store)
        with pytest.raises(StoreLockedError, match="another writer saved"):
            first.save()
        assert len(first) == 7  # nothing dropped in memory
    finally:
        first.close()
    with SegmentStore.open(path, read_only=True) as theirs:
        assert len(theirs) == 2 and {h.video_id for h in theirs.search(_vecs(1)[0], k=5)} == {"theirs"}


# ---------------------------------------------------------------- 7: manifest not a regular file
@pytest.mark.parametrize("kind", ["dev-zero", "directory", "fifo", "huge"])
def test_7_manifest_that_is_not_a_small_regular_file(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "s"
    _saved(path)
    man = path / "manifest.json"
    man.unlink()
    if kind == "dev-zero":
        man.symlink_to("/dev/zero")
    elif kind == "directory":
        man.mkdir()
    elif kind == "fifo":
        os.mkfifo(man)
    else:
        with open(man, "wb") as f:
            f.truncate(64 << 20)  # sparse: 64 MB of zeros
    for read_only in (True, False):
        with pytest.raises(CorruptStoreError, match="manifest.json"):
            SegmentStore.open(path, read_only=read_only)


@pytest.mark.parametrize("key", ["docs", "strings", "vectors"])
def test_7_data_file_that_is_a_device_or_directory(tmp_path: Path, key: str) -> None:
    path = tmp_path / "s"
    _saved(path, texts=["t"] * 6)
    target = path / _manifest(path)["files"][key]["name"]
    target.unlink()
    target.mkdir()
    with pytest.raises(CorruptStoreError):
        SegmentStore.open(path)


# ---------------------------------------------------------------- 8: tampered .npy headers
def _claim_shape(p: Path, shape: tuple) -> None:
    """Rewrite the .npy header in place (same length) so it claims ``shape``."""
    data = p.read_bytes()
    hlen = int.from_bytes(data[8:10], "little")
    header = data[10 : 10 + hlen].decode("latin1")
    start = header.index("'shape': (") + len("'shape': (")
    end = header.index(")", start)
    new = header[:start] + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + header[end:]
    new = new.rstrip() + " " * (hlen - len(new.rstrip()) - 1) + "\n"
    assert len(new) == hlen
    p.write_bytes(data[:10] + new.encode("latin1") + data[10 + hlen :])


@pytest.mark.parametrize(("key", "shape", "mmap"), [
    ("vectors", (10**12, DIM), False),
    ("vectors", (10**12, DIM), True),
    ("columns", (10**13,), False),
    ("columns", (10**13,), True),
])
def test_8_huge_npy_header_is_refused_before_allocating(tmp_path: Path, key: str, shape: tuple, mmap: bool) -> None:
    path = tmp_path / "s"
    _saved(path)
    _claim_shape(path / _manifest(path)["files"][key]["name"], shape)
    with pytest.raises(CorruptStoreError, match="header says"):
        SegmentStore.open(path, mmap=mmap)
    _refresh_entry(path, key)  # even with checksums that agree
    with pytest.raises(CorruptStoreError, match="header says"):
        SegmentStore.open(path, mmap=mmap)


class _Embed:
    def __init__(self, vec: np.ndarray) -> None:
        self.vec, self.calls = vec, 0

    def create(self, **kw):
        self.calls += 1
        emb = SimpleNamespace(vector=self.vec)
        return SimpleNamespace(model_name=MODEL, text_embedding=emb)


def _cached_query(tmp_path: Path) -> tuple[Path, Path, SimpleNamespace, list[int]]:
    path = tmp_path / "s"
    ids = _saved(path)
    client = SimpleNamespace(embed=_Embed(_vecs(6)[4]))
    with SegmentStore.open(path) as s:
        assert s.search_text("a fox", client=client, k=1)[0].id == ids[4]
    (entry,) = (path / "query_cache").glob("*.npy")
    return path, entry, client, ids


def test_8_huge_query_cache_header_is_re_embedded(tmp_path: Path) -> None:
    path, entry, client, ids = _cached_query(tmp_path)
    data = entry.read_bytes()
    head = data[: 10 + int.from_bytes(data[8:10], "little")].decode("latin1")
    huge = head.replace("'shape': (1,)", "'shape': (10**13,)".replace("10**13", str(10**13)))
    huge = huge[: len(head) - 1].ljust(len(head) - 1) + "\n"
    entry.write_bytes(huge.encode("latin1") + data[len(head) :])
    with SegmentStore.open(path) as s:
        with pytest.raises(StoreError, match="not in the query cache"):
            s.search_text("a fox")  # no MemoryError: the entry is ignored
        assert s.search_text("a fox", client=client, k=1)[0].id == ids[4]
    assert client.embed.calls == 2


# ---------------------------------------------------------------- 17: query-cache checksum
def test_17_flipped_bit_in_query_cache_entry_is_re_embedded(tmp_path: Path) -> None:
    path, entry, client, ids = _cached_query(tmp_path)
    data = bytearray(entry.read_bytes())
    data[-7] ^= 0x10  # one bit of the vector
    entry.write_bytes(bytes(data))
    with SegmentStore.open(path) as s:
        with pytest.raises(StoreError, match="not in the query cache"):
            s.search_text("a fox")  # a damaged vector is never searched with
        assert s.search_text("a fox", client=client, k=1)[0].id == ids[4]  # re-embedded
    assert client.embed.calls == 2
    with SegmentStore.open(path, read_only=True) as s:
        assert s.search_text("a fox", k=1)[0].id == ids[4]  # the rewritten entry verifies


def test_17_entry_copied_under_another_key_is_refused(tmp_path: Path) -> None:
    path, entry, client, ids = _cached_query(tmp_path)
    with SegmentStore.open(path) as s:
        client.embed.vec = _vecs(6)[1]
        s.search_text("an eagle", client=client, k=1)
    entries = sorted((path / "query_cache").glob("*.npy"))
    other = next(p for p in entries if p != entry)
    other.write_bytes(entry.read_bytes())  # valid entry, wrong key
    with SegmentStore.open(path, read_only=True) as s, pytest.raises(StoreError, match="not in the query cache"):
        s.search_text("an eagle")


# ---------------------------------------------------------------- 9: nesting depth
def _nested(depth: int) -> dict:
    where: dict = {"video_id": "v0"}
    for _ in range(depth):
        where = {"$not": where}
    return where


def test_9_deep_where_is_a_filter_error(tmp_path: Path) -> None:
    s = SegmentStore.create(None, dim=DIM, model_name=MODEL)
    s.add(_vecs(6), **_cols(6))
    deep = _nested(500)
    with pytest.raises(FilterError, match="nested"):
        s.search(_vecs(1)[0], where=deep)
    with pytest.raises(FilterError, match="nested"):
        s.search_batch(_vecs(3), where=deep)
    with pytest.raises(FilterError, match="nested"):
        s.delete(where=deep)
    deep_value: list = ["v0"]
    for _ in range(5000):
        deep_value = [deep_value]
    with pytest.raises(FilterError, match="nested"):
        s.search(_vecs(1)[0], where={"tag": {"$in": deep_value}})
    assert len(s) == 6
    assert len(s.search(_vecs(1)[0], k=10, where=_nested(20))) == 2  # ordinary nesting still works ($not 20x)


def test_9_deep_metadata_is_refused_at_add() -> None:
    s = SegmentStore.create(None, dim=DIM, model_name=MODEL)
    meta: dict = {"x": 1}
    for _ in range(5000):
        meta = {"x": meta}
    with pytest.raises(InvalidInputError, match="nested"):
        s.add(_vecs(1), metadatas=[meta], **_cols(1))
    lst: list = []
    for _ in range(5000):
        lst = [lst]
    with pytest.raises(InvalidInputError, match="nested"):
        s.add(_vecs(1), metadatas=[{"l": lst}], **_cols(1))
    assert len(s) == 0
    s.add(_vecs(1), metadatas=[{"a": {"b": {"c": [1, [2, [3]]]}}}], **_cols(1))


def test_9_deep_metadata_in_a_crafted_docs_file_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "s"
    _saved(path, texts=["t"] * 6)
    docs = path / _manifest(path)["files"]["docs"]["name"]
    docs.write_text('{"r":0,"t":"x","m":' + '{"a":' * 100_000 + "1" + "}" * 100_000 + "}\n")
    _refresh_entry(path, "docs")
    with pytest.raises(CorruptStoreError):
        _open_and_read_docs(path)  # (the docs file is parsed on first use, not on open)


# ---------------------------------------------------------------- 10: query memory order
@pytest.mark.parametrize("n", [1, 5, 63, 64, 100])
def test_10_search_batch_accepts_any_memory_order(n: int) -> None:
    s = SegmentStore.create(None, dim=DIM, model_name=MODEL)
    s.add(_vecs(200), **_cols(200))
    q = _vecs(n, seed=3)
    want = [[h.id for h in hits] for hits in s.search_batch(q, k=5)]
    for variant in (np.asfortranarray(q), np.ascontiguousarray(q.T).T, q.astype(np.float64, order="F"),
                    np.repeat(q, 2, axis=0)[::2]):
        assert [[h.id for h in hits] for hits in s.search_batch(variant, k=5)] == want
        assert [[h.id for h in hits] for hits in s.search_batch(variant, k=5, where={"video_id": "v1"})] == \
            [[h.id for h in hits] for hits in s.search_batch(q, k=5, where={"video_id": "v1"})]
    assert [h.id for h in s.search(np.asfortranarray(q)[0], k=5)] == want[0]
    assert [h.id for h in s.search(np.asfortranarray(np.stack([q[0]] * 2).T)[:, 0], k=5)] == want[0]


# ---------------------------------------------------------------- 12: unusable store paths
def test_12_store_paths_that_are_not_usable_directories(tmp_path: Path) -> None:
    afile = tmp_path / "file.txt"
    afile.write_text("x")
    for bad in ("", "   "):
        with pytest.raises(InvalidInputError, match="must not be empty"):
            SegmentStore.create(bad, dim=DIM, model_name=MODEL)
        with pytest.raises(InvalidInputError, match="must not be empty"):
            SegmentStore.open(bad)
    with pytest.raises(InvalidInputError, match="NUL"):
        SegmentStore.create(str(tmp_path / "a\0b"), dim=DIM, model_name=MODEL)
    with pytest.raises(StoreExistsError, match="not a directory"):
        SegmentStore.create(afile, dim=DIM, model_name=MODEL)
    with pytest.raises(StoreWriteError, match="cannot create the store directory"):
        SegmentStore.create(afile / "sub", dim=DIM, model_name=MODEL)
    for read_only in (False, True):
        with pytest.raises(StoreNotFoundError):
            SegmentStore.open(afile, read_only=read_only)
        with pytest.raises(StoreNotFoundError):
            SegmentStore.open(afile / "sub", read_only=read_only)
    assert afile.read_text() == "x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]
    assert not Path("manifest.json").exists()  # create("") did not use the current directory


# ---------------------------------------------------------------- 13: huge integers
def test_13_huge_integers_in_queries() -> None:
    s = SegmentStore.create(None, dim=DIM, model_name=MODEL)
    ids = s.add(_vecs(6), metadatas=[{"n": 10**30}, {"n": 5}, {"n": 2.5}, None, {"n": -(10**400)}, {"n": True}],
                **_cols(6))
    q = _vecs(1)[0]

    def found(where) -> list[int]:
        return sorted(h.id for h in s.search(q, k=10, where=where))

    with pytest.raises(SegmentNotFoundError):
        s.search_like(2**70)
    with pytest.raises(SegmentNotFoundError):
        s.search_like(-(2**70))
    assert s.get([2**70, ids[1]])[0].id == ids[1]
    assert found({"id": {"$in": [2**70]}}) == []
    assert found({"id": {"$in": [2**70, ids[2], 1.5, float(ids[3])]}}) == [ids[2], ids[3]]
    assert found({"id": {"$nin": [2**70]}}) == ids
    assert found({"id": {"$lt": 2**70}}) == ids
    assert found({"id": {"$gt": 2**70}}) == []
    assert found({"id": {"$gt": -(2**70)}}) == ids
    assert found({"id": 2**70}) == []
    assert found({"id": {"$ne": 2**70}}) == ids
    assert found({"id": {"$gt": 1.5}}) == [i for i in ids if i > 1.5]
    assert found({"start": {"$gt": 10**400}}) == []
    assert found({"start": {"$lt": 10**400}}) == ids
    assert found({"start": {"$gte": -(10**400)}}) == ids
    assert found({"end": {"$lte": 1e300}}) == ids
    assert found({"end": {"$in": [10**400, 1e300, 1.0]}}) == [ids[0]]
    assert found({"start": 10**400}) == []
    assert found({"n": {"$gt": 10**29}}) == [ids[0]]
    assert found({"n": {"$lt": 10**400}}) == [ids[0], ids[1], ids[2], ids[4]]
    assert found({"n": 10**30}) == [ids[0]]
    assert s.delete(ids=[2**70, -(2**70)]) == 0 and len(s) == 6


def test_13_cli_like_with_a_huge_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from twelvelabs_rag.cli._main import main

    path = tmp_path / "s"
    _saved(path)
    code = main(["store", "search", "--path", str(path), "--like", str(10**30)])
    err = capsys.readouterr().err
    assert code != 0
    assert "unexpected" not in err and "OverflowError" not in err
    assert f"segment id {10**30}" in err and "not in the store" in err


# ---------------------------------------------------------------- 16: crafted manifests with valid checksums
@pytest.mark.parametrize(("edit", "fragment"), [
    (lambda m: m.pop("model_name"), "model_name"),
    (lambda m: m.update(model_name=""), "model_name"),
    (lambda m: m.update(meta_keys=5), "meta_keys"),
    (lambda m: m.update(meta_keys=[1, 2]), "meta_keys"),
    (lambda m: m.update(next_id=10**30), "next_id"),
    (lambda m: m.update(next_id=2), "count"),
    (lambda m: m.update(dim=True), "dim"),
    (lambda m: m.update(dim=0), "dim"),
    (lambda m: m.update(dim=10**9), "dim"),
    (lambda m: m.update(generation=-1), "generation"),
    (lambda m: m.update(generation=1.5), "generation"),
    (lambda m: m.update(index="hnsw"), "index"),
    (lambda m: m.update(index=["flat"]), "index"),
    (lambda m: m.update(ann_trained_on="x"), "ann_trained_on"),
    (lambda m: m["files"]["vectors"].update(bytes="12"), "vectors"),
    (lambda m: m["files"]["docs"].update(crc32=None), "docs"),
    (lambda m: m["files"]["columns"].update(name="../../etc/passwd"), "columns"),
    (lambda m: m["files"].pop("strings"), "strings"),
    (lambda m: m.update(files=[]), "data files"),
])
def test_16_crafted_manifest_fields_are_validated(tmp_path: Path, edit, fragment: str) -> None:
    path = tmp_path / "s"
    _saved(path)
    man = _manifest(path)
    edit(man)
    _write_manifest(path, man)
    for read_only in (True, False):
        with pytest.raises(CorruptStoreError, match=fragment):
            SegmentStore.open(path, read_only=read_only)


@pytest.mark.parametrize("mmap", [False, True])
@pytest.mark.parametrize("value", [float("nan"), float("inf"), 0.0, 7.0])
def test_16_vector_rows_that_are_not_unit_vectors(tmp_path: Path, mmap: bool, value: float) -> None:
    path = tmp_path / "s"
    _saved(path)
    vpath = path / _manifest(path)["files"]["vectors"]["name"]
    arr = np.load(vpath)
    arr[3] = value
    np.save(vpath, arr)
    _refresh_entry(path, "vectors")
    if not mmap:
        with pytest.raises(CorruptStoreError, match="row 3"):
            SegmentStore.open(path)
        return
    with SegmentStore.open(path, mmap=True, read_only=True) as s, pytest.raises(CorruptStoreError, match="row 3"):
        s.search(_vecs(1)[0], k=3)


@pytest.mark.parametrize("blob", ["garbage", "flat-index", "wrong-dim"])
def test_16_unusable_ann_index_is_corrupt(tmp_path: Path, blob: str) -> None:
    import faiss

    path = tmp_path / "s"
    dim, n = 8, 20_500
    s = SegmentStore.create(path, dim=dim, model_name=MODEL, index="ivf")
    s.add(_vecs(n, dim=dim), video_ids="v", starts=np.arange(n, dtype=float), ends=np.arange(n, dtype=float) + 1,
          scopes="clip", options="visual")
    s.build_index()
    s.save()
    s.close()
    ann = path / _manifest(path)["files"]["ann"]["name"]
    if blob == "garbage":
        ann.write_bytes(b"IwFl" + os.urandom(4000))
    elif blob == "flat-index":
        ann.write_bytes(faiss.serialize_index(faiss.IndexFlatIP(dim)).tobytes())
    else:
        q = faiss.IndexFlatIP(4)
        idx = faiss.IndexIVFFlat(q, 4, 2, faiss.METRIC_INNER_PRODUCT)
        idx.train(_vecs(100, dim=4))
        ann.write_bytes(faiss.serialize_index(idx).tobytes())
    _refresh_entry(path, "ann")
    with pytest.raises(CorruptStoreError, match="ANN index"):
        SegmentStore.open(path)


# ---------------------------------------------------------------- 19: tiny vectors
@pytest.mark.parametrize("scale", [1e-30, 1e-40, 1e30, 3e38])
def test_19_vectors_whose_squared_norm_under_or_overflows_are_valid(scale: float) -> None:
    s = SegmentStore.create(None, dim=DIM, model_name=MODEL)
    base = _vecs(4)
    base /= np.abs(base).max()
    with np.errstate(under="ignore"):
        tiny = (base.astype(np.float64) * scale).astype(np.float32)
    assert tiny.any(axis=1).all()
    ids = s.add(tiny, **_cols(4))
    got = np.stack([seg.vector for seg in s.get(ids)])
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    want = base / np.linalg.norm(base, axis=1, keepdims=True)
    assert np.allclose(got, want, atol=2e-2 if scale < 1e-40 else 1e-5)  # subnormal inputs keep fewer bits
    assert s.search(tiny[2], k=1)[0].id == ids[2]
    assert [hits[0].id for hits in s.search_batch(tiny, k=1)] == ids
    with pytest.raises(InvalidInputError, match="all zeros"):
        s.add(np.zeros((1, DIM), np.float32), **_cols(1))


# ---------------------------------------------------------------- the same classes of defect elsewhere
def test_class_2_lone_surrogate_in_a_query_is_a_typed_error(tmp_path: Path) -> None:
    path, _, client, _ = _cached_query(tmp_path)
    with SegmentStore.open(path) as s:
        with pytest.raises(InvalidInputError, match="surrogate"):
            s.search_text(os.fsdecode(b"fox \xff"), client=client)
        with pytest.raises(InvalidInputError, match="surrogate"):
            s.search_image("https://example.com/" + os.fsdecode(b"\xfe.png"), client=client)
    assert client.embed.calls == 1


@pytest.mark.parametrize("where", ["strings", "docs"])
def test_class_2_escaped_surrogate_in_a_crafted_file_is_corrupt(tmp_path: Path, where: str) -> None:
    """A crafted ``\\ud800`` escape would load as a lone surrogate and make every later save fail."""
    path = tmp_path / "s"
    _saved(path, texts=["plain"] * 6)
    f = path / _manifest(path)["files"][where]["name"]
    data = f.read_bytes()
    f.write_bytes(data.replace(b'"v0"', b'"\\ud800"') if where == "strings" else data.replace(b'"plain"', b'"\\udfff"'))
    assert f.read_bytes() != data
    _refresh_entry(path, where)
    with pytest.raises(CorruptStoreError):
        _open_and_read_docs(path)  # strings are checked on open, the docs file on first use


def test_class_7_query_files_are_read_bounded(tmp_path: Path) -> None:
    path, _, client, _ = _cached_query(tmp_path)
    big = tmp_path / "big.png"
    with open(big, "wb") as f:
        f.truncate(6 << 20)  # beyond the API's 5 MB image limit
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    with SegmentStore.open(path) as s:
        with pytest.raises(InvalidInputError, match="at most"):
            s.search_image(big, client=client)
        for special in ("/dev/zero", fifo, tmp_path):
            with pytest.raises(InvalidInputError, match="not a regular file|cannot read"):
                s.search_image(special, client=client)
    assert client.embed.calls == 1


@pytest.mark.parametrize("offset", [10**400, float("nan"), -1.0, "x"])
def test_class_13_bad_audio_offset_is_a_typed_error(tmp_path: Path, offset) -> None:
    path, _, client, _ = _cached_query(tmp_path)
    with SegmentStore.open(path) as s, pytest.raises(InvalidInputError, match="start_offset_sec"):
        s.search_audio("https://example.com/a.wav", client=client, start_offset_sec=offset)


def _open_and_read_docs(path: Path) -> None:
    """Open a store and read every row's text and metadata (where a damaged docs file is reported)."""
    s = SegmentStore.open(path, read_only=True)
    try:
        list(s.scan())
    finally:
        s.close()
