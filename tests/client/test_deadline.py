"""``timeout=`` bounds a whole attempt, not each read (issue 9, item 5).

A loopback server started here answers promptly with headers and then drips the body one byte at a
time, each byte well inside the per-read timeout. Before the fix a ``timeout=1`` call took as long
as the server liked (a 42 s probe); now it raises ``APITimeoutError``. pytest-timeout bounds each
test, so a regression fails instead of hanging; nothing here asserts a duration.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from twelvelabs_rag import APITimeoutError, AsyncTwelveLabs, TwelveLabs

LIST_BODY = b'{"data":[],"page_info":{"page":1,"total_page":1,"total_results":0,"limit_per_page":10}}'
START = b'{"event_type":"stream_start","metadata":{"generation_id":"g1"}}\n'
TEXT = b'{"event_type":"text_generation","text":"hello "}\n'
END = b'{"event_type":"stream_end","finish_reason":"stop","metadata":{"generation_id":"g1"}}\n'
DRIP = 0.25  # seconds between bytes: well inside the 1 s per-read timeout


class DripServer:
    """Serves one scripted answer per connection; ``script(send)`` writes it. Loopback only, bounded."""

    def __init__(self, script: Any) -> None:
        self.script = script
        self.stop = threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.threads: list[threading.Thread] = []
        self.acceptor = threading.Thread(target=self._accept, daemon=True)
        self.acceptor.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1.3"

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self.threads.append(t)
            t.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            data = b""
            try:
                while b"\r\n\r\n" not in data:
                    more = conn.recv(65536)
                    if not more:
                        return
                    data += more

                def send(chunk: bytes, *, drip: bool = False) -> None:
                    for piece in ([chunk[i:i + 1] for i in range(len(chunk))] if drip else [chunk]):
                        if self.stop.wait(DRIP if drip else 0):
                            raise ConnectionAbortedError
                        conn.sendall(piece)

                self.script(send)
            except OSError:  # the client gave up and closed: that is the point
                return

    def close(self) -> None:
        self.stop.set()
        self.sock.close()
        self.acceptor.join(5)
        for t in self.threads:
            t.join(5)


def _drip_list(send: Any) -> None:
    send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(LIST_BODY))
    send(LIST_BODY, drip=True)


def _drip_headers(send: Any) -> None:
    send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(LIST_BODY), drip=True)
    send(LIST_BODY)


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def _stream_head(send: Any) -> None:
    send(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n")


def _stalled_event(send: Any) -> None:
    """The first event arrives at once; the second drips byte by byte, never completing in time."""
    _stream_head(send)
    send(_chunk(START))
    for byte in TEXT:
        send(_chunk(bytes([byte])), drip=True)


def _steady_events(send: Any) -> None:
    """Every event arrives within the budget, but the stream as a whole runs longer than it."""
    _stream_head(send)
    for line in (START, TEXT, TEXT, TEXT, TEXT, END):
        send(b"", drip=False)
        send(_chunk(line))
        threading.Event().wait(DRIP)
    send(b"0\r\n\r\n")


@pytest.fixture
def drip() -> Iterator[Any]:
    servers: list[DripServer] = []

    def start(script: Any) -> DripServer:
        servers.append(DripServer(script))
        return servers[-1]

    yield start
    for s in servers:
        s.close()


def _sync(server: DripServer, timeout: float = 1.0) -> TwelveLabs:
    return TwelveLabs(api_key="tlk_test", base_url=server.base_url, timeout=timeout, max_retries=0)


def _async(server: DripServer, timeout: float = 1.0) -> AsyncTwelveLabs:
    return AsyncTwelveLabs(api_key="tlk_test", base_url=server.base_url, timeout=timeout, max_retries=0)


@pytest.mark.timeout(15)
def test_sync_dripped_body_times_out(drip: Any) -> None:
    with _sync(drip(_drip_list)) as client, pytest.raises(APITimeoutError, match="whole-request deadline"):
        list(client.indexes.list())


@pytest.mark.timeout(15)
def test_async_dripped_body_times_out(drip: Any) -> None:
    async def main() -> None:
        async with _async(drip(_drip_list)) as client:
            with pytest.raises(APITimeoutError, match="whole-request deadline"):
                [i async for i in client.indexes.list()]

    asyncio.run(main())


@pytest.mark.timeout(15)
def test_async_dripped_headers_time_out(drip: Any) -> None:
    async def main() -> None:
        async with _async(drip(_drip_headers)) as client:
            with pytest.raises(APITimeoutError, match="whole-request deadline"):
                [i async for i in client.indexes.list()]

    asyncio.run(main())


@pytest.mark.timeout(15)
def test_sync_stream_event_deadline(drip: Any) -> None:
    with _sync(drip(_stalled_event)) as client:
        stream = client.analyze(video_id="v1", prompt="Describe", stream=True)
        events = []
        with pytest.raises(APITimeoutError, match="next stream event"):
            for event in stream:
                events.append(event.event_type)
        assert events == ["stream_start"]


@pytest.mark.timeout(15)
def test_async_stream_event_deadline(drip: Any) -> None:
    async def main() -> list[str]:
        events: list[str] = []
        async with _async(drip(_stalled_event)) as client:
            stream = await client.analyze(video_id="v1", prompt="Describe", stream=True)
            with pytest.raises(APITimeoutError, match="next stream event"):
                async for event in stream:
                    events.append(event.event_type)
        return events

    assert asyncio.run(main()) == ["stream_start"]


@pytest.mark.timeout(15)
def test_a_stream_may_outlast_the_budget_when_each_event_is_in_time(drip: Any) -> None:
    # six events 0.25 s apart under timeout=0.6: the deadline is per event, not for the whole stream
    with _sync(drip(_steady_events), timeout=0.6) as client:
        text = client.analyze(video_id="v1", prompt="Describe", stream=True).text()
    assert text == "hello " * 4

    async def main() -> str:
        async with _async(drip(_steady_events), timeout=0.6) as client:
            return await (await client.analyze(video_id="v1", prompt="Describe", stream=True)).text()

    assert asyncio.run(main()) == "hello " * 4


@pytest.mark.timeout(15)
def test_sync_dripped_headers_time_out(drip: Any) -> None:
    # the client's own pool caps each socket read at the time left, so dripped headers end too
    with _sync(drip(_drip_headers)) as client, pytest.raises(APITimeoutError):
        list(client.indexes.list())
