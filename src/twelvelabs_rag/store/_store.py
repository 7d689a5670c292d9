"""``SegmentStore``: a local, exact-by-default vector store for TwelveLabs video segments.

A thin handle on a :class:`~._core.StoreCore` (the one owner of the rows): every method is one
call into ``_lifecycle`` (create / open / save), ``_reads``, ``_writes`` or ``_query``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from . import _lifecycle, _reads, _writes
from ._core import CLOSED, StoreCore
from ._errors import StoreClosedError
from ._models import Hit, Segment
from ._query import asearch_by, audio_offset, search_by

__all__ = ["SegmentStore"]


class SegmentStore:
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

    _core: StoreCore
    _closed: bool

    def __init__(self, *, dim: int, model_name: str, index: str = "flat") -> None:
        """An empty in-memory store (same as ``SegmentStore.create(None, ...)``)."""
        self._core, self._closed = _lifecycle.new_core(dim, model_name, index), False

    @classmethod
    def _on(cls, core: StoreCore) -> SegmentStore:
        """A handle on ``core``."""
        store = cls.__new__(cls)
        store._core, store._closed = core, False
        return store

    def _live(self) -> StoreCore:
        if self._closed:
            raise StoreClosedError(CLOSED)
        return self._core

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    def create(cls, path: str | Path | None, *, dim: int, model_name: str, index: str = "flat") -> SegmentStore:
        """Create a new store at ``path`` (a directory; ``None`` for an in-memory store).

        Example:
            ```python
            store = SegmentStore.create("segments.tlstore", dim=512, model_name="marengo3.0")
            ```
        """
        return cls._on(_lifecycle.create(path, dim, model_name, index))

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
        return cls._on(_lifecycle.open_core(path, mmap=mmap, read_only=read_only))

    @classmethod
    def exists(cls, path: str | Path) -> bool:
        """Whether ``path`` holds a segment store (its manifest), without opening or locking it.

        Example:
            ```python
            if SegmentStore.exists(p):
                store = SegmentStore.open(p)
            else:
                store = SegmentStore.create(p, dim=512, model_name="marengo3.0")
            ```
        """
        return _lifecycle.exists(path)

    @classmethod
    def open_or_create(cls, path: str | Path, *, dim: int, model_name: str, index: str = "flat",
                       mmap: bool = False) -> SegmentStore:
        """Open the store at ``path``, or create it there; an existing store must match ``dim`` and the model.

        Example:
            ```python
            store = SegmentStore.open_or_create("segments.tlstore", dim=512, model_name="marengo3.0")
            ```
        """
        return cls._on(_lifecycle.open_or_create(path, dim=dim, model_name=model_name, index=index, mmap=mmap))

    def close(self) -> None:
        """Release the lock and memory. Unsaved changes are dropped: call :meth:`save` first.

        Writable handles on one path in one process share their rows (see :meth:`open`): the lock and
        the rows go when the last of them closes.
        """
        with self._core.wlock:
            if not self._closed:
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
        core = self._core
        if exc_type is None and core.dirty and core.path is not None and not core.read_only and not self._closed:
            try:
                self.save()
            except BaseException as err:
                if isinstance(err, Exception):
                    err.add_note(f"the store at {core.path} was left open with its {len(self)} rows unsaved: fix "
                                 "the cause and call save() again, or close() to drop the unsaved changes")
                raise
        self.close()

    def __del__(self) -> None:
        if not getattr(self, "_closed", True):
            self._closed = True
            self._core.release_handle()

    def __len__(self) -> int:
        return self._live().state.n_live

    def __repr__(self) -> str:
        core = self._core
        where = str(core.path) if core.path is not None else "memory"
        count = len(self) if not self._closed else "closed"
        return f"SegmentStore({where!r}, model={core.model.name!r}, dim={core.dim}, count={count})"

    @property
    def dim(self) -> int:
        """Vector dimension (1024 for Marengo 2.7, 512 for Marengo 3.0)."""
        return self._core.dim

    @property
    def model_name(self) -> str:
        """Canonical model name (``marengo2.7`` or ``marengo3.0`` for the known models)."""
        return self._core.model.name

    @property
    def embed_model_name(self) -> str:
        """The model name ``client.embed.create`` expects for this store's model."""
        return self._core.model.embed_name

    @property
    def path(self) -> Path | None:
        return self._core.path

    @property
    def read_only(self) -> bool:
        return self._core.read_only

    # ------------------------------------------------------------------ writes
    def add(self, vectors: Any, *, video_ids: Any, starts: Any, ends: Any, scopes: Any, options: Any,
            texts: Any = None, metadatas: Any = None, model_name: str | None = None,
            external_ids: Any = None) -> list[int]:
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
        return _writes.add(self._live(), vectors, video_ids=video_ids, starts=starts, ends=ends, scopes=scopes,
                           options=options, texts=texts, metadatas=metadatas, model_name=model_name,
                           external_ids=external_ids)

    upsert = add

    def add_embedding_task(self, task: Any, *, metadata: Mapping[str, Any] | None = None) -> list[int]:
        """Add every segment of a retrieved :class:`~twelvelabs_rag.types.EmbeddingTask` (re-adding upserts).

        The task id stands in for the video id. Example:
            ```python
            task = client.embed.tasks.create_and_wait(model_name="marengo3.0", video_file="clip.mp4")
            store.add_embedding_task(task)
            ```
        """
        return _writes.add_task(self._live(), task, metadata)

    def add_video(self, video: Any, *, metadata: Mapping[str, Any] | None = None) -> list[int]:
        """Add the segments of a :class:`~twelvelabs_rag.types.Video` retrieved with its embeddings.

        The filename (when known) goes into each row's metadata as ``filename``. Example:
            ```python
            video = client.indexes.videos.retrieve(index_id, video_id, embedding_option=["visual", "audio"])
            store.add_video(video)
            ```
        """
        return _writes.add_video(self._live(), video, metadata)

    def delete(self, ids: Iterable[int] | int | None = None, *, where: Mapping[str, Any] | None = None) -> int:
        """Delete by id and/or filter (both given: rows matching both); returns how many were deleted.

        Unknown or already deleted ids are ignored. ``where={}`` deletes everything. Example:
            ```python
            store.delete(where={"video_id": "vid-1"})
            ```
        """
        return _writes.delete(self._live(), ids, where)

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
        return _writes.build_index(self._live(), progress)

    def compact(self) -> None:
        """Drop tombstoned rows now (done automatically above 20% dead and on every save)."""
        _writes.compact(self._live())

    def save(self) -> None:
        """Write an atomic snapshot (generation-suffixed files, fsync, manifest last).

        Example:
            ```python
            store.add(...)
            store.save()  # a crash now or later leaves this snapshot or the next, never a mix
            ```
        """
        _lifecycle.save(self._live())

    # ------------------------------------------------------------------ reads
    def get(self, ids: Iterable[int] | int) -> list[Segment]:
        """The stored segments for ``ids`` in the order given; ids not in the store are skipped.

        Example:
            ```python
            (seg,) = store.get([ids[0]])
            print(seg.video_id, seg.start, seg.text, seg.metadata)
            ```
        """
        return _reads.get(self._live(), ids)

    def search(self, query: Any, *, k: int = 10, where: Mapping[str, Any] | None = None) -> list[Hit]:
        """The ``min(k, matches)`` most similar segments (cosine), best first; ``where`` filters first.

        Example:
            ```python
            hits = store.search(vec, k=5, where={"video_id": {"$in": ["a", "b"]}, "start": {"$gte": 30}})
            ```
        """
        return _reads.search(self._live(), query, k, where)

    def search_batch(self, queries: Any, *, k: int = 10, where: Mapping[str, Any] | None = None) -> list[list[Hit]]:
        """:meth:`search` for many queries at once (one BLAS GEMM pass over the data).

        Example:
            ```python
            results = store.search_batch(np.stack([v1, v2]), k=10)
            ```
        """
        return _reads.search_batch(self._live(), queries, k, where)

    def search_like(self, segment_id: int, *, k: int = 10, where: Mapping[str, Any] | None = None) -> list[Hit]:
        """Segments most like a stored one ("more moments like this"), excluding itself; no network.

        Example:
            ```python
            similar = store.search_like(hits[0].id, k=5, where={"video_id": {"$ne": hits[0].video_id}})
            ```
        """
        return _reads.search_like(self._live(), segment_id, k, where)

    def ids(self, where: Mapping[str, Any] | None = None) -> np.ndarray:
        """The ids (int64, ascending) of the live rows matching ``where`` (the :meth:`search` filter syntax).

        Example:
            ```python
            clip_ids = store.ids(where={"video_id": "vid-1", "scope": "clip"})
            ```
        """
        return _reads.ids(self._live(), where)

    def scan(self, where: Mapping[str, Any] | None = None, *, with_vectors: bool = False,
             batch_size: int = 1024) -> Iterator[Segment]:
        """Every live row matching ``where``, in ascending id order (``vector`` only with ``with_vectors=True``).

        The rows are those of the store when the scan starts (later writes are not seen), read
        ``batch_size`` rows at a time.

        Example:
            ```python
            for seg in store.scan(where={"video_id": "vid-1"}):
                print(seg.id, seg.start, seg.text)
            ```
        """
        return _reads.scan(self._live(), where, with_vectors, batch_size)

    def stats(self) -> dict[str, Any]:
        """Counts, sizes and settings, e.g. ``{"count": 1200, "videos": 12, "dim": 512, ...}``."""
        return _reads.stats(self._live())

    # ------------------------------------------------------------------ text / image / audio queries
    def search_text(self, text: str, *, client: Any = None, k: int = 10,
                    where: Mapping[str, Any] | None = None) -> list[Hit]:
        """Embed ``text`` once with ``client.embed.create`` (cached on disk), then search locally.

        Example:
            ```python
            hits = store.search_text("a red fox in the snow", client=TwelveLabs(), k=5)
            hits_again = store.search_text("a red fox in the snow")  # cached: no client, no network
            ```
        """
        return search_by(self._live().queries, self.search, "text", text, client, k, where)

    def search_image(self, path_or_url: str | os.PathLike[str], *, client: Any = None, k: int = 10,
                     where: Mapping[str, Any] | None = None) -> list[Hit]:
        """Image-to-video search: embed an image file or URL once (cached), then search locally.

        Example:
            ```python
            hits = store.search_image("frame.png", client=client, where={"scope": "clip"})
            ```
        """
        return search_by(self._live().queries, self.search, "image", path_or_url, client, k, where)

    def search_audio(self, path_or_url: str | os.PathLike[str], *, client: Any = None, k: int = 10,
                     where: Mapping[str, Any] | None = None, start_offset_sec: float | None = None) -> list[Hit]:
        """Audio-to-video search: embed an audio file or URL once (cached), then search locally.

        Example:
            ```python
            hits = store.search_audio("bark.wav", client=client, where={"option": "audio"})
            ```
        """
        extra = audio_offset(start_offset_sec)
        return search_by(self._live().queries, self.search, "audio", path_or_url, client, k, where, extra)

    async def asearch_text(self, text: str, *, client: Any = None, k: int = 10,
                           where: Mapping[str, Any] | None = None) -> list[Hit]:
        """Async :meth:`search_text`: awaits ``AsyncTwelveLabs``; file I/O and the search run in a thread.

        Example:
            ```python
            hits = await store.asearch_text("a red fox", client=AsyncTwelveLabs())
            ```
        """
        return await asearch_by(self._live().queries, self.search, "text", text, client, k, where)

    async def asearch_image(self, path_or_url: str | os.PathLike[str], *, client: Any = None, k: int = 10,
                            where: Mapping[str, Any] | None = None) -> list[Hit]:
        """Async :meth:`search_image`. Example: ``hits = await store.asearch_image("f.png", client=aclient)``."""
        return await asearch_by(self._live().queries, self.search, "image", path_or_url, client, k, where)

    async def asearch_audio(self, path_or_url: str | os.PathLike[str], *, client: Any = None, k: int = 10,
                            where: Mapping[str, Any] | None = None,
                            start_offset_sec: float | None = None) -> list[Hit]:
        """Async :meth:`search_audio`. Example: ``hits = await store.asearch_audio("a.wav", client=aclient)``."""
        extra = audio_offset(start_offset_sec)
        return await asearch_by(self._live().queries, self.search, "audio", path_or_url, client, k, where, extra)
