"""Every bad input named in the store issue raises a typed error whose message names the problem.

Each case asserts the most specific exported class of ``twelvelabs_rag.store`` and a message
fragment, and that the store is unchanged afterwards (a refused add adds nothing).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import twelvelabs_rag
import twelvelabs_rag.store as tls
from twelvelabs_rag.store import SegmentStore
from twelvelabs_rag.types import EmbeddingTask

MODEL = "marengo3.0"
DIM = 512


def _cols(n: int, **over):
    cols = {
        "video_ids": [f"v{i}" for i in range(n)],
        "starts": [float(i) for i in range(n)],
        "ends": [float(i) + 1.0 for i in range(n)],
        "scopes": ["clip"] * n,
        "options": ["visual-text"] * n,
    }
    cols.update(over)
    return cols


def _vecs(n: int, dim: int = DIM, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)


@pytest.fixture
def store() -> SegmentStore:
    s = SegmentStore.create(None, dim=DIM, model_name=MODEL)
    s.add(_vecs(4, seed=1), **_cols(4, video_ids=["a", "a", "b", "b"]))
    return s


@contextlib.contextmanager
def _raises(cls_name: str, *fragments: str) -> Iterator[pytest.ExceptionInfo]:
    """pytest.raises for the store's exported class (a TwelveLabsError), plus message fragments."""
    cls = getattr(tls, cls_name)
    assert issubclass(cls, twelvelabs_rag.TwelveLabsError)
    with pytest.raises(cls) as info:
        yield info
    msg = str(info.value).lower()
    for frag in fragments:
        assert frag.lower() in msg, f"{frag!r} not in error message {msg!r}"


# Names of the exported error classes (C1's store).
DIM_ERR = "DimensionMismatchError"
MODEL_ERR = "ModelMismatchError"
VECTOR_ERR = "InvalidVectorError"
INPUT_ERR = "InvalidInputError"
COLUMN_ERR = "ColumnLengthError"
FILTER_ERR = "FilterError"
CORRUPT_ERR = "CorruptStoreError"
LOCK_ERR = "StoreLockedError"
VERSION_ERR = "UnsupportedFormatError"


# ---------------------------------------------------------------- vectors


def test_add_wrong_dimension(store: SegmentStore) -> None:
    with _raises(DIM_ERR, "512", "1024"):
        store.add(_vecs(2, 1024), **_cols(2))
    assert len(store) == 4


@pytest.mark.parametrize("method", ["search", "search_batch"])
def test_query_wrong_dimension(store: SegmentStore, method: str) -> None:
    q = _vecs(1, 1024)
    with _raises(DIM_ERR, "512", "1024"):
        getattr(store, method)(q[0] if method == "search" else q, k=2)


def test_add_one_dimensional_input_of_wrong_length(store: SegmentStore) -> None:
    with _raises(DIM_ERR, "512"):
        store.add(np.ones((1, 7), np.float32), **_cols(1))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_add_non_finite_vector(store: SegmentStore, bad: float) -> None:
    v = _vecs(3)
    v[1, 17] = bad
    with _raises(VECTOR_ERR, "nan or inf"):
        store.add(v, **_cols(3, video_ids=["x", "y", "z"]))
    assert len(store) == 4  # nothing from the refused batch was added


def test_add_all_zero_vector(store: SegmentStore) -> None:
    v = _vecs(2)
    v[0] = 0.0
    with _raises(VECTOR_ERR, "zero"):
        store.add(v, **_cols(2, video_ids=["x", "y"]))
    assert len(store) == 4


@pytest.mark.parametrize("bad", [np.nan, np.inf, 0.0])
def test_query_non_finite_or_zero(store: SegmentStore, bad: float) -> None:
    q = _vecs(1)[0]
    if bad == 0.0:
        q[:] = 0.0
    else:
        q[3] = bad
    with _raises(VECTOR_ERR, "zero" if bad == 0.0 else "nan or inf"):
        store.search(q, k=2)


def _task(model_name: str, dim: int) -> EmbeddingTask:
    seg = [
        {"float": _vecs(1, dim, seed=i)[0].tolist(), "start_offset_sec": 6.0 * i, "end_offset_sec": 6.0 * i + 6,
         "embedding_option": "visual-text", "embedding_scope": "clip"}
        for i in range(2)
    ]
    return EmbeddingTask.model_validate(
        {"_id": "task-1", "model_name": model_name, "status": "ready", "video_embedding": {"segments": seg}}
    )


def test_embedding_task_of_another_model(store: SegmentStore) -> None:
    with _raises(MODEL_ERR, "marengo3.0", "2.7"):
        store.add_embedding_task(_task("Marengo-retrieval-2.7", 1024))
    assert len(store) == 4


