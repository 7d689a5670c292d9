"""The body of ``client.assets.upload`` (plans shared by both twins; decisions in ``_multipart_plan``).

Direct upload up to 200 MB, else a multipart session: presigned URLs in batches of 50, chunks PUT
from file ranges with at most ``max_concurrency`` in flight (memory: the chunks in flight), a
failed chunk retried alone, proofs reported in batches (<= 50) as chunks finish, then the asset is
awaited. An interrupted session is resumed (``upload_id=``, or found by the file's fingerprint in
the asset's user_metadata) and only chunks the server has not confirmed are sent again. An
ambiguous failure of the session create never opens a second session (token lookup, like tasks).
"""

from __future__ import annotations

import hashlib
import inspect
import mimetypes
import os
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx

from .._config import UPLOAD_TOKEN_KEY, log
from .._exceptions import APIConnectionError, APIResponseValidationError, PreflightError, TwelveLabsError
from .._limits import asset_upload_method
from .._multipart import wire_filename
from .._policy import error_from_response
from .._preflight import check_asset_size
from .._request import RequestSpec, query_params
from ..types._base import ListPage
from ..types.assets import Asset, ChunkInfo, IncompleteUpload, MultipartSession, UploadProgress, UploadStatus
from ._multipart_plan import (
    FINGERPRINT_KEY,
    MAX_BATCH,
    SESSION_KEY,
    Chunk,
    UploadState,
    decide_chunk,
    pick_resume,
    url_batches,
)
from ._resource import Plan, parse_model

__all__ = ["upload_plan", "open_source", "fingerprint", "MAX_LOOKUP_PAGES"]

#: A resume / recovery lookup reads at most this many pages of 50.
MAX_LOOKUP_PAGES = 20
#: Bytes read from disk per block while a chunk's PUT streams (``chunk_size=None``). Streaming keeps
#: memory at about one block per chunk in flight: holding whole chunks as ``bytes`` measured 156 MiB
#: of RSS growth over a 512 MiB upload (copies in the HTTP stack), blocks of 1 MiB 26 MiB.
READ_BLOCK = 1 << 20
#: Retries of one chunk (its PUT is idempotent, so it is retried at least this often).
MIN_CHUNK_RETRIES = 3


def open_source(file: Any, filename: str | None) -> tuple[Any, str, int]:
    """``(source, filename, size)``: a path stays on disk, bytes become a memoryview, a binary file
    object is read by range (seekable) or whole."""
    if isinstance(file, (str, os.PathLike)):
        path = Path(file)
        if not path.is_file():
            raise FileNotFoundError(f"assets.upload: no such file: {path}")
        return path, filename or wire_filename(path.name), path.stat().st_size  # encodable even if not UTF-8
    if isinstance(file, (bytes, bytearray, memoryview)):
        view = memoryview(file).cast("B")
        return view, filename or "asset.mp4", view.nbytes
    if hasattr(file, "read"):
        name = filename or Path(str(getattr(file, "name", "") or "asset.mp4")).name
        if getattr(file, "seekable", lambda: False)():
            size = file.seek(0, os.SEEK_END)
            return file, name, size
        data = file.read()
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError("assets.upload: the file object must be opened in binary mode ('rb')")
        return memoryview(bytes(data)), name, len(data)
    raise TypeError(f"assets.upload: expected a path, bytes or a binary file object, got {type(file).__name__}")


def fingerprint(source: Any, size: int, filename: str) -> str:
    """Name, size and the first and last MiB of the file: enough to know the same file again."""
    from .multipart import read_range

    head = read_range(source, 0, min(size, 1 << 20))
    tail = read_range(source, max(0, size - (1 << 20)), min(size, 1 << 20))
    return hashlib.sha256(f"{filename}|{size}|".encode() + head + tail).hexdigest()[:32]


def _kind(filename: str) -> str:
    major = (mimetypes.guess_type(filename)[0] or "video/").split("/", 1)[0]
    return major if major in ("video", "audio", "image") else "video"


