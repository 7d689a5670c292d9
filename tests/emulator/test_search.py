"""Search: ranking by the script, options/operator, filters, grouping, paging, classic fields, errors."""

from __future__ import annotations

import json

import httpx
import pytest
from _emulator_helpers import MARENGO27, create_index, form, upload

from twelvelabs_rag.testing.samples import png_bytes
from twelvelabs_rag.types import SearchResults


def search(http: httpx.Client, **fields) -> SearchResults:
    files = fields.pop("files", [])
    r = http.post("/search", files=form(**fields) + files)
    assert r.status_code == 200, r.text
    return SearchResults.model_validate(r.json())


@pytest.mark.parametrize(("query", "clip", "start"), [
    ("a fox running in the snow", "wildlife.mp4", 0),
    ("eagle flying over a lake", "wildlife.mp4", 4),
    ("taxi driving in the rain", "city.mp4", 4),
    ("noodles at a night market", "city.mp4", 8),
    ("chef chopping onions", "kitchen.mp4", 0),
    ("spaghetti with tomato sauce", "kitchen.mp4", 8),
])
def test_query_ranks_the_described_scene_first(http: httpx.Client, library: dict, query, clip, start) -> None:
    res = search(http, index_id=library["index_id"], query_text=query, search_options=["visual", "audio"])
    top = res.data[0]
    assert (top.video_id, top.start, top.rank) == (library["videos"][clip], start, 1)
    assert top.score is None and top.confidence is None  # Marengo 3.0 returns rank only
    assert [d.rank for d in res.data] == list(range(1, len(res.data) + 1))
    assert res.search_pool.total_count == 3 and res.search_pool.total_duration == pytest.approx(36, abs=0.5)


def test_deterministic_across_emulators(http: httpx.Client, library: dict) -> None:
    a = http.post("/search", files=form(index_id=library["index_id"], query_text="bear", search_options="visual"))
    b = http.post("/search", files=form(index_id=library["index_id"], query_text="bear", search_options="visual"))
    assert a.json()["data"] == b.json()["data"]


def test_transcription_option_matches_speech(http: httpx.Client, library: dict) -> None:
    res = search(http, index_id=library["index_id"], query_text="dinner is served",
                 search_options=["transcription"], transcription_options=["lexical", "semantic"])
    assert res.data[0].video_id == library["videos"]["kitchen.mp4"] and res.data[0].transcription == "dinner is served"


def test_operator_and_requires_every_option(http: httpx.Client, library: dict) -> None:
    ix = library["index_id"]
    either = search(http, index_id=ix, query_text="bear fishing", search_options=["visual", "transcription"])
    both = search(http, index_id=ix, query_text="bear fishing", search_options=["visual", "transcription"],
                  operator="and")
    assert len(both.data) <= len(either.data)
    assert both.data and both.data[0].start == 8


def test_group_by_video_and_paging(http: httpx.Client, library: dict) -> None:
    ix = library["index_id"]
    res = search(http, index_id=ix, query_text="night market street taxi fox eagle bear chef pasta",
                 search_options="visual", group_by="video", page_limit=2)
    assert len(res.data) == 2 and all(item.id and item.clips for item in res.data)
    assert res.page_info.total_inner_matches >= 3 and res.page_info.next_page_token
    nxt = http.get(f"/search/{res.page_info.next_page_token}")
    page2 = SearchResults.model_validate(nxt.json())
    assert len(page2.data) == 1 and page2.page_info.next_page_token is None and page2.page_info.prev_page_token
    seen = {i.id for i in res.data} | {i.id for i in page2.data}
    assert seen == set(library["videos"].values())


def test_clip_paging_walks_every_result(http: httpx.Client, library: dict) -> None:
    res = search(http, index_id=library["index_id"], query_text="fox eagle bear taxi street market chef pasta",
                 search_options="visual", page_limit=2)
    clips = list(res.data)
    token = res.page_info.next_page_token
    while token:
        page = SearchResults.model_validate(http.get(f"/search/{token}").json())
        clips += page.data
        token = page.page_info.next_page_token
    assert len(clips) == res.page_info.total_results >= 6
    assert [c.rank for c in clips] == list(range(1, len(clips) + 1))
    bad = http.get("/search/not-a-token")
    assert bad.status_code == 400 and "run the search again" in bad.json()["message"]


