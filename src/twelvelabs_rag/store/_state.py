"""The store's in-memory state: a float32 matrix plus typed columns, copy-on-write for readers.

Readers take one reference to a :class:`State` and use only its first ``n`` rows, so a writer can
append into spare capacity, tombstone rows, or swap in a compacted state without ever invalidating
an array a reader is still scanning (old arrays stay alive as long as a reader holds them).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["State", "StringTable", "Docs", "empty_state"]

DocLists = tuple[list[str | None], list[str | None], list[str | None]]

COLUMNS = ("ids", "video", "start", "end", "scope", "option", "live")
DTYPES: dict[str, type[np.generic]] = {
    "ids": np.int64,
    "video": np.int32,
    "start": np.float32,
    "end": np.float32,
    "scope": np.uint8,
    "option": np.uint8,
    "live": np.bool_,
}


class StringTable:
    """Append-only table of strings <-> small integer codes (video ids, options)."""

    __slots__ = ("values", "codes")

    def __init__(self, values: list[str] | None = None) -> None:
        self.values: list[str] = list(values or [])
        self.codes: dict[str, int] = {v: i for i, v in enumerate(self.values)}

    def code(self, value: str) -> int:
        """The code of ``value``, adding it when new."""
        c = self.codes.get(value)
        if c is None:
            c = len(self.values)
            self.values.append(value)
            self.codes[value] = c
        return c

    def __len__(self) -> int:
        return len(self.values)


class Docs:
    """The per-row texts, metadata (JSON strings) and external ids, given or parsed on first use.

    A store opened from disk holds a loader here instead of the lists: the text/metadata sidecar is
    read, checked and parsed the first time a caller needs a text, a metadata value or an external
    id (a hit, ``get``, ``scan``, a metadata or text filter, a write), once, under a lock, so opening
    a big store costs nothing O(rows) and concurrent first uses parse it once.
    """

    __slots__ = ("_lists", "_load", "_lock")

    def __init__(self, texts: list[str | None] | None = None, metas: list[str | None] | None = None,
                 ext: list[str | None] | None = None, *, load: Callable[[], DocLists] | None = None) -> None:
        self._lists: DocLists | None = None if load is not None else (texts or [], metas or [], ext or [])
        self._load = load
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._lists is not None

    def lists(self) -> DocLists:
        lists = self._lists
        if lists is None:
            with self._lock:
                lists = self._lists
                if lists is None:
                    assert self._load is not None
                    lists = self._lists = self._load()  # a CorruptStoreError propagates, and the next use retries
                    self._load = None
        return lists


@dataclass(eq=False)
class State:
    """One consistent view of the rows. Arrays may be longer than ``n`` (spare capacity)."""

    vec: np.ndarray
    n: int
    ids: np.ndarray
    video: np.ndarray
    start: np.ndarray
    end: np.ndarray
    scope: np.ndarray
    option: np.ndarray
    live: np.ndarray
    dead_rows: np.ndarray
    #: texts, metadata and external ids (see :class:`Docs`: parsed from disk on first use)
    docs: Docs = field(default_factory=Docs)
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def texts(self) -> list[str | None]:
        return self.docs.lists()[0]

    @property
    def metas(self) -> list[str | None]:
        """Metadata as compact JSON strings (``None`` where a row has none)."""
        return self.docs.lists()[1]

    @property
    def ext(self) -> list[str | None]:
        """External (framework-owned) string ids, ``None`` where not given; unique among live rows."""
        return self.docs.lists()[2]

    @property
    def n_live(self) -> int:
        return self.n - int(self.dead_rows.size)

    @property
    def capacity(self) -> int:
        return int(min(self.vec.shape[0], self.ids.shape[0]))

    def matrix(self) -> np.ndarray:
        """The ``(n, d)`` view of the stored unit vectors (no copy)."""
        return self.vec[: self.n]

    def col(self, name: str) -> np.ndarray:
        col: np.ndarray = getattr(self, name)[: self.n]
        return col

    def with_capacity(self, extra: int) -> State:
        """A state sharing rows with this one and room for ``extra`` more writable rows."""
        need = self.n + extra
        if need <= self.capacity and self.vec.flags.writeable:
            return self
        cap = max(need, int(self.capacity * 1.5), 256) if self.n else need
        d = self.vec.shape[1]
        vec = np.empty((cap, d), dtype=np.float32)
        vec[: self.n] = self.vec[: self.n]
        kw: dict[str, Any] = {"vec": vec}
        for name in COLUMNS:
            arr: np.ndarray = np.empty(cap, dtype=DTYPES[name])
            arr[: self.n] = getattr(self, name)[: self.n]
            kw[name] = arr
        cache = {"meta": self.cache["meta"]} if "meta" in self.cache else {}
        return dataclasses.replace(self, cache=cache, **kw)

    def appended(self, m: int) -> State:
        """The state after ``m`` rows were written into the spare capacity.

        Caches keyed by row range are dropped; the parsed-metadata cache is append-only (rows never
        move until compaction), so it is shared and extended lazily.
        """
        cache = {"meta": self.cache["meta"]} if "meta" in self.cache else {}
        return dataclasses.replace(self, n=self.n + m, cache=cache)

    def tombstoned(self, rows: np.ndarray) -> State:
        """Mark ``rows`` dead in place and return the state that knows about it."""
        rows = np.asarray(rows, dtype=np.int64)
        if rows.size == 0:
            return self
        self.live[rows] = False
        dead = np.union1d(self.dead_rows, rows)
        return dataclasses.replace(self, dead_rows=dead, cache=self.cache)

    def compacted(self) -> State:
        """A new state holding only live rows, at exact capacity (the old arrays are untouched)."""
        n = self.n
        if self.dead_rows.size == 0 and self.capacity == n and self.vec.flags.writeable:
            return self
        keep = self.live[:n].copy()
        kept = np.flatnonzero(keep)
        if self.dead_rows.size == 0:
            vec = np.array(self.vec[:n], dtype=np.float32, copy=True)
        else:
            vec = np.empty((kept.size, self.vec.shape[1]), dtype=np.float32)
            np.take(self.vec[:n], kept, axis=0, out=vec)
        kw: dict[str, Any] = {"vec": vec}
        for name in COLUMNS:
            kw[name] = np.ascontiguousarray(getattr(self, name)[:n][keep])
        texts = [self.texts[i] for i in kept.tolist()] if self.dead_rows.size else list(self.texts[:n])
        metas = [self.metas[i] for i in kept.tolist()] if self.dead_rows.size else list(self.metas[:n])
        ext = [self.ext[i] for i in kept.tolist()] if self.dead_rows.size else list(self.ext[:n])
        return State(
            n=int(kept.size),
            dead_rows=np.zeros(0, dtype=np.int64),
            docs=Docs(texts, metas, ext),
            **kw,
        )

    def rows_of_ids(self, ids: np.ndarray) -> np.ndarray:
        """Rows of the given ids (``-1`` where an id is absent or dead). Ids are sorted by row."""
        ids = np.asarray(ids, dtype=np.int64).reshape(-1)
        n = self.n
        col = self.ids[:n]
        if n == 0:
            return np.full(ids.shape, -1, dtype=np.int64)
        first = int(col[0])
        if int(col[n - 1]) - first == n - 1:  # ids are increasing: here they are first..first+n-1, row = id - first
            pos = ids - first
            ok = (pos >= 0) & (pos < n)
            if not self.dead_rows.size and ok.all():
                return pos
            pos_c = np.where(ok, pos, 0)
            return np.where(ok & self.live[pos_c], pos_c, -1)
        pos = np.searchsorted(col, ids)
        pos_c = np.minimum(pos, col.size - 1)
        ok = (col[pos_c] == ids) & self.live[pos_c]
        return np.where(ok, pos_c, -1).astype(np.int64)

    def nbytes(self) -> int:
        used = self.n * (self.vec.shape[1] * 4 + sum(np.dtype(DTYPES[c]).itemsize for c in COLUMNS))
        return int(used)


def empty_state(dim: int) -> State:
    """A state with no rows."""
    kw: dict[str, Any] = {name: np.zeros(0, dtype=DTYPES[name]) for name in COLUMNS}
    return State(
        vec=np.zeros((0, dim), dtype=np.float32),
        n=0,
        dead_rows=np.zeros(0, dtype=np.int64),
        docs=Docs(),
        **kw,
    )
