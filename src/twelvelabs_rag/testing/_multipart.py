"""Multipart upload sessions (spec-current §1.1) with presigned URLs served by the emulator itself.

A presigned URL is ``{origin}/v1.3/_upload/{upload_id}/{chunk_index}?X-Tl-Expires=..&X-Tl-Signature=..``:
a ``PUT`` of the raw chunk bytes there answers ``200`` with an ``ETag`` (the MD5 of the bytes, quoted,
like S3) and needs no ``x-api-key``. A stale signature (see ``expire_upload_urls``) answers ``403``,
like an expired S3 URL. Chunks are *completed* once reported with their ETag proof; the session
completes when all are, and its asset then walks its statuses like any other.

Memory: a session keeps its chunks' bytes while ``total_size <= multipart_retain_bytes`` (the asset
is then probed from the whole file); a bigger one keeps only its first chunk for the probe.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field, replace
from typing import Any

from .. import _limits
from ._assets import AssetRoutes
from ._core import paginate
from ._http import ApiError, Req, Resp, bad, missing, parse_num

_PREFIX = "/v1.3"

__all__ = ["UploadRec", "MultipartRoutes", "UPLOAD_PATH"]

#: Where the presigned URLs point, relative to /v1.3 (a route of its own: faults apply to it).
UPLOAD_PATH = "/_upload"
_URL_BATCH = 50


@dataclass
class UploadRec:
    id: str
    asset_id: str
    filename: str
    type: str
    total_size: int
    chunk_size: int
    total_chunks: int
    created_at: str
    seq: int
    expires_at: str
    retain: bool
    status: str = "active"
    generation: int = 0
    updated_at: str = ""
    received: dict[int, tuple[str, int]] = field(default_factory=dict)  # index -> (etag, size)
    data: dict[int, bytes] = field(default_factory=dict)
    completed: dict[int, str] = field(default_factory=dict)  # index -> reported-at


class MultipartRoutes(AssetRoutes):
    """``/assets/multipart-uploads*`` and the chunk PUT target."""

    #: Bytes per chunk the emulator asks for (the API uses 5 MiB and more); tests may lower it.
    multipart_chunk_size: int = 5 * _limits.MB
    #: URLs in the create answer; the rest come from ``presigned-urls``.
    multipart_initial_urls: int = 10
    multipart_retain_bytes: int = 256 * _limits.MB

    @property
    def uploads(self) -> dict[str, UploadRec]:
        store = self.__dict__.get("_uploads")
        if store is None:
            store = self.__dict__["_uploads"] = {}
        return store

    # ------------------------------------------------------------------ public helpers
    def expire_upload(self, upload_id: str) -> None:
        """End a session as ``expired`` (its 24 h ran out): its URLs answer 403, reports 400."""
        with self._lock:
            self.uploads[upload_id].status = "expired"

    def expire_upload_urls(self, upload_id: str) -> None:
        """Make every presigned URL handed out so far for ``upload_id`` stale (their 1 h ran out)."""
        with self._lock:
            self.uploads[upload_id].generation += 1

    # ------------------------------------------------------------------ presigned targets
    def respond_raw(self, rec: Any, route: str, handler: str, params: dict[str, str], query: str,
                    body: bytes) -> Resp:
        """Answer a presigned target (a chunk PUT): the raw body goes to the handler, no API key needed."""
        from urllib.parse import parse_qsl

        req = Req(rec.method, rec.path[len(_PREFIX):], route, params, parse_qsl(query, keep_blank_values=True))
        rec.query = req.query
        try:
            resp: Resp = getattr(self, handler)(req, body)  # takes the lock itself, after hashing the bytes
            return resp
        except ApiError as exc:
            return Resp(exc.status, exc.body(), dict(exc.headers))

    # ------------------------------------------------------------------ helpers
    def _signature(self, up: UploadRec, index: int) -> str:
        return hashlib.sha256(f"{self.seed}:{up.id}:{index}:{up.generation}".encode()).hexdigest()[:32]

    def _urls(self, req: Req, up: UploadRec, start: int, count: int) -> list[dict[str, Any]]:
        expires = self.now(3600)
        return [{"chunk_index": i,
                 "url": f"{req.origin}/v1.3{UPLOAD_PATH}/{up.id}/{i}?X-Tl-Expires=3600&X-Tl-Signature="
                        f"{self._signature(up, i)}",
                 "expires_at": expires}
                for i in range(start, min(up.total_chunks, start + count - 1) + 1)]

    def _upload_rec(self, upload_id: str) -> UploadRec:
        up = self.uploads.get(upload_id)
        if up is None:
            raise ApiError(404, "resource_not_exist", f"Upload session {upload_id} does not exist.")
        return up

    def _chunk_len(self, up: UploadRec, index: int) -> int:
        return up.chunk_size if index < up.total_chunks else up.total_size - up.chunk_size * (up.total_chunks - 1)

    # ------------------------------------------------------------------ routes
    def create_upload(self, req: Req) -> Resp:
        body = req.require_json("POST /assets/multipart-uploads")
        for name in ("filename", "type", "total_size"):
            if body.get(name) in (None, ""):
                raise missing(name)
        filename, kind, total = body["filename"], body["type"], body["total_size"]
        if not isinstance(filename, str) or not 1 <= len(filename) <= 255:
            raise bad("`filename` must be a string of 1 to 255 characters.")
        if kind not in ("video", "audio", "image"):
            raise bad(f"`type` must be video, audio or image, got {kind!r}.")
        if not isinstance(total, int) or isinstance(total, bool):
            raise bad(f"`total_size` must be an integer number of bytes, got {total!r}.")
        problem = _limits.asset_limits(total, kind, method="multipart")
        if problem:
            raise bad(problem[1], problem[0])
        meta = body.get("user_metadata")
        from ._assets import _user_metadata

        meta = _user_metadata(meta, "POST /assets/multipart-uploads")
        chunk = max(int(self.multipart_chunk_size), math.ceil(total / 10_000))
        asset = self._new_asset("multipart", filename, None, total, meta, bool(body.get("enable_hls", False)),
                                bool(body.get("enable_thumbnail", False)))
        asset.held = True
        up = UploadRec(self.new_id("upload"), asset.id, filename, kind, total, chunk, math.ceil(total / chunk),
                       self.now(), self.next_seq(), self.now(24 * 3600), total <= self.multipart_retain_bytes)
        up.updated_at = up.created_at
        self.uploads[up.id] = up
        return Resp(201, {"upload_id": up.id, "asset_id": asset.id,
                          "upload_urls": self._urls(req, up, 1, self.multipart_initial_urls),
                          "upload_headers": {"Content-Type": "application/octet-stream"},
                          "chunk_size": up.chunk_size, "total_chunks": up.total_chunks, "expires_at": up.expires_at})

    def list_incomplete_uploads(self, req: Req) -> Resp:
        items = [u for u in self.uploads.values() if u.status == "active"]
        return Resp(200, paginate(req, items, lambda u: {
            "upload_id": u.id, "status": u.status, "total_size": u.total_size, "chunk_size": u.chunk_size,
            "total_chunks": u.total_chunks, "created_at": u.created_at, "expires_at": u.expires_at}, sortable=False))

    def upload_status(self, req: Req) -> Resp:
        up = self._upload_rec(req.params["upload_id"])
        page = parse_num(req.q("page"), "page", integer=True, lo=1, default=1)
        limit = parse_num(req.q("page_limit"), "page_limit", integer=True, lo=1, hi=50, default=10)
        chunks = []
        for i in range(1, up.total_chunks + 1):
            done = up.completed.get(i)
            chunks.append({"index": i, "status": "completed" if done else "pending", "uploaded_at": done,
                           "updated_at": done or up.created_at, "error": None})
        window = chunks[(page - 1) * limit: page * limit]
        done_n = len(up.completed)
        return Resp(200, {"upload_id": up.id, "status": up.status, "uploaded_chunks": window,
                          "chunks_completed": done_n, "chunks_failed": 0, "chunks_pending": up.total_chunks - done_n,
                          "page_info": {"page": page, "limit_per_page": limit,
                                        "total_page": math.ceil(up.total_chunks / limit),
                                        "total_results": up.total_chunks},
                          "total_size": up.total_size,
                          "uploaded_size": sum(self._chunk_len(up, i) for i in up.completed),
                          "created_at": up.created_at, "updated_at": up.updated_at})

    def report_chunks(self, req: Req) -> Resp:
        up = self._upload_rec(req.params["upload_id"])
        if up.status != "active" and up.status != "completed":
            raise bad(f"Upload session {up.id} is {up.status}; start a new session.", "upload_session_expired")
        body = req.require_json("POST /assets/multipart-uploads/{upload_id}")
        chunks = body.get("completed_chunks")
        if chunks is None:
            raise missing("completed_chunks")
        if not isinstance(chunks, list) or not 1 <= len(chunks) <= 50:
            raise bad("`completed_chunks` must list 1 to 50 chunks per call.")
        fresh = []
        for c in chunks:
            if not isinstance(c, dict):
                raise bad("Each completed chunk is {chunk_index, proof, proof_type, chunk_size}.")
            index, proof = c.get("chunk_index"), c.get("proof")
            if not isinstance(index, int) or not 1 <= index <= up.total_chunks:
                raise bad(f"`chunk_index` must be between 1 and {up.total_chunks}, got {index!r}.")
            if c.get("proof_type") != "etag" or not isinstance(proof, str):
                raise bad("`proof_type` must be 'etag' and `proof` the ETag the chunk PUT answered.")
            got = up.received.get(index)
            if got is None or got[0] != proof.strip('"'):
                raise bad(f"Chunk {index} has no upload with ETag {proof!r}; PUT it to its presigned URL first.",
                          "chunk_proof_invalid")
            if c.get("chunk_size") != got[1]:
                raise bad(f"Chunk {index} was {got[1]} bytes, not {c.get('chunk_size')!r}.", "chunk_size_mismatch")
            fresh.append(index)
        processed = duplicates = 0
        for index in fresh:
            if index in up.completed:
                duplicates += 1
                continue
            processed += 1
            up.completed[index] = self.now()
        up.updated_at = self.now()
        out: dict[str, Any] = {"asset_id": up.asset_id, "processed_chunks": processed,
                               "duplicate_chunks": duplicates, "total_completed": len(up.completed)}
        if len(up.completed) == up.total_chunks:
            if up.status == "active":
                self._complete_upload(up)
            out["url"] = f"{req.origin}/v1.3/assets/{up.asset_id}"
        return Resp(200, out)

    def _complete_upload(self, up: UploadRec) -> None:
        up.status = "completed"
        asset = self.assets.get(up.asset_id)
        if asset is None:  # deleted meanwhile: nothing to build
            return
        data = b"".join(up.data[i] for i in sorted(up.data))
        media = self.media_from_bytes(data, up.filename)
        media.info = replace(media.info, size=up.total_size)
        if media.info.kind is None and up.type == "image":
            media.info = replace(media.info, kind="image", format="png", width=512, height=512)
        elif media.info.kind is None:  # unknown bytes: a 10 s video (or audio) with no script
            media.info = replace(media.info, kind=up.type, width=640, height=360, duration=10.0, fps=25.0)
        asset.media, asset.held = media, False
        up.data.clear()

    def more_upload_urls(self, req: Req) -> Resp:
        up = self._upload_rec(req.params["upload_id"])
        body = req.require_json("POST /assets/multipart-uploads/{upload_id}/presigned-urls")
        start, count = body.get("start"), body.get("count")
        if not isinstance(start, int) or not 1 <= start <= up.total_chunks:
            raise bad(f"`start` must be a chunk number between 1 and {up.total_chunks}, got {start!r}.")
        if not isinstance(count, int) or not 1 <= count <= _URL_BATCH:
            raise bad(f"`count` must be between 1 and {_URL_BATCH}, got {count!r}.")
        if up.status != "active":
            raise bad(f"Upload session {up.id} is {up.status}; start a new session.", "upload_session_expired")
        urls = self._urls(req, up, start, count)
        return Resp(200, {"upload_id": up.id, "start_index": start, "count": len(urls), "upload_urls": urls,
                          "generated_at": self.now(), "expires_at": self.now(3600)})

    def put_chunk(self, req: Req, body: bytes) -> Resp:
        """``PUT`` of one chunk to its presigned URL (no API key; S3-like answers).

        The bytes are hashed outside the emulator's lock, so chunk PUTs proceed in parallel.
        """
        etag = hashlib.md5(body, usedforsecurity=False).hexdigest()
        with self._lock:
            self.tick()
            return self._store_chunk(req, body, etag)

    def _store_chunk(self, req: Req, body: bytes, etag: str) -> Resp:
        up = self.uploads.get(req.params["upload_id"])
        try:
            index = int(req.params["chunk_index"])
        except ValueError:
            index = -1
        if up is None or not 1 <= index <= up.total_chunks or req.q("X-Tl-Signature") != self._signature(up, index):
            raise ApiError(403, "AccessDenied", "The request signature does not match this URL, or the URL has "
                                                "expired; request fresh presigned URLs.")
        if up.status != "active":
            raise ApiError(403, "AccessDenied", f"Upload session {up.id} is {up.status}.")
        up.received[index] = (etag, len(body))
        if up.retain or index == 1:
            up.data[index] = bytes(body)
        return Resp(200, None, {"ETag": f'"{etag}"'})
