"""Copy segments between a local :class:`SegmentStore` and a :class:`MilvusSegmentStore`.

``push`` is incremental and resumable. Local ids only grow (an upsert gives the row a new id), so the
rows to send are those above the last pushed id, and the rows to retire are pushed ids no longer live.
The cursor lives on both sides:

* beside the local store, ``push/<target>.json`` (high id, row count) and ``push/<target>.npy`` (the
  pairs local id -> Milvus id), each written to a temp file, fsynced and renamed;
* in the collection, the property ``tlrag.push.<source>`` (the high id the collection has received).

After each batch the collection's cursor is advanced first, then the local one, so a kill at any point
resumes from the local cursor and re-sends at most one batch; Milvus upserts on the segment key, so a
re-sent batch replaces its earlier copy instead of duplicating it. A collection without this source's
cursor (new, or dropped and recreated) gets a full push. A push with nothing new writes nothing.
"""

from __future__ import annotations

import hashlib
import inspect
import io
import json
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ._errors import CorruptStoreError, InvalidInputError

__all__ = ["push", "pull", "PushResult", "local_ids", "local_rows"]

Progress = Callable[[int, int], None]


@dataclass
class PushResult:
    """What one push did: rows sent and rows retired in Milvus; ``full`` when it (re)sent everything."""

    added: int
    deleted: int
    full: bool


def local_ids(store: Any, where: Mapping[str, Any] | None = None) -> np.ndarray:
    """Ascending live ids of a local store (its ``ids`` primitive when it has one)."""
    if hasattr(store, "ids"):
        return np.asarray(store.ids(where), dtype=np.int64)
    n = len(store)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    hits = store.search(np.ones(store.dim, dtype=np.float32), k=n, where=where)
    return np.sort(np.asarray([h.id for h in hits], dtype=np.int64))


def local_rows(store: Any, ids: list[int]) -> list[Any]:
    return list(store.get(ids))


def _key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class _Cursor:
    """The local half of the cursor: high id pushed and the local -> Milvus id pairs."""

    def __init__(self, folder: Path, name: str) -> None:
        self.json_path = folder / f"{name}.json"
        self.npy_path = folder / f"{name}.npy"
        self.high = -1
        self.pairs = np.zeros((0, 2), dtype=np.int64)
        if self.json_path.is_file():
            try:
                head = json.loads(self.json_path.read_text())
                n, high = int(head["rows"]), int(head["high"])
                pairs = np.load(self.npy_path, allow_pickle=False) if n else np.zeros((0, 2), np.int64)
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise CorruptStoreError(f"push cursor {self.json_path} is unreadable ({exc}); delete "
                                        f"{self.json_path.parent} to push everything again") from None
            if pairs.dtype != np.int64 or pairs.ndim != 2 or pairs.shape[1] != 2 or pairs.shape[0] < n:
                raise CorruptStoreError(f"push cursor {self.npy_path} does not match {self.json_path}; delete "
                                        f"{self.json_path.parent} to push everything again")
            self.high, self.pairs = high, pairs[:n]

    def save(self) -> None:
        self.json_path.parent.mkdir(parents=True, exist_ok=True)
        buf = io.BytesIO()
        np.save(buf, self.pairs, allow_pickle=False)
        _atomic_write(self.npy_path, buf.getvalue())
        _atomic_write(self.json_path, json.dumps({"high": self.high, "rows": int(self.pairs.shape[0])}).encode())


def _segments_to_columns(segs: list[Any]) -> tuple[np.ndarray, dict[str, Any]]:
    cols: dict[str, Any] = {
        "video_ids": [s.video_id for s in segs], "starts": [s.start for s in segs], "ends": [s.end for s in segs],
        "scopes": [s.scope for s in segs], "options": [s.option for s in segs], "texts": [s.text for s in segs],
        "metadatas": [s.metadata or None for s in segs],
    }
    ext = [getattr(s, "external_id", None) for s in segs]
    if any(e is not None for e in ext):
        cols["external_ids"] = ext
    return np.stack([np.asarray(s.vector, dtype=np.float32) for s in segs]), cols


