"""Indexes CRUD and videos list/retrieve/update/delete through raw httpx; responses parse under our models."""

from __future__ import annotations

import httpx
from _emulator_helpers import MARENGO3, MARENGO27, PEGASUS, create_index, upload

from twelvelabs_rag.types import Index, ListPage, Video


def test_index_crud(http: httpx.Client) -> None:
    ix = create_index(http, "first", MARENGO3, ["thumbnail"])
    assert len(ix) == 24 and int(ix, 16) >= 0
    got = Index.model_validate(http.get(f"/indexes/{ix}").json())
    assert (got.id, got.index_name, got.addons, got.video_count) == (ix, "first", ["thumbnail"], 0)
    assert got.models[0].model_name == "marengo3.0"
    r = http.put(f"/indexes/{ix}", json={"index_name": "renamed"})
    assert r.status_code == 204 and r.content == b""
    assert http.get(f"/indexes/{ix}").json()["index_name"] == "renamed"
    assert http.delete(f"/indexes/{ix}").status_code == 204
    r = http.get(f"/indexes/{ix}")
    assert r.status_code == 400 and r.json()["code"] == "resource_not_exist" and ix in r.json()["message"]


def test_index_validation(http: httpx.Client) -> None:
    create_index(http, "dup")
    cases = [
        ({"index_name": "dup", "models": MARENGO3}, "index_name_already_exists"),
        ({"models": MARENGO3}, "parameter_not_provided"),
        ({"index_name": "x"}, "parameter_not_provided"),
        ({"index_name": "x", "models": [{"model_name": "marengo9", "model_options": ["visual"]}]}, "parameter_invalid"),
        ({"index_name": "x", "models": [{"model_name": "marengo3.0", "model_options": ["smell"]}]},
         "parameter_invalid"),
        ({"index_name": "x", "models": PEGASUS, "addons": ["thumbnail"]}, "parameter_invalid"),
    ]
    for body, code in cases:
        r = http.post("/indexes", json=body)
        assert (r.status_code, r.json()["code"]) == (400, code), body
        assert set(r.json()) == {"code", "message", "docs_url"}
    r = http.post("/indexes", files=[("index_name", (None, "x"))])
    assert r.status_code == 400 and "JSON" in r.json()["message"]


def test_index_list_paging_filters_and_sorting(http: httpx.Client) -> None:
    ids = [create_index(http, f"ix{i}", MARENGO27 if i % 2 else MARENGO3) for i in range(5)]
    page = ListPage[Index].model_validate(http.get("/indexes", params={"page_limit": 2}).json())
    assert [i.id for i in page.data] == ids[::-1][:2]  # newest first by default
    assert (page.page_info.total_page, page.page_info.total_results, page.page_info.limit_per_page) == (3, 5, 2)
    asc = http.get("/indexes", params={"sort_option": "asc", "page_limit": 50}).json()["data"]
    assert [i["_id"] for i in asc] == ids
    past = http.get("/indexes", params={"page": 4, "page_limit": 2})
    assert past.status_code == 200 and past.json()["data"] == []
    assert [i["_id"] for i in http.get("/indexes", params={"index_name": "ix3"}).json()["data"]] == [ids[3]]
    assert http.get("/indexes", params={"model_family": "pegasus"}).json()["data"] == []
    assert len(http.get("/indexes", params={"model_options": "visual,audio"}).json()["data"]) == 5
    for bad in ({"page_limit": 51}, {"page": 0}, {"sort_by": "name"}, {"sort_option": "up"}):
        assert http.get("/indexes", params=bad).json()["code"] == "parameter_invalid"


def test_video_list_filters(http: httpx.Client, library: dict) -> None:
    ix = library["index_id"]
    page = ListPage[Video].model_validate(http.get(f"/indexes/{ix}/videos").json())
    assert page.page_info.total_results == 3
    assert {v.system_metadata.filename for v in page.data} == set(library["videos"])
    v = page.data[0]
    assert (v.system_metadata.width, v.system_metadata.height, v.system_metadata.fps) == (640, 360, 12.0)

    def ids(**params) -> set[str]:
        r = http.get(f"/indexes/{ix}/videos", params=params)
        assert r.status_code == 200, r.text
        return {d["_id"] for d in r.json()["data"]}

    city = library["videos"]["city.mp4"]
    assert ids(filename="city.mp4") == {city}
    assert ids(source="city") == {city}  # user metadata at the query root
    assert ids(**{"user_metadata[source]": "city"}) == {city}
    assert ids(n=0) == {city}
    assert ids(width=640) == set(library["videos"].values())
    assert ids(**{"duration[gte]": 11, "duration[lte]": 13}) == set(library["videos"].values())
    assert ids(**{"duration[gte]": 13}) == set()
    assert ids(source="nope") == set()
    assert http.get(f"/indexes/{ix}/videos", params={"page": 9}).json()["data"] == []


