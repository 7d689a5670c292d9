"""The one object that owns a store's data: :class:`StoreCore` (columns, string tables, ids, ANN, lock).

A :class:`~twelvelabs_rag.store.SegmentStore` is a handle on a core. Writable handles opened on the
same directory in one process share one core (one writer per path and process: every handle sees
the same rows, and the directory lock is released when the last handle closes); across processes
the directory lock keeps one writer. Read-only handles get their own core, loaded from disk.
"""

from __future__ import annotations

import os
import threading
import weakref
from pathlib import Path
from typing import Any

from ._ann import AnnIndex
from ._models import SCOPES, ModelInfo
from ._persist import release_lock
from ._state import State, StringTable, empty_state

__all__ = ["StoreCore", "shared_writer", "register_writer", "CORE_FIELDS"]

#: The fields of a core a handle reads and writes as ``handle._<field>`` (see ``SegmentStore``).
CORE_FIELDS = ("dim", "model", "index_kind", "path", "mmap", "lock_fd", "state", "videos", "options", "scopes",
               "meta_keys", "ext_index", "next_id", "generation", "snapshot", "dirty", "wlock", "ann", "check")


class StoreCore:
    """Everything one store holds; mutated only under ``wlock`` (readers take one ``state`` reference)."""

    def __init__(self, dim: int, model: ModelInfo, index_kind: str) -> None:
        self.dim = dim
        self.model = model
        self.index_kind = index_kind
        self.path: Path | None = None
        self.mmap = False
        self.lock_fd: int | None = None
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
        if core is None:
            return None
        with core.wlock:
            if core.handles <= 0 or core.lock_fd is None:
                return None
            core.handles += 1
            return core


def register_writer(path: Path, core: StoreCore) -> None:
    """Make ``core`` the writer other handles on ``path`` in this process share."""
    key = _key(path)
    with _WRITERS_LOCK:
        for k in [k for k, r in _WRITERS.items() if r() is None]:
            del _WRITERS[k]
        _WRITERS[key] = weakref.ref(core)
