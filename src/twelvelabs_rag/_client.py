"""``TwelveLabs`` and ``AsyncTwelveLabs``: the shells that send, sleep and loop.

Every decision (retry or not, how long to wait, which error) comes from ``_policy``; this module
only performs I/O. httpx exceptions become ours through one translator,
``_policy.translate_transport_error``, called where bytes move (``_send_once`` here and the NDJSON
stream readers), always chained with ``from``.

```python
from twelvelabs_rag import TwelveLabs
with TwelveLabs(api_key="tlk_...") as client:
    for index in client.indexes.list():
        print(index.index_name)
```
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

import anyio
import httpx

from ._config import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    check_callable,
    check_headers,
    check_max_retries,
    check_poll_interval,
    check_timeout,
    log,
    resolve_api_key,
    resolve_base_url,
)
from ._deadline import (
    AsyncTimedStream,
    Deadline,
    DeadlineTransport,
    TimedStream,
    atimed_body,
    reading_within,
    request_budget,
    timed_body,
)
from ._exceptions import KEY_HEADER, APIConnectionError, ConfigurationError, TwelveLabsError, redact
from ._multipart import CHUNK, MultipartBody
from ._policy import Action, AttemptState, decide, translate_transport_error
from ._request import RequestSpec, build_url
from ._version import __version__

if TYPE_CHECKING:
    from .resources.analyze import Analyze, AsyncAnalyze
    from .resources.assets import Assets, AsyncAssets
    from .resources.connectors import AsyncDataConnectors, DataConnectors
    from .resources.embed import AsyncEmbed, Embed
    from .resources.entities import AsyncEntityCollections, EntityCollections
    from .resources.indexes import AsyncIndexes, Indexes
    from .resources.knowledge_stores import AsyncKnowledgeStores, KnowledgeStores
    from .resources.responses import AsyncResponses, Responses
    from .resources.search import AsyncSearch, Search
    from .resources.tasks import AsyncTasks, Tasks

__all__ = ["TwelveLabs", "AsyncTwelveLabs"]

#: ``recover()`` for uploads: look for what an ambiguous failed attempt may have created.
Recover = Callable[[], Any]


def _recovered(recover: Recover | None, error: Exception) -> Any:
    if recover is None:
        return None
    try:
        return recover()
    except TwelveLabsError as lookup_error:
        raise error from lookup_error


#: The constructor arguments that ``BaseClient`` resolves (key, URL, timeout, retries, ...).
_CONFIG_ARGS = ("api_key", "base_url", "timeout", "max_retries", "preflight", "default_headers", "poll_interval",
                "clock")


def _config_args(args: Mapping[str, Any]) -> dict[str, Any]:
    return {name: args[name] for name in _CONFIG_ARGS}


def _owns_http(http_client: object, transport: object, sleep: object) -> bool:
    """Whether the client makes (and so closes) its own connection pool."""
    if http_client is not None and transport is not None:
        raise ConfigurationError("pass either http_client=... or transport=..., not both")
    if sleep is not None and not callable(sleep):
        raise ConfigurationError(f"sleep must be a function or None, got {type(sleep).__name__}")
    return http_client is None


class KeyHeaders(httpx.Headers):
    """Request headers whose ``repr`` masks the API key (httpx itself masks only ``Authorization``)."""

    def __repr__(self) -> str:
        masked = [(k, "[secure]" if k.lower() == KEY_HEADER else v) for k, v in self.multi_items()]
        return repr(httpx.Headers(masked, encoding=self.encoding))


class BaseClient:
    """What ``TwelveLabs`` and ``AsyncTwelveLabs`` share: the configuration (resolved once), the headers,
    the shared 429 pause and redaction (no I/O)."""

    def __init__(
        self,
        api_key: str | None,
        *,
        base_url: str | None,
        timeout: float | httpx.Timeout | None,
        max_retries: int,
        preflight: bool,
        default_headers: Mapping[str, str] | None,
        poll_interval: float | None,
        clock: Callable[[], float] | None,
    ) -> None:
        self._api_key = resolve_api_key(api_key)
        self.base_url = resolve_base_url(base_url)
        self.max_retries = check_max_retries(max_retries)
        self.timeout = check_timeout(timeout)
        if not isinstance(preflight, bool):
            raise ConfigurationError(f"preflight must be True or False, got {preflight!r:.40}")
        self.preflight = preflight
        self.poll_interval = check_poll_interval(poll_interval)
        check_callable("clock", clock)
        self._clock = clock or time.monotonic
        #: After a 429, every request of this client holds back until this clock time (all workers back off).
        self._pause_until = 0.0
        self._headers = {
            "x-api-key": self._api_key,
            "user-agent": f"twelvelabs-rag/{__version__}",
            "accept": "application/json",
            **check_headers(default_headers),
        }

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, api_key='<redacted>', "
            f"max_retries={self.max_retries}, preflight={self.preflight})"
        )

    def _content(self, spec: RequestSpec, body: MultipartBody | None, stream_body: Any) -> tuple[Any, dict[str, str]]:
        headers = dict(self._headers)
        if body is not None:
            headers.update(body.headers())
            return stream_body, headers
        if spec.json is not None:
            headers["content-type"] = "application/json"
            return json.dumps(spec.json, ensure_ascii=False).encode("utf-8"), headers
        return None, headers

    def _redact(self, exc: TwelveLabsError) -> TwelveLabsError:
        """Last line of defence: the key never appears in an exception's text or ``body``."""
        redact(exc, self._api_key)
        return exc

    def _gate(self, cleared: float) -> tuple[float, float]:
        """``(seconds to hold back before sending, new cleared mark)`` for the shared 429 pause."""
        gate = self._pause_until
        if gate <= cleared:
            return 0.0, cleared
        return max(0.0, gate - self._clock()), gate

    def _rate_limited(self, delay: float) -> float:
        """Note a 429: hold back every request of this client for ``delay`` seconds; returns the mark."""
        self._pause_until = max(self._pause_until, self._clock() + delay)
        return self._pause_until

    def _log_retry(self, spec: RequestSpec, attempt: int, delay: float, why: str) -> None:
        log.info("retrying %s %s in %.2f s (retry %d of %d) after %s", spec.method, spec.path, delay, attempt + 1,
                 self.max_retries, why)


