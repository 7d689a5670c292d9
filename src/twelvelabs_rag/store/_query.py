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
from typing import Any, Protocol

import anyio.to_thread
import numpy as np

from .._limits import LIMITS
from ..media_inputs import is_url
from ._errors import InvalidInputError, ModelMismatchError, StoreError
from ._ingest import check_utf8
from ._models import Hit, ModelInfo, resolve_model
from ._reading import load_npy

__all__ = ["QueryCache", "QueryEmbedder", "search_by", "asearch_by", "audio_offset"]

_FIELD = {"text": "text_embedding", "image": "image_embedding", "audio": "audio_embedding"}


class QueryCache:
    """Query vectors by key: an in-memory dict backed by ``<dir>/<key>.npy`` files when ``dir`` is set."""

    def __init__(self, directory: Path | None, *, writable: bool = True) -> None:
        self.dir = directory
        self.writable = writable
        self._mem: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def get(self, key: str, dim: int) -> np.ndarray | None:
        """The cached vector of ``key`` (memory, then disk), or None when absent or damaged."""
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
        """Remember ``vec`` under ``key`` (and write it to disk when the cache has a writable directory)."""
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


def audio_offset(start_offset_sec: Any) -> dict[str, float]:
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


class QueryEmbedder:
    """Turns a text, image or audio query into a vector of one store's model: cache first, else one API call.

    Owned by the store it embeds for (a :class:`~._core.StoreCore`, or a ``MilvusSegmentStore``).
    """

    def __init__(self, model: ModelInfo, dim: int, cache: QueryCache) -> None:
        self.model = model
        self.dim = dim
        self.cache = cache

    def _key(self, modality: str, content: bytes, extra: Mapping[str, Any]) -> str:
        h = hashlib.sha256()
        h.update(f"{self.model.name}\0{modality}\0{sorted(extra.items())!r}\0".encode())
        h.update(hashlib.sha256(content).digest())
        return h.hexdigest()

    def _checked(self, vec: np.ndarray) -> np.ndarray:
        if vec.shape != (self.dim,):
            from ._errors import DimensionMismatchError

            raise DimensionMismatchError(f"the query vector has {vec.size} values, "
                                         f"this store holds {self.dim}-d vectors")
        return vec

    def _vector_from(self, response: Any, modality: str) -> np.ndarray:
        got = getattr(response, "model_name", None)
        if got and resolve_model(got).name != self.model.name:
            raise ModelMismatchError(f"the API embedded the query with {got!r}, "
                                     f"but this store holds {self.model.name!r} vectors")
        media = getattr(response, _FIELD[modality], None)
        if media is None:
            raise StoreError(f"the embed response has no {_FIELD[modality]}; the API answered for another modality")
        return self._checked(np.asarray(media.vector, dtype=np.float32).reshape(-1))

    def _prepare(self, modality: str, value: Any,
                 extra: dict[str, Any]) -> tuple[str, dict[str, Any], np.ndarray | None]:
        content, kwargs = _source(modality, value)
        key = self._key(modality, content, extra)
        return key, dict(kwargs, **extra), self.cache.get(key, self.dim)

    def _no_client(self, modality: str) -> StoreError:
        return StoreError(f"this {modality} query is not in the query cache yet; "
                          "pass client=TwelveLabs(...) to embed it once")

    def _v2_request(self, client: Any, modality: str, value: Any, extra: dict[str, Any]) -> dict[str, Any] | None:
        """``embed.v2.create`` arguments when the store's model is on the current surface (``/embed`` is
        being retired), else None (classic models, or an audio offset only ``/embed`` takes)."""
        from ..embed_inputs import v2_request
        from ..models import find_model

        spec = find_model(self.model.embed_name)
        if extra or spec is None or not spec.accepts("embed_v2") or not hasattr(getattr(client, "embed", None), "v2"):
            return None
        dim = self.dim if spec.dimension_range is not None and self.dim != spec.dimension else None
        return v2_request(spec.name, modality, value, embedding_dimension=dim)

    def _v2_vector(self, response: Any, modality: str) -> np.ndarray:
        from ..embed_inputs import v2_vector

        return self._checked(np.asarray(v2_vector(response, modality), dtype=np.float32))

    def vector(self, modality: str, value: Any, client: Any, extra: dict[str, Any]) -> np.ndarray:
        """The query vector of ``value``: from the cache, else embedded once with ``client`` and cached."""
        key, kwargs, vec = self._prepare(modality, value, extra)
        if vec is not None:
            return vec
        if client is None:
            raise self._no_client(modality)
        v2 = self._v2_request(client, modality, value, extra)
        if v2 is not None:
            vec = self._v2_vector(client.embed.v2.create(**v2), modality)
        else:
            vec = self._vector_from(client.embed.create(model_name=self.model.embed_name, **kwargs), modality)
        self.cache.put(key, vec)
        return vec

    async def avector(self, modality: str, value: Any, client: Any, extra: dict[str, Any]) -> np.ndarray:
        """Async :meth:`vector`: awaits an ``AsyncTwelveLabs`` client; file and cache I/O run in a thread."""
        key, kwargs, vec = await anyio.to_thread.run_sync(self._prepare, modality, value, extra)
        if vec is not None:
            return vec
        if client is None:
            raise self._no_client(modality)
        v2 = await anyio.to_thread.run_sync(self._v2_request, client, modality, value, extra)  # reads files
        if v2 is not None:
            vec = self._v2_vector(await client.embed.v2.create(**v2), modality)
        else:
            vec = self._vector_from(await client.embed.create(model_name=self.model.embed_name, **kwargs), modality)
        await anyio.to_thread.run_sync(self.cache.put, key, vec)
        return vec


class VectorSearch(Protocol):
    """A store's ``search(vector, k=..., where=...)``."""

    def __call__(self, query: Any, *, k: int = 10, where: Mapping[str, Any] | None = None) -> list[Hit]: ...


def search_by(queries: QueryEmbedder, search: VectorSearch, modality: str, value: Any, client: Any, k: int,
              where: Mapping[str, Any] | None, extra: dict[str, Any] | None = None) -> list[Hit]:
    """Embed (or recall) the query, then ``search`` with its vector."""
    return search(queries.vector(modality, value, client, extra or {}), k=k, where=where)


async def asearch_by(queries: QueryEmbedder, search: VectorSearch, modality: str, value: Any, client: Any, k: int,
                     where: Mapping[str, Any] | None, extra: dict[str, Any] | None = None) -> list[Hit]:
    """Async :func:`search_by`: the embedding is awaited, the search runs in a worker thread."""
    vec = await queries.avector(modality, value, client, extra or {})
    return await anyio.to_thread.run_sync(functools.partial(search, vec, k=k, where=where))
