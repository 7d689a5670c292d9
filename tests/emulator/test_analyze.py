"""POST /analyze: classic video_id and current video object, JSON and NDJSON, json_schema answers."""

from __future__ import annotations

import base64
import json

import httpx
import pytest
from _emulator_helpers import MARENGO3, create_index, upload
from pydantic import TypeAdapter

from twelvelabs_rag.testing._schema import generate
from twelvelabs_rag.testing._script import parse_script
from twelvelabs_rag.types import AnalyzeResponse, StreamEnd, StreamEvent, StreamStart, TextGeneration

EVENTS = TypeAdapter(StreamEvent)


def test_non_stream_answer_from_script(http: httpx.Client, library: dict) -> None:
    r = http.post("/analyze", json={"video_id": library["videos"]["kitchen.mp4"], "prompt": "What is cooked?",
                                    "stream": False, "temperature": 0.2})
    res = AnalyzeResponse.model_validate(r.json())
    assert res.finish_reason == "stop" and res.usage.output_tokens == len(res.data.split(" "))
    assert "pasta" in res.data and "dinner is served" in res.data and res.error is None


def test_stream_events_in_order(http: httpx.Client, library: dict) -> None:
    body = {"video_id": library["videos"]["city.mp4"], "prompt": "describe the taxi"}  # stream defaults to true
    with http.stream("POST", "/analyze", json=body) as r:
        assert r.headers["content-type"] == "application/x-ndjson"
        events = [EVENTS.validate_json(line) for line in r.iter_lines() if line]
    assert isinstance(events[0], StreamStart) and isinstance(events[-1], StreamEnd)
    assert all(isinstance(e, TextGeneration) for e in events[1:-1]) and len(events) > 3
    text = "".join(e.text for e in events[1:-1])
    assert "taxi" in text and events[-1].usage.output_tokens == len(text.split(" "))
    assert events[0].metadata.generation_id == events[-1].metadata.generation_id
    again = http.post("/analyze", json={**body, "stream": False}).json()
    assert again["data"] == text


def test_max_tokens_truncates_with_length(http: httpx.Client, library: dict) -> None:
    r = http.post("/analyze", json={"video_id": library["videos"]["city.mp4"], "prompt": "describe",
                                    "stream": False, "max_tokens": 5})
    res = AnalyzeResponse.model_validate(r.json())
    assert res.finish_reason == "length" and len(res.data.split(" ")) == 5 and res.usage.output_tokens == 5
    assert "max_tokens" in res.error.message


def test_current_shape_video_url_asset_and_base64(http: httpx.Client, fake, library: dict, clips) -> None:
    fake.add_media("https://cdn.example.com/w.mp4", clips["wildlife.mp4"])
    # a POST /tasks upload is an asset too: the video names it, and Pegasus 1.5 analyzes it by that id
    asset_id = http.get(f"/indexes/{library['index_id']}/videos/{library['videos']['wildlife.mp4']}").json()["asset_id"]
    assert asset_id != library["videos"]["wildlife.mp4"] and http.get(f"/assets/{asset_id}").json()["status"] == "ready"
    for video in ({"type": "url", "url": "https://cdn.example.com/w.mp4"},
                  {"type": "asset_id", "asset_id": asset_id},
                  {"type": "base64_string",
                   "base64_string": base64.b64encode(clips["wildlife.mp4"].read_bytes()).decode()}):
        r = http.post("/analyze", json={"video": video, "prompt": "Which animals appear?", "stream": False,
                                        "model_name": "pegasus1.5", "max_tokens": 2000})
        assert r.status_code == 200, r.text
        assert "fox" in r.json()["data"] and "bear" in r.json()["data"]
    window = http.post("/analyze", json={"video": {"type": "url", "url": "https://cdn.example.com/w.mp4"},
                                         "prompt": "x", "stream": False, "start_time": 4, "end_time": 8}).json()
    assert "eagle" in window["data"] and "fox" not in window["data"]


def test_json_schema_answer_is_valid_json(http: httpx.Client, library: dict) -> None:
    schema = {
        "type": "object",
        "properties": {
            "title": {"type": "string"},
            "chapters": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/chapter"}},
            "mood": {"enum": ["calm", "busy"]},
            "rating": {"type": "integer", "minimum": 3, "maximum": 5},
            "id": {"type": "string", "format": "uuid"},
            "flag": {"anyOf": [{"type": "null"}, {"type": "boolean"}]},
            "kind": {"const": "video"},
        },
        "required": ["title", "chapters"],
        "$defs": {"chapter": {"type": "object", "properties": {"start": {"type": "number"}, "end": {"type": "number"},
                                                               "summary": {"type": "string"}},
                              "required": ["start", "end", "summary"]}},
    }
    r = http.post("/analyze", json={"video_id": library["videos"]["city.mp4"], "prompt": "chapters", "stream": False,
                                    "response_format": {"type": "json_schema", "json_schema": schema}})
    data = json.loads(r.json()["data"])
    assert data["chapters"][1] == {"start": 4.0, "end": 8.0, "summary": "a yellow taxi drives through the rain"}
    assert data["mood"] == "busy" and 3 <= data["rating"] <= 5 and len(data["id"]) == 36
    assert data["flag"] is True and data["kind"] == "video"