def _all_pages(res: Any, path: str, params: Mapping[str, Any], model: type) -> Plan[list[Any]]:
    out: list[Any] = []
    for page in range(1, MAX_LOOKUP_PAGES + 1):
        spec = RequestSpec("GET", path, params=query_params({**params, "page": page, "page_limit": MAX_BATCH}))
        got = parse_model(ListPage[model], (yield res._client._request(spec)))  # type: ignore[valid-type]
        out += got.data
        if not got.data or page >= got.page_info.total_page:
            break
    return out


def _confirmed(res: Any, upload_id: str) -> Plan[set[int]]:
    done: set[int] = set()
    for page in range(1, 10_000):
        status: UploadStatus = yield res.multipart.get_status(upload_id, page=page, page_limit=MAX_BATCH)
        done |= {c.index for c in status.uploaded_chunks if isinstance(c, ChunkInfo) and c.status == "completed"}
        total = status.page_info.total_page if status.page_info else 0
        if not status.uploaded_chunks or page >= total:
            break
    return done


def _progress(state: UploadState, on_progress: Callable[[UploadProgress], Any] | None) -> Any:
    if on_progress is None:
        return None
    return on_progress(UploadProgress(upload_id=state.upload_id, bytes_sent=state.sent_bytes,
                                      total_bytes=state.total_size, chunks_done=len(state.confirmed),
                                      total_chunks=len(state.chunks), resumed_chunks=state.resumed))


def _report(res: Any, state: UploadState, batch: list[dict[str, Any]], on_progress: Any) -> Plan[None]:
    try:
        answer = yield res.multipart.report_chunks(state.upload_id, batch)
    except TwelveLabsError:
        state.requeue(batch)  # not lost: a later report (or a resume) confirms these chunks
        raise
    state.reported(batch, answer)
    result = _progress(state, on_progress)
    if inspect.isawaitable(result):
        yield result


def _send_chunk(res: Any, state: UploadState, source: Any, chunk: Chunk, block: int | None,
                on_progress: Any) -> Plan[None]:
    retries = max(MIN_CHUNK_RETRIES, res._client.max_retries)
    attempt = 0
    while True:
        url = state.urls.get(chunk.index)
        if url is None:  # expired: fetch fresh URLs from this chunk on
            fresh = yield res.multipart.get_presigned_urls(state.upload_id, start=chunk.index,
                                                           count=min(MAX_BATCH, len(state.chunks) - chunk.index + 1))
            state.add_urls(fresh.upload_urls)
            url = state.urls.get(chunk.index)
            if url is None:
                raise APIResponseValidationError(f"presigned-urls gave no URL for chunk {chunk.index}", body=None)
        outcome = yield res.multipart._put_chunk(url, source, chunk, state.headers, block)
        response = outcome if isinstance(outcome, httpx.Response) else None
        etag = response.headers.get("etag") if response is not None else None
        action = decide_chunk(attempt, retries, status=response.status_code if response is not None else None,
                              failure=getattr(outcome, "failure_kind", None), has_etag=bool(etag))
        if action.kind == "done":
            break
        if action.kind == "raise":
            raise _chunk_error(res, state, chunk, outcome, action.reason)
        log.info("chunk %d of upload %s: %s; %s (attempt %d of %d)", chunk.index, state.upload_id, action.reason,
                 "fetching a fresh URL" if action.kind == "refresh" else f"retrying in {action.delay:.2f} s",
                 attempt + 1, retries + 1)
        if action.kind == "refresh":
            state.drop_url(chunk.index)
        else:
            yield res._client._sleep(action.delay)
        attempt += 1
    batch = state.chunk_sent(chunk, etag or "")
    if batch:
        yield from _report(res, state, batch, on_progress)


def _chunk_error(res: Any, state: UploadState, chunk: Chunk, outcome: Any, reason: str) -> TwelveLabsError:
    hint = (f"chunk {chunk.index} of upload {state.upload_id} failed: {reason}. Call assets.upload(..., "
            f"upload_id={state.upload_id!r}) to resume; only unconfirmed chunks are sent again.")
    if isinstance(outcome, APIConnectionError):
        outcome.args = (f"{outcome.args[0]} ({hint})",)
        return outcome
    if isinstance(outcome, httpx.Response) and outcome.status_code >= 400:
        err = error_from_response(outcome)
        err.message = f"{err.message} ({hint})"
        err.args = (err.message,)
        return res._client._redact(err)  # type: ignore[no-any-return]
    return APIResponseValidationError(hint, response=outcome, body=None)


