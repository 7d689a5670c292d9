"""Serve a :class:`FakeTwelveLabs` as a real HTTP/1.1 server on loopback (stdlib only).

Keep-alive connections, NDJSON streams written with chunked encoding and flushed line by line,
``drop_next`` closes the socket without an answer, ``cut_stream_next`` breaks a stream mid-way.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

from ._fake import API_PREFIX, FakeTwelveLabs
from ._http import StreamCut

__all__ = ["serve", "make_server"]

_REASONS = {200: "OK", 201: "Created", 204: "No Content", 400: "Bad Request", 401: "Unauthorized",
            404: "Not Found", 429: "Too Many Requests", 500: "Internal Server Error"}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes
    server_version = "FakeTwelveLabs/1.3"
    fake: FakeTwelveLabs

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet by default
        pass

    def _body(self) -> bytes:
        if self.headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length else b""

    def _handle(self) -> None:
        fake = self.server.fake  # type: ignore[attr-defined]
        path, _, query = self.path.partition("?")
        body = self._body()
        rec, latency, drop = fake.begin(self.command, path)
        status = None
        try:
            if drop:
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            if latency:
                time.sleep(latency)
            headers = {k.lower(): v for k, v in self.headers.items()}
            origin = f"http://{self.headers.get('host') or '%s:%d' % self.server.server_address[:2]}"
            resp = fake.respond(rec, headers, query, body, origin)
            status = resp.status
            self.send_response(resp.status, _REASONS.get(resp.status))
            for k, v in resp.headers.items():
                self.send_header(k, v)
            if resp.stream is not None:
                self.send_header("Content-Type", resp.content_type)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                self._write_stream(resp.stream)
                return
            data = resp.encoded()
            if data:
                self.send_header("Content-Type", resp.content_type)
            if resp.status != 204:
                self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        finally:
            fake.end(rec, status)

    def _write_stream(self, chunks: Iterator[bytes]) -> None:
        try:
            for chunk in chunks:
                if chunk:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
        except StreamCut:
            self.wfile.flush()
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], fake: FakeTwelveLabs) -> None:
        self.fake = fake
        super().__init__(address, _Handler)


def make_server(fake: FakeTwelveLabs | None = None, host: str = "127.0.0.1", port: int = 0) -> _Server:
    """Build (not start) the HTTP server; ``server.serve_forever()`` runs it."""
    return _Server((host, port), fake if fake is not None else FakeTwelveLabs())


@contextlib.contextmanager
def serve(fake: FakeTwelveLabs | None = None, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Run the emulator on loopback in a background thread; yields the base URL (ending in ``/v1.3``).

    Example:
        ```python
        with serve() as base_url:
            print(base_url)  # http://127.0.0.1:54321/v1.3
        ```
    """
    server = make_server(fake, host, port)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="fake-twelvelabs", daemon=True)
    thread.start()
    try:
        h, p = server.server_address[:2]
        yield f"http://{h}:{p}{API_PREFIX}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
