"""Wire faithfulness of the emulator's embed-v2 and async-analyze routes (raw httpx, spec §3-§4)."""

from __future__ import annotations

import json

import httpx
import pytest

from twelvelabs_rag.testing import FakeTwelveLabs
from twelvelabs_rag.testing.samples import wav_bytes

URL = "https://cdn.example/talk.wav"
VIDEO = "https://cdn.example/clip.mp4"  # unknown remote URL: a synthetic 30 s video without a script


@pytest.fixture
def fake() -> FakeTwelveLabs:
    f = FakeTwelveLabs()
    f.add_media(URL, wav_bytes("a narrator talks about foxes", seconds=12))
    return f


@pytest.fixture
def http(fake: FakeTwelveLabs):
    with httpx.Client(transport=fake.transport(), base_url="http://emulator/v1.3",
                      headers={"x-api-key": "tlk_test"}) as client:
        yield client


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"input_type": "text", "model_name": "marengo3.0", "text": {"input_text": "x"}, "embedding_dimension": 256},
         400, "parameter_invalid"),
        ({"input_type": "video", "model_name": "marengo3.5", "video": {"media_source": {"url": VIDEO}}},
         400, "parameter_invalid"),
        ({"input_type": "text", "model_name": "marengo3.0"}, 400, "parameter_not_provided"),
        ({"input_type": "text", "model_name": "marengo3.0", "text": {"input_text": " ".join(["w"] * 501)}},
         400, "token_limit_exceeded"),
        ({"input_type": "image", "model_name": "marengo3.0",
          "image": {"media_source": {"url": "https://x/a.png", "asset_id": "a"}}}, 400, "parameter_invalid"),
        ({"input_type": "image", "model_name": "marengo3.0",
          "image": {"media_source": {"base64_string": "A" * (44 * 1024 * 1024)}}}, 413, "media_too_large"),
        ({"input_type": "video", "model_name": "marengo3.0", "video": {"media_source": {"asset_id": "nope"}}},
         404, "resource_not_exist"),
    ],
)
def test_embed_v2_errors_use_the_nested_body(http: httpx.Client, body: dict, status: int, code: str) -> None:
    r = http.post("/embed-v2", json=body)
    assert r.status_code == status
    err = r.json()
    assert set(err) == {"error"} and err["error"]["code"] == code and err["error"]["message"]


def test_embed_v2_sync_answer_has_the_required_fields(http: httpx.Client) -> None:
    r = http.post("/embed-v2", json={"input_type": "audio", "model_name": "marengo3.0",
                                     "audio": {"media_source": {"url": URL}, "embedding_scope": ["clip", "asset"],
                                               "segmentation": {"strategy": "fixed", "fixed": {"duration_sec": 4}}}})
    assert r.status_code == 200
    out = r.json()
    meta = out["metadata"]
    assert {"embedding_options", "embedding_scopes", "duration"} <= set(meta) and meta["duration"] == 12
    assert [(d["embedding_scope"], d["start_sec"], d["end_sec"]) for d in out["data"] if d["embedding_option"] ==
            "audio"] == [("clip", 0, 4), ("clip", 4, 8), ("clip", 8, 12), ("asset", 0, 12)]
    assert all(len(d["embedding"]) == 512 for d in out["data"]) and "usage" not in out  # usage is 3.5 only
    assert http.post("/embed-v2", json={"input_type": "text", "model_name": "marengo3.0", "text": {
        "input_text": " ".join(["w"] * 600)}, "auto_truncate": True}).status_code == 400  # 3.5 only
    r35 = http.post("/embed-v2", json={"input_type": "multi_input", "model_name": "marengo3.5", "auto_truncate": True,
                                       "multi_input": {"input_text": " ".join(["fox"] * 2500)}}).json()
    assert r35["usage"] == {"input_tokens": {"text": 2000}, "truncated": True,
                            "truncation_reason": "model_context_window"}


def test_embed_v2_tasks_progress_on_any_read(http: httpx.Client) -> None:
    created = http.post("/embed-v2/tasks", json={"input_type": "video", "model_name": "marengo3.0",
                                                 "video": {"media_source": {"url": VIDEO}}})
    assert created.status_code == 202 and created.json()["status"] == "processing"
    task_id = created.json()["_id"]
    listed = http.get("/embed-v2/tasks").json()  # a list read moves every task forward
    assert listed["data"][0]["status"] == "processing" and listed["page_info"]["total_results"] == 1
    got = http.get(f"/embed-v2/tasks/{task_id}").json()
    assert got["status"] == "ready" and got["data"] and got["metadata"]["input_type"] == "video"
    assert http.get("/embed-v2/tasks", params={"page": 2}).json()["data"] == []  # SDK pagers stop on empty
    assert http.get("/embed-v2/tasks/000000000000000000000000").json()["error"]["code"] == "resource_not_exist"