def _with_resume_hint(exc: TwelveLabsError, upload_id: str) -> TwelveLabsError:
    """``exc`` with how to resume appended (once), keeping its type for the caller's ``except``."""
    hint = f"resume with assets.upload(..., upload_id={upload_id!r}); only unconfirmed chunks are sent again"
    text = str(exc.args[0]) if exc.args else ""
    if "upload_id=" not in text:
        exc.args = (f"{text} ({hint})", *exc.args[1:])
        if isinstance(getattr(exc, "message", None), str):
            exc.message = f"{exc.message} ({hint})"  # type: ignore[attr-defined]
    return exc


def _recover_session(res: Any, filename: str, size: int, token: str) -> Plan[MultipartSession | None]:
    """After an ambiguous create: the session that attempt opened (found by its token), or None."""
    assets = yield from _all_pages(res, "assets", {"filename": filename}, Asset)
    mine = [a for a in assets if (a.user_metadata or {}).get(UPLOAD_TOKEN_KEY) == token]
    if not mine:
        return None
    sessions = yield from _all_pages(res, "assets/multipart-uploads", {}, IncompleteUpload)
    claimed = {(a.user_metadata or {}).get(SESSION_KEY) for a in assets}
    free = [s for s in sessions if s.total_size == size and s.status == "active" and s.upload_id not in claimed]
    if len(free) != 1:
        raise APIConnectionError(f"the create call of a multipart upload failed ambiguously and created asset "
                                 f"{mine[0].id}, but its session cannot be told apart from {len(free)} other(s); not "
                                 "opening another. List client.assets.multipart.list() and pass upload_id=... "
                                 "to resume.")
    s = free[0]
    return MultipartSession(upload_id=s.upload_id, asset_id=mine[0].id, chunk_size=s.chunk_size,
                            total_chunks=s.total_chunks)


def _open_session(res: Any, filename: str, size: int, meta: dict[str, Any], fp: str,
                  upload_id: str | None) -> Plan[tuple[UploadState, bool]]:
    """The session to send to: the one named, an interrupted one of this file, or a new one."""
    if upload_id is not None:
        sessions = yield from _all_pages(res, "assets/multipart-uploads", {}, IncompleteUpload)
        found = next((s for s in sessions if s.upload_id == upload_id), None)
        if found is None or found.status != "active":
            raise PreflightError(f"upload {upload_id} is not an active incomplete upload (completed, expired or "
                                 "unknown); call assets.upload without upload_id to start a new one.",
                                 code="upload_not_active")
        if found.total_size != size:
            raise PreflightError(f"upload {upload_id} is for a file of {found.total_size} bytes but this file has "
                                 f"{size}; pass the same file, or omit upload_id.", code="upload_size_mismatch")
        return UploadState(upload_id, size, found.chunk_size, 1), True
    sessions = yield from _all_pages(res, "assets/multipart-uploads", {}, IncompleteUpload)
    if any(s.total_size == size and s.status == "active" for s in sessions):
        assets = yield from _all_pages(res, "assets", {"filename": filename}, Asset)
        picked = pick_resume(sessions, assets, total_size=size, fingerprint=fp)
        if picked is not None:
            state = UploadState(picked[0].upload_id, size, picked[0].chunk_size, 1)
            state.asset_id = picked[1].id
            return state, True
    token = uuid.uuid4().hex
    spec_meta = {**meta, FINGERPRINT_KEY: fp, UPLOAD_TOKEN_KEY: token}
    from .multipart import _create_spec

    spec = _create_spec(filename, _kind(filename), size, None, None, spec_meta)
    result = yield res._client._request(spec, recover=lambda: res._run(_recover_session(res, filename, size, token)))
    session = result if isinstance(result, MultipartSession) else parse_model(MultipartSession, result)
    try:  # links the session to this file, so a later run finds it
        yield res.update_user_metadata(session.asset_id, {SESSION_KEY: session.upload_id})
    except TwelveLabsError as exc:
        _with_resume_hint(exc, session.upload_id)
        raise
    state = UploadState(session.upload_id, size, session.chunk_size, 1, headers=dict(session.upload_headers))
    state.add_urls(session.upload_urls)
    state.asset_id = session.asset_id
    return state, False


