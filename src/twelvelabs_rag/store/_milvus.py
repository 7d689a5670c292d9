"""``MilvusSegmentStore``: the segment store's interface on a Milvus collection (cluster, Zilliz or milvus-lite)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from . import _milvus_schema as ms
from ._errors import InvalidInputError, SegmentNotFoundError, StoreClosedError, StoreError
from ._ingest import as_ids, as_matrix, as_query, check_model, inverse_norms, task_rows, video_rows
from ._milvus_filters import compile_where, decode_metadata
from ._milvus_writes import write_rows
from ._models import Hit, Segment, resolve_model
from ._query import QueryCache, QueryEmbedder, asearch_by, audio_offset, search_by

__all__ = ["MilvusSegmentStore"]

_FIELDS = ["id", "video_id", "start", "end", "scope", "option", "text", "metadata", "external_id"]
#: Ids per ``id in [...]`` query; rows fetched per page when ranking a filtered subset exactly.
_ID_CHUNK = 4096
_MAX_K = 16_384


def _check_k(k: Any) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise InvalidInputError(f"k must be a positive integer, got {k!r}")
    if k > _MAX_K:
        raise InvalidInputError(f"k must be at most {_MAX_K} on Milvus (its top-k limit), got {k}")
    return int(k)


def _as_ids(ids: Iterable[int] | int) -> list[int]:
    return [int(i) for i in as_ids(ids)]


class MilvusSegmentStore:
    """Video-segment vectors in a Milvus collection, with the local :class:`SegmentStore`'s interface.

    ``uri`` is a server (``http://host:19530``, Zilliz Cloud) or a milvus-lite file path (``"segments.db"``).
    The collection is created on first use (``model_name`` required then; ``dim`` defaults from the model)
    and checked on every later open (:class:`ModelMismatchError` / :class:`DimensionMismatchError`).

    ``index``: ``"FLAT"`` (exact; the default), ``"IVF_FLAT"``, ``"IVF_SQ8"``, ``"HNSW"`` (approximate; all
    four on milvus-lite), ``"AUTOINDEX"`` or ``"DISKANN"`` (clusters). Filtered searches are exact whatever
    the index: a filter matching at most ``exact_limit`` rows is ranked exactly over those rows, so it
    returns ``min(k, matches)`` hits with recall 1.0 (Milvus's own filtered ANN cuts candidates first).

    Example:
        ```python
        from twelvelabs_rag.store import MilvusSegmentStore

        store = MilvusSegmentStore("segments.db", model_name="marengo3.0")   # milvus-lite file
        store.add_embedding_task(task)
        hits = store.search(vector, k=5, where={"video_id": "v1"})
        store.close()
        ```
    """

    def __init__(self, uri: str, *, token: str | None = None, collection: str = "tlrag_segments",
                 dim: int | None = None, model_name: str | None = None, index: str = "FLAT",
                 n_lists: int = 1024, nprobe: int = 64, ef: int = 256, exact_limit: int = 10_000,
                 query_cache: str | Path | None = None, timeout: float | None = None) -> None:
        if not isinstance(collection, str) or not collection.replace("_", "a").isalnum():
            raise InvalidInputError(f"collection must be letters, digits and underscores, got {collection!r}")
        self._closed = True
        self._uri = uri
        self._collection = collection
        self._client = ms.connect(uri, token, timeout)
        self._closed = False
        try:
            props = ms.open_or_create(self._client, uri, collection, dim=dim, model_name=model_name,
                                      index=index, n_lists=n_lists)
        except BaseException:
            self.close()
            raise
        self._dim = props.dim
        self._model = resolve_model(props.model)
        self._index = props.index
        self._meta_keys = props.meta_keys
        if isinstance(exact_limit, bool) or not isinstance(exact_limit, int) or not 0 <= exact_limit < _MAX_K:
            self.close()
            raise InvalidInputError(f"exact_limit must be an integer from 0 to {_MAX_K - 1} (Milvus's query limit), "
                                    f"got {exact_limit!r}")
        self._nprobe, self._ef, self._exact_limit = int(nprobe), int(ef), exact_limit
        self._wlock = threading.RLock()
        if query_cache is None and ms.is_lite(uri):
            query_cache = f"{uri}.{collection}.query_cache"
        self._queries = QueryEmbedder(self._model, self._dim,
                                      QueryCache(Path(query_cache) if query_cache is not None else None))

    # ------------------------------------------------------------------ basics
    def _c(self) -> Any:
        if self._closed:
            raise StoreClosedError("this MilvusSegmentStore is closed; create a new one with the same uri")
        return self._client

    def _call(self, what: str, fn_name: str, *args: Any, **kwargs: Any) -> Any:
        client = self._c()
        return ms.call(self._uri, what, getattr(client, fn_name), self._collection, *args, **kwargs)

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def model_name(self) -> str:
        return self._model.name

    @property
    def embed_model_name(self) -> str:
        return self._model.embed_name

    @property
    def collection(self) -> str:
        return self._collection

    @property
    def uri(self) -> str:
        """The URI without credentials."""
        return ms.redact(self._uri)

    def close(self) -> None:
        """Close the connection (the data stays in Milvus)."""
        if self._closed:
            return
        self._closed = True
        try:
            self._client.close()
        except Exception:
            pass

    def __enter__(self) -> MilvusSegmentStore:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"model={self.model_name!r}, dim={self._dim}, index={self._index!r}"
        return f"MilvusSegmentStore({self.uri!r}, collection={self._collection!r}, {state})"

    def __len__(self) -> int:
        return self._count(None)

    def _count(self, expr: str | None) -> int:
        rows = self._call("count", "query", filter=expr or "", output_fields=["count(*)"])
        return int(rows[0]["count(*)"])

    def _expr(self, where: Mapping[str, Any] | None) -> str | None:
        return compile_where(where, self._meta_keys)

    # ------------------------------------------------------------------ writes
    def add(self, vectors: Any, *, video_ids: Any, starts: Any, ends: Any, scopes: Any, options: Any,
            texts: Any = None, metadatas: Any = None, model_name: str | None = None,
            external_ids: Any = None) -> list[int]:
        """Add (upsert) segments; same columns, validation and upsert keys as :meth:`SegmentStore.add`.

        A row replaces the live row with the same ``(video_id, start, end, scope, option)`` or the same
        ``external_id``: the new row gets a new id (ids are never reused). Example:
            ```python
            ids = store.add(matrix, video_ids="vid-1", starts=[0, 6], ends=[6, 12], scopes="clip", options="visual")
            ```
        """
        with self._wlock:
            self._c()
            check_model(self._model.name, model_name, "these vectors")
            return write_rows(self, as_matrix(vectors, self._dim), video_ids, starts, ends, scopes, options,
                              texts, metadatas, external_ids)

    upsert = add

    def add_embedding_task(self, task: Any, *, metadata: Mapping[str, Any] | None = None) -> list[int]:
        """Add every segment of a retrieved embedding task (video_id = task id; re-adding upserts)."""
        kw = task_rows(task, self._model.name, metadata)
        return self.add(kw.pop("vectors"), **kw)

    def add_video(self, video: Any, *, metadata: Mapping[str, Any] | None = None) -> list[int]:
        """Add the segments of a video retrieved with its embeddings (filename into metadata)."""
        kw = video_rows(video, self._model.name, metadata)
        return self.add(kw.pop("vectors"), **kw)

    def flush(self, *, timeout: float = 600.0) -> None:
        """Seal the rows written so far and wait until the vector index covers them (ANN indexes only
        serve sealed segments; until then Milvus scans them). Raises :class:`StoreError` after ``timeout`` s.

        Example:
            ```python
            store.add(...); store.flush()   # e.g. after a bulk load, before measuring ANN recall
            ```
        """
        import time

        self._call("flush", "flush")
        deadline = time.monotonic() + timeout
        while True:
            info = self._call("describe_index", "describe_index", index_name="vector")
            if int(info.get("pending_index_rows", 0) or 0) == 0 and info.get("state", "Finished") != "InProgress":
                return
            if time.monotonic() > deadline:
                raise StoreError(f"the vector index of {self._collection!r} was still building after {timeout:.0f} s "
                                 f"({info.get('indexed_rows')} of {info.get('total_rows')} rows); "
                                 "call flush() again later")
            time.sleep(0.2)

    def delete(self, ids: Iterable[int] | int | None = None, *, where: Mapping[str, Any] | None = None) -> int:
        """Delete by id and/or filter (both: rows matching both); returns how many were deleted."""
        if ids is None and where is None:
            raise InvalidInputError("delete needs ids=[...] or where={...} (where={} deletes everything)")
        with self._wlock:
            expr = self._expr(where)
            if ids is not None:
                id_list = sorted(set(_as_ids(ids)))
                found: list[int] = []
                for i in range(0, len(id_list), _ID_CHUNK):
                    part = f"id in [{', '.join(map(str, id_list[i : i + _ID_CHUNK]))}]"
                    found += [int(r["id"]) for r in self._call("get ids", "query", filter=
                              part if expr is None else f"({part}) and {expr}", output_fields=["id"])]
            else:
                found = self.ids(where).tolist()
            for i in range(0, len(found), _ID_CHUNK):
                self._call("delete", "delete", ids=found[i : i + _ID_CHUNK])
            return len(found)

    # ------------------------------------------------------------------ reads
    def _segment(self, r: Mapping[str, Any], vector: bool) -> Segment:
        vec = np.asarray(r["vector"], dtype=np.float32) if vector else None
        return Segment(id=int(r["id"]), video_id=r["video_id"], start=float(r["start"]), end=float(r["end"]),
                       scope=r["scope"], option=r["option"], text=r.get("text"),
                       metadata=decode_metadata(r.get("metadata")), vector=vec, external_id=r.get("external_id"))

    def _fetch(self, ids: list[int], fields: list[str]) -> dict[int, dict[str, Any]]:
        out: dict[int, dict[str, Any]] = {}
        for i in range(0, len(ids), _ID_CHUNK):
            chunk = ids[i : i + _ID_CHUNK]
            for r in self._call("get", "query", filter=f"id in [{', '.join(map(str, chunk))}]", output_fields=fields):
                out[int(r["id"])] = r
        return out

    def get(self, ids: Iterable[int] | int) -> list[Segment]:
        """The stored segments for ``ids`` in the order given (unit vectors); unknown ids are skipped."""
        want = _as_ids(ids)
        rows = self._fetch(sorted(set(want)), _FIELDS + ["vector"])
        return [self._segment(rows[i], True) for i in want if i in rows]

    def ids(self, where: Mapping[str, Any] | None = None) -> np.ndarray:
        """Ids (int64, ascending) of the rows matching ``where``."""
        return np.asarray(self.ids_from_expr(self._expr(where)), dtype=np.int64)

    def ids_from_expr(self, expr: str | None) -> list[int]:
        """Ascending ids of the rows matching a compiled Milvus expression (``None``: all rows)."""
        it = self._call("ids", "query_iterator", batch_size=10_000, filter=expr or "", output_fields=["id"])
        out: list[int] = []
        try:
            while True:
                with ms.milvus_errors(self._uri, "query_iterator"):
                    batch = it.next()
                if not batch:
                    break
                out.extend(int(r["id"]) for r in batch)
        finally:
            it.close()
        out.sort()
        return out

    def scan(self, where: Mapping[str, Any] | None = None, *, with_vectors: bool = False,
             batch_size: int = 1024) -> Iterator[Segment]:
        """Rows matching ``where`` in ascending id order (``vector`` only when ``with_vectors=True``)."""
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise InvalidInputError(f"batch_size must be a positive integer, got {batch_size!r}")
        ids = self.ids(where).tolist()
        fields = _FIELDS + (["vector"] if with_vectors else [])
        for i in range(0, len(ids), batch_size):
            chunk = ids[i : i + batch_size]
            rows = self._fetch(chunk, fields)
            for j in chunk:
                if j in rows:  # deleted since ids() ran
                    yield self._segment(rows[j], with_vectors)

    def _hit(self, r: Mapping[str, Any], score: float) -> Hit:
        return Hit(int(r["id"]), float(score), r["video_id"], float(r["start"]), float(r["end"]), r["scope"],
                   r["option"], r.get("text"), decode_metadata(r.get("metadata")), r.get("external_id"))

    def _exact(self, qs: np.ndarray, k: int, expr: str, matches: int) -> list[list[Hit]]:
        """Rank the (few) rows matching ``expr`` exactly: recall 1.0 whatever the ANN index."""
        rows: list[dict[str, Any]] = list(self._call("exact candidates", "query", filter=expr,
                                                     output_fields=_FIELDS + ["vector"], limit=max(matches, 1)))
        if not rows:
            return [[] for _ in range(qs.shape[0])]
        mat = np.asarray([r["vector"] for r in rows], dtype=np.float32)
        scores = qs @ mat.T
        out = []
        for s in scores:
            kk = min(k, s.size)
            top = np.argpartition(-s, kk - 1)[:kk] if kk < s.size else np.arange(s.size)
            top = top[np.argsort(-s[top], kind="stable")]
            out.append([self._hit(rows[j], s[j]) for j in top.tolist()])
        return out

    def _exact_large(self, qs: np.ndarray, k: int, expr: str) -> list[list[Hit]]:
        """Exact top-k over a large filtered set, a page of ids and vectors at a time (rare: a starved probe)."""
        best: list[list[Hit]] = [[] for _ in range(qs.shape[0])]
        ids = self.ids_from_expr(expr)
        for i in range(0, len(ids), _ID_CHUNK):
            rows = list(self._fetch(ids[i : i + _ID_CHUNK], _FIELDS + ["vector"]).values())
            mat = np.asarray([r["vector"] for r in rows], dtype=np.float32)
            scores = qs @ mat.T
            for j, s in enumerate(scores):
                merged = best[j] + [self._hit(rows[t], s[t]) for t in np.argsort(-s, kind="stable")[:k].tolist()]
                best[j] = sorted(merged, key=lambda h: -h.score)[:k]
        return best

    def _search(self, qs: np.ndarray, k: int, where: Mapping[str, Any] | None) -> list[list[Hit]]:
        expr = self._expr(where)
        exact_index = self._index == "FLAT"
        matches = None
        if expr is not None and not exact_index:
            # ids only, one past the limit: cheaper than count(*) on Milvus, and it answers "few or many"
            probe = self._call("filter size", "query", filter=expr, output_fields=["id"], limit=self._exact_limit + 1)
            matches = len(probe)
            if matches == 0:
                return [[] for _ in range(qs.shape[0])]
            if matches <= self._exact_limit:
                return self._exact(qs, k, expr, matches)
            if self._exact_limit < k:
                matches = self._count(expr)
        params = ms.search_params(self._index, k, self._nprobe, self._ef)
        res = self._call("search", "search", data=[q.tolist() for q in qs], filter=expr or "", limit=k,
                         output_fields=_FIELDS, search_params=params)
        out = [[self._hit(h["entity"] | {"id": h["id"]}, h["distance"]) for h in hits] for hits in res]
        if matches is not None and any(len(h) < min(k, matches) for h in out):
            return self._exact_large(qs, k, expr or "")  # the ANN probe starved: never answer short
        return out

    def search(self, query: Any, *, k: int = 10, where: Mapping[str, Any] | None = None) -> list[Hit]:
        """The ``min(k, matches)`` most similar segments (cosine), best first; ``where`` filters first."""
        q = as_query(query, self._dim)
        return self._search(q[None, :], _check_k(k), where)[0]

    def search_batch(self, queries: Any, *, k: int = 10, where: Mapping[str, Any] | None = None) -> list[list[Hit]]:
        """:meth:`search` for many queries in one request."""
        qs = as_matrix(queries, self._dim, "queries")
        k = _check_k(k)
        if qs.shape[0] == 0:
            return []
        qs = (qs * inverse_norms(qs, "query")[:, None]).astype(np.float32, copy=False)
        return self._search(qs, k, where)

    def search_like(self, segment_id: int, *, k: int = 10, where: Mapping[str, Any] | None = None) -> list[Hit]:
        """Segments most like a stored one, excluding itself."""
        k = _check_k(k)
        is_id = isinstance(segment_id, (int, np.integer)) and not isinstance(segment_id, bool)
        segs = self.get([segment_id]) if is_id else []
        if not segs:
            raise SegmentNotFoundError(f"segment id {segment_id!r} is not in the store (deleted or never added)")
        hits = self.search(segs[0].vector, k=min(k + 1, _MAX_K), where=where)
        return [h for h in hits if h.id != int(segment_id)][:k]

    # text / image / audio queries: the same embedding and query cache as SegmentStore, searched here
    def search_text(self, text: str, *, client: Any = None, k: int = 10,
                    where: Mapping[str, Any] | None = None) -> list[Hit]:
        """Embed ``text`` once with ``client.embed.create`` (cached on disk), then search this collection."""
        return search_by(self._queries, self.search, "text", text, client, k, where)

    def search_image(self, path_or_url: str | os.PathLike[str], *, client: Any = None, k: int = 10,
                     where: Mapping[str, Any] | None = None) -> list[Hit]:
        """Image-to-video search: embed an image file or URL once (cached), then search this collection."""
        return search_by(self._queries, self.search, "image", path_or_url, client, k, where)

    def search_audio(self, path_or_url: str | os.PathLike[str], *, client: Any = None, k: int = 10,
                     where: Mapping[str, Any] | None = None, start_offset_sec: float | None = None) -> list[Hit]:
        """Audio-to-video search: embed an audio file or URL once (cached), then search this collection."""
        extra = audio_offset(start_offset_sec)
        return search_by(self._queries, self.search, "audio", path_or_url, client, k, where, extra)

    async def asearch_text(self, text: str, *, client: Any = None, k: int = 10,
                           where: Mapping[str, Any] | None = None) -> list[Hit]:
        """Async :meth:`search_text`: awaits ``AsyncTwelveLabs``; file I/O and the search run in a thread."""
        return await asearch_by(self._queries, self.search, "text", text, client, k, where)

    async def asearch_image(self, path_or_url: str | os.PathLike[str], *, client: Any = None, k: int = 10,
                            where: Mapping[str, Any] | None = None) -> list[Hit]:
        """Async :meth:`search_image`."""
        return await asearch_by(self._queries, self.search, "image", path_or_url, client, k, where)

    async def asearch_audio(self, path_or_url: str | os.PathLike[str], *, client: Any = None, k: int = 10,
                            where: Mapping[str, Any] | None = None,
                            start_offset_sec: float | None = None) -> list[Hit]:
        """Async :meth:`search_audio`."""
        extra = audio_offset(start_offset_sec)
        return await asearch_by(self._queries, self.search, "audio", path_or_url, client, k, where, extra)

    def properties(self) -> dict[str, str]:
        """The collection's properties (``tlrag.*`` hold the model guard, id counter and push cursors)."""
        desc = self._call("describe_collection", "describe_collection")
        return dict(desc.get("properties") or {})

    def set_properties(self, values: Mapping[str, str]) -> None:
        """Set collection properties (used by ``push`` for its cursor; ``tlrag.*`` core keys are refused)."""
        core = {ms.PROP_MODEL, ms.PROP_DIM, ms.PROP_NEXT, ms.PROP_KEYS, ms.PROP_INDEX} & set(values)
        if core:
            raise InvalidInputError(f"{sorted(core)} are managed by the store and cannot be set")
        ms.write_props(self._c(), self._uri, self._collection, {str(k): str(v) for k, v in values.items()})

    def stats(self) -> dict[str, Any]:
        """Counts and settings, with the same core keys as :meth:`SegmentStore.stats`."""
        props = ms.read_props(self._c(), self._uri, self._collection)
        return {
            "backend": "milvus",
            "uri": self.uri,
            "collection": self._collection,
            "count": len(self),
            "dim": self._dim,
            "model_name": self._model.name,
            "embed_model_name": self._model.embed_name,
            "index": self._index,
            "next_id": props.next_id,
            "metadata_keys": sorted(props.meta_keys),
        }