def _prepare(client: BaseClient, spec: RequestSpec,
             can_recover: bool) -> tuple[MultipartBody | None, bytes | None, AttemptState]:
    """The body (in-memory bodies encoded once for every attempt) and the first attempt's state."""
    body = MultipartBody(spec.form, spec.files) if spec.multipart else None
    cached = body.to_bytes() if body is not None and body.in_memory else None
    return body, cached, AttemptState(spec.method, client.max_retries, 0, can_recover)


def _slices(data: bytes) -> Iterator[bytes]:
    """An in-memory body in chunks, so the deadline restarts as it is written (see ``_deadline``)."""
    for start in range(0, len(data), CHUNK):
        yield data[start:start + CHUNK]


def _http_request(client: Any, spec: RequestSpec, body: MultipartBody | None, stream_body: Any) -> httpx.Request:
    content, headers = client._content(spec, body, stream_body)
    request = client._http.build_request(
        spec.method, build_url(client.base_url, spec.path), params=spec.params or None, content=content,
        headers=headers, timeout=client.timeout,
    )
    request.headers = KeyHeaders(request.headers)  # its repr masks the key, wherever the request ends up
    return request  # type: ignore[no-any-return]


def _settle(client: BaseClient, spec: RequestSpec, state: AttemptState, action: Action, cleared: float) -> float:
    """Act on a failed attempt that recovery did not resolve: note a 429 pause, then raise or log the retry.

    Returns the new mark of the shared 429 gate; the caller sleeps ``action.delay`` and tries again.
    """
    if action.pause is not None:
        cleared = client._rate_limited(action.pause)
    if action.kind == "raise":
        raise client._redact(action.error)  # type: ignore[arg-type]
    client._log_retry(spec, state.retries, action.delay, action.reason)
    return cleared


