"""Wire behaviour of the emulator's assets, multipart sessions and indexed assets (spec-current §1, §1.1, §2)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import httpx
import pytest
from _emulator_helpers import MARENGO3, MARENGO27, create_index, form

from twelvelabs_rag.testing import FakeTwelveLabs, serve

PUT = "PUT /_upload/{upload_id}/{chunk_index}"


def _session(http: httpx.Client, fake: FakeTwelveLabs, data: bytes, chunk: int = 1000, **extra) -> dict:
    fake.multipart_chunk_size = chunk
    r = http.post("/assets/multipart-uploads", json={"filename": "clip.mp4", "type": "video",
                                                     "total_size": len(data), **extra})
    assert r.status_code == 201, r.text
    return r.json()


def _put_all(fake: FakeTwelveLabs, session: dict, data: bytes, urls: dict[int, str]) -> list[dict]:
    proofs = []
    with httpx.Client(transport=fake.transport()) as raw:  # no API key: presigned URLs need none
        for i in range(1, session["total_chunks"] + 1):
            part = data[(i - 1) * session["chunk_size"]: i * session["chunk_size"]]
            r = raw.put(urls[i], content=part, headers={"content-type": "application/octet-stream"})
            assert r.status_code == 200 and r.content == b""
            assert r.headers["etag"] == f'"{hashlib.md5(part).hexdigest()}"'
            proofs.append({"chunk_index": i, "proof": r.headers["etag"].strip('"'), "proof_type": "etag",
                           "chunk_size": len(part)})
    return proofs


def _all_urls(http: httpx.Client, session: dict) -> dict[int, str]:
    urls = {u["chunk_index"]: u["url"] for u in session["upload_urls"]}
    start = len(urls) + 1
    while start <= session["total_chunks"]:
        r = http.post(f"/assets/multipart-uploads/{session['upload_id']}/presigned-urls", json={"start": start,
                                                                                                 "count": 50})
        assert r.status_code == 200, r.text
        urls.update({u["chunk_index"]: u["url"] for u in r.json()["upload_urls"]})
        start += 50
    return urls


def test_multipart_session_end_to_end(http: httpx.Client, fake: FakeTwelveLabs, clips: dict[str, Path]) -> None:
    data = clips["city.mp4"].read_bytes()
    s = _session(http, fake, data, user_metadata={"team": "a"})
    assert s["total_chunks"] == -(-len(data) // 1000) and len(s["upload_urls"]) == fake.multipart_initial_urls
    assert http.get(f"/assets/{s['asset_id']}").json()["status"] == "processing"
    incomplete = http.get("/assets/multipart-uploads").json()
    assert [u["upload_id"] for u in incomplete["data"]] == [s["upload_id"]]
    proofs = _put_all(fake, s, data, _all_urls(http, s))
    r = http.post(f"/assets/multipart-uploads/{s['upload_id']}", json={"completed_chunks": proofs[:2]})
    assert r.json() == {"asset_id": s["asset_id"], "processed_chunks": 2, "duplicate_chunks": 0, "total_completed": 2}
    status = http.get(f"/assets/multipart-uploads/{s['upload_id']}", params={"page": 1, "page_limit": 3}).json()
    assert [c["status"] for c in status["uploaded_chunks"]] == ["completed", "completed", "pending"]
    assert status["chunks_completed"] == 2 and status["uploaded_size"] == 2000 and status["status"] == "active"
    past = http.get(f"/assets/multipart-uploads/{s['upload_id']}", params={"page": 99}).json()
    assert past["uploaded_chunks"] == []  # SDK pagers stop on an empty page
    for k in range(0, len(proofs), 50):
        last = http.post(f"/assets/multipart-uploads/{s['upload_id']}", json={"completed_chunks": proofs[k:k + 50]})
    assert last.json()["url"] and last.json()["duplicate_chunks"] == 2
    assert http.get("/assets/multipart-uploads").json()["data"] == []
    statuses = [http.get(f"/assets/{s['asset_id']}").json()["status"] for _ in range(2)]
    assert statuses == ["processing", "ready"]
    asset = http.get(f"/assets/{s['asset_id']}").json()
    assert asset["method"] == "multipart" and asset["size"] == len(data) and asset["duration"] > 0
    assert asset["user_metadata"] == {"team": "a"}
    fake.multipart_chunk_size = 1000
    direct = http.post("/assets", files=[("method", (None, "direct")), ("file", ("d.mp4", data, "video/mp4"))]).json()
    for _ in range(2):
        shown = http.get(f"/assets/{direct['_id']}").json()
    assert shown["hls"]["status"] == "ready" and shown["thumbnail"]["status"] == "ready"
    with httpx.Client(transport=fake.transport()) as raw:  # the emulator serves the URLs it hands out
        assert raw.get(shown["hls"]["manifest_url"]).text.startswith("#EXTM3U")
        assert raw.get(shown["thumbnail"]["representative_url"]).content[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(("body", "code"), [
    ({"filename": "a.mp4", "type": "video"}, "parameter_not_provided"),
    ({"filename": "a.mp4", "type": "text", "total_size": 5}, "parameter_invalid"),
    ({"filename": "a.mp4", "type": "video", "total_size": 10 * 1024**3 + 1}, "asset_filesize_too_large"),
    ({"filename": "a.png", "type": "image", "total_size": 32 * 1024**2 + 1}, "asset_filesize_too_large"),
])
def test_multipart_create_validates(http: httpx.Client, body: dict, code: str) -> None:
    r = http.post("/assets/multipart-uploads", json=body)
    assert r.status_code == 400 and r.json()["code"] == code


def test_bad_proofs_and_stale_urls(http: httpx.Client, fake: FakeTwelveLabs) -> None:
    data = bytes(range(256)) * 10
    s = _session(http, fake, data)
    url = s["upload_urls"][0]["url"]
    raw = httpx.Client(transport=fake.transport())
    assert raw.put(url.replace("Signature=", "Signature=x"), content=b"x").status_code == 403
    ok = raw.put(url, content=data[:1000])
    wrong = {"chunk_index": 1, "proof": "0" * 32, "proof_type": "etag", "chunk_size": 1000}
    r = http.post(f"/assets/multipart-uploads/{s['upload_id']}", json={"completed_chunks": [wrong]})
    assert r.status_code == 400 and r.json()["code"] == "chunk_proof_invalid"
    short = {**wrong, "proof": ok.headers["etag"], "chunk_size": 999}
    r = http.post(f"/assets/multipart-uploads/{s['upload_id']}", json={"completed_chunks": [short]})
    assert r.json()["code"] == "chunk_size_mismatch"
    too_many = [dict(wrong, chunk_index=1)] * 51
    assert http.post(f"/assets/multipart-uploads/{s['upload_id']}",
                     json={"completed_chunks": too_many}).status_code == 400
    fake.expire_upload_urls(s["upload_id"])
    assert raw.put(url, content=data[:1000]).status_code == 403
    fresh = http.post(f"/assets/multipart-uploads/{s['upload_id']}/presigned-urls", json={"start": 1, "count": 1})
    assert raw.put(fresh.json()["upload_urls"][0]["url"], content=data[:1000]).status_code == 200
    fake.expire_upload(s["upload_id"])
    assert raw.put(fresh.json()["upload_urls"][0]["url"], content=data[:1000]).status_code == 403
    assert http.get(f"/assets/multipart-uploads/{s['upload_id']}").json()["status"] == "expired"
    assert http.get("/assets/multipart-uploads").json()["data"] == []
    raw.close()


def test_faults_apply_to_chunk_puts(http: httpx.Client, fake: FakeTwelveLabs) -> None:
    s = _session(http, fake, b"x" * 1500)
    fake.fail_next(PUT, 503)
    fake.drop_next(PUT)
    with httpx.Client(transport=fake.transport()) as raw:
        with pytest.raises(httpx.RemoteProtocolError):  # a drop is decided first, as the request arrives
            raw.put(s["upload_urls"][0]["url"], content=b"x" * 1000)
        assert raw.put(s["upload_urls"][0]["url"], content=b"x" * 1000).status_code == 503
        assert raw.put(s["upload_urls"][0]["url"], content=b"x" * 1000).status_code == 200
    assert [r.status for r in fake.calls(PUT)] == [None, 503, 200]


def test_chunk_put_on_loopback(fake: FakeTwelveLabs, clips: dict[str, Path]) -> None:
    data = clips["kitchen.mp4"].read_bytes()
    with serve(fake) as base, httpx.Client(base_url=base, headers={"x-api-key": "k"}) as http:
        s = _session(http, fake, data, chunk=4096)
        assert s["upload_urls"][0]["url"].startswith(base.rsplit("/v1.3", 1)[0])
        proofs = []
        for u in _all_urls(http, s).items():
            i, url = u
            part = data[(i - 1) * 4096: i * 4096]
            r = httpx.put(url, content=part)
            proofs.append({"chunk_index": i, "proof": r.headers["etag"].strip('"'), "proof_type": "etag",
                           "chunk_size": len(part)})
        done = http.post(f"/assets/multipart-uploads/{s['upload_id']}", json={"completed_chunks": proofs})
        assert done.json()["url"]


def test_direct_and_url_assets(http: httpx.Client, fake: FakeTwelveLabs, clips: dict[str, Path]) -> None:
    data = clips["city.mp4"].read_bytes()
    r = http.post("/assets", files=form(method="direct", user_metadata=json.dumps({"a": 1}))
                  + [("file", ("c.mp4", data, "video/mp4"))])
    assert r.status_code == 201 and r.json()["status"] == "processing" and r.json()["filename"] == "c.mp4"
    assert http.post("/assets", files=form(method="direct")).json()["code"] == "parameter_not_provided"
    assert http.post("/assets", json={"method": "url"}).status_code == 400  # multipart only
    assert http.post("/assets", files=form(method="multipart")).status_code == 400
    fake.add_media("https://cdn.example.com/x.mp4", data)
    u = http.post("/assets", files=form(method="url", url="https://cdn.example.com/x.mp4")).json()
    assert u["method"] == "url" and u["filename"] == "x.mp4"
    assert http.get(f"/assets/{u['_id']}/transcription").json() == {"status": "processing"}
    listed = http.get("/assets", params={"asset_types": "video", "page_limit": 1}).json()
    assert listed["data"][0]["_id"] == u["_id"] and listed["page_info"]["total_results"] == 2
    assert http.get("/assets", params={"asset_types": "movie"}).status_code == 400
    assert http.get("/assets/" + "0" * 24).status_code == 404
    ready = http.get(f"/assets/{u['_id']}/transcription").json()  # the list above moved it on to ready
    assert ready["status"] == "ready" and ready["words"][0] == {"start": 0.0, "end": 0.667, "value": "the"}


def test_seeded_asset_contract(fake: FakeTwelveLabs, clips: dict[str, Path]) -> None:
    from twelvelabs_rag.testing._http import ApiError

    ready = fake.add_asset(clips["city.mp4"], user_metadata={"k": "v"})
    pending = fake.add_asset(clips["city.mp4"].read_bytes(), filename="p.mp4", ready=False)
    assert fake.asset_media(ready).duration > 0
    with pytest.raises(ApiError) as not_ready:
        fake.asset_media(pending)
    assert not_ready.value.status == 400
    with pytest.raises(ApiError) as unknown:
        fake.asset_media("nope")
    assert unknown.value.status == 404


def test_indexed_assets_wire(http: httpx.Client, fake: FakeTwelveLabs, clips: dict[str, Path]) -> None:
    asset = fake.add_asset(clips["city.mp4"])
    old = create_index(http, "old", MARENGO27)
    refused = http.post(f"/indexes/{old}/indexed-assets", json={"asset_id": asset})
    assert refused.status_code == 400 and refused.json()["code"] == "index_not_supported"
    ix = create_index(http, "new", MARENGO3)
    assert http.post(f"/indexes/{ix}/indexed-assets", json={"asset_id": "0" * 24}).status_code == 404
    pending = fake.add_asset(clips["city.mp4"], ready=False)
    assert http.post(f"/indexes/{ix}/indexed-assets", json={"asset_id": pending}).json()["code"] == "asset_not_ready"
    r = http.post(f"/indexes/{ix}/indexed-assets", json={"asset_id": asset, "enable_video_stream": True})
    assert r.status_code == 202 and r.headers["location"].endswith(r.json()["_id"])
    iid = r.json()["_id"]
    seen = [http.get(f"/indexes/{ix}/indexed-assets").json()["data"][0]["status"] for _ in range(4)]
    assert seen == ["validating", "pending", "indexing", "ready"]  # every read (a list too) moves it on
    detail = http.get(f"/indexes/{ix}/indexed-assets/{iid}", params=[("embedding_option", "visual"),
                                                                     ("embedding_option", "transcription")]).json()
    assert detail["asset_id"] == asset and detail["hls"]["status"] == "COMPLETE"
    assert {s["embedding_option"] for s in detail["embedding"]["video_embedding"]["segments"]} == {
        "visual", "transcription"}
    assert http.get(f"/indexes/{ix}/videos/{iid}").json()["_id"] == iid  # same id space as classic videos
    assert http.get(f"/indexes/{ix}/indexed-assets", params={"duration[lte]": 1}).json()["data"] == []
    assert http.delete(f"/assets/{asset}").status_code == 409
    assert http.delete(f"/indexes/{ix}/indexed-assets/{iid}").status_code == 204
    assert http.delete(f"/assets/{asset}").status_code == 204
