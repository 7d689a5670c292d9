"""Serve a :class:`FakeTwelveLabs` as a real HTTP/1.1 server on loopback (stdlib only).

Keep-alive connections, NDJSON streams written with chunked encoding and flushed line by line,
``drop_next`` closes the socket without an answer, ``cut_stream_next`` breaks a stream mid-way.

Malformed framing gets the API's JSON error body and a closed connection, never an HTML page or a
handler traceback: a ``Content-Length`` that is not a non-negative integer, conflicting lengths, a
bad chunk size, a truncated body or an unknown ``Transfer-Encoding`` -> 400 ``bad_request``; a body
over ``max_body`` bytes (default: the 2 GB video limit plus 16 MB for the form) -> 413
``request_too_large`` before any of it is read. Errors the stdlib server raises itself (a garbage
request line, headers too long, an unknown method) use the same JSON shape.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .._limits import LIMITS
from ._fake import API_PREFIX, FakeTwelveLabs
from ._http import DOCS_URL, StreamCut

__all__ = ["serve", "make_server", "MAX_BODY_BYTES"]

_REASONS = {200: "OK", 201: "Created", 204: "No Content", 400: "Bad Request", 401: "Unauthorized",
            404: "Not Found", 413: "Content Too Large", 429: "Too Many Requests", 500: "Internal Server Error"}

#: The largest request body the server reads (a 2 GB video plus room for the other form fields).
MAX_BODY_BYTES = int(LIMITS["video_max_size"]) + 16 * 1024 * 1024
#: Error codes of the answers the HTTP layer gives itself (the routes give the API's own codes).
_FRAMING_CODES = {400: "bad_request", 408: "request_canceled_or_timed_out", 413: "request_too_large",
                  414: "request_uri_too_long", 431: "request_header_fields_too_large", 500: "internal_error",
                  501: "not_implemented", 505: "http_version_not_supported"}
_MAX_LINE = 1024  # a chunk-size or trailer line


class _Framing(Exception):
    """The request cannot be read as HTTP/1.1 says; answered with ``status`` and the connection closed."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes
    server_version = "FakeTwelveLabs/1.3"
    fake: FakeTwelveLabs

    @property
    def _server(self) -> _Server:
        """The emulator's server (``self.server`` is typed as any socketserver)."""
        assert isinstance(self.server, _Server)
        return self.server

    def log_message(self, format: str, *args: object) -> None:  # quiet by default
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The stdlib's own errors (bad request line, headers too long, ...) in the API's JSON shape."""
        reason = message or self.responses.get(code, ("error",))[0]
        self._json_error(code, f"{reason}." if explain is None else f"{reason}: {explain}")

    def _json_error(self, status: int, message: str) -> None:
        code = _FRAMING_CODES.get(status, "bad_request")
        data = json.dumps({"code": code, "message": message, "docs_url": DOCS_URL}, separators=(",", ":")).encode()
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.send_response(status, _REASONS.get(status))
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
            self.wfile.flush()

    def _body(self) -> bytes:
        limit = self._server.max_body
        encoding = self.headers.get("transfer-encoding")
        if encoding is not None:
            if encoding.strip().lower() != "chunked":
                raise _Framing(400, f"Transfer-Encoding {encoding.strip()[:40]!r} is not supported; send chunked or a "
                                    "Content-Length.")
            return self._chunked(limit)
        values = {v.strip() for v in self.headers.get_all("content-length") or []}
        if not values:
            return b""
        if len(values) > 1:
            raise _Framing(400, "Conflicting Content-Length headers; send exactly one.")
        value = values.pop()
        if not (value.isascii() and value.isdigit()):
            raise _Framing(400, f"Content-Length must be a non-negative integer number of bytes, got {value[:40]!r}.")
        if len(value) > 20 or int(value) > limit:
            raise _Framing(413, f"The request body of {value[:40]} bytes is over the {limit}-byte limit.")
        length = int(value)
        data = self.rfile.read(length) if length else b""
        if len(data) < length:
            raise _Framing(400, f"The body ended after {len(data)} of the {length} bytes its Content-Length announced.")
        return data

    def _line(self, what: str) -> bytes:
        line = self.rfile.readline(_MAX_LINE + 1)
        if not line:
            raise _Framing(400, f"The connection ended inside a chunked body (expected {what}).")
        if len(line) > _MAX_LINE:
            raise _Framing(400, f"The {what} line is longer than {_MAX_LINE} bytes.")
        return line

    def _chunked(self, limit: int) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            size_text = self._line("a chunk size").split(b";")[0].strip()
            if not size_text or len(size_text) > 16 or any(c not in b"0123456789abcdefABCDEF" for c in size_text):
                raise _Framing(400, f"Bad chunk size {size_text[:20].decode('latin-1')!r}: "
                                    "chunk sizes are hexadecimal.")
            size = int(size_text, 16)
            if size == 0:
                for _ in range(100):  # trailers, then the empty line
                    if self._line("a trailer") in (b"\r\n", b"\n"):
                        return b"".join(chunks)
                raise _Framing(400, "More than 100 trailer lines after a chunked body.")
            total += size
            if total > limit:
                raise _Framing(413, f"The chunked request body is over the {limit}-byte limit.")
            data = self.rfile.read(size)
            if len(data) < size:
                raise _Framing(400, f"A chunk ended after {len(data)} of its {size} bytes.")
            chunks.append(data)
            if self._line("the CRLF after a chunk") not in (b"\r\n", b"\n"):
                raise _Framing(400, "A chunk's data is longer than its size says.")

    def _handle(self) -> None:
        try:
            body = self._body()
        except _Framing as problem:
            self._json_error(problem.status, problem.message)
            return
        self._answer(body)

    def _answer(self, body: bytes) -> None:
        fake = self._server.fake
        path, _, query = self.path.partition("?")
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
            host, port = self._server.host_port()
            origin = f"http://{self.headers.get('host') or f'{host}:{port}'}"
            resp = fake.respond(rec, headers, query, body, origin)  # a bug in a route is its own 500 answer
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

    def __init__(self, address: tuple[str, int], fake: FakeTwelveLabs, max_body: int = MAX_BODY_BYTES) -> None:
        self.fake = fake
        self.max_body = max_body
        super().__init__(address, _Handler)

    def host_port(self) -> tuple[str, int]:
        """The address the server is bound to (the port chosen when 0 was asked for)."""
        host, port = self.socket.getsockname()[:2]
        return str(host), int(port)


def make_server(fake: FakeTwelveLabs | None = None, host: str = "127.0.0.1", port: int = 0, *,
                max_body: int = MAX_BODY_BYTES) -> _Server:
    """Build (not start) the HTTP server; ``server.serve_forever()`` runs it.

    ``max_body``: the largest request body read; a larger one is answered 413 unread.
    """
    return _Server((host, port), fake if fake is not None else FakeTwelveLabs(), max_body)


@contextlib.contextmanager
def serve(fake: FakeTwelveLabs | None = None, host: str = "127.0.0.1", port: int = 0, *,
          max_body: int = MAX_BODY_BYTES) -> Iterator[str]:
    """Run the emulator on loopback in a background thread; yields the base URL (ending in ``/v1.3``).

    Example:
        ```python
        with serve() as base_url:
            print(base_url)  # http://127.0.0.1:54321/v1.3
        ```
    """
    server = make_server(fake, host, port, max_body=max_body)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="fake-twelvelabs", daemon=True)
    thread.start()
    try:
        h, p = server.host_port()
        yield f"http://{h}:{p}{API_PREFIX}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