def test_video_retrieve_embeddings_transcription_hls(http: httpx.Client, library: dict) -> None:
    ix, vid = library["index_id"], library["videos"]["wildlife.mp4"]
    params = [("embedding_option", "visual"), ("embedding_option", "audio"), ("transcription", "true")]
    video = Video.model_validate(http.get(f"/indexes/{ix}/videos/{vid}", params=params).json())
    segs = video.embedding.video_embedding.segments
    assert video.embedding.model_name == "marengo3.0"
    assert video.embedding.video_embedding.matrix.shape == (4, 512)  # 2 clips x 2 options
    assert {s.embedding_option for s in segs} == {"visual", "audio"}
    assert [(s.start_offset_sec, s.end_offset_sec) for s in segs[:2]] == [(0, 6), (6, 12)]
    assert [t.value for t in video.transcription][-1] == "the bear is fishing"
    assert video.hls is not None and video.hls.video_url.endswith(".m3u8")
    plain = http.get(f"/indexes/{ix}/videos/{vid}").json()
    assert "embedding" not in plain and "transcription" not in plain
    bad = http.get(f"/indexes/{ix}/videos/{vid}", params={"embedding_option": "visual-text"})
    assert bad.status_code == 400 and "visual-text" in bad.json()["message"]
    missing = http.get(f"/indexes/{ix}/videos/{'0' * 24}")
    assert (missing.status_code, missing.json()["code"]) == (404, "resource_not_exist")


def test_video_update_patch_and_put_with_null_deletes(http: httpx.Client, library: dict) -> None:
    ix, vid = library["index_id"], library["videos"]["kitchen.mp4"]
    url = f"/indexes/{ix}/videos/{vid}"
    assert http.patch(url, json={"user_metadata": {"topic": "food", "n": None, "tags": ["a", "b"]}}).status_code == 204
    assert http.get(url).json()["user_metadata"] == {"source": "kitchen", "topic": "food", "tags": ["a", "b"]}
    assert http.put(url, json={"user_metadata": {"source": None, "ok": True}}).status_code == 204
    assert http.get(url).json()["user_metadata"] == {"topic": "food", "tags": ["a", "b"], "ok": True}
    r = http.patch(url, json={"user_metadata": {"duration": 5}})
    assert r.status_code == 400 and "system" in r.json()["message"]
    assert http.patch(url, json={"user_metadata": {"x": {"nested": 1}}}).status_code == 400
    assert http.delete(url).status_code == 204
    assert http.get(url).status_code == 404
    assert http.delete(url).json()["code"] == "resource_not_exist"
    assert http.get(f"/indexes/{ix}").json()["video_count"] == 2


def test_delete_index_removes_its_videos(http: httpx.Client, library: dict, fake) -> None:
    assert len(fake.videos) == 3
    http.delete(f"/indexes/{library['index_id']}")
    assert fake.videos == {}


def test_thumbnail_and_hls_urls_resolve(http: httpx.Client, fake, clips) -> None:
    from _emulator_helpers import upload

    from twelvelabs_rag._media import probe

    ix = create_index(http, "thumbs", MARENGO3, ["thumbnail"])
    vid = upload(http, fake, ix, clips["city.mp4"])["video_id"]
    hit = http.post("/search", files=[("index_id", (None, ix)), ("query_text", (None, "yellow taxi")),
                                      ("search_options", (None, "visual"))]).json()["data"][0]
    thumb = httpx.Client(transport=fake.transport()).get(hit["thumbnail_url"])  # presigned-style: no key needed
    assert thumb.headers["content-type"] == "image/png"
    assert probe(thumb.content).text == "a yellow taxi drives through the rain"
    hls = http.get(f"/indexes/{ix}/videos/{vid}").json()["hls"]
    playlist = http.get(hls["video_url"])
    assert playlist.status_code == 200 and playlist.text.startswith("#EXTM3U")
    assert http.get(hls["thumbnail_urls"][0]).status_code == 200
    assert http.get("http://emulator/thumbnails/nope/0.png").status_code == 404


def test_user_metadata_is_echoed_where_the_api_returns_it(http: httpx.Client, fake, clips) -> None:
    """twelvelabs-api.md §4: list items ("VideoVector") carry no user_metadata, retrieve does; §3: tasks never."""
    ix = create_index(http)
    task = upload(http, fake, ix, next(iter(clips.values())),
                  metadata={"category": "news"})
    (item,) = http.get(f"/indexes/{ix}/videos", params={"category": "news"}).json()["data"]
    assert item["_id"] == task["video_id"] and "user_metadata" not in item
    detail = http.get(f"/indexes/{ix}/videos/{task['video_id']}").json()
    assert detail["user_metadata"] == {"category": "news"}
    assert "user_metadata" not in http.get(f"/tasks/{task['_id']}").json()
