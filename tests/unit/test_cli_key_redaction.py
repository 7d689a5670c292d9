"""``tlrag`` never prints the key, with or without ``--debug`` (issue 9, item 18).

A loopback server started here echoes the request's key back in a 2xx body the client cannot
parse; the one-line error and the full ``--debug`` traceback (every chained exception included)
must not contain it.
"""

from __future__ import annotations

import json
import threading
import traceback
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from twelvelabs_rag.cli import main

KEY = "tlk_CLISECRET0123456789abcdef"


def _bodies(key: str) -> dict[str, bytes]:
    return {
        "not-json": b"<html>bad key " + key.encode() + b"</html>",
        # pydantic's ValidationError (chained as the cause) echoes the offending input
        "bad-shape": json.dumps({"data": [{"_id": 5, "index_name": {"k": key}}], "page_info": {"page": 1}}).encode(),
    }


class _Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    mode = "not-json"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # http.server's naming
        body = _bodies(self.headers.get("x-api-key", ""))[type(self).mode]
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(params=["not-json", "bad-shape"])
def echo_url(request: pytest.FixtureRequest) -> Iterator[str]:
    handler = type("Echo", (_Echo,), {"mode": request.param})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1.3"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_error_line_has_no_key(echo_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--api-key", KEY, "--base-url", echo_url, "index", "list"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and KEY not in err and "<redacted>" in err


def test_debug_traceback_has_no_key(echo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWELVELABS_API_KEY", KEY)
    with pytest.raises(Exception) as info:
        main(["--debug", "--base-url", echo_url, "index", "list"])
    printed = "".join(traceback.format_exception(info.value))
    assert "APIResponseValidationError" in printed
    assert KEY not in printed