def test_analyze_task_lifecycle_and_codes(http: httpx.Client) -> None:
    create = http.post("/analyze/tasks", json={"video": {"type": "url", "url": VIDEO}, "prompt": "Describe"})
    assert create.status_code == 202 and set(create.json()) == {"task_id", "status"}
    tid = create.json()["task_id"]
    first = http.get(f"/analyze/tasks/{tid}").json()
    assert first["status"] == "queued" and first["custom_id"] is None and "created_at" in first
    assert http.delete(f"/analyze/tasks/{tid}").status_code == 409  # not finished
    http.get("/analyze/tasks")  # a list read advances it too
    done = http.get(f"/analyze/tasks/{tid}").json()
    assert done["status"] == "ready" and {"generation_id", "data", "finish_reason", "usage"} <= set(done["result"])
    assert http.post(f"/analyze/tasks/{tid}/cancel").status_code == 409
    assert http.delete(f"/analyze/tasks/{tid}").status_code == 204
    for body, code in [({"video": {"type": "url", "url": VIDEO}, "prompt": "x", "max_tokens": 100}, 400),
                       ({"video": {"type": "url", "url": VIDEO}, "prompt": "x", "max_tokens": "unlimited"}, 400),
                       ({"video": {"type": "url", "url": VIDEO}, "prompt": "x", "model_name": "pegasus1.2"}, 400),
                       ({"video": {"type": "url", "url": VIDEO}, "prompt": "x", "custom_id": "bad id!"}, 400)]:
        assert http.post("/analyze/tasks", json=body).status_code == code, body


def test_batch_errors(http: httpx.Client) -> None:
    r = http.post("/analyze/batches", json={"model_name": "pegasus1.5", "analysis_mode": "general",
                                            "requests": [{"video": {"type": "asset_id", "asset_id": "missing"},
                                                          "prompt": {"input_text": "x"}}]})
    assert r.status_code == 404 and r.json()["code"] == "resource_not_exist"
    r = http.post("/analyze/batches", json={"model_name": "pegasus1.6", "analysis_mode": "general", "requests": []})
    assert r.status_code == 400 and "pegasus1.5" in r.json()["message"]
    assert http.get("/analyze/batches/nope/results").status_code == 404


def test_batch_results_are_json_lines(http: httpx.Client, fake: FakeTwelveLabs) -> None:
    asset = fake.add_asset(wav_bytes("a fox", seconds=5), filename="a.wav")
    r = http.post("/analyze/batches", json={"model_name": "pegasus1.5", "analysis_mode": "general",
                                            "requests": [{"video": {"type": "asset_id", "asset_id": asset},
                                                          "custom_id": "one"}],
                                            "defaults": {"prompt": {"input_text": "Describe"}}})
    assert r.status_code == 202
    batch = r.json()
    assert {"batch_id", "status", "total_items", "created_at", "expires_at", "items"} <= set(batch)
    res = http.get(f"/analyze/batches/{batch['batch_id']}/results")
    assert res.headers["content-type"].startswith("application/jsonl")
    lines = [json.loads(x) for x in res.content.splitlines()]
    assert lines == [{"task_id": batch["items"][0]["task_id"], "custom_id": "one", "status": "queued"}]


def test_fault_injection_on_batches_keeps_the_nested_body(http: httpx.Client, fake: FakeTwelveLabs) -> None:
    fake.fail_next("POST /analyze/batches", 503, body={"error": {"code": "service_unavailable", "message": "busy"}})
    r = http.post("/analyze/batches", json={})
    assert r.status_code == 503 and r.json() == {"error": {"code": "service_unavailable", "message": "busy"}}
    fake.fail_next("GET /analyze/batches/{batch_id}/results", 504)
    assert http.get("/analyze/batches/x/results").status_code == 504
    assert json.loads(http.get("/analyze/batches").content)["data"] == []


def test_analyze_images_cite_all_or_none(http: httpx.Client) -> None:
    import base64

    from twelvelabs_rag.testing.samples import png_bytes

    imgs = [{"name": n, "base64_string": base64.b64encode(png_bytes(f"a {n} in the snow")).decode()}
            for n in ("fox", "owl")]
    base = {"image": imgs, "model_name": "pegasus1.6", "stream": False}
    assert http.post("/analyze", json={**base, "prompt": "Compare <@fox> and <@owl>"}).status_code == 200
    assert http.post("/analyze", json={**base, "prompt": "Describe these"}).status_code == 200
    partial = http.post("/analyze", json={**base, "prompt": "What is <@fox> doing?"})
    assert partial.status_code == 400 and "every image" in partial.json()["message"]
    assert http.post("/analyze", json={**base, "prompt": "x", "model_name": "pegasus1.5"}).status_code == 400