def test_raw_vectors_of_another_model_with_matching_dimension(tmp_path: Path) -> None:
    """Same dimension, other model: only the declared model_name can tell, and it is refused."""
    other = SegmentStore.create(None, dim=512, model_name="my-512d-model")
    try:
        with _raises(MODEL_ERR, "marengo3.0", "my-512d-model"):
            other.add(_vecs(2, 512), **_cols(2), model_name="marengo3.0")
        assert len(other) == 0
        other.add(_vecs(2, 512), **_cols(2), model_name="my-512d-model")  # its own model is fine
        assert len(other) == 2
    finally:
        other.close()


# ---------------------------------------------------------------- columns


@pytest.mark.parametrize(
    "column, value",
    [
        ("video_ids", ["a"]),
        ("starts", [0.0, 1.0, 2.0]),
        ("ends", []),
        ("scopes", ["clip"]),
        ("options", ["audio"] * 5),
        ("texts", ["t"]),
        ("metadatas", [{}] * 3),
    ],
)
def test_mismatched_column_lengths(store: SegmentStore, column: str, value: list) -> None:
    with _raises(COLUMN_ERR, column):
        store.add(_vecs(2), **_cols(2, **{"video_ids": ["p", "q"], column: value}))
    assert len(store) == 4


def test_bad_scope(store: SegmentStore) -> None:
    with _raises(INPUT_ERR, "scope"):
        store.add(_vecs(1), **_cols(1, scopes=["scene"]))


def test_metadata_not_json_safe(store: SegmentStore) -> None:
    with _raises(INPUT_ERR, "metadata"):
        store.add(_vecs(1), **_cols(1), metadatas=[{"when": object()}])
    assert len(store) == 4


# ---------------------------------------------------------------- filters


@pytest.mark.parametrize(
    "where, fragment",
    [
        ({"start": {"$between": [1, 2]}}, "$between"),
        ({"video_id": {"$regex": "a.*"}}, "$regex"),
        ({"scope": {"$gt": "clip"}}, "$gt"),
        ({"colour": "red"}, "colour"),
        ({"$xor": [{"scope": "clip"}]}, "$xor"),
        ({"start": {"$gte": "soon"}}, "start"),
        ({"video_id": {"$in": "a"}}, "$in"),
    ],
)
def test_bad_filter(store: SegmentStore, where: dict, fragment: str) -> None:
    with _raises(FILTER_ERR, fragment):
        store.search(_vecs(1)[0], k=2, where=where)
    with _raises(FILTER_ERR, fragment):
        store.delete(where=where)
    assert len(store) == 4


def test_metadata_key_filter_known_after_add(store: SegmentStore) -> None:
    # A metadata key no row has is unknown (typo guard) until a row carries it, or with "metadata." prefix.
    q = _vecs(1)[0]
    with _raises(FILTER_ERR, "lang"):
        store.search(q, k=2, where={"lang": "en"})
    assert store.search(q, k=2, where={"metadata.lang": "en"}) == []
    store.add(_vecs(1, seed=9), **_cols(1, video_ids=["m"]), metadatas=[{"lang": "en"}])
    assert [h.video_id for h in store.search(q, k=2, where={"lang": "en"})] == ["m"]


# ---------------------------------------------------------------- files


def _saved(tmp_path: Path) -> Path:
    path = tmp_path / "s"
    s = SegmentStore.create(path, dim=DIM, model_name=MODEL)
    s.add(_vecs(50), **_cols(50))
    s.save()
    if hasattr(s, "close"):
        s.close()
    return path


def _manifest(path: Path) -> Path:
    found = [p for p in path.rglob("*.json") if "format_version" in p.read_text()]
    assert len(found) == 1, f"expected one JSON manifest, found {found}"
    return found[0]


def test_truncated_manifest(tmp_path: Path) -> None:
    path = _saved(tmp_path)
    m = _manifest(path)
    m.write_bytes(m.read_bytes()[:20])
    with _raises(CORRUPT_ERR):
        SegmentStore.open(path)


def test_newer_format_version(tmp_path: Path) -> None:
    path = _saved(tmp_path)
    m = _manifest(path)
    doc = json.loads(m.read_text())
    doc["format_version"] = int(doc["format_version"]) + 1
    m.write_text(json.dumps(doc))
    with _raises(VERSION_ERR, f"version {doc['format_version']}", "newer"):
        SegmentStore.open(path)
    with _raises(VERSION_ERR, f"version {doc['format_version']}", "newer"):
        SegmentStore.open(path, mmap=True, read_only=True)


