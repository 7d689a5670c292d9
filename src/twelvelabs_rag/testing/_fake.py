"""``FakeTwelveLabs``: the in-memory, deterministic TwelveLabs API v1.3 emulator."""

from __future__ import annotations

import asyncio
import math
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

import httpx

from ._analyze_async import AnalyzeAsyncRoutes
from ._assets import AssetRoutes
from ._classic import ClassicRoutes
from ._connectors import ConnectorRoutes
from ._embed_v2 import EmbedV2Routes
from ._entities import EntityRoutes
from ._http import DOCS_URL, ApiError, Req, Resp, StreamCut, parse_body
from ._indexed_assets import IndexedAssetRoutes
from ._knowledge import KnowledgeRoutes
from ._multipart import MultipartRoutes
from ._responses import ResponseRoutes
from ._strict_check import strict_gate
from ._transport import lower_headers, origin_of, to_httpx

__all__ = ["FakeTwelveLabs", "RecordedRequest", "ROUTES", "API_PREFIX"]

API_PREFIX = "/v1.3"
#: (method, path template, handler name). Route names are "METHOD template".
ROUTES: list[tuple[str, str, str]] = [
    ("POST", "/indexes", "create_index"), ("GET", "/indexes", "list_indexes"),
    ("GET", "/indexes/{index_id}", "get_index"), ("PUT", "/indexes/{index_id}", "update_index"),
    ("DELETE", "/indexes/{index_id}", "delete_index"),
    ("GET", "/indexes/{index_id}/videos", "list_videos"),
    ("GET", "/indexes/{index_id}/videos/{video_id}", "get_video"),
    ("PATCH", "/indexes/{index_id}/videos/{video_id}", "update_video"),
    ("PUT", "/indexes/{index_id}/videos/{video_id}", "update_video"),
    ("DELETE", "/indexes/{index_id}/videos/{video_id}", "delete_video"),
    ("POST", "/tasks", "create_task"), ("GET", "/tasks", "list_tasks"),
    ("GET", "/tasks/{task_id}", "get_task"), ("DELETE", "/tasks/{task_id}", "delete_task"),
    ("POST", "/tasks/transfers/import/{integration_id}", "import_transfer"),
    ("GET", "/tasks/transfers/import/{integration_id}/status", "transfer_status"),
    ("GET", "/tasks/transfers/import/{integration_id}/logs", "transfer_logs"),
    ("POST", "/search", "search"), ("GET", "/search/{page_token}", "search_page"),
    ("POST", "/embed", "embed"),
    ("POST", "/embed/tasks", "create_embed_task"), ("GET", "/embed/tasks", "list_embed_tasks"),
    ("GET", "/embed/tasks/{task_id}/status", "embed_task_status"),
    ("GET", "/embed/tasks/{task_id}", "get_embed_task"),
    ("POST", "/analyze", "analyze"),
    # classic generative siblings (SDK <= 1.2.x)
    ("POST", "/gist", "gist"), ("POST", "/summarize", "summarize"), ("POST", "/generate", "generate"),
    # current surface, hosted RAG: entity collections (_entities.py), knowledge stores (_knowledge.py),
    # responses (_responses.py), data connectors and imports (_connectors.py)
    ("POST", "/entity-collections", "create_entity_collection"),
    ("GET", "/entity-collections", "list_entity_collections"),
    ("GET", "/entity-collections/{entity_collection_id}", "get_entity_collection"),
    ("PATCH", "/entity-collections/{entity_collection_id}", "update_entity_collection"),
    ("DELETE", "/entity-collections/{entity_collection_id}", "delete_entity_collection"),
    ("POST", "/entity-collections/{entity_collection_id}/entities", "create_entity"),
    ("GET", "/entity-collections/{entity_collection_id}/entities", "list_entities"),
    ("POST", "/entity-collections/{entity_collection_id}/entities/bulk", "create_entities_bulk"),
    ("GET", "/entity-collections/{entity_collection_id}/entities/{entity_id}", "get_entity"),
    ("PATCH", "/entity-collections/{entity_collection_id}/entities/{entity_id}", "update_entity"),
    ("DELETE", "/entity-collections/{entity_collection_id}/entities/{entity_id}", "delete_entity"),
    ("POST", "/entity-collections/{entity_collection_id}/entities/{entity_id}/assets", "add_entity_assets"),
    ("DELETE", "/entity-collections/{entity_collection_id}/entities/{entity_id}/assets", "remove_entity_assets"),
    ("GET", "/assets/{asset_id}/entities", "list_asset_entities"),
    ("POST", "/knowledge-stores", "create_knowledge_store"), ("GET", "/knowledge-stores", "list_knowledge_stores"),
    ("GET", "/knowledge-stores/{knowledge_store_id}", "get_knowledge_store"),
    ("PATCH", "/knowledge-stores/{knowledge_store_id}", "update_knowledge_store"),
    ("DELETE", "/knowledge-stores/{knowledge_store_id}", "delete_knowledge_store"),
    ("POST", "/knowledge-stores/{knowledge_store_id}/search", "search_knowledge_store"),
    ("POST", "/knowledge-stores/{knowledge_store_id}/items", "create_knowledge_item"),
    ("GET", "/knowledge-stores/{knowledge_store_id}/items", "list_knowledge_items"),
    ("GET", "/knowledge-stores/{knowledge_store_id}/items/{item_id}", "get_knowledge_item"),
    ("DELETE", "/knowledge-stores/{knowledge_store_id}/items/{item_id}", "delete_knowledge_item"),
    ("POST", "/knowledge-stores/{knowledge_store_id}/item-collections", "create_item_collection"),
    ("GET", "/knowledge-stores/{knowledge_store_id}/item-collections", "list_item_collections"),
    ("GET", "/knowledge-stores/{knowledge_store_id}/item-collections/{collection_id}", "get_item_collection"),
    ("PATCH", "/knowledge-stores/{knowledge_store_id}/item-collections/{collection_id}", "update_item_collection"),
    ("DELETE", "/knowledge-stores/{knowledge_store_id}/item-collections/{collection_id}", "delete_item_collection"),
    ("GET", "/knowledge-stores/{knowledge_store_id}/item-collections/{collection_id}/items", "list_collection_items"),
    ("POST", "/knowledge-stores/{knowledge_store_id}/item-collections/{collection_id}/items/add",
     "add_collection_items"),
    ("POST", "/knowledge-stores/{knowledge_store_id}/item-collections/{collection_id}/items/remove",
     "remove_collection_items"),
    ("POST", "/responses", "create_response"),
    ("POST", "/connections:authorize", "authorize_connection"),
    ("GET", "/connections/redirect-uris", "list_redirect_uris"),
    ("POST", "/connections/redirect-uris", "create_redirect_uri"),
    ("DELETE", "/connections/redirect-uris/{redirect_uri_id}", "delete_redirect_uri"),
    ("GET", "/connections", "list_connections"),
    ("GET", "/connections/{connection_id}", "get_connection"),
    ("DELETE", "/connections/{connection_id}", "delete_connection"),
    ("POST", "/connections/{connection_id}/picker-token", "connection_picker_token"),
    ("POST", "/connections/{connection_id}/imports", "import_files"),
    ("GET", "/connections/{connection_id}/imports", "list_imports"),
    ("GET", "/connections/{connection_id}/imports/{import_id}", "get_import"),
    # current API: embed v2 (testing/_embed_v2.py)
    ("POST", "/embed-v2", "embed_v2"), ("POST", "/embed-v2/tasks", "create_embed_v2_task"),
    ("GET", "/embed-v2/tasks", "list_embed_v2_tasks"), ("GET", "/embed-v2/tasks/{task_id}", "get_embed_v2_task"),
    # current API: async analyze tasks and batches (testing/_analyze_async.py)
    ("POST", "/analyze/tasks", "create_analyze_task"), ("GET", "/analyze/tasks", "list_analyze_tasks"),
    ("GET", "/analyze/tasks/{task_id}", "get_analyze_task"),
    ("DELETE", "/analyze/tasks/{task_id}", "delete_analyze_task"),
    ("POST", "/analyze/tasks/{task_id}/cancel", "cancel_analyze_task"),
    ("POST", "/analyze/batches", "create_analyze_batch"), ("GET", "/analyze/batches", "list_analyze_batches"),
    ("GET", "/analyze/batches/{batch_id}", "get_analyze_batch"),
    ("DELETE", "/analyze/batches/{batch_id}", "delete_analyze_batch"),
    ("POST", "/analyze/batches/{batch_id}/cancel", "cancel_analyze_batch"),
    ("GET", "/analyze/batches/{batch_id}/results", "analyze_batch_results"),
    # current surface: assets, multipart uploads (+ the presigned chunk PUT target), indexed assets
    ("POST", "/assets", "create_asset"), ("GET", "/assets", "list_assets"),
    ("POST", "/assets/multipart-uploads", "create_upload"),
    ("GET", "/assets/multipart-uploads", "list_incomplete_uploads"),
    ("GET", "/assets/multipart-uploads/{upload_id}", "upload_status"),
    ("POST", "/assets/multipart-uploads/{upload_id}", "report_chunks"),
    ("POST", "/assets/multipart-uploads/{upload_id}/presigned-urls", "more_upload_urls"),
    ("PUT", "/_upload/{upload_id}/{chunk_index}", "put_chunk"),
    ("GET", "/assets/{asset_id}", "get_asset"), ("DELETE", "/assets/{asset_id}", "delete_asset"),
    ("GET", "/assets/{asset_id}/transcription", "asset_transcription"),
    ("PUT", "/assets/{asset_id}/user-metadata", "replace_asset_metadata"),
    ("PATCH", "/assets/{asset_id}/user-metadata", "update_asset_metadata"),
    ("DELETE", "/assets/{asset_id}/user-metadata", "delete_asset_metadata"),
    ("GET", "/assets/{asset_id}/indexed-assets", "list_asset_indexes"),
    ("POST", "/indexes/{index_id}/indexed-assets", "create_indexed_asset"),
    ("GET", "/indexes/{index_id}/indexed-assets", "list_indexed_assets"),
    ("GET", "/indexes/{index_id}/indexed-assets/{indexed_asset_id}", "get_indexed_asset"),
    ("PATCH", "/indexes/{index_id}/indexed-assets/{indexed_asset_id}", "update_indexed_asset"),
    ("DELETE", "/indexes/{index_id}/indexed-assets/{indexed_asset_id}", "delete_indexed_asset"),
]
#: Presigned targets: raw bodies, no API key (assets area).
RAW_ROUTES = frozenset({"PUT /_upload/{upload_id}/{chunk_index}"})
_COMPILED = [(m, re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", t) + "/?$"), f"{m} {t}", h)
             for m, t, h in ROUTES]
#: Routes that share one rate-limit bucket (spec §1.4).
RATE_CATEGORIES = {"POST /tasks": "tasks", "POST /embed": "embed", "POST /embed/tasks": "embed",
                   "POST /search": "search", "POST /analyze": "analyze", "POST /gist": "analyze",
                   "POST /summarize": "analyze", "POST /generate": "analyze",
                   # current API: embed v2
                   "POST /embed-v2": "embed", "POST /embed-v2/tasks": "embed",
                   # current API: async analyze
                   "POST /analyze/tasks": "analyze", "POST /analyze/batches": "analyze"}
_ERROR_CODES = {429: "too_many_requests", 500: "internal_error", 502: "bad_gateway", 503: "service_unavailable",
                504: "gateway_timeout", 408: "request_canceled_or_timed_out", 409: "conflict"}


@dataclass
class RecordedRequest:
    """One request seen by the emulator (the API key is never recorded).

    Example:
        ```python
        rec = fake.calls("POST /tasks")[0]
        assert rec.form["index_id"] == [index_id] and rec.files[0][1] == "clip.mp4"
        ```
    """

    method: str
    path: str
    route: str | None
    query: list[tuple[str, str]] = field(default_factory=list)
    form: dict[str, list[str]] = field(default_factory=dict)
    json: Any = None
    files: list[tuple[str, str | None, int]] = field(default_factory=list)
    status: int | None = None
    started_at: float = 0.0
    ended_at: float | None = None


@dataclass
class _Fault:
    status: int
    retry_after: float | None
    times: int
    body: Any


class FakeTwelveLabs(IndexedAssetRoutes, MultipartRoutes, AssetRoutes, EntityRoutes, KnowledgeRoutes,
                     ResponseRoutes, ConnectorRoutes, EmbedV2Routes, AnalyzeAsyncRoutes, ClassicRoutes):
    """An in-memory TwelveLabs API v1.3 for tests, demos and benchmarks.

    Args:
        api_keys: accepted ``x-api-key`` values; ``None`` accepts any non-empty key.
        seed: makes ids differ between emulators; everything is deterministic for a given seed.
        task_statuses: the statuses an indexing task walks through, one step per poll
            (``("ready",)`` makes uploads ready at once).
        embed_task_statuses: the same for embedding tasks.
        strict: reject (400 ``parameter_unknown`` / ``parameter_invalid``) any query parameter, form
            field or JSON key the API spec does not list for the route, and any value outside its enum
            (the table is ``twelvelabs_rag.testing._strict.STRICT_ROUTES``). ``None`` (the default) means
            :attr:`strict_default`, which a test session can set once: ``FakeTwelveLabs.strict_default = True``.

    Example:
        ```python
        import httpx
        fake = FakeTwelveLabs()
        http = httpx.Client(transport=fake.transport(), base_url="http://emulator/v1.3",
                            headers={"x-api-key": "tlk_test"})
        assert http.get("/indexes").json()["data"] == []
        ```
    """

    #: The ``strict`` of emulators built without one (a test session's conftest may set it to True).
    strict_default: ClassVar[bool] = False

    def __init__(self, api_keys: Iterable[str] | None = None, seed: int = 0, *,
                 task_statuses: Iterable[str] = ("validating", "pending", "indexing", "ready"),
                 embed_task_statuses: Iterable[str] = ("processing", "ready"),
                 time_fn: Callable[[], float] = time.time, strict: bool | None = None) -> None:
        super().__init__(seed)
        self.strict = type(self).strict_default if strict is None else bool(strict)
        self._init_tasks()
        self._init_search()
        self.api_keys = frozenset(api_keys) if api_keys is not None else None
        self.task_statuses = _statuses(task_statuses, "task_statuses")
        self.embed_task_statuses = _statuses(embed_task_statuses, "embed_task_statuses")
        self._time = time_fn
        self.requests: list[RecordedRequest] = []
        self._faults: dict[str, list[_Fault]] = {}
        self._latency: dict[str, float] = {}
        self._drops: dict[str, int] = {}
        self._cuts = 0
        self._limits: dict[str, int] = {}
        self._windows: dict[str, tuple[float, int]] = {}
        self._flight_lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0

    def __repr__(self) -> str:
        return f"FakeTwelveLabs(indexes={len(self.indexes)}, videos={len(self.videos)}, requests={len(self.requests)})"

    # ------------------------------------------------------------------ faults and observation
    def fail_next(self, route: str, status: int, *, retry_after: float | None = None, times: int = 1,
                  body: Any = None) -> None:
        """Answer the next ``times`` requests of ``route`` (e.g. ``"POST /tasks"``, or ``"*"``) with ``status``."""
        with self._lock:
            self._faults.setdefault(route, []).append(_Fault(status, retry_after, times, body))

    def add_latency(self, route: str, seconds: float) -> None:
        """Delay every request of ``route`` (or ``"*"``) by ``seconds`` (awaited, not blocking, when async)."""
        self._latency[route] = seconds

    def drop_next(self, route: str, times: int = 1) -> None:
        """Drop the connection of the next ``times`` requests of ``route`` without answering."""
        with self._lock:
            self._drops[route] = self._drops.get(route, 0) + times

    def cut_stream_next(self, times: int = 1) -> None:
        """Cut the next ``times`` analyze streams mid-way (no ``stream_end``; the connection breaks)."""
        with self._lock:
            self._cuts += times

    def rate_limit(self, route: str, per_minute: int | None) -> None:
        """Limit ``route`` (or its category: tasks, embed, search, analyze) to ``per_minute`` requests."""
        key = RATE_CATEGORIES.get(route, route)
        with self._lock:
            if per_minute is None:
                self._limits.pop(key, None)
            else:
                self._limits[key] = int(per_minute)
            self._windows.pop(key, None)

    def calls(self, route: str) -> list[RecordedRequest]:
        """The recorded requests of one route, oldest first."""
        return [r for r in self.requests if r.route == route]

    def advance(self, task_id: str | None = None, steps: int = 1) -> None:
        """Move one task (or every unfinished task) ``steps`` statuses forward."""
        with self._lock:
            for _ in range(steps):
                if task_id is not None:
                    if task_id in self.tasks:
                        self.step_task(self.tasks[task_id])
                    elif task_id in self.embed_tasks:
                        self.step_embed_task(self.embed_tasks[task_id])
                    else:
                        raise KeyError(f"no task {task_id!r}")
                    continue
                for t in list(self.tasks.values()):
                    self.step_task(t)
                for e in list(self.embed_tasks.values()):
                    self.step_embed_task(e)

    # ------------------------------------------------------------------ the transport-neutral core
    def match(self, method: str, path: str) -> tuple[str | None, str | None, dict[str, str]]:
        """Return ``(route name, handler name, path params)`` for a path relative to /v1.3."""
        for m, rx, name, handler in _COMPILED:
            found = rx.match(path)
            if found and m == method:
                return name, handler, found.groupdict()
        return None, None, {}

    def begin(self, method: str, raw_path: str) -> tuple[RecordedRequest, float, bool]:
        """Start a request: log it, count it in flight; returns (record, latency, drop)."""
        path = raw_path[len(API_PREFIX):] if raw_path.startswith(API_PREFIX + "/") else None
        route = self.match(method, path)[0] if path is not None else None
        rec = RecordedRequest(method, raw_path, route, started_at=self._time())
        with self._flight_lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        with self._lock:
            self.requests.append(rec)
            drop = False
            for key in (route, "*"):
                if key is not None and self._drops.get(key):
                    self._drops[key] -= 1
                    drop = True
                    break
        latency = self._latency.get(route or "", 0.0) + self._latency.get("*", 0.0)
        return rec, latency, drop

    def end(self, rec: RecordedRequest, status: int | None) -> None:
        rec.status, rec.ended_at = status, self._time()
        with self._flight_lock:
            self.in_flight -= 1

    def respond(self, rec: RecordedRequest, headers: dict[str, str], query: str, body: bytes,
                origin: str = "http://emulator") -> Resp:
        """Produce the response of a begun request (auth, faults, rate limits, the route)."""
        resp = self._respond(rec, headers, query, body, origin)
        resp.headers.setdefault("X-Api-Version", "1.3")
        if resp.stream is not None:
            with self._lock:
                cut = self._cuts > 0
                if cut:
                    self._cuts -= 1
            if cut:
                resp.stream = _cut(resp.stream)
        return resp

    def _respond(self, rec: RecordedRequest, headers: dict[str, str], query: str, body: bytes, origin: str) -> Resp:
        from urllib.parse import parse_qsl

        if rec.method == "GET" and rec.path.startswith(("/thumbnails/", "/hls/")):
            with self._lock:
                return self.asset(rec.path)
        if not rec.path.startswith(API_PREFIX + "/"):
            return _error(ApiError(404, "not_found", f"No route {rec.method} {rec.path}: the base URL must end "
                                                     f"with {API_PREFIX} (e.g. http://127.0.0.1:PORT{API_PREFIX})."))
        path = rec.path[len(API_PREFIX):]
        route, handler, params = self.match(rec.method, path)
        if route is None or handler is None:  # (both or neither)
            return _error(ApiError(404, "not_found", f"No route {rec.method} {path} in API v1.3."))
        with self._lock:
            for fault_key in (route, "*"):
                queue = self._faults.get(fault_key)
                if queue:
                    fault = queue[0]
                    fault.times -= 1
                    if fault.times <= 0:
                        queue.pop(0)
                    return _fault_response(fault)
        if route in RAW_ROUTES:  # presigned chunk PUTs (testing/_multipart.py)
            return self.respond_raw(rec, route, handler, params, query, body)
        key = headers.get("x-api-key")
        if not key or (self.api_keys is not None and key not in self.api_keys):
            what = "No API key was sent" if not key else "The API key you provided is not valid"
            return _error(ApiError(401, "api_key_invalid",
                                   f"{what}; pass a valid key in the x-api-key header (keys look like tlk_...)."))
        try:
            ctype = headers.get("content-type", "")
            form, files, data = parse_body(ctype, body)
            req = Req(rec.method, path, route, params, parse_qsl(query, keep_blank_values=True), form, files, data,
                      ctype, origin)
            rec.query, rec.form, rec.json = req.query, form, data
            rec.files = [(name, p.filename, p.size) for name, parts in files.items() for p in parts]
            with self._lock:
                if self.strict:  # the one choke point of strict mode, before rate limits and the handler
                    strict_gate(self, req, handler)
                rl_headers = self._rate_check(route)
                self.tick()
                resp: Resp = getattr(self, handler)(req)  # (handlers are looked up by name)
            resp.headers.update(rl_headers)
            return resp
        except ApiError as exc:
            return _error(exc)
        except Exception as exc:  # an emulator bug must still produce an HTTP answer
            import traceback

            traceback.print_exc()
            return _error(ApiError(500, "internal_error", f"FakeTwelveLabs failed on {rec.method} {path}: {exc!r} "
                                                          "(an emulator bug; please report it)."))

    def _rate_check(self, route: str) -> dict[str, str]:
        key = RATE_CATEGORIES.get(route, route)
        limit = self._limits.get(key)
        if limit is None:
            return {}
        now = self._time()
        start, used = self._windows.get(key, (now, 0))
        if now - start >= 60:
            start, used = now, 0
        reset = start + 60
        if used >= limit:
            wait = max(1, math.ceil(reset - now))
            raise ApiError(429, "too_many_requests",
                           f"You have exceeded the rate limit ({limit} requests per minute). Please try again "
                           f"later after {wait} seconds.",
                           {"Retry-After": str(wait), "X-Ratelimit-Limit": str(limit), "X-Ratelimit-Remaining": "0",
                            "X-Ratelimit-Used": str(used), "X-Ratelimit-Reset": str(int(reset))})
        used += 1
        self._windows[key] = (start, used)
        return {"X-Ratelimit-Limit": str(limit), "X-Ratelimit-Remaining": str(limit - used),
                "X-Ratelimit-Used": str(used), "X-Ratelimit-Reset": str(int(reset))}

    # ------------------------------------------------------------------ httpx adapters
    def __call__(self, request: httpx.Request) -> httpx.Response:
        """Handle an ``httpx.Request`` synchronously (so ``httpx.MockTransport(fake)`` works)."""
        rec, latency, drop = self.begin(request.method, request.url.path)
        status = None
        try:
            if drop:
                raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
            if latency:
                time.sleep(latency)
            resp = self.respond(rec, lower_headers(request.headers), request.url.query.decode(), request.read(),
                                origin_of(request))
            status = resp.status
            return to_httpx(resp, request)
        finally:
            self.end(rec, status)

    async def handle_async(self, request: httpx.Request) -> httpx.Response:
        """Handle an ``httpx.Request`` for an async client; latency is awaited, never blocking the loop."""
        rec, latency, drop = self.begin(request.method, request.url.path)
        status = None
        try:
            if drop:
                raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
            if latency:
                await asyncio.sleep(latency)
            body = await request.aread()
            resp = self.respond(rec, lower_headers(request.headers), request.url.query.decode(), body,
                                origin_of(request))
            status = resp.status
            return to_httpx(resp, request)
        finally:
            self.end(rec, status)

    def transport(self) -> httpx.BaseTransport:
        """An ``httpx`` transport for sync clients."""
        return httpx.MockTransport(self)

    def async_transport(self) -> httpx.AsyncBaseTransport:
        """An ``httpx`` transport for async clients."""
        return httpx.MockTransport(self.handle_async)

    def client(self, **kwargs: Any) -> Any:
        """A ``twelvelabs_rag.TwelveLabs`` wired to this emulator (key ``tlk_test`` unless given)."""
        from twelvelabs_rag import TwelveLabs

        kwargs.setdefault("api_key", "tlk_test")
        kwargs.setdefault("base_url", "http://emulator" + API_PREFIX)
        kwargs.setdefault("transport", self.transport())
        _no_poll_sleep(TwelveLabs, kwargs)
        return TwelveLabs(**kwargs)

    def async_client(self, **kwargs: Any) -> Any:
        """A ``twelvelabs_rag.AsyncTwelveLabs`` wired to this emulator."""
        from twelvelabs_rag import AsyncTwelveLabs

        kwargs.setdefault("api_key", "tlk_test")
        kwargs.setdefault("base_url", "http://emulator" + API_PREFIX)
        kwargs.setdefault("transport", self.async_transport())
        _no_poll_sleep(AsyncTwelveLabs, kwargs)
        return AsyncTwelveLabs(**kwargs)


def _statuses(values: Iterable[str], name: str) -> tuple[str, ...]:
    out = tuple(values)
    if not out or out[-1] != "ready":
        raise ValueError(f"{name} must be a non-empty sequence ending with 'ready', got {out!r}")
    return out


def _no_poll_sleep(cls: type, kwargs: dict[str, Any]) -> None:
    """Tasks advance per poll, so waiting needs no wall-clock sleep: poll_interval 0 unless given."""
    import inspect

    if "poll_interval" in inspect.signature(cls).parameters:
        kwargs.setdefault("poll_interval", 0.0)


def _error(exc: ApiError) -> Resp:
    return Resp(exc.status, exc.body(), dict(exc.headers))


def _fault_response(fault: _Fault) -> Resp:
    headers = {}
    if fault.retry_after is not None:
        headers["Retry-After"] = f"{fault.retry_after:g}"
    if fault.body is not None:
        if isinstance(fault.body, (bytes, str)):
            data = fault.body.encode() if isinstance(fault.body, str) else fault.body
            return Resp(fault.status, None, headers, stream=iter([data]) if data else None,
                        content_type="text/plain")
        return Resp(fault.status, fault.body, headers)
    code = _ERROR_CODES.get(fault.status, "injected_error")
    return Resp(fault.status, {"code": code, "message": f"Injected {fault.status} from the emulator ({code}).",
                               "docs_url": DOCS_URL}, headers)


def _cut(stream: Iterator[bytes]) -> Iterator[bytes]:
    lines = list(stream)
    keep = max(1, (len(lines) - 1) // 2)
    yield from lines[:keep]
    raise StreamCut("stream cut by the emulator")
