"""Any-to-any queries: embed a text, image or audio query once, cache it, search locally.

The cache key is ``sha256(model, modality, sha256(content))`` where the content is the text, the
file's bytes, or the URL. Cached vectors live in memory and, for stores on disk, as
``query_cache/<key>.npy`` (one structured record: a crc32 of the key and the vector, then the
vector; written to a temp file and renamed; never pickled), so a repeated query needs no network at
all, even in a new process. An entry whose header, size or crc32 does not match is re-embedded.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import stat
import threading
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio.to_thread
import numpy as np

from .._limits import LIMITS
from ..media_inputs import is_url
from ._errors import InvalidInputError, ModelMismatchError, StoreError
from ._ingest import check_utf8
from ._models import Hit, resolve_model
from ._reading import load_npy

if TYPE_CHECKING:
    from ._core import StoreCore

__all__ = ["QueryMixin", "QueryCache"]

_FIELD = {"text": "text_embedding", "image": "image_embedding", "audio": "audio_embedding"}


class QueryCache:
    """Query vectors by key: an in-memory dict backed by ``<dir>/<key>.npy`` files when ``dir`` is set."""

    def __init__(self, directory: Path | None, *, writable: bool = True) -> None:
        self.dir = directory
        self.writable = writable
        self._mem: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def get(self, key: str, dim: int) -> np.ndarray | None:
        with self._lock:
            v = self._mem.get(key)
        if v is not None or self.dir is None:
            return v
        try:
            # the header must announce one (crc, vector) record of this dimension: checked before allocating
            rec, _ = load_npy(self.dir / f"{key}.npy", shape=(1,), dtype=_entry_dtype(dim))
        except (OSError, ValueError, EOFError, StoreError):
            return None  # missing, foreign (e.g. the unchecked entries of older versions) or damaged: re-embed
        v = np.ascontiguousarray(rec["v"][0])
        if int(rec["crc"][0]) != _entry_crc(key, v) or not np.isfinite(v).all() or not v.any():
            return None  # a damaged entry is simply re-embedded
        with self._lock:
            self._mem[key] = v
        return v

    def put(self, key: str, vec: np.ndarray) -> None:
        with self._lock:
            self._mem[key] = vec
        if self.dir is None or not self.writable:
            return
        vec = np.ascontiguousarray(vec, dtype=np.float32)
        rec = np.zeros(1, dtype=_entry_dtype(vec.shape[0]))
        rec["crc"][0] = _entry_crc(key, vec)
        rec["v"][0] = vec
        tmp = self.dir / f"{key}.{os.getpid()}.{threading.get_ident()}.tmp"
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as f:
                np.save(f, rec, allow_pickle=False)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.dir / f"{key}.npy")
        except OSError:
            try:
                tmp.unlink()
            except OSError:
                pass
            # the cache is an optimisation; the in-memory entry still serves this process

    def __len__(self) -> int:
        return len(self._mem)


def _entry_dtype(dim: int) -> np.dtype:
    """One cache entry: the crc32 of (key, vector bytes) and the vector."""
    return np.dtype([("crc", "<u4"), ("v", "<f4", (dim,))])


def _entry_crc(key: str, vec: np.ndarray) -> int:
    return zlib.crc32(np.ascontiguousarray(vec, dtype="<f4").tobytes(), zlib.crc32(key.encode()))


def _source(modality: str, value: Any) -> tuple[bytes, dict[str, Any]]:
    """Content hash input and the ``embed.create`` keyword arguments (reads files: call off the loop)."""
    if modality == "text":
        if not isinstance(value, str) or not value.strip():
            raise InvalidInputError("search_text needs a non-empty string")
        check_utf8(value, "the query text")
        return b"text:" + value.encode(), {"text": value}
    if is_url(value):
        check_utf8(value, f"the {modality} URL")
        return b"url:" + value.encode(), {f"{modality}_url": value}
    if not isinstance(value, (str, os.PathLike)):
        raise InvalidInputError(f"search_{modality} takes a file path or an http(s) URL, got {type(value).__name__}")
    p = Path(value)
    limit = int(LIMITS[f"{modality}_max_size"])
    try:
        # a bounded read of a regular file: never a device, FIFO or directory, never more than the API accepts
        with os.fdopen(os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb", buffering=0) as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise InvalidInputError(f"{modality} file {p} is not a regular file; pass an image/audio file")
            if st.st_size > limit:
                raise InvalidInputError(f"{modality} file {p} has {st.st_size} bytes; the API accepts at most "
                                        f"{limit} bytes: compress or trim it")
            data = f.read(limit + 1)
    except OSError as exc:
        raise InvalidInputError(f"cannot read {modality} file {p}: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise InvalidInputError(f"{modality} file {p} grew past {limit} bytes while being read; retry")
    return b"file:" + hashlib.sha256(data).digest(), {f"{modality}_file": (p.name, data)}


def _offset(start_offset_sec: Any) -> dict[str, float]:
    """``audio_start_offset_sec`` as the embed call takes it (a finite number of seconds >= 0)."""
    if start_offset_sec is None:
        return {}
    try:
        value = float(start_offset_sec)
    except (TypeError, ValueError, OverflowError):
        raise InvalidInputError(f"start_offset_sec must be a number of seconds, got {start_offset_sec!r:.60}") from None
    if not math.isfinite(value) or value < 0:
        raise InvalidInputError(f"start_offset_sec must be a finite number of seconds >= 0, got {value}")
    return {"audio_start_offset_sec": value}


class QueryMixin:
    """``search_text`` / ``search_image`` / ``search_audio`` (+ async twins) and ``search_like``'s cache."""

    _core: StoreCore
    _read_only: bool
    _query_cache: QueryCache

    if TYPE_CHECKING:  # provided by SegmentStore
        @property
        def dim(self) -> int: ...

        @property
        def model_name(self) -> str: ...

        @property
        def embed_model_name(self) -> str: ...

        def search(self, query: Any, *, k: int = 10, where: Mapping[str, Any] | None = None) -> list[Hit]: ...

    def _init_query_cache(self, directory: Path | None) -> None:
        self._query_cache = QueryCache(directory, writable=not self._read_only)

    def _cache_key(self, modality: str, content: bytes, extra: Mapping[str, Any]) -> str:
        h = hashlib.sha256()
        h.update(f"{self.model_name}\0{modality}\0{sorted(extra.items())!r}\0".encode())
        h.update(hashlib.sha256(content).digest())
        return h.hexdigest()

    def _vector_from(self, response: Any, modality: str) -> np.ndarray:
        got = getattr(response, "model_name", None)
        if got and resolve_model(got).name != self.model_name:
            raise ModelMismatchError(f"the API embedded the query with {got!r}, but this store holds {self.model_name!r} vectors")
        media = getattr(response, _FIELD[modality], None)
        if media is None:
            raise StoreError(f"the embed response has no {_FIELD[modality]}; the API answered for another modality")
        vec = np.asarray(media.vector, dtype=np.float32).reshape(-1)
        if vec.shape != (self.dim,):
            from ._errors import DimensionMismatchError

            raise DimensionMismatchError(f"the query vector has {vec.size} values, this store holds {self.dim}-d vectors")
        return vec

    def _prepare(self, modality: str, value: Any, extra: dict[str, Any]):
        content, kwargs = _source(modality, value)
        key = self._cache_key(modality, content, extra)
        return key, dict(kwargs, **extra), self._query_cache.get(key, self.dim)

    def _no_client(self, modality: str) -> StoreError:
        return StoreError(f"this {modality} query is not in the query cache yet; pass client=TwelveLabs(...) to embed it once")

    def _v2_request(self, client: Any, modality: str, value: Any, extra: dict[str, Any]) -> dict[str, Any] | None:
        """``embed.v2.create`` arguments when the store's model is on the current surface (``/embed`` is
        being retired), else None (classic models, or an audio offset only ``/embed`` takes)."""
        from ..embed_inputs import v2_request
        from ..models import find_model

        spec = find_model(self.embed_model_name)
        if extra or spec is None or not spec.accepts("embed_v2") or not hasattr(getattr(client, "embed", None), "v2"):
            return None
        dim = self.dim if spec.dimension_range is not None and self.dim != spec.dimension else None
        return v2_request(spec.name, modality, value, embedding_dimension=dim)

    def _v2_vector(self, response: Any, modality: str) -> np.ndarray:
        from ..embed_inputs import v2_vector

        vec = np.asarray(v2_vector(response, modality), dtype=np.float32)
        if vec.shape != (self.dim,):
            from ._errors import DimensionMismatchError

            raise DimensionMismatchError(f"the query vector has {vec.size} values, this store holds {self.dim}-d vectors")
        return vec

    def _search_modality(self, modality: str, value: Any, client: Any, k: int,
                         where: Mapping[str, Any] | None, extra: dict[str, Any]) -> list[Hit]:
        key, kwargs, vec = self._prepare(modality, value, extra)
        if vec is None:
            if client is None:
                raise self._no_client(modality)
            v2 = self._v2_request(client, modality, value, extra)
            if v2 is not None:
                vec = self._v2_vector(client.embed.v2.create(**v2), modality)
            else:
                vec = self._vector_from(client.embed.create(model_name=self.embed_model_name, **kwargs), modality)
            self._query_cache.put(key, vec)
        return self.search(vec, k=k, where=where)

    async def _asearch_modality(self, modality: str, value: Any, client: Any, k: int,
                                where: Mapping[str, Any] | None, extra: dict[str, Any]) -> list[Hit]:
        key, kwargs, vec = await anyio.to_thread.run_sync(self._prepare, modality, value, extra)
        if vec is None:
            if client is None:
                raise self._no_client(modality)
            v2 = await anyio.to_thread.run_sync(self._v2_request, client, modality, value, extra)  # reads files
            if v2 is not None:
                vec = self._v2_vector(await client.embed.v2.create(**v2), modality)
            else:
                vec = self._vector_from(await client.embed.create(model_name=self.embed_model_name, **kwargs), modality)
            await anyio.to_thread.run_sync(self._query_cache.put, key, vec)
        return await anyio.to_thread.run_sync(functools.partial(self.search, vec, k=k, where=where))

    def search_text(self, text: str, *, client: Any = None, k: int = 10,
                    where: Mapping[str, Any] | None = None) -> list[Hit]:
        """Embed ``text`` once with ``client.embed.create`` (cached on disk), then search locally.

        Example:
            ```python
            hits = store.search_text("a red fox in the snow", client=TwelveLabs(), k=5)
            hits_again = store.search_text("a red fox in the snow")  # cached: no client, no network
            ```
        """
        return self._search_modality("text", text, client, k, where, {})

    def search_image(self, path_or_url: str | os.PathLike[str], *, client: Any = None, k: int = 10,
                     where: Mapping[str, Any] | None = None) -> list[Hit]:
        """Image-to-video search: embed an image file or URL once (cached), then search locally.

        Example:
            ```python
            hits = store.search_image("frame.png", client=client, where={"scope": "clip"})
            ```
        """
        return self._search_modality("image", path_or_url, client, k, where, {})

    def search_audio(self, path_or_url: str | os.PathLike[str], *, client: Any = None, k: int = 10,
                     where: Mapping[str, Any] | None = None, start_offset_sec: float | None = None) -> list[Hit]:
        """Audio-to-video search: embed an audio file or URL once (cached), then search locally.

        Example:
            ```python
            hits = store.search_audio("bark.wav", client=client, where={"option": "audio"})
            ```
        """
        extra = _offset(start_offset_sec)
        return self._search_modality("audio", path_or_url, client, k, where, extra)

    async def asearch_text(self, text: str, *, client: Any = None, k: int = 10,
                           where: Mapping[str, Any] | None = None) -> list[Hit]:
        """Async :meth:`search_text`: awaits ``AsyncTwelveLabs``; file I/O and the search run in a thread.

        Example:
            ```python
            hits = await store.asearch_text("a red fox", client=AsyncTwelveLabs())
            ```
        """
        return await self._asearch_modality("text", text, client, k, where, {})

    async def asearch_image(self, path_or_url: str | os.PathLike[str], *, client: Any = None, k: int = 10,
                            where: Mapping[str, Any] | None = None) -> list[Hit]:
        """Async :meth:`search_image`. Example: ``hits = await store.asearch_image("f.png", client=aclient)``."""
        return await self._asearch_modality("image", path_or_url, client, k, where, {})

    async def asearch_audio(self, path_or_url: str | os.PathLike[str], *, client: Any = None, k: int = 10,
                            where: Mapping[str, Any] | None = None,
                            start_offset_sec: float | None = None) -> list[Hit]:
        """Async :meth:`search_audio`. Example: ``hits = await store.asearch_audio("a.wav", client=aclient)``."""
        extra = _offset(start_offset_sec)
        return await self._asearch_modality("audio", path_or_url, client, k, where, extra)