def push(local: Any, milvus: Any, *, batch_size: int = 2000, progress: Progress | None = None) -> PushResult:
    """Bring ``milvus`` up to date with ``local`` (rows added, changed or deleted since the last push).

    Example:
        ```python
        with SegmentStore.open("fox.tlstore", read_only=True) as local:
            result = push(local, MilvusSegmentStore("http://milvus:19530", model_name=local.model_name))
        ```
    """
    if local.path is None:
        raise InvalidInputError("push needs a store saved on disk (its cursor lives beside it)")
    if local.model_name != milvus.model_name or local.dim != milvus.dim:
        from ._errors import ModelMismatchError

        raise ModelMismatchError(f"the local store holds {local.model_name!r} ({local.dim}-d) vectors and the "
                                 f"collection {milvus.model_name!r} ({milvus.dim}-d); "
                                 "push into a collection of the same model")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise InvalidInputError(f"batch_size must be a positive integer, got {batch_size!r}")
    source = _key(str(Path(local.path).resolve()))
    prop = f"tlrag.push.{source}"
    cursor = _Cursor(Path(local.path) / "push", _key(f"{milvus.uri}\0{milvus.collection}"))
    remote = milvus.properties().get(prop)
    full = remote is None or int(json.loads(remote)["high"]) < cursor.high
    if full:
        cursor.high, cursor.pairs = -1, np.zeros((0, 2), dtype=np.int64)
    live = local_ids(local)
    todo = live[live > cursor.high]
    gone = cursor.pairs[~np.isin(cursor.pairs[:, 0], live)] if cursor.pairs.size else np.zeros((0, 2), np.int64)
    total, done = int(todo.size + gone.shape[0]), 0
    if gone.shape[0]:
        milvus.delete(gone[:, 1].tolist())
        cursor.pairs = cursor.pairs[np.isin(cursor.pairs[:, 0], live)]
        _advance(milvus, prop, cursor)
        done += int(gone.shape[0])
        if progress:
            progress(done, total)
    for i in range(0, todo.size, batch_size):
        chunk = todo[i : i + batch_size].tolist()
        segs = local_rows(local, chunk)
        x, cols = _segments_to_columns(segs)
        new_ids = milvus.add(x, **cols)
        pairs = np.column_stack([np.asarray([s.id for s in segs], np.int64), np.asarray(new_ids, np.int64)])
        cursor.pairs = np.concatenate([cursor.pairs[~np.isin(cursor.pairs[:, 0], pairs[:, 0])], pairs])
        cursor.high = int(chunk[-1])
        _advance(milvus, prop, cursor)
        done += len(chunk)
        if progress:
            progress(done, total)
    if full and not todo.size and not gone.shape[0] and remote is None:
        _advance(milvus, prop, cursor)  # an empty store: record the cursor all the same
    return PushResult(added=int(todo.size), deleted=int(gone.shape[0]), full=full)


def _advance(milvus: Any, prop: str, cursor: _Cursor) -> None:
    milvus.set_properties({prop: json.dumps({"high": cursor.high})})
    cursor.save()


def pull(milvus: Any, local: Any, *, where: Mapping[str, Any] | None = None, batch_size: int = 2000,
         progress: Progress | None = None) -> int:
    """Copy the collection's rows matching ``where`` into ``local`` (upserting); returns rows copied."""
    ids = milvus.ids(where)
    done = 0
    batch: list[Any] = []
    for seg in _iter(milvus, where, batch_size):
        batch.append(seg)
        if len(batch) == batch_size:
            done += _add_local(local, batch)
            batch = []
            if progress:
                progress(done, int(ids.size))
    if batch:
        done += _add_local(local, batch)
        if progress:
            progress(done, int(ids.size))
    return done


def _iter(milvus: Any, where: Mapping[str, Any] | None, batch_size: int) -> Iterator[Any]:
    segments: Iterator[Any] = milvus.scan(where, with_vectors=True, batch_size=batch_size)
    return segments


def _add_local(local: Any, segs: list[Any]) -> int:
    x, cols = _segments_to_columns(segs)
    if "external_ids" in cols and "external_ids" not in inspect.signature(local.add).parameters:
        raise InvalidInputError("these rows carry external ids, which this local store cannot hold; "
                                "upgrade twelvelabs-rag")
    local.add(x, **cols)
    return len(segs)
