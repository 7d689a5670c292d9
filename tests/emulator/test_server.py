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
        return http.post("/tasks", files=form(index_id=ix) + [("video_file", ("k.mp4", clips["kitchen.mp4"].read_bytes()))]
                         ).json()["video_id"]


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
    assert json.loads(chunks[0])["event_type"] == "stream_start" and json.loads(chunks[-1])["event_type"] == "stream_end"


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