class TwelveLabs(BaseClient):
    """Synchronous TwelveLabs client.

    Args:
        api_key: the key; else env ``TWELVELABS_API_KEY`` (or ``TWELVE_LABS_API_KEY``).
        base_url: else env ``TWELVELABS_BASE_URL``, else ``https://api.twelvelabs.io/v1.3``.
        timeout: seconds per HTTP request (or an ``httpx.Timeout``).
        max_retries: retries after the first attempt for 408/409/429/5xx and connection errors.
        http_client: an ``httpx.Client`` to use (not closed by ``close()``); or
        transport: an ``httpx.BaseTransport`` (e.g. the emulator's).
        preflight: check media against the API limits before uploading.
        default_headers: extra headers for every request.
        poll_interval: default seconds between polls in ``wait`` (5; use 0 in tests).
        sleep: the function every wait goes through (default ``time.sleep``).
        clock: monotonic clock used for wait timeouts (default ``time.monotonic``).

    ```python
    client = TwelveLabs(api_key="tlk_...", max_retries=3)
    vec = client.embed.create(model_name="marengo3.0", text="a red fox").text_embedding.vector
    ```
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        preflight: bool = True,
        default_headers: Mapping[str, str] | None = None,
        poll_interval: float | None = None,
        sleep: Callable[[float], Any] | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(**_config_args(locals()))
        self._owns_http = _owns_http(http_client, transport, sleep)
        self._http = http_client or (
            httpx.Client(transport=transport, timeout=self.timeout) if transport is not None
            # mounted (not transport=), so proxies from the environment still apply as before
            else httpx.Client(mounts={"all://": DeadlineTransport()}, timeout=self.timeout)
        )
        self._sleep = sleep or time.sleep

    # resources -------------------------------------------------------------------------------
    @cached_property
    def indexes(self) -> Indexes:
        from .resources.indexes import Indexes

        return Indexes(self)

    @cached_property
    def tasks(self) -> Tasks:
        from .resources.tasks import Tasks

        return Tasks(self)

    @cached_property
    def search(self) -> Search:
        from .resources.search import Search

        return Search(self)

    @cached_property
    def embed(self) -> Embed:
        from .resources.embed import Embed

        return Embed(self)

    @cached_property
    def analyze(self) -> Analyze:
        from .resources.analyze import Analyze

        return Analyze(self)

    # current surface: hosted RAG (entity search, knowledge stores, Responses, data connectors)
    @cached_property
    def entity_collections(self) -> EntityCollections:
        from .resources.entities import EntityCollections

        return EntityCollections(self)

    @cached_property
    def knowledge_stores(self) -> KnowledgeStores:
        from .resources.knowledge_stores import KnowledgeStores

        return KnowledgeStores(self)

    @cached_property
    def responses(self) -> Responses:
        from .resources.responses import Responses

        return Responses(self)

    @cached_property
    def data_connectors(self) -> DataConnectors:
        from .resources.connectors import DataConnectors

        return DataConnectors(self)

    @cached_property
    def assets(self) -> Assets:
        from .resources.assets import Assets

        return Assets(self)

    # lifecycle --------------------------------------------------------------------------------
    def close(self) -> None:
        """Close the connection pool (not an ``http_client`` you passed in)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> TwelveLabs:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # the loop ---------------------------------------------------------------------------------
    def _send_once(self, spec: RequestSpec, body: MultipartBody | None, cached: bytes | None) -> httpx.Response:
        deadline = Deadline(request_budget(self.timeout), time.monotonic)
        stream_body = None
        if body is not None:
            stream_body = timed_body(_slices(cached) if cached is not None else body.iter_chunks(), deadline)
        request = _http_request(self, spec, body, stream_body)
        try:
            with reading_within(deadline):  # our own pool caps each socket read at the time left
                response = self._http.send(request, stream=True)
            try:
                response.stream = TimedStream(response.stream, deadline, request, per_event=spec.stream)
                if not spec.stream or not response.is_success:
                    response.read()
            except BaseException:
                response.close()
                raise
            return response
        except httpx.TransportError as exc:
            raise translate_transport_error(exc, request) from exc

    def _request(self, spec: RequestSpec, *, recover: Recover | None = None) -> Any:
        """Send with retries; returns the successful response, or what ``recover`` found."""
        body, cached, state = _prepare(self, spec, recover is not None)
        cleared = 0.0
        while True:
            hold, cleared = self._gate(cleared)
            if hold > 0:
                self._sleep(hold)
            try:
                outcome: httpx.Response | APIConnectionError = self._send_once(spec, body, cached)
            except APIConnectionError as err:
                outcome = err
            action = decide(state, outcome, now=time.time())
            if action.kind == "return":
                return outcome
            if action.recover:
                found = _recovered(recover, self._redact(action.error))  # type: ignore[arg-type]
                if found is not None:
                    return found
            cleared = _settle(self, spec, state, action, cleared)
            self._sleep(action.delay)
            state = state.next()


