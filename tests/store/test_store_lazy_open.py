"""Opening a store does nothing O(rows): the docs sidecar is parsed on first use, an mmap open maps the
IVF index, and checksums run in the background; these tests pin the behaviour that makes that safe."""

from __future__ import annotations

import json
import threading
import zlib
from pathlib import Path

import numpy as np
import pytest

from twelvelabs_rag.store import CorruptStoreError, SegmentStore

MODEL = "marengo3.0-test"
DIM = 8
N_IVF = 20_500  # above the IVF training minimum


def _vecs(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, DIM)).astype(np.float32)


def _cols(n: int, videos: int = 100, first: int = 0) -> dict:
    return {"video_ids": [f"v{i % videos}" for i in range(first, first + n)],
            "starts": np.arange(first, first + n, dtype=float), "ends": np.arange(first, first + n, dtype=float) + 1,
            "scopes": "clip", "options": "visual"}


def _ivf_store(path: Path, n: int = N_IVF) -> np.ndarray:
    s = SegmentStore.create(path, dim=DIM, model_name=MODEL, index="ivf")
    x = _vecs(n)
    s.add(x, texts=[f"t{i}" for i in range(n)], **_cols(n))
    s.build_index()
    s.save()
    s.close()
    return x


def test_docs_of_an_older_generation_stay_readable_after_a_save_removed_them(tmp_path: Path) -> None:
    path = tmp_path / "s"
    writer = SegmentStore.create(path, dim=DIM, model_name=MODEL)
    ids = writer.add(_vecs(4), texts=["a", "b", "c", "d"], metadatas=[{"k": i} for i in range(4)],
                     external_ids=["e0", "e1", "e2", "e3"], **_cols(4))
    writer.save()
    reader = SegmentStore.open(path, read_only=True)  # its docs file is not parsed yet
    old_docs = json.loads((path / "manifest.json").read_text())["files"]["docs"]["name"]
    writer.delete(ids[:2])
    writer.add(_vecs(1, seed=1), texts=["z"], **_cols(1, first=10))
    writer.save()  # a new generation: the reader's docs file is deleted
    assert not (path / old_docs).exists()
    got = reader.get(ids)
    assert [(g.text, g.metadata, g.external_id) for g in got] == [
        ("a", {"k": 0}, "e0"), ("b", {"k": 1}, "e1"), ("c", {"k": 2}, "e2"), ("d", {"k": 3}, "e3")]
    reader.close()
    writer.close()


def test_concurrent_first_uses_parse_the_docs_once_and_agree(tmp_path: Path) -> None:
    path = tmp_path / "s"
    n = 3000
    s = SegmentStore.create(path, dim=DIM, model_name=MODEL)
    ids = s.add(_vecs(n), texts=[f"text {i}" for i in range(n)], metadatas=[{"i": i} for i in range(n)], **_cols(n))
    s.save()
    s.close()
    view = SegmentStore.open(path, read_only=True)
    results: list[list[tuple]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def read() -> None:
        try:
            start.wait()
            results.append([(g.id, g.text, g.metadata["i"]) for g in view.get(ids)])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    want = [(i, f"text {j}", j) for j, i in enumerate(ids)]
    assert results == [want] * 6
    assert [h.text for h in view.search(_vecs(n)[7], k=1, where={"i": 7})] == ["text 7"]
    view.close()


def test_upsert_by_external_id_right_after_open_replaces_the_row(tmp_path: Path) -> None:
    """The external-id index fills from the docs file on first use, before the write consults it."""
    path = tmp_path / "s"
    s = SegmentStore.create(path, dim=DIM, model_name=MODEL)
    (old,) = s.add(_vecs(1), external_ids=["doc-1"], texts=["old"], **_cols(1))
    s.save()
    s.close()
    with SegmentStore.open(path) as again:
        (new,) = again.add(_vecs(1, seed=2), external_ids=["doc-1"], texts=["new"], **_cols(1, first=5))
        assert len(again) == 1
        assert again.get([old]) == []
        assert [g.text for g in again.get([new])] == ["new"]
    with SegmentStore.open(path) as again:
        assert again.delete(where={"external_id": "doc-1"}) == 1
        (third,) = again.add(_vecs(1, seed=3), external_ids=["doc-1"], **_cols(1, first=9))
        assert again.ids().tolist() == [third]


def test_a_writable_mmap_open_of_an_ivf_store_can_add_and_save(tmp_path: Path) -> None:
    """The mapped index is read-only memory: the first write copies it (faiss would abort on a resize)."""
    path = tmp_path / "s"
    x = _ivf_store(path)
    with SegmentStore.open(path, mmap=True) as s:
        assert s.stats()["ann"]["mapped"] is True
        assert s.search(x[5], k=1)[0].start == 5.0
        (new,) = s.add(_vecs(1, seed=9), texts=["late"], **_cols(1, first=N_IVF))
        assert s.stats()["ann"]["mapped"] is False
        assert s.stats()["ann"]["indexed"] == N_IVF + 1
        s.delete(where={"start": {"$lt": 3}})
        assert s.search(_vecs(1, seed=9)[0], k=1)[0].id == new
    with SegmentStore.open(path, mmap=True, read_only=True) as view:
        assert len(view) == N_IVF - 2
        assert view.search(_vecs(1, seed=9)[0], k=1)[0].text == "late"


@pytest.mark.parametrize("value", [float("nan"), 7.0])
def test_an_ivf_probe_on_mapped_vectors_never_returns_a_damaged_row(tmp_path: Path, value: float) -> None:
    path = tmp_path / "s"
    x = _ivf_store(path)
    man = json.loads((path / "manifest.json").read_text())
    vpath = path / man["files"]["vectors"]["name"]
    arr = np.load(vpath)
    arr[123] = value
    np.save(vpath, arr)
    data = vpath.read_bytes()
    man["files"]["vectors"].update(bytes=len(data), crc32=zlib.crc32(data))
    body = {k: v for k, v in man.items() if k != "checksum"}
    body["checksum"] = zlib.crc32(json.dumps(body, sort_keys=True, separators=(",", ":")).encode())
    (path / "manifest.json").write_text(json.dumps(body))
    with SegmentStore.open(path, mmap=True, read_only=True) as view, pytest.raises(CorruptStoreError, match="row 123"):
        view.search(x[123], k=3)  # the damaged row is a candidate of its own query


@pytest.mark.parametrize("videos", [1, 10, 40])
def test_filtered_searches_on_an_ivf_store_return_k_matching_rows(tmp_path: Path, videos: int) -> None:
    """1 % and 10 % filters are answered exactly; a 40 % filter by a restricted IVF probe: k rows, all matching."""
    path = tmp_path / "s"
    x = _ivf_store(path)
    exact = SegmentStore.create(None, dim=DIM, model_name=MODEL)
    exact.add(x, **_cols(x.shape[0]))
    where = {"video_id": {"$in": [f"v{i}" for i in range(0, 100, 100 // videos)][:videos]}}
    with SegmentStore.open(path, mmap=True, read_only=True) as view:
        for q in _vecs(50, seed=5):  # (a selector reading past its bitmap let a stray row in now and then)
            got = view.search(q, k=10, where=where)
            assert len(got) == 10
            assert {h.video_id for h in got} <= set(where["video_id"]["$in"])
            want = exact.search(q, k=10, where=where)
            if videos <= 10:
                assert [h.id for h in got] == [h.id for h in want]
            assert all(abs(h.score - float(x[h.id] @ q / np.linalg.norm(q) / np.linalg.norm(x[h.id]))) < 1e-4 for h in got)