def test_edited_manifest_fails_its_checksum(tmp_path: Path) -> None:
    path = _saved(tmp_path)
    m = _manifest(path)
    doc = json.loads(m.read_text())
    doc["count"] = doc["count"] - 1  # a plausible edit: must not load 49 of 50 rows
    m.write_text(json.dumps(doc))
    with _raises(CORRUPT_ERR, "checksum"):
        SegmentStore.open(path)


def test_open_missing_store(tmp_path: Path) -> None:
    with pytest.raises(twelvelabs_rag.TwelveLabsError):
        SegmentStore.open(tmp_path / "nothing-here")


HOLDER = textwrap.dedent(
    """
    import sys, time
    from twelvelabs_rag.store import SegmentStore
    s = SegmentStore.open(sys.argv[1])
    print("LOCKED", flush=True)
    sys.stdin.readline()
    """
)


def test_second_writer_process_is_refused(tmp_path: Path, closing) -> None:
    path = _saved(tmp_path)
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2] / "src") + os.pathsep + env.get("PYTHONPATH", "")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert holder.stdout.readline().strip() == "LOCKED"
        with _raises(LOCK_ERR, "another writer"):
            SegmentStore.open(path)
        # Readers are not writers: a read-only view still opens.
        view = SegmentStore.open(path, read_only=True)
        assert len(view) == 50
        if hasattr(view, "close"):
            view.close()
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
        holder.stdout.close()  # else the pipe is left to the GC (ResourceWarning in a later test)
    # The lock goes with the process.
    s = closing(SegmentStore.open(path))
    assert len(s) == 50


def test_second_writer_handle_in_process_shares_the_writer(tmp_path: Path, closing) -> None:
    """Issue 11: a second writable handle in the same process shares the first one's rows (no StoreLockedError)."""
    path = _saved(tmp_path)
    first = SegmentStore.open(path)
    second = SegmentStore.open(path)
    try:
        ids = first.add(_vecs(1, seed=7), **_cols(1, video_ids=["shared"]))
        assert second.get(ids)[0].video_id == "shared"  # one writer: the second handle sees the first's rows
        first.close()
        assert len(second) == 51  # the rows stay until the last handle closes
        second.save()
    finally:
        first.close()
        second.close()
    again = closing(SegmentStore.open(path))  # free again once both handles are closed
    assert len(again) == 51


def test_in_memory_store_cannot_save() -> None:
    s = SegmentStore.create(None, dim=DIM, model_name=MODEL)
    with _raises("StoreError", "in-memory"):
        s.save()


def test_model_and_dim_disagree(tmp_path: Path) -> None:
    with _raises(DIM_ERR, "512"):
        SegmentStore.create(None, dim=1024, model_name="marengo3.0")


# ---------------------------------------------------------------- misuse


@pytest.mark.parametrize("k", [0, -1, 2.5, True])
def test_bad_k(store: SegmentStore, k) -> None:
    with _raises(INPUT_ERR, "k must be"):
        store.search(_vecs(1)[0], k=k)


def test_search_like_unknown_id(store: SegmentStore) -> None:
    (gone,) = store.add(_vecs(1, seed=3), **_cols(1, video_ids=["gone"]))
    store.delete([gone])
    with _raises("SegmentNotFoundError", str(gone)):
        store.search_like(gone)
    with _raises("SegmentNotFoundError", "12345"):
        store.search_like(12345)


def test_read_only_store_refuses_writes(tmp_path: Path) -> None:
    path = _saved(tmp_path)
    view = SegmentStore.open(path, read_only=True)
    try:
        for call in (
            lambda: view.add(_vecs(1), **_cols(1)),
            lambda: view.delete([0]),
            lambda: view.save(),
        ):
            with _raises("ReadOnlyStoreError", "read_only"):
                call()
        assert len(view) == 50
    finally:
        view.close()


def test_closed_store_refuses_use(tmp_path: Path) -> None:
    s = SegmentStore.open(_saved(tmp_path))
    s.close()
    with _raises("StoreClosedError", "closed"):
        s.search(_vecs(1)[0], k=1)
    with _raises("StoreClosedError", "closed"):
        s.add(_vecs(1), **_cols(1))


def test_create_over_existing_store(tmp_path: Path) -> None:
    path = _saved(tmp_path)
    with _raises("StoreExistsError", "already exists"):
        SegmentStore.create(path, dim=DIM, model_name=MODEL)
    s = SegmentStore.open(path)  # and the existing store is untouched
    try:
        assert len(s) == 50
    finally:
        s.close()
