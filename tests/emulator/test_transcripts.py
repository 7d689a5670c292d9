"""Transcripts hold spoken words only: silent scenes have no transcript line and never match on speech."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from _emulator_helpers import MARENGO3, PEGASUS, create_index, form, upload

from twelvelabs_rag._media import probe
from twelvelabs_rag.testing import FakeTwelveLabs
from twelvelabs_rag.testing._schema import generate
from twelvelabs_rag.testing._script import parse_script
from twelvelabs_rag.testing.samples import make_clip

#: A scene with speech between two silent ones, and a clip where nothing is said at all.
MIXED = ("[0-4] a lighthouse stands on a rocky cliff\n"
         "[4-8] a keeper climbs the spiral stairs | \"every night I light the lamp\"\n"
         "[8-12] waves crash against the rocks below")
SILENT = "[0-6] a glacier calves into a grey fjord\n[6-12] seals rest on floating ice"


@pytest.fixture(scope="module")
def silent_clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("silent")
    return {"coast.mp4": make_clip(root / "coast.mp4", MIXED), "ice.mp4": make_clip(root / "ice.mp4", SILENT)}


@pytest.fixture
def coast(http: httpx.Client, fake: FakeTwelveLabs, silent_clips: dict[str, Path]) -> dict:
    ix = create_index(http, models=MARENGO3 + PEGASUS, addons=["thumbnail"])
    videos = {name: upload(http, fake, ix, path)["video_id"] for name, path in silent_clips.items()}
    return {"index_id": ix, "videos": videos}


def search(http: httpx.Client, ix: str, query: str, options: list[str]) -> list[dict]:
    r = http.post("/search", files=form(index_id=ix, query_text=query, search_options=options))
    assert r.status_code == 200, r.text
    return r.json()["data"]


def test_transcription_lists_only_the_spoken_scenes(http: httpx.Client, coast: dict) -> None:
    ix, videos = coast["index_id"], coast["videos"]
    mixed = http.get(f"/indexes/{ix}/videos/{videos['coast.mp4']}", params={"transcription": "true"}).json()
    assert mixed["transcription"] == [{"start": 4, "end": 8, "value": "every night I light the lamp"}]
    silent = http.get(f"/indexes/{ix}/videos/{videos['ice.mp4']}", params={"transcription": "true"}).json()
    assert silent["transcription"] == []


def test_transcription_search_never_matches_a_silent_scene(http: httpx.Client, coast: dict) -> None:
    ix, videos = coast["index_id"], coast["videos"]
    # The query repeats the silent scenes' descriptions word for word: what is seen is not what is said.
    for query in ("a lighthouse stands on a rocky cliff", "a glacier calves into a grey fjord"):
        assert search(http, ix, query, ["transcription"]) == []
        visual = search(http, ix, query, ["visual"])
        assert visual and visual[0]["start"] == 0 and "transcription" not in visual[0]
    spoken = search(http, ix, "I light the lamp every night", ["transcription"])
    assert [(h["video_id"], h["start"], h["transcription"]) for h in spoken] == [
        (videos["coast.mp4"], 4, "every night I light the lamp")]


def test_audio_of_a_silent_scene_still_carries_its_sound(http: httpx.Client, coast: dict) -> None:
    # The audio track of a silent scene is its ambient sound, which the description stands in for.
    hits = search(http, coast["index_id"], "waves crash against the rocks", ["audio"])
    assert (hits[0]["video_id"], hits[0]["start"]) == (coast["videos"]["coast.mp4"], 8)
    with_or = search(http, coast["index_id"], "waves crash against the rocks", ["audio", "transcription"])
    assert (with_or[0]["start"], "transcription" not in with_or[0]) == (8, True)


def test_thumbnail_shows_only_what_is_seen(http: httpx.Client, fake: FakeTwelveLabs, coast: dict) -> None:
    hit = search(http, coast["index_id"], "a keeper climbs the spiral stairs", ["visual"])[0]
    thumb = httpx.Client(transport=fake.transport()).get(hit["thumbnail_url"])
    assert probe(thumb.content).text == "a keeper climbs the spiral stairs"


def test_json_answer_quotes_nothing_for_a_silent_scene(http: httpx.Client, coast: dict) -> None:
    schema = {"type": "object", "properties": {"scenes": {"type": "array", "items": {
        "type": "object", "properties": {"start": {"type": "number"}, "quote": {"type": "string"},
                                         "description": {"type": "string"}}}}}}
    r = http.post("/analyze", json={"video_id": coast["videos"]["coast.mp4"], "prompt": "quotes", "stream": False,
                                    "response_format": {"type": "json_schema", "json_schema": schema}})
    scenes = json.loads(r.json()["data"])["scenes"]
    assert [(s["start"], s["quote"]) for s in scenes] == [(0, ""), (4, "every night I light the lamp"), (8, "")]
    assert scenes[2]["description"] == "waves crash against the rocks below"
    assert generate({"type": "string"}, parse_script(SILENT)) == "a glacier calves into a grey fjord"