def test_filters_and_user_metadata(http: httpx.Client, library: dict) -> None:
    ix, videos = library["index_id"], library["videos"]
    q = dict(index_id=ix, query_text="fox eagle bear taxi street market chef pasta", search_options="visual")
    by_id = search(http, **q, filter=json.dumps({"id": [videos["city.mp4"]]}))
    assert {d.video_id for d in by_id.data} == {videos["city.mp4"]}
    by_meta = search(http, **q, filter=json.dumps({"source": "kitchen"}), include_user_metadata=True)
    assert {d.video_id for d in by_meta.data} == {videos["kitchen.mp4"]}
    assert by_meta.data[0].user_metadata == {"source": "kitchen", "n": 1}
    by_range = search(http, **q, filter=json.dumps({"n": {"gte": 1}, "duration": {"lte": 20}}))
    assert {d.video_id for d in by_range.data} == {videos["kitchen.mp4"], videos["wildlife.mp4"]}
    none = search(http, **q, filter=json.dumps({"width": 1920}))
    assert none.data == [] and none.page_info.next_page_token is None
    assert search(http, **q).data[0].user_metadata is None
    r = http.post("/search", files=form(**q, filter="{bad"))
    assert r.status_code == 400 and "filter" in r.json()["message"]


def test_image_query_uses_the_png_text(http: httpx.Client, library: dict) -> None:
    res = search(http, index_id=library["index_id"], query_media_type="image", search_options="visual",
                 files=[("query_media_file", ("q.png", png_bytes("a yellow taxi in the rain"), "image/png"))])
    assert (res.data[0].video_id, res.data[0].start) == (library["videos"]["city.mp4"], 4)
    tiny = http.post("/search", files=form(index_id=library["index_id"], query_media_type="image",
                                           search_options="visual")
                     + [("query_media_file", ("q.png", png_bytes("x", width=32, height=32), "image/png"))])
    assert tiny.json()["code"] == "image_resolution_too_low"


def test_classic_index_score_confidence_and_thumbnails(http: httpx.Client, fake, clips) -> None:
    ix = create_index(http, "classic", MARENGO27, ["thumbnail"])
    vid = upload(http, fake, ix, clips["wildlife.mp4"])["video_id"]
    res = search(http, index_id=ix, query_text="red fox in deep snow", search_options="visual")
    top = res.data[0]
    assert top.video_id == vid and top.rank == 1 and top.score > 50 and top.confidence == "high"
    assert top.thumbnail_url.startswith("http://emulator/thumbnails/")
    loose = search(http, index_id=ix, query_text="red fox in deep snow", search_options="visual", threshold="none")
    strict = search(http, index_id=ix, query_text="red fox in deep snow", search_options="visual", threshold="high")
    assert len(loose.data) == 3 and len(strict.data) == 1


@pytest.mark.parametrize(("fields", "code"), [
    ({"query_text": "x"}, "parameter_not_provided"),
    ({"search_options": "visual"}, "parameter_not_provided"),
    ({"query_text": "x", "search_options": "logo"}, "parameter_invalid"),
    ({"query_text": "x", "search_options": "smell"}, "parameter_invalid"),
    ({"query_text": "x", "search_options": "visual", "group_by": "scene"}, "parameter_invalid"),
    ({"query_text": "x", "search_options": "visual", "operator": "xor"}, "parameter_invalid"),
    ({"query_text": "x", "search_options": "visual", "page_limit": 51}, "parameter_invalid"),
    ({"query_text": "x", "search_options": "visual", "query_media_type": "image"}, "parameter_invalid"),
])
def test_search_validation(http: httpx.Client, library: dict, fields: dict, code: str) -> None:
    r = http.post("/search", files=form(index_id=library["index_id"], **fields))
    assert (r.status_code, r.json()["code"]) == (400, code), r.text


def test_search_is_multipart_not_json(http: httpx.Client, library: dict) -> None:
    r = http.post("/search", json={"index_id": library["index_id"], "query_text": "x", "search_options": ["visual"]})
    assert r.status_code == 400 and "multipart/form-data" in r.json()["message"]
    r = http.post("/search", files=form(index_id="0" * 24, query_text="x", search_options="visual"))
    assert r.json()["code"] == "resource_not_exist"