class AsyncTwelveLabs(BaseClient):
    """Asynchronous TwelveLabs client; same arguments as :class:`TwelveLabs` with async twins.

    ``http_client`` is an ``httpx.AsyncClient``, ``transport`` an ``httpx.AsyncBaseTransport``,
    ``sleep`` an async function (default ``anyio.sleep``).

    ```python
    async with AsyncTwelveLabs() as client:
        res = await client.search.create(index_id=idx, query_text="a red fox")
    ```
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        preflight: bool = True,
        default_headers: Mapping[str, str] | None = None,
        poll_interval: float | None = None,
        sleep: Callable[[float], Awaitable[Any]] | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(**_config_args(locals()))
        self._owns_http = _owns_http(http_client, transport, sleep)
        self._http = http_client or httpx.AsyncClient(transport=transport, timeout=self.timeout)
        self._sleep = sleep or anyio.sleep

    @cached_property
    def indexes(self) -> AsyncIndexes:
        from .resources.indexes import AsyncIndexes

        return AsyncIndexes(self)

    @cached_property
    def tasks(self) -> AsyncTasks:
        from .resources.tasks import AsyncTasks

        return AsyncTasks(self)

    @cached_property
    def search(self) -> AsyncSearch:
        from .resources.search import AsyncSearch

        return AsyncSearch(self)

    @cached_property
    def embed(self) -> AsyncEmbed:
        from .resources.embed import AsyncEmbed

        return AsyncEmbed(self)

    @cached_property
    def analyze(self) -> AsyncAnalyze:
        from .resources.analyze import AsyncAnalyze

        return AsyncAnalyze(self)

    # current surface: hosted RAG (entity search, knowledge stores, Responses, data connectors)
    @cached_property
    def entity_collections(self) -> AsyncEntityCollections:
        from .resources.entities import AsyncEntityCollections

        return AsyncEntityCollections(self)

    @cached_property
    def knowledge_stores(self) -> AsyncKnowledgeStores:
        from .resources.knowledge_stores import AsyncKnowledgeStores

        return AsyncKnowledgeStores(self)

    @cached_property
    def responses(self) -> AsyncResponses:
        from .resources.responses import AsyncResponses

        return AsyncResponses(self)

    @cached_property
    def data_connectors(self) -> AsyncDataConnectors:
        from .resources.connectors import AsyncDataConnectors

        return AsyncDataConnectors(self)

    @cached_property
    def assets(self) -> AsyncAssets:
        from .resources.assets import AsyncAssets

        return AsyncAssets(self)

    async def aclose(self) -> None:
        """Close the connection pool (not an ``http_client`` you passed in)."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncTwelveLabs:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def _send_once(self, spec: RequestSpec, body: MultipartBody | None, cached: bytes | None) -> httpx.Response:
        deadline = Deadline(request_budget(self.timeout), anyio.current_time)
        stream_body = None
        if body is not None:
            chunks = _aslices(cached) if cached is not None else body.aiter_chunks()
            stream_body = atimed_body(chunks, deadline)
        request = _http_request(self, spec, body, stream_body)
        response: httpx.Response | None = None
        try:
            with anyio.CancelScope(deadline=deadline.at) as scope:
                deadline.scope = scope
                response = await self._http.send(request, stream=True)
                response.stream = AsyncTimedStream(response.stream, deadline, request, per_event=spec.stream)
                if not spec.stream or not response.is_success:
                    await response.aread()
            deadline.scope = None
            if scope.cancelled_caught:  # the deadline passed before the answer was in
                raise deadline.error(request)
            return response  # type: ignore[return-value]
        except httpx.TransportError as exc:
            if response is not None:
                await response.aclose()
            raise translate_transport_error(exc, request) from exc
        except BaseException:
            if response is not None:
                with anyio.CancelScope(shield=True):
                    await response.aclose()
            raise

    async def _request(self, spec: RequestSpec, *, recover: Callable[[], Awaitable[Any]] | None = None) -> Any:
        """Send with retries; returns the successful response, or what ``recover`` found."""
        body, cached, state = _prepare(self, spec, recover is not None)
        cleared = 0.0
        while True:
            hold, cleared = self._gate(cleared)
            if hold > 0:
                await self._sleep(hold)
            try:
                outcome: httpx.Response | APIConnectionError = await self._send_once(spec, body, cached)
            except APIConnectionError as err:
                outcome = err
            action = decide(state, outcome, now=time.time())
            if action.kind == "return":
                return outcome
            if action.recover:
                found = await _arecovered(recover, self._redact(action.error))  # type: ignore[arg-type]
                if found is not None:
                    return found
            cleared = _settle(self, spec, state, action, cleared)
            await self._sleep(action.delay)
            state = state.next()


async def _aslices(data: bytes) -> Any:
    for chunk in _slices(data):
        yield chunk


async def _arecovered(recover: Callable[[], Awaitable[Any]] | None, error: Exception) -> Any:
    if recover is None:
        return None
    try:
        return await recover()
    except TwelveLabsError as lookup_error:
        raise error from lookup_error
