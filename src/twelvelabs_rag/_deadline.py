"""The whole-request deadline behind ``timeout=``.

httpx applies a timeout to each phase and to *each read*, so a server that drips one byte a second
never trips it. Here ``timeout`` also bounds one attempt as a whole:

- the attempt's budget is :func:`request_budget` seconds (the largest phase of the ``httpx.Timeout``;
  none when ``read`` is unlimited);
- the clock starts when the request is sent and restarts after every chunk of a request body is
  written (an upload's duration grows with its size; the budget bounds the silence, not the size);
- a plain answer must then arrive whole, headers and body, before the deadline;
- a stream (``analyze(stream=True)``) gets a per-event deadline instead: the clock restarts when
  iteration starts and after every chunk that ends an event (a newline) has been handed on, so each
  NDJSON event must arrive within the budget, however long the whole stream runs and however long
  the caller takes between events.

The async client enforces this exactly (a cancel scope around the send and each read). The sync
client checks it between the chunks of the answer, and, on the connection pool it builds itself
(no ``http_client=``/``transport=`` given), caps every socket read at the time left
(:class:`DeadlineTransport`), so dripped response headers are bounded too. With a pool of your own,
each read is bounded by the phase timeouts only (never longer than the budget).
A missed deadline raises ``httpx.ReadTimeout``, which the client turns into ``APITimeoutError``.

```python
import httpx
from twelvelabs_rag._deadline import request_budget
assert request_budget(httpx.Timeout(3.0)) == 3.0 and request_budget(httpx.Timeout(None)) is None
```
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator
from contextvars import ContextVar
from typing import Any

import anyio
import httpcore
import httpx

__all__ = ["request_budget", "Deadline", "TimedStream", "AsyncTimedStream", "timed_body", "atimed_body",
           "DeadlineTransport", "reading_within"]


def request_budget(timeout: httpx.Timeout) -> float | None:
    """Seconds one attempt may take (see the module doc); None means no whole-request limit."""
    if timeout.read is None:
        return None
    return max(t for t in (timeout.connect, timeout.read, timeout.write, timeout.pool) if t is not None)


class Deadline:
    """One attempt's deadline on ``clock``; ``restart()`` moves it ``budget`` seconds ahead.

    ``scope`` (async only) is the cancel scope that enforces it; a restart moves the scope too.
    """

    __slots__ = ("budget", "clock", "at", "scope", "per_event")

    def __init__(self, budget: float | None, clock: Callable[[], float], *, per_event: bool = False) -> None:
        self.budget = budget
        self.clock = clock
        self.at = math.inf
        self.scope: anyio.CancelScope | None = None
        self.per_event = per_event
        self.restart()

    def restart(self) -> None:
        if self.budget is not None:
            self.at = self.clock() + self.budget
            if self.scope is not None:
                self.scope.deadline = self.at

    def expired(self) -> bool:
        return self.clock() >= self.at

    def error(self, request: httpx.Request | None) -> httpx.ReadTimeout:
        what = "the next stream event did not arrive" if self.per_event else "the answer did not arrive complete"
        return httpx.ReadTimeout(
            f"{what} within timeout={self.budget:g} s (a whole-request deadline, not a per-read one)", request=request
        )


def timed_body(chunks: Iterable[bytes], deadline: Deadline) -> Iterator[bytes]:
    """A request body that restarts the deadline after each chunk is written."""
    for chunk in chunks:
        yield chunk
        deadline.restart()


async def atimed_body(chunks: AsyncIterable[bytes], deadline: Deadline) -> AsyncIterator[bytes]:
    """Async :func:`timed_body`."""
    async for chunk in chunks:
        yield chunk
        deadline.restart()


#: The deadline of the sync request this thread is sending or reading (read by DeadlineTransport).
_ACTIVE: ContextVar[Deadline | None] = ContextVar("twelvelabs_rag_deadline", default=None)


@contextlib.contextmanager
def reading_within(deadline: Deadline) -> Iterator[None]:
    """Socket reads of a :class:`DeadlineTransport` in this block end by ``deadline``."""
    token = _ACTIVE.set(deadline)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket whose every read waits no longer than the active deadline leaves."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        deadline = _ACTIVE.get()
        if deadline is None or deadline.budget is None:
            return self._inner.read(max_bytes, timeout)
        left = deadline.at - deadline.clock()
        if left <= 0:
            raise httpcore.ReadTimeout(str(deadline.error(None)))
        if timeout is not None and timeout <= left:
            return self._inner.read(max_bytes, timeout)
        try:
            return self._inner.read(max_bytes, left)
        except httpcore.ReadTimeout as exc:  # it was the deadline, not the read timeout, that ran out
            raise httpcore.ReadTimeout(str(deadline.error(None))) from exc

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, timeout)

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Any = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.connect_tcp(host, port, timeout, local_address, socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Any = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class DeadlineTransport(httpx.HTTPTransport):
    """httpx's default sync transport (same limits, TLS from the environment) on deadline-capped sockets."""

    def __init__(self) -> None:
        super().__init__()
        # httpx's defaults
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)
        self._pool = httpcore.ConnectionPool(  # the one attribute httpx's handle_request sends through
            ssl_context=httpx.create_ssl_context(), max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections, keepalive_expiry=limits.keepalive_expiry,
            network_backend=_DeadlineBackend(),
        )


class TimedStream(httpx.SyncByteStream):
    """A response body checked against the deadline after every chunk (restarted at newlines for streams)."""

    def __init__(self, inner: Any, deadline: Deadline, request: httpx.Request, per_event: bool) -> None:
        self._inner, self._deadline, self._request, self._per_event = inner, deadline, request, per_event
        deadline.per_event = per_event

    def __iter__(self) -> Iterator[bytes]:
        if self._per_event:  # the clock runs while we wait for the server, not while the caller works
            self._deadline.restart()
        chunks = iter(self._inner)
        while True:
            with reading_within(self._deadline):
                chunk = next(chunks, None)
            if chunk is None:
                return
            if self._deadline.expired():
                raise self._deadline.error(self._request)
            yield chunk
            if self._per_event and b"\n" in chunk:
                self._deadline.restart()

    def close(self) -> None:
        self._inner.close()


class AsyncTimedStream(httpx.AsyncByteStream):
    """Async :class:`TimedStream`: each read runs in a cancel scope ending at the deadline."""

    def __init__(self, inner: Any, deadline: Deadline, request: httpx.Request, per_event: bool) -> None:
        self._inner, self._deadline, self._request, self._per_event = inner, deadline, request, per_event
        deadline.per_event = per_event

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self._per_event:
            self._deadline.restart()
        chunks = self._inner.__aiter__()
        while True:
            with anyio.CancelScope(deadline=self._deadline.at) as scope:
                try:
                    chunk = await chunks.__anext__()
                except StopAsyncIteration:
                    return
            if scope.cancelled_caught:
                raise self._deadline.error(self._request)
            yield chunk
            if self._per_event and b"\n" in chunk:
                self._deadline.restart()

    async def aclose(self) -> None:
        await self._inner.aclose()
