"""``SegmentStore``: a local, exact-by-default vector store for TwelveLabs video segments."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ._ann import TRAIN_MIN
from ._core import CORE_FIELDS, StoreCore, register_writer, shared_writer
from ._errors import (
    CorruptStoreError,
    InvalidInputError,
    ReadOnlyStoreError,
    StoreClosedError,
    StoreError,
    StoreExistsError,
    StoreLockedError,
    StoreWriteError,
)
from ._ingest import as_matrix, check_model, from_task, from_video, prepare_batch
from ._models import resolve_model
from ._persist import MANIFEST, MAX_DIM, acquire_lock, manifest_identity, release_lock
from ._query import QueryMixin
from ._reads import ReadMixin, as_ids
from ._snapshot import load_snapshot, save_snapshot
from ._state import State
from ._writes import add_rows, forget_external_ids

__all__ = ["SegmentStore"]

_INDEXES = ("flat", "ivf")
#: Compact automatically once this fraction of rows are tombstones.
_COMPACT_FRACTION = 0.2


class SegmentStore(ReadMixin, QueryMixin):
    """Video-segment vectors plus typed columns, searched exactly (cosine) with filters applied first.

    Create with :meth:`create` (``path=None`` keeps it in memory) or :meth:`open`; one writer per
    store directory (a file lock), any number of reader threads.

    Example:
        ```python
        import numpy as np
        from twelvelabs_rag.store import SegmentStore

        store = SegmentStore.create(None, dim=4, model_name="marengo3.0-test")
        ids = store.add(np.eye(4, dtype=np.float32), video_ids="v1", starts=[0, 6, 12, 18],
                        ends=[6, 12, 18, 24], scopes="clip", options="visual")
        hits = store.search([1, 0.1, 0, 0], k=2, where={"start": {"$lt": 12}})
        assert hits[0].id == ids[0]
        ```
    """

    def __init__(self, *, dim: int, model_name: str, index: str = "flat") -> None:
        """An empty in-memory store (same as ``SegmentStore.create(None, ...)``)."""
        if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or not 0 < dim <= MAX_DIM:
            raise InvalidInputError(f"dim must be an integer in 1..{MAX_DIM} (1024 for Marengo 2.7, 512 for 3.0), "
                                    f"got {dim!r}")
        info = resolve_model(model_name)
        if info.dim is not None and info.dim != dim:
            from ._errors import DimensionMismatchError

            raise DimensionMismatchError(f"{info.name} vectors are {info.dim}-d, not {dim}; use dim={info.dim}")
        if index not in _INDEXES:
            hint = (" (HNSW was measured and not adopted: lower recall on video-like segment data and no "
                    "deletes in faiss; see benchmarks/README.md)" if index == "hnsw" else "")
            raise InvalidInputError(f"index must be 'flat' (exact) or 'ivf' (approximate), got {index!r}{hint}")
        self._core = StoreCore(int(dim), info, index)  # owns the rows, tables, ids, ANN index and lock
        self._read_only = False
        self._closed = False
        self._init_query_cache(None)

    @classmethod
    def _handle(cls, core: StoreCore, path: Path) -> SegmentStore:
        """A second handle on a core this process already has open for writing."""
        store = cls.__new__(cls)
        store._core, store._read_only, store._closed = core, False, False
        store._init_query_cache(path / "query_cache")
        return store

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    def create(cls, path: str | Path | None, *, dim: int, model_name: str, index: str = "flat") -> SegmentStore:
        """Create a new store at ``path`` (a directory; ``None`` for an in-memory store).

        Example:
            ```python
            store = SegmentStore.create("segments.tlstore", dim=512, model_name="marengo3.0")
            ```
        """
        store = cls(dim=dim, model_name=model_name, index=index)
        if path is None:
            return store
        p = _as_path(path)
        if (p / MANIFEST).exists():
            raise StoreExistsError(f"a segment store already exists at {p}; open it with SegmentStore.open({str(p)!r})")
        if p.exists() and not p.is_dir():
            raise StoreExistsError(f"{p} exists and is not a directory; a store is a directory: choose another path")
        try:
            p.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreWriteError(exc.errno, f"cannot create the store directory {p}: {exc.strerror or exc}; "
                                  "choose a path in a writable directory (no parent may be a file)") from None
        store._lock_fd = _lock(p)
        register_writer(p, store._core)
        try:
            if (p / MANIFEST).exists():
                raise StoreExistsError(f"a segment store already exists at {p}; open it with SegmentStore.open(path)")
            store._path = p
            store._init_query_cache(p / "query_cache")
            store.save()
        except BaseException:
            release_lock(store._lock_fd)
            store._lock_fd = None
            raise
        return store

    @classmethod
    def open(cls, path: str | Path, *, mmap: bool = False, read_only: bool = False) -> SegmentStore:
        """Open an existing store. ``mmap=True`` maps the vectors instead of reading them (fast cold start).

        A writable open takes the store's lock (:class:`StoreLockedError` if another process has it);
        ``read_only=True`` takes no lock and refuses writes. A writable open of a store this process
        already has open for writing returns a second handle on the same rows (unsaved changes
        included; ``mmap`` is then the first handle's): the lock goes when the last handle closes.

        Example:
            ```python
            with SegmentStore.open("segments.tlstore", mmap=True, read_only=True) as store:
                hits = store.search(vector, k=5)
            ```
        """
        p = _as_path(path)
        if not read_only:
            core = shared_writer(p)
            if core is not None:  # this process has it open for writing: share that writer
                return cls._handle(core, p)
        lock = None if read_only else _lock(p) if p.is_dir() else None
        try:
            snap = load_snapshot(p, mmap=mmap)
            man = snap["manifest"]
            store = cls(dim=man["dim"], model_name=man["model_name"], index=man.get("index", "flat"))
            store._state = snap["state"]
            store._videos, store._options, store._scopes = snap["videos"], snap["options"], snap["scopes"]
            store._meta_keys = snap["meta_keys"]
            store._ext_index = snap["ext_index"]
            store._check = snap["check"]
            store._next_id = man["next_id"]
            store._generation = man["generation"]
            store._snapshot = man.get("snapshot")
            if store._ann is not None and snap["ann"] is not None:
                try:
                    store._ann.load(snap["ann"], trained_on=man["ann_trained_on"], count=man["count"])
                except ValueError as exc:
                    raise CorruptStoreError(f"the ANN index of {p} is unusable ({exc}); restore the store from "
                                            "a backup, or delete its 'ann' entry by re-creating the store") from None
        except BaseException:
            release_lock(lock)
            raise
        store._path, store._read_only, store._mmap, store._lock_fd = p, read_only, mmap, lock
        store._init_query_cache(p / "query_cache")
        if lock is not None:
            register_writer(p, store._core)
        return store

    @classmethod
    def exists(cls, path: str | Path) -> bool:
        """Whether ``path`` holds a segment store (its manifest), without opening or locking it.

        Example:
            ```python
            store = SegmentStore.open(p) if SegmentStore.exists(p) else SegmentStore.create(p, dim=512, model_name="marengo3.0")
            ```
        """
        try:
            p = _as_path(path)
        except InvalidInputError:
            return False
        return (p / MANIFEST).is_file()

    @classmethod
    def open_or_create(cls, path: str | Path, *, dim: int, model_name: str, index: str = "flat",
                       mmap: bool = False) -> SegmentStore:
        """Open the store at ``path``, or create it there; an existing store must match ``dim`` and the model.

        Example:
            ```python
            store = SegmentStore.open_or_create("segments.tlstore", dim=512, model_name="marengo3.0")
            ```
        """
        if not cls.exists(path):
            try:
                return cls.create(path, dim=dim, model_name=model_name, index=index)
            except StoreExistsError:
                pass  # created concurrently: open it below
        store = cls.open(path, mmap=mmap)
        try:
            if store.dim != dim:
                from ._errors import DimensionMismatchError

                raise DimensionMismatchError(f"the store at {path} holds {store.dim}-d vectors, not {dim}-d; "
                                             "pass its dim or use another path")
            check_model(store.model_name, model_name, f"the store at {path}")
        except BaseException:
            store.close()
            raise
        return store

    def close(self) -> None:
        """Release the lock and memory. Unsaved changes are dropped: call :meth:`save` first.

        Writable handles on one path in one process share their rows (see :meth:`open`): the lock and
        the rows go when the last of them closes.
        """
        with self._wlock:
            if self._closed:
                return
            self._closed = True
            self._core.release_handle()

    def __enter__(self) -> SegmentStore:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        """Leaving a ``with`` block saves unsaved changes (unless an exception is propagating), then closes.

        If that save fails, the store is *not* closed: its error propagates and the unsaved rows stay
        in memory (and the lock held), so the caller can fix the cause and call :meth:`save` again,
        or :meth:`close` to drop them knowingly.
        """
        if exc_type is None and self._dirty and self._path is not None and not self._read_only and not self._closed:
            try:
                self.save()
            except BaseException as err:
                if isinstance(err, Exception):
                    err.add_note(f"the store at {self._path} was left open with its {len(self)} rows unsaved: fix "
                                 "the cause and call save() again, or close() to drop the unsaved changes")
                raise
        self.close()

    def __del__(self) -> None:
        core = getattr(self, "_core", None)
        if core is not None and not getattr(self, "_closed", True):
            self._closed = True
            core.release_handle()

    def __len__(self) -> int:
        return self._live_state().n_live

    def __repr__(self) -> str:
        where = str(self._path) if self._path is not None else "memory"
        return f"SegmentStore({where!r}, model={self._model.name!r}, dim={self._dim}, count={len(self) if not self._closed else 'closed'})"

    @property
    def dim(self) -> int:
        """Vector dimension (1024 for Marengo 2.7, 512 for Marengo 3.0)."""
        return self._dim

    @property
    def model_name(self) -> str:
        """Canonical model name (``marengo2.7`` or ``marengo3.0`` for the known models)."""
        return self._model.name

    @property
    def embed_model_name(self) -> str:
        """The model name ``client.embed.create`` expects for this store's model."""
        return self._model.embed_name

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def read_only(self) -> bool:
        return self._read_only

    def _live_state(self) -> State:
        if self._closed:
            raise StoreClosedError("this SegmentStore is closed; open it again with SegmentStore.open(path)")
        return self._state

    def _vector_state(self) -> State:
        """The state, once memory-mapped vectors passed their checksum (raises CorruptStoreError)."""
        st = self._live_state()
        if self._check is not None:
            self._check.wait()
        return st

    def _check_writable(self) -> None:
        if self._closed:
            raise StoreClosedError("this SegmentStore is closed; open it again with SegmentStore.open(path)")
        if self._read_only:
            raise ReadOnlyStoreError("this store was opened with read_only=True; open it without to write")
        if self._check is not None:
            self._check.wait()

    # ------------------------------------------------------------------ writes
    def add(
        self,
        vectors: Any,
        *,
        video_ids: Any,
        starts: Any,
        ends: Any,
        scopes: Any,
        options: Any,
        texts: Any = None,
        metadatas: Any = None,
        model_name: str | None = None,
        external_ids: Any = None,
    ) -> list[int]:
        """Add (upsert) segments; returns one new id per input row.

        Pass ``model_name`` (the model that produced ``vectors``) to have vectors of another model
        refused with :class:`ModelMismatchError` even when their dimension happens to match.

        Columns are lists or arrays of one value per vector; ``video_ids``, ``scopes`` and ``options``
        may be a single string for all rows. A row whose ``(video_id, start, end, scope, option)``
        is already stored replaces it: the old id disappears and the row gets a new id (within one
        call the last duplicate wins and its id is returned for every duplicate).

        ``external_ids`` (optional) gives rows string ids owned by the caller (a framework's document
        ids): unique among live rows, so adding a row whose external id is already stored replaces
        that row, just like a key match; filter on them with ``where={"external_id": ...}``.

        Example:
            ```python
            ids = store.add(task.video_embedding.matrix, video_ids="vid-1", starts=[0, 6], ends=[6, 12],
                            scopes="clip", options="visual", texts=["intro", None])
            ```
        """
        with self._wlock:
            self._check_writable()
            check_model(self._model.name, model_name, "these vectors")
            x = as_matrix(vectors, self._dim)
            batch = prepare_batch(x.shape[0], video_ids, starts, ends, scopes, options, texts, metadatas,
                                  external_ids)
            if batch.m == 0:
                return []
            keys = set()
            if metadatas is not None:
                for d in metadatas:
                    if d:
                        keys.update(d.keys())
            ids = add_rows(self._core, x, batch)
            self._meta_keys |= keys
            self._dirty = True
            return ids

    upsert = add

    def add_embedding_task(self, task: Any, *, metadata: Mapping[str, Any] | None = None) -> list[int]:
        """Add every segment of a retrieved :class:`~twelvelabs_rag.types.EmbeddingTask` (re-adding upserts).

        The task id stands in for the video id. Example:
            ```python
            task = client.embed.tasks.create_and_wait(model_name="marengo3.0", video_file="clip.mp4")
            store.add_embedding_task(task)
            ```
        """
        kw = from_task(task, self._model.name)
        if metadata:
            kw["metadatas"] = [dict(metadata)] * len(kw["starts"])
        return self.add(kw.pop("vectors"), **kw)

    def add_video(self, video: Any, *, metadata: Mapping[str, Any] | None = None) -> list[int]:
        """Add the segments of a :class:`~twelvelabs_rag.types.Video` retrieved with its embeddings.

        The filename (when known) goes into each row's metadata as ``filename``. Example:
            ```python
            video = client.indexes.videos.retrieve(index_id, video_id, embedding_option=["visual", "audio"])
            store.add_video(video)
            ```
        """
        kw = from_video(video, self._model.name)
        meta = dict(metadata or {})
        filename = getattr(getattr(video, "system_metadata", None), "filename", None)
        if filename and "filename" not in meta:
            meta["filename"] = filename
        if meta:
            kw["metadatas"] = [meta] * len(kw["starts"])
        return self.add(kw.pop("vectors"), **kw)

    def delete(self, ids: Iterable[int] | int | None = None, *, where: Mapping[str, Any] | None = None) -> int:
        """Delete by id and/or filter (both given: rows matching both); returns how many were deleted.

        Unknown or already deleted ids are ignored. ``where={}`` deletes everything. Example:
            ```python
            store.delete(where={"video_id": "vid-1"})
            ```
        """
        if ids is None and where is None:
            raise InvalidInputError("delete needs ids=[...] or where={...} (where={} deletes everything)")
        with self._wlock:
            self._check_writable()
            st = self._state
            rows = self._select(st, where)
            if ids is not None:
                id_rows = st.rows_of_ids(as_ids(ids))
                id_rows = np.unique(id_rows[id_rows >= 0])
                rows = id_rows if rows is None else np.intersect1d(rows, id_rows)
            elif rows is None:
                rows = np.flatnonzero(st.live[: st.n])
            if rows.size == 0:
                return 0
            forget_external_ids(self._ext_index, st, rows)
            new = st.tombstoned(rows)
            if self._ann is not None:
                self._ann.forget(new.ids[rows])
            self._state = new
            self._dirty = True
            if new.dead_rows.size > _COMPACT_FRACTION * max(new.n, 1):
                self.compact()
            return int(rows.size)

    def build_index(self, *, progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
        """Train the approximate (``index="ivf"``) index now; returns ``stats()["ann"]``.

        Searches are exact until this is called (and always below 20,000 rows, where exact search is
        fast enough); ``add`` never trains, so it never stalls. Training takes a few seconds at
        100k rows: ``progress(done_rows, total_rows)`` is called as rows are indexed. Call it again
        when ``stats()["ann"]["rebuild_recommended"]`` says the store has grown 4x since. The index is
        saved with the next :meth:`save`. On a ``flat`` store this does nothing.

        Example:
            ```python
            store = SegmentStore.create("big.tlstore", dim=512, model_name="marengo3.0", index="ivf")
            store.add(vectors, **columns)
            store.build_index(progress=lambda done, total: print(f"{done}/{total} rows indexed"))
            store.save()
            ```
        """
        with self._wlock:
            st = self._live_state()
            if self._ann is None:
                return {"kind": "flat", "trained": False, "note": "a flat store is searched exactly: nothing to build"}
            if self._check is not None:
                self._check.wait()
            if st.n_live >= TRAIN_MIN:
                self._ann.build(st, progress)
                if not self._read_only:
                    self._dirty = True
            return self._ann.info(st)

    def compact(self) -> None:
        """Drop tombstoned rows now (done automatically above 20% dead and on every save)."""
        with self._wlock:
            self._check_writable()
            st = self._state
            if st.dead_rows.size == 0:
                return
            self._state = st.compacted()

    def save(self) -> None:
        """Write an atomic snapshot (generation-suffixed files, fsync, manifest last).

        Example:
            ```python
            store.add(...)
            store.save()  # a crash now or later leaves this snapshot or the next, never a mix
            ```
        """
        with self._wlock:
            self._check_writable()
            if self._path is None:
                raise StoreError("an in-memory store cannot be saved; create it with a path: SegmentStore.create(path, ...)")
            self._check_generation()
            st = self._state.compacted()
            self._state = st
            ann = self._ann.serialize(st) if self._ann is not None else None
            header = {
                "dim": self._dim,
                "model_name": self._model.name,
                "index": self._index_kind,
                "next_id": self._next_id,
                "generation": self._generation + 1,
                "ann_trained_on": self._ann.trained_on if self._ann is not None else 0,
                "snapshot": secrets.token_hex(8),  # tells this writer's snapshots from any other's
            }
            try:
                save_snapshot(self._path, st, videos=self._videos, options=self._options, scopes=self._scopes,
                              meta_keys=self._meta_keys, header=header, ann=ann)
            except OSError as exc:
                if isinstance(exc, StoreError):
                    raise
                raise StoreWriteError(
                    exc.errno,
                    f"could not save snapshot {header['generation']} to {self._path}: {exc.strerror or exc}; "
                    "the previous snapshot is intact and the rows are still in memory: free disk space "
                    "(or fix permissions) and call save() again",
                ) from exc
            self._generation += 1
            self._snapshot = header["snapshot"]
            self._dirty = False

    def _check_generation(self) -> None:
        """Refuse to save over a snapshot this handle did not write (a second writer got in)."""
        assert self._path is not None
        expected = (self._generation, self._snapshot) if self._generation else None
        try:
            found = manifest_identity(self._path)
        except OSError as exc:
            raise StoreWriteError(exc.errno, f"cannot read the manifest of {self._path} before saving: "
                                  f"{exc.strerror or exc}; fix the store directory and call save() again") from None
        if found != expected:
            raise StoreLockedError(
                f"another writer saved {self._path} (its manifest is {_describe(found)}, this handle last "
                f"saw {_describe(expected)}); this save is refused so that neither writer's rows are overwritten: "
                "close this store, reopen it and apply your changes again"
            )


def _describe(identity: tuple[int, str | None] | None) -> str:
    return "missing" if identity is None else f"generation {identity[0]} (snapshot {identity[1]})"


def _as_path(path: Any) -> Path:
    """A store path: a non-empty ``str`` or ``os.PathLike`` without NUL bytes."""
    try:
        text = os.fspath(path)
    except TypeError:
        raise InvalidInputError(f"a store path must be a str or os.PathLike, got {type(path).__name__}") from None
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    if not text.strip():
        raise InvalidInputError("a store path must not be empty; pass a directory such as 'segments.tlstore' "
                                "(use path=None for an in-memory store)")
    if "\0" in text:
        raise InvalidInputError(f"a store path cannot contain NUL bytes: {text!r}")
    return Path(text)


def _lock(p: Path) -> int | None:
    try:
        return acquire_lock(p)
    except PermissionError as exc:
        raise StoreWriteError(exc.errno, f"cannot lock {p} for writing ({exc.strerror}); fix its permissions, "
                              "or open it with read_only=True") from None


def _forward(name: str) -> property:
    def get(self: SegmentStore) -> Any:
        return getattr(self._core, name)

    def set_(self: SegmentStore, value: Any) -> None:
        setattr(self._core, name, value)

    return property(get, set_, doc=f"``StoreCore.{name}`` of this handle's core")


for _name in CORE_FIELDS:  # the handle's ``_state``, ``_videos``, ... are its core's (one owner per truth)
    setattr(SegmentStore, f"_{_name}", _forward(_name))
del _name
