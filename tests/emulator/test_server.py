"""The loopback HTTP server: same behaviour as in-process, keep-alive, chunked NDJSON, drops and cuts."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
from urllib.parse import urlparse

import httpx
import pytest
from _emulator_helpers import PEGASUS, create_index, form

from twelvelabs_rag.testing import FakeTwelveLabs, serve
from twelvelabs_rag.types import AnalyzeResponse, SearchResults


@pytest.fixture
def served():
    fake = FakeTwelveLabs(task_statuses=("ready",))
    with serve(fake) as base_url:
        yield fake, base_url


def test_serve_yields_a_v13_base_url_and_serves_every_shape(served, clips) -> None:
    fake, base = served
    assert base.startswith("http://127.0.0.1:") and base.endswith("/v1.3")
    with httpx.Client(base_url=base, headers={"x-api-key": "k"}) as http:
        ix = create_index(http, models=PEGASUS + [{"model_name": "marengo3.0", "model_options": ["visual"]}])
        up = http.post("/tasks", files=form(index_id=ix) + [("video_file", ("city.mp4", clips["city.mp4"].read_bytes(),
                                                                             "video/mp4"))])
        assert up.status_code == 200 and fake.calls("POST /tasks")[0].files[0][2] == clips["city.mp4"].stat().st_size
        res = SearchResults.model_validate(http.post("/search", files=form(
            index_id=ix, query_text="yellow taxi", search_options="visual")).json())
        assert res.data[0].start == 4
        assert http.put(f"/indexes/{ix}", json={"index_name": "renamed"}).status_code == 204
        assert http.get(f"/indexes/{ix}").json()["index_name"] == "renamed"  # same connection after a 204
        ans = AnalyzeResponse.model_validate(http.post("/analyze", json={
            "video_id": up.json()["video_id"], "prompt": "x", "stream": False}).json())
        assert "taxi" in ans.data
        assert http.get("/indexes", headers={"x-api-key": ""}).status_code == 401
        assert http.get(f"{base[:-5]}/indexes").status_code == 404


def test_keep_alive_reuses_the_connection(served) -> None:
    _, base = served
    u = urlparse(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=5)
    try:
        conn.request("GET", "/v1.3/indexes", headers={"x-api-key": "k"})
        assert conn.getresponse().read()
        sock = conn.sock
        conn.request("GET", "/v1.3/indexes", headers={"x-api-key": "k"})
        resp = conn.getresponse()
        assert resp.status == 200 and json.loads(resp.read())["data"] == [] and conn.sock is sock
    finally:
        conn.close()


def _analyze_video(fake: FakeTwelveLabs, base: str, clips) -> str:
    with httpx.Client(base_url=base, headers={"x-api-key": "k"}) as http:
        ix = create_index(http, models=PEGASUS)
        upload = ("video_file", ("k.mp4", clips["kitchen.mp4"].read_bytes()))
        return http.post("/tasks", files=form(index_id=ix) + [upload]).json()["video_id"]


def test_ndjson_stream_is_chunked_one_line_per_chunk(served, clips) -> None:
    fake, base = served
    vid = _analyze_video(fake, base, clips)
    u = urlparse(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=5)
    try:
        conn.request("POST", "/v1.3/analyze", body=json.dumps({"video_id": vid, "prompt": "x"}),
                     headers={"x-api-key": "k", "content-type": "application/json", "connection": "close"})
        resp = conn.getresponse()
        assert resp.getheader("transfer-encoding") == "chunked"
        assert resp.getheader("content-type") == "application/x-ndjson"
        resp.chunked = False  # read the raw chunk framing
        raw = resp.read()
    finally:
        conn.close()
    chunks, pos = [], 0
    while True:
        end = raw.index(b"\r\n", pos)
        size = int(raw[pos:end], 16)
        if size == 0:
            break
        chunks.append(raw[end + 2:end + 2 + size])
        pos = end + 2 + size + 2
    assert all(c.endswith(b"\n") and c.count(b"\n") == 1 for c in chunks)
    assert json.loads(chunks[0])["event_type"] == "stream_start"
    assert json.loads(chunks[-1])["event_type"] == "stream_end"


def test_drop_and_cut_over_the_wire(served, clips) -> None:
    fake, base = served
    vid = _analyze_video(fake, base, clips)
    with httpx.Client(base_url=base, headers={"x-api-key": "k"}) as http:
        fake.drop_next("GET /indexes")
        with pytest.raises(httpx.RemoteProtocolError):
            http.get("/indexes")
        assert http.get("/indexes").status_code == 200
        fake.cut_stream_next()
        lines = []
        with pytest.raises(httpx.RemoteProtocolError), http.stream(
                "POST", "/analyze", json={"video_id": vid, "prompt": "x"}) as r:
            for line in r.iter_lines():
                lines.append(line)
        assert lines and not any("stream_end" in line for line in lines)
        fake.fail_next("GET /indexes", 429, retry_after=1)
        r = http.get("/indexes")
        assert (r.status_code, r.headers["retry-after"]) == (429, "1")


def test_module_entry_point_prints_the_base_url() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "twelvelabs_rag.testing", "--host", "127.0.0.1", "--port", "0",
                             "--api-key", "tlk_x", "--ready"], stdout=subprocess.PIPE, text=True)
    try:
        base = proc.stdout.readline().strip()
        assert base.startswith("http://127.0.0.1:") and base.endswith("/v1.3")
        with httpx.Client(base_url=base) as http:
            assert http.get("/indexes", headers={"x-api-key": "tlk_x"}).status_code == 200
            assert http.get("/indexes", headers={"x-api-key": "other"}).status_code == 401
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()


def test_chunked_request_bodies_are_read(served) -> None:
    _, base = served
    body = json.dumps({"index_name": "chunked", "models": [{"model_name": "marengo3.0", "model_options": ["visual"]}]})

    def pieces():
        for i in range(0, len(body), 7):
            yield body[i:i + 7].encode()

    with httpx.Client(base_url=base, headers={"x-api-key": "k"}) as http:
        r = http.post("/indexes", content=pieces(), headers={"content-type": "application/json"})
        assert r.request.headers["transfer-encoding"] == "chunked"
        assert r.status_code == 201
        assert http.get(f"/indexes/{r.json()['_id']}").json()["index_name"] == "chunked"


# --- malformed framing (issue 9, item 15): the API's JSON error body and a clean close ---------------

def _raw_exchange(base: str, request: bytes) -> tuple[int, dict[str, str], bytes, bool]:
    """Send raw bytes; return (status, headers, body, closed-by-server-after-the-answer)."""
    import socket

    u = urlparse(base)
    with socket.create_connection((u.hostname, u.port), timeout=5) as sock:
        sock.sendall(request)
        data = b""
        while True:  # the server must close; a hang fails by the socket timeout
            more = sock.recv(65536)
            if not more:
                break
            data += more
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return status, headers, body, True


def _request(length_headers: str, body: bytes = b"") -> bytes:
    return (b"POST /v1.3/indexes HTTP/1.1\r\nHost: x\r\nx-api-key: k\r\nContent-Type: application/json\r\n"
            + length_headers.encode() + b"\r\n" + body)


@pytest.mark.parametrize(
    ("framing", "body", "status", "words"),
    [
        ("Content-Length: abc\r\n", b"", 400, "non-negative integer"),
        ("Content-Length: -5\r\n", b"", 400, "non-negative integer"),
        ("Content-Length: 1e3\r\n", b"", 400, "non-negative integer"),
        ("Content-Length: 1000000000000000\r\n", b"", 413, "limit"),
        ("Content-Length: " + "9" * 5000 + "\r\n", b"", 413, "limit"),
        ("Content-Length: 2\r\nContent-Length: 3\r\n", b"{}", 400, "Conflicting"),
        ("Transfer-Encoding: chunked\r\n", b"zz\r\n{}\r\n0\r\n\r\n", 400, "hexadecimal"),
        ("Transfer-Encoding: chunked\r\n", b"2\r\n{}xx\r\n0\r\n\r\n", 400, "longer than its size"),
        ("Transfer-Encoding: gzip\r\n", b"", 400, "not supported"),
    ],
)
def test_malformed_framing_gets_a_json_error_and_a_close(served, framing: str, body: bytes, status: int,
                                                         words: str) -> None:
    fake, base = served
    got, headers, data, closed = _raw_exchange(base, _request(framing, body))
    assert got == status and headers["content-type"] == "application/json" and closed
    err = json.loads(data)
    assert set(err) == {"code", "message", "docs_url"} and words in err["message"]
    assert err["code"] == ("request_too_large" if status == 413 else "bad_request")
    with httpx.Client(base_url=base, headers={"x-api-key": "k"}) as http:  # the server lives on
        assert http.get("/indexes").status_code == 200


def test_stdlib_level_errors_are_json_too(served) -> None:
    _, base = served
    got, headers, data, _ = _raw_exchange(base, b"BREW /v1.3/indexes HTTP/1.1\r\nHost: x\r\n\r\n")
    assert got == 501 and headers["content-type"] == "application/json"
    assert json.loads(data)["code"] == "not_implemented"
    long_header = b"X-Long: " + b"a" * 70000 + b"\r\n"
    got, headers, data, _ = _raw_exchange(base, b"GET /v1.3/indexes HTTP/1.1\r\n" + long_header + b"\r\n")
    assert got == 431 and json.loads(data)["code"] == "request_header_fields_too_large"


def test_chunked_body_over_the_limit_is_413_unread() -> None:
    with serve(FakeTwelveLabs(), max_body=10) as base:
        request = _request("Transfer-Encoding: chunked\r\n", b"8\r\n12345678\r\n8\r\n")
        got, _, data, closed = _raw_exchange(base, request)
        assert (got, json.loads(data)["code"], closed) == (413, "request_too_large", True)
        with httpx.Client(base_url=base, headers={"x-api-key": "k"}) as http:  # within the limit: fine
            assert http.post("/indexes", content=b"{}", headers={"content-type": "application/json"}).status_code == 400
