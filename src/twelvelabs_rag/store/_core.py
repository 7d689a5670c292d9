"""The one object that owns a store's data: :class:`StoreCore` (columns, string tables, ids, ANN, lock).

Reads (``_reads``) are functions of a core and one :class:`~._state.State` it published; writes
(``_writes``) build the next state beside the current one and :meth:`StoreCore.publish` it, under
``wlock``. A :class:`~twelvelabs_rag.store.SegmentStore` is a handle on a core.

Writable handles opened on the same directory in one process share one core (one writer per path
and process: every handle sees the same rows, and the directory lock is released when the last
handle closes); across processes the directory lock keeps one writer. Read-only handles get their
own core, loaded from disk.
"""

from __future__ import annotations

import os
import threading
import weakref
from pathlib import Path
from typing import Any

from ._ann import AnnIndex
from ._errors import CorruptStoreError, ReadOnlyStoreError, StoreClosedError
from ._models import SCOPES, ModelInfo
from ._persist import release_lock
from ._query import QueryCache, QueryEmbedder
from ._state import State, StringTable, empty_state

__all__ = ["StoreCore", "shared_writer", "register_writer", "CLOSED"]

CLOSED = "this SegmentStore is closed; open it again with SegmentStore.open(path)"


class StoreCore:
    """Everything one store holds; changed only under ``wlock`` (readers take one ``state`` reference)."""

    def __init__(self, dim: int, model: ModelInfo, index_kind: str, *, path: Path | None = None,
                 read_only: bool = False, mmap: bool = False, lock_fd: int | None = None) -> None:
        self.dim = dim
        self.model = model
        self.index_kind = index_kind
        self.path = path
        self.read_only = read_only
        self.mmap = mmap
        self.lock_fd = lock_fd
        self.state: State = empty_state(dim)
        self.videos = StringTable()
        self.options = StringTable()
        self.scopes = StringTable(list(SCOPES))
        self.meta_keys: set[str] = set()
        self.ext_index: dict[str, int] = {}  # external id -> segment id of the live row holding it
        self.next_id = 0
        self.generation = 0
        self.snapshot: str | None = None  # random token of the snapshot this core last loaded or saved
        self.dirty = False
        self.wlock = threading.RLock()
        self.ann = AnnIndex(dim) if index_kind == "ivf" else None
        self.check: Any = None  # crc32 check of memory-mapped vectors, running in the background
        self.handles = 1
        cache = QueryCache(path / "query_cache" if path is not None else None, writable=not read_only)
        self.queries = QueryEmbedder(model, dim, cache)

    def load(self, snap: dict[str, Any]) -> None:
        """Take the rows, tables and counters of a loaded snapshot (``_snapshot.load_snapshot``)."""
        man = snap["manifest"]
        self.state = snap["state"]
        self.videos, self.options, self.scopes = snap["videos"], snap["options"], snap["scopes"]
        self.meta_keys = snap["meta_keys"]
        self.ext_index = snap["ext_index"]
        self.check = snap["check"]
        self.next_id = man["next_id"]
        self.generation = man["generation"]
        self.snapshot = man.get("snapshot")
        if self.ann is not None and snap["ann"] is not None:
            try:
                self.ann.load(snap["ann"], trained_on=man["ann_trained_on"], count=man["count"])
            except ValueError as exc:
                raise CorruptStoreError(f"the ANN index of {self.path} is unusable ({exc}); restore the store from "
                                        "a backup, or delete its 'ann' entry by re-creating the store") from None

    # ------------------------------------------------------------------ states
    def vector_state(self) -> State:
        """The state, once memory-mapped vectors passed their checksum (raises CorruptStoreError)."""
        st = self.state
        if self.check is not None:
            self.check.wait()
        return st

    def check_writable(self) -> None:
        """Raise unless this core takes writes (call under ``wlock``)."""
        if self.handles <= 0:
            raise StoreClosedError(CLOSED)
        if self.read_only:
            raise ReadOnlyStoreError("this store was opened with read_only=True; open it without to write")
        if self.check is not None:
            self.check.wait()

    def publish(self, state: State, *, next_id: int | None = None, dirty: bool = True) -> None:
        """Make ``state`` the one readers see (call under ``wlock``); it holds unsaved changes when ``dirty``."""
        self.state = state
        if next_id is not None:
            self.next_id = next_id
        if dirty:
            self.dirty = True

    def saved(self, generation: int, snapshot: str) -> None:
        """Snapshot ``generation`` (token ``snapshot``) of the current state is on disk."""
        self.generation = generation
        self.snapshot = snapshot
        self.dirty = False

    # ------------------------------------------------------------------ handles
    def release_handle(self) -> bool:
        """One handle let go; at the last one release the lock and the rows. True when the core is closed."""
        with self.wlock:
            self.handles -= 1
            if self.handles > 0:
                return False
            release_lock(self.lock_fd)
            self.lock_fd = None
            self.state = empty_state(self.dim)
            return True

    def add_handle(self) -> bool:
        """Count one more handle on a live writable core; False when it is closing or not a writer."""
        with self.wlock:
            if self.handles <= 0 or self.lock_fd is None:
                return False
            self.handles += 1
            return True

    def __del__(self) -> None:  # a core nobody closed: never keep the directory locked
        fd = getattr(self, "lock_fd", None)
        if fd is not None:
            self.lock_fd = None
            release_lock(fd)


_WRITERS: dict[str, weakref.ref[StoreCore]] = {}
_WRITERS_LOCK = threading.Lock()


def _key(path: Path) -> str:
    return os.path.realpath(path)


def shared_writer(path: Path) -> StoreCore | None:
    """The live writable core of ``path`` in this process (with one more handle counted), if any."""
    with _WRITERS_LOCK:
        ref = _WRITERS.get(_key(path))
        core = ref() if ref is not None else None
        if core is None or not core.add_handle():
            return None
        return core


def register_writer(path: Path, core: StoreCore) -> None:
    """Make ``core`` the writer other handles on ``path`` in this process share."""
    key = _key(path)
    with _WRITERS_LOCK:
        for k in [k for k, r in _WRITERS.items() if r() is None]:
            del _WRITERS[k]
        _WRITERS[key] = weakref.ref(core)
