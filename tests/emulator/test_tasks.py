"""Indexing tasks (progression, filters, delete rules, media validation) and classic transfers."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from _emulator_helpers import PEGASUS, create_index, form, upload

from twelvelabs_rag.testing import FakeTwelveLabs
from twelvelabs_rag.testing.samples import make_clip, png_bytes
from twelvelabs_rag.types import ListPage, Task, TaskCreated


def test_status_progression_one_step_per_poll(http: httpx.Client, fake: FakeTwelveLabs, clips) -> None:
    ix = create_index(http)
    created = TaskCreated.model_validate(upload(http, fake, ix, clips["city.mp4"], ready=False))
    seen = [Task.model_validate(http.get(f"/tasks/{created.id}").json()).status for _ in range(5)]
    assert seen == ["validating", "pending", "indexing", "ready", "ready"]
    task = Task.model_validate(http.get(f"/tasks/{created.id}").json())
    assert task.video_id == created.video_id and task.system_metadata.filename == "city.mp4"
    assert task.system_metadata.duration == pytest.approx(12.0, abs=0.1)
    assert task.hls.status == "COMPLETE"  # enable_video_stream defaults to true


def test_video_hidden_until_ready_and_advance(http: httpx.Client, fake: FakeTwelveLabs, clips) -> None:
    ix = create_index(http)
    created = upload(http, fake, ix, clips["city.mp4"], ready=False, stream=False)
    assert http.get(f"/indexes/{ix}/videos").json()["data"] == []
    assert http.get(f"/tasks/{created['_id']}").json().get("hls") is None
    fake.advance()
    fake.advance(created["_id"], steps=5)
    assert http.get(f"/indexes/{ix}/videos").json()["data"][0]["_id"] == created["video_id"]
    assert http.get(f"/indexes/{ix}").json()["video_count"] == 1
    with pytest.raises(KeyError):
        fake.advance("nope")


def test_immediate_ready_and_custom_steps(clips) -> None:
    fake = FakeTwelveLabs(task_statuses=("ready",))
    with httpx.Client(transport=fake.transport(), base_url="http://e/v1.3", headers={"x-api-key": "k"}) as http:
        ix = create_index(http)
        created = upload(http, fake, ix, clips["city.mp4"], ready=False)
        assert http.get("/tasks", params={"status": "ready"}).json()["data"][0]["_id"] == created["_id"]


def test_failed_tasks(http: httpx.Client, fake: FakeTwelveLabs, clips) -> None:
    ix = create_index(http)
    fake.fail_task_next()
    a = upload(http, fake, ix, clips["city.mp4"])
    b = upload(http, fake, ix, clips["kitchen.mp4"], ready=False)
    fake.fail_task(b["_id"], "custom", "boom")
    fake.advance(b["_id"], steps=5)
    assert [http.get(f"/tasks/{t['_id']}").json()["status"] for t in (a, b)] == ["failed", "failed"]
    assert http.get(f"/indexes/{ix}/videos").json()["data"] == []


def test_list_filters(http: httpx.Client, fake: FakeTwelveLabs, clips) -> None:
    ix, other = create_index(http, "a"), create_index(http, "b")
    ready = upload(http, fake, ix, clips["city.mp4"])
    pending = upload(http, fake, ix, clips["kitchen.mp4"], ready=False)
    upload(http, fake, other, clips["wildlife.mp4"])

    def ids(params) -> list[str]:
        r = http.get("/tasks", params=params)
        assert r.status_code == 200, r.text
        return [t.id for t in ListPage[Task].model_validate(r.json()).data]

    assert ids({"index_id": ix}) == [pending["_id"], ready["_id"]]
    assert ids([("index_id", ix), ("status", "ready"), ("status", "indexing")]) == [ready["_id"]]
    assert ids([("index_id", ix), ("status", "validating"), ("status", "ready")]) == [pending["_id"], ready["_id"]]
    assert ids({"filename": "kitchen.mp4"}) == [pending["_id"]]
    assert ids({"width": 640, "index_id": other}) != []
    assert ids({"page": 2, "page_limit": 3}) == []
    assert http.get("/tasks", params={"status": "sleeping"}).json()["code"] == "parameter_invalid"


def test_delete_rules(http: httpx.Client, fake: FakeTwelveLabs, clips) -> None:
    ix = create_index(http)
    t = upload(http, fake, ix, clips["city.mp4"], ready=False)
    r = http.delete(f"/tasks/{t['_id']}")
    assert r.status_code == 400 and "validating" in r.json()["message"]
    fake.advance(t["_id"], steps=5)
    r = http.delete(f"/tasks/{t['_id']}")
    assert r.status_code == 400 and "delete its video first" in r.json()["message"]
    assert http.delete(f"/indexes/{ix}/videos/{t['video_id']}").status_code == 204
    assert http.delete(f"/tasks/{t['_id']}").status_code == 204
    assert http.get(f"/tasks/{t['_id']}").json()["code"] == "resource_not_exist"


def test_create_by_url_and_metadata(http: httpx.Client, fake: FakeTwelveLabs, clips) -> None:
    ix = create_index(http)
    fake.add_media("https://cdn.example.com/city.mp4", clips["city.mp4"])
    r = http.post("/tasks", files=form(index_id=ix, video_url="https://cdn.example.com/city.mp4",
                                       user_metadata=json.dumps({"a": 1, "tags": ["x"]}), enable_video_stream=False))
    assert r.status_code == 200
    fake.advance(r.json()["_id"], steps=5)
    video = http.get(f"/indexes/{ix}/videos/{r.json()['video_id']}", params={"transcription": "true"}).json()
    assert video["user_metadata"] == {"a": 1, "tags": ["x"]} and "hls" not in video
    assert video["transcription"][0] == {"start": 0, "end": 4, "value": "the city comes alive after dark"}
    unknown = http.post("/tasks", files=form(index_id=ix, video_url="https://elsewhere.example/v.mp4"))
    assert unknown.status_code == 200  # a synthetic 30 s video with no script
    local = http.post("/tasks", files=form(index_id=ix, video_url=clips["city.mp4"].as_uri()))
    assert local.status_code == 200


@pytest.mark.parametrize(("fields", "code"), [
    ({}, "parameter_not_provided"),
    ({"index_id": "0" * 24, "video_url": "https://x/v.mp4"}, "resource_not_exist"),
    ({"video_url": "https://x/v.mp4", "user_metadata": "{not json"}, "parameter_invalid"),
    ({"video_url": "https://x/v.mp4", "user_metadata": '{"width": 3}'}, "parameter_invalid"),
    ({"video_url": "https://x/v.mp4", "enable_video_stream": "maybe"}, "parameter_invalid"),
    ({"video_url": "ftp://x/v.mp4"}, "parameter_invalid"),
    ({}, "parameter_not_provided"),
])
def test_create_validation(http: httpx.Client, fields: dict, code: str) -> None:
    ix = create_index(http)
    fields = {"index_id": ix, **fields} if fields else {"index_id": ix}
    r = http.post("/tasks", files=form(**fields))
    assert (r.status_code, r.json()["code"]) == (400, code), r.text


def test_media_limits_use_the_api_codes(http: httpx.Client, tmp_path: Path) -> None:
    ix = create_index(http)
    small = make_clip(tmp_path / "small.mp4", "[0-5] tiny", width=320, height=240, fps=4)
    short = make_clip(tmp_path / "short.mp4", "[0-2] quick", fps=4, seconds=2)
    wide = make_clip(tmp_path / "wide.mp4", "[0-5] wide", width=1280, height=360, fps=4)
    for path, code in ((small, "video_resolution_too_low"), (short, "video_duration_too_short"),
                       (wide, "video_aspect_ratio_invalid")):
        r = http.post("/tasks", files=form(index_id=ix) + [("video_file", (path.name, path.read_bytes()))])
        assert (r.status_code, r.json()["code"]) == (400, code)
        assert r.json()["message"].endswith("video.")
    r = http.post("/tasks", files=form(index_id=ix) + [("video_file", ("a.png", png_bytes("x")))])
    assert r.json()["code"] == "unsupported_media_type"
    r = http.post("/tasks", json={"index_id": ix, "video_url": "https://x/v.mp4"})
    assert r.status_code == 400 and "multipart" in r.json()["message"]


def test_transfers(http: httpx.Client, fake: FakeTwelveLabs, clips) -> None:
    ix = create_index(http, models=PEGASUS)
    fake.add_integration("s3-1", {"city.mp4": clips["city.mp4"], "notes.png": png_bytes("x")})
    url = "/tasks/transfers/import/s3-1"
    r = http.post(url, json={"index_id": ix, "user_metadata": {"from": "s3"}})
    body = r.json()
    assert r.status_code == 200 and [v["filename"] for v in body["videos"]] == ["city.mp4"]
    assert [f["filename"] for f in body["failed_files"]] == ["notes.png"]
    status = http.get(f"{url}/status", params={"index_id": ix}).json()
    assert status["validating"][0]["filename"] == "city.mp4" and status["not_imported"] == []
    assert status["failed"][0]["error_message"]
    again = http.post(url, json={"index_id": ix}).json()  # incremental: nothing new
    assert again == {"videos": [], "failed_files": []}
    fake.advance(steps=5)
    ready = http.get(f"{url}/status", params={"index_id": ix}).json()["ready"]
    assert ready[0]["video_id"] == body["videos"][0]["video_id"]
    logs = http.get(f"{url}/logs").json()["data"]
    assert logs[0]["video_status"]["ready"] == 1 and logs[0]["video_status"]["failed"] == 1
    vid = body["videos"][0]["video_id"]
    assert http.get(f"/indexes/{ix}/videos/{vid}").json()["user_metadata"] == {"from": "s3"}
    assert http.get("/tasks/transfers/import/nope/logs").json()["code"] == "resource_not_exist"
    assert http.get(f"{url}/status").json()["code"] == "parameter_not_provided"


def test_transfer_logs_survive_the_connections_routes(http: httpx.Client, fake: FakeTwelveLabs, clips) -> None:
    # the transfer log and the /connections imports once shared one attribute: the first /connections
    # request replaced the transfer log with an empty dict of connection imports
    ix = create_index(http, models=PEGASUS)
    fake.add_integration("s3-1", {"city.mp4": clips["city.mp4"]})
    url = "/tasks/transfers/import/s3-1"
    assert http.post(url, json={"index_id": ix}).status_code == 200
    assert http.get("/connections").status_code == 200
    assert len(http.get(f"{url}/logs").json()["data"]) == 1
    assert http.get(f"{url}/status", params={"index_id": ix}).json()["validating"][0]["filename"] == "city.mp4"


def test_status_sequences_must_end_ready() -> None:
    with pytest.raises(ValueError, match="ending with 'ready'"):
        FakeTwelveLabs(task_statuses=("validating", "pending"))
    with pytest.raises(ValueError, match="embed_task_statuses"):
        FakeTwelveLabs(embed_task_statuses=())