def test_schema_generator_bounds_formats_patterns() -> None:
    scenes = parse_script("[0-4] a red fox")
    schema = {"type": "object", "properties": {
        "a": {"type": "integer", "exclusiveMinimum": 10, "exclusiveMaximum": 12},
        "b": {"type": "number", "minimum": -5, "maximum": -1},
        "c": {"type": "string", "format": "date-time"}, "d": {"type": "string", "format": "date"},
        "e": {"type": "string", "pattern": "^[A-Z]{3}-\\d{2}$"},
        "f": {"type": ["null", "array"], "items": {"type": "string"}, "maxItems": 0},
        "g": {"allOf": [{"type": "object", "properties": {"x": {"type": "boolean"}}}]}}}
    out = generate(schema, scenes)
    assert out == {"a": 11, "b": -1.0, "c": "2026-01-01T00:00:00Z", "d": "2026-01-01", "e": "AAA-00", "f": [],
                   "g": {"x": True}}


@pytest.mark.parametrize("keyword", ["minLength", "maxLength"])
def test_string_length_constraints_are_rejected_like_the_api(http: httpx.Client, library: dict, keyword) -> None:
    schema = {"type": "object", "properties": {"t": {"type": "string", keyword: 3}}}
    r = http.post("/analyze", json={"video_id": library["videos"]["city.mp4"], "prompt": "x", "stream": False,
                                    "response_format": {"type": "json_schema", "json_schema": schema}})
    assert r.status_code == 400 and r.json()["message"] == f"String length constraints ({keyword}) are not supported."


def test_analyze_errors(http: httpx.Client, fake, library: dict, clips) -> None:
    vid = library["videos"]["city.mp4"]
    cases = [
        ({"video_id": vid}, 400, "parameter_not_provided"),
        ({"prompt": "x"}, 400, "parameter_not_provided"),
        ({"video_id": "0" * 24, "prompt": "x"}, 404, "resource_not_exist"),
        ({"video_id": vid, "prompt": "x", "model_name": "pegasus1.5"}, 400, "parameter_invalid"),
        ({"video_id": vid, "prompt": "x", "temperature": 2}, 400, "parameter_invalid"),
        ({"video_id": vid, "prompt": "x", "max_tokens": 1}, 400, "parameter_invalid"),
        ({"video": {"type": "ftp"}, "prompt": "x"}, 400, "parameter_invalid"),
        ({"video": {"type": "asset_id", "asset_id": "nope"}, "prompt": "x"}, 404, "resource_not_exist"),
        ({"video_id": vid, "prompt": "x", "response_format": {"type": "text"}}, 400, "parameter_invalid"),
        ({"video_id": vid, "prompt": "x", "response_format": {"type": "json_schema", "json_schema": {
            "$ref": "#/$defs/missing"}}}, 400, "parameter_invalid"),
    ]
    for body, status, code in cases:
        r = http.post("/analyze", json={"stream": False, **body})
        assert (r.status_code, r.json()["code"]) == (status, code), body
    ix = create_index(http, "search-only", MARENGO3)
    marengo_only = upload(http, fake, ix, clips["city.mp4"])["video_id"]
    r = http.post("/analyze", json={"video_id": marengo_only, "prompt": "x", "stream": False})
    assert r.status_code == 400 and "Pegasus" in r.json()["message"]


def test_video_without_script_is_described_honestly(http: httpx.Client) -> None:
    r = http.post("/analyze", json={"video": {"type": "url", "url": "https://elsewhere.example/v.mp4"},
                                    "prompt": "describe", "stream": False})
    assert "no script" in r.json()["data"]


def test_classic_gist_summarize_generate(http: httpx.Client, library: dict) -> None:
    vid = library["videos"]["wildlife.mp4"]
    gist = http.post("/gist", json={"video_id": vid, "types": ["title", "topic", "hashtag"]}).json()
    assert gist["title"].lower().startswith("a red fox") and len(gist["topics"]) == 3 and "fox" in gist["hashtags"]
    chapters = http.post("/summarize", json={"video_id": vid, "type": "chapter"}).json()
    assert chapters["summarize_type"] == "chapter" and [c["start_sec"] for c in chapters["chapters"]] == [0, 4, 8]
    highlight = http.post("/summarize", json={"video_id": vid, "type": "highlight", "prompt": "eagle"}).json()
    assert [h["start"] for h in highlight["highlights"]] == [4]
    summary = http.post("/summarize", json={"video_id": vid, "type": "summary"}).json()
    assert "bear" in summary["summary"] and summary["usage"]["output_tokens"] > 0
    generated = http.post("/generate", json={"video_id": vid, "prompt": "eagle?", "stream": False}).json()
    assert "eagle" in generated["data"]
    with http.stream("POST", "/generate", json={"video_id": vid, "prompt": "x"}) as r:
        assert json.loads(list(r.iter_lines())[-1])["event_type"] == "stream_end"
    for path, body in (("/gist", {"video_id": vid}), ("/gist", {"video_id": vid, "types": ["mood"]}),
                       ("/summarize", {"video_id": vid, "type": "poem"}), ("/summarize", {"type": "summary"}),
                       ("/generate", {"prompt": "x"})):
        assert http.post(path, json=body).status_code == 400, (path, body)