def _multipart(res: Any, source: Any, filename: str, size: int, meta: dict[str, Any], on_progress: Any,
               max_concurrency: int, block: int | None, upload_id: str | None) -> Plan[str]:
    fp = yield res._offload(lambda: fingerprint(source, size, filename))
    state, resumed = yield from _open_session(res, filename, size, meta, fp, upload_id)
    state.report_every = max(1, min(MAX_BATCH, max_concurrency))
    if resumed:
        state.confirmed = yield from _confirmed(res, state.upload_id)
        state.resumed = len(state.confirmed)
    missing = state.missing()
    for start, count in url_batches(c.index for c in missing if c.index not in state.urls):
        urls = yield res.multipart.get_presigned_urls(state.upload_id, start=start, count=count)
        state.add_urls(urls.upload_urls)
    first = _progress(state, on_progress)
    if inspect.isawaitable(first):
        yield first
    try:
        yield res._bounded(missing, lambda c: res._run(_send_chunk(res, state, source, c, block, on_progress)),
                           max_concurrency, False)
        for batch in state.take_all():
            yield from _report(res, state, batch, on_progress)
    except TwelveLabsError as exc:
        _with_resume_hint(exc, state.upload_id)
        raise  # the same error (type, cause, traceback), now saying how to resume
    if not state.complete:
        raise APIResponseValidationError(f"upload {state.upload_id}: {len(state.confirmed)} of {len(state.chunks)} "
                                         "chunks confirmed after sending them all; call assets.upload(..., upload_id="
                                         f"{state.upload_id!r}) to resume.", body=None)
    if state.asset_id is None:
        raise APIResponseValidationError(f"upload {state.upload_id} completed without naming its asset", body=None)
    return state.asset_id


def upload_plan(res: Any, file: Any, *, filename: str | None, user_metadata: Mapping[str, Any] | None,
                on_progress: Any, max_concurrency: int, chunk_size: int | None, upload_id: str | None, method: str,
                wait: bool, timeout: float | None, preflight: bool | None) -> Plan[Asset]:
    if max_concurrency < 1:
        raise ValueError(f"max_concurrency must be >= 1 (got {max_concurrency})")
    if chunk_size is not None and chunk_size < 1:
        raise ValueError(f"chunk_size (the read block of one PUT) must be >= 1 byte (got {chunk_size})")
    if method not in ("auto", "direct", "multipart"):
        raise ValueError(f"method must be 'auto', 'direct' or 'multipart' (got {method!r})")
    source, name, size = yield res._offload(lambda: open_source(file, filename))
    chosen = "multipart" if upload_id is not None else (asset_upload_method(size) if method == "auto" else method)
    if res._use_preflight(preflight):
        check_asset_size(size, name, method=chosen)
    meta = dict(user_metadata or {})
    if chosen == "direct":
        data = bytes(source) if isinstance(source, memoryview) else source
        if hasattr(data, "seek"):
            data.seek(0)
        asset = yield res.create(file=(name, data) if isinstance(data, bytes) else data, filename=name,
                                 user_metadata=meta or None, preflight=False)
        asset_id = asset.id
        if on_progress is not None:
            done = on_progress(UploadProgress(bytes_sent=size, total_bytes=size, chunks_done=1, total_chunks=1))
            if inspect.isawaitable(done):
                yield done
    else:
        asset_id = yield from _multipart(res, source, name, size, meta, on_progress, max_concurrency,
                                         chunk_size or READ_BLOCK, upload_id)
    ready: Asset = (yield res.wait(asset_id, timeout=timeout)) if wait else (yield res.retrieve(asset_id))
    return ready
