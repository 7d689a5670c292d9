"""``tlrag index|upload|search|analyze`` against the loopback emulator, including bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

KEY = "tlk_cli_test_key_123"  # the key the `api` fixture sets (conftest.KEY)

FOX = "[0-4] a red fox runs through deep snow\n[4-8] an eagle flies over a frozen lake"
CITY = "[0-4] a yellow taxi drives through the rain at night\n[4-8] people eat noodles at a night market"


# -- index -------------------------------------------------------------------------------------


def test_index_create_list_delete(api) -> None:
    r = api("index", "create", "my-videos")
    assert r.code == 0, r.err
    assert r.out.startswith("created index 'my-videos': ")
    index_id = r.out.strip().rsplit(": ", 1)[1]

    r = api("index", "list")
    assert r.code == 0
    header, rule, row = r.out.splitlines()
    assert header.split() == ["index_id", "name", "models", "videos", "duration"]
    assert row.split()[:4] == [index_id, "my-videos", "marengo3.0", "0"]  # the current flow: Pegasus needs no index

    r = api("index", "list", "--json")
    assert [json.loads(line)["index_name"] for line in r.out.splitlines()] == ["my-videos"]

    r = api("index", "delete", index_id)
    assert (r.code, r.out.strip()) == (0, f"deleted index {index_id}")
    assert api("index", "list").out.splitlines()[2] == "(no results)"


def test_index_create_classic(api) -> None:
    r = api("index", "create", "old", "--classic")
    assert r.code == 0, r.err
    assert api("index", "list").out.splitlines()[2].split()[2] == "marengo2.7,pegasus1.2"
    r = api("index", "create", "old", "--classic", "--models", "marengo3.0")
    assert (r.code, r.err_lines) == (1, ["error: --classic picks the classic models itself: leave out --models, "
                                         "or leave out --classic"])


def test_index_delete_unknown(api) -> None:
    r = api("index", "delete", "nope")
    assert r.code == 1
    assert r.err_lines == ["error: index 'nope' not found (see 'tlrag index list')"]


def test_index_create_needs_a_model(api) -> None:
    r = api("index", "create", "x", "--models", " , ")
    assert r.err_lines == ["error: --models needs at least one model name, e.g. marengo3.0"]
    assert r.code == 1


def test_wrong_key_is_reported_without_the_key(cli, base_url) -> None:
    from twelvelabs_rag.testing import FakeTwelveLabs, serve

    with serve(FakeTwelveLabs(api_keys=["tlk_the_right_one"])) as url:
        r = cli("index", "list", "--base-url", url, "--api-key", "tlk_wrong_secret_999")
    assert r.code == 1
    assert len(r.err_lines) == 1 and r.err_lines[0].startswith("error: 401")
    assert "tlk_wrong_secret_999" not in r.err + r.out


# -- upload ------------------------------------------------------------------------------------


def test_upload_then_skip_already_indexed(api, index_id, clip_factory) -> None:
    fox, city = clip_factory("fox.mp4", FOX), clip_factory("city.mp4", CITY)
    r = api("upload", fox, city, "--index", index_id, "--metadata", '{"topic": "demo"}',
            "--poll-interval", "0")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[0].split() == ["file", "video_id", "asset_id", "status", "duration"]
    assert [ln.split()[0] for ln in lines[2:]] == ["fox.mp4", "city.mp4"]
    assert all(ln.split()[3] == "ready" for ln in lines[2:])
    assert "upload" in r.err  # the progress bar goes to stderr

    r = api("upload", fox, "--index", index_id)
    assert r.code == 0
    assert "skipped (already indexed)" in r.out.splitlines()[2]

    listing = api("index", "list").out.splitlines()[2].split()
    assert listing[3] == "2"


def test_upload_same_name_other_content_is_uploaded(api, index_id, clip_factory, tmp_path: Path) -> None:
    first = clip_factory("clip.mp4", FOX)
    assert api("upload", first, first, "--index", index_id, "--poll-interval", "0").out.count("ready") == 1
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    from twelvelabs_rag.testing.samples import make_clip

    second = make_clip(other_dir / "clip.mp4", CITY + "\n[8-12] a long extra scene about something else")
    assert second.stat().st_size != first.stat().st_size
    r = api("upload", second, "--index", index_id, "--poll-interval", "0")
    assert r.code == 0, r.err
    assert r.out.splitlines()[2].split()[3] == "ready"
    assert api("index", "list").out.splitlines()[2].split()[3] == "2"


def test_upload_missing_file(api, index_id, tmp_path: Path) -> None:
    r = api("upload", "missing.mp4", "--index", index_id)
    assert r.code == 1
    assert r.err_lines == ["error: no such video file: missing.mp4"]


def test_upload_unknown_index(api, clip_factory) -> None:
    r = api("upload", clip_factory("fox.mp4", FOX), "--index", "nope")
    assert r.err_lines == ["error: index 'nope' not found (see 'tlrag index list')"]
    assert r.code == 1


def test_upload_preflight_rejects_before_any_upload(api, index_id, clip_factory, fake) -> None:
    good = clip_factory("fox.mp4", FOX)
    small = clip_factory("tiny.mp4", FOX, width=320, height=180)
    short = clip_factory("short.mp4", "[0-1] a fox", seconds=1)
    before = len(fake.requests)
    r = api("upload", good, small, "--index", index_id, "--no-progress", "--poll-interval", "0")
    assert r.code == 1
    assert r.err_lines == [
        "error: tiny.mp4: the resolution 320x180 is below 360x360; upscale or re-encode the video (API code "
        "video_resolution_too_low; nothing was uploaded; pass --no-preflight to skip local checks)"
    ]
    r = api("upload", good, small, short, "--index", index_id, "--no-progress", "--poll-interval", "0")
    assert len(r.err_lines) == 1
    assert r.err_lines[0].startswith("error: 2 files fail the preflight checks, nothing was uploaded: tiny.mp4: ")
    assert "; short.mp4: the video lasts 1.00 s; the minimum is 4 s" in r.err_lines[0]
    uploads = [q for q in fake.requests[before:]
               if q.method == "POST" and q.path.endswith(("/tasks", "/assets", "/multipart-uploads"))]
    assert uploads == []


def test_upload_without_preflight_lets_the_api_decide(api, clip_factory) -> None:
    index_id = api("index", "create", "classic", "--classic").out.strip().rsplit(": ", 1)[1]  # /tasks checks it
    small = clip_factory("tiny.mp4", FOX, width=320, height=180)
    r = api("upload", small, "--index", index_id, "--no-progress", "--poll-interval", "0", "--no-preflight")
    assert r.code == 1
    assert len(r.err_lines) == 1 and r.err_lines[0].startswith("error: 400 video_resolution_too_low")


@pytest.mark.parametrize(("value", "line"), [
    ("{oops", "error: --metadata is not valid JSON: Expecting property name enclosed in double quotes"),
    ("[1, 2]", "error: --metadata must be a JSON object, e.g. '{\"category\": \"nature\"}'"),
])
def test_upload_bad_metadata(api, index_id, clip_factory, value, line) -> None:
    r = api("upload", clip_factory("fox.mp4", FOX), "--index", index_id, "--metadata", value)
    assert (r.code, r.err_lines) == (1, [line])


# -- search ------------------------------------------------------------------------------------


@pytest.fixture
def indexed(api, index_id, clip_factory) -> dict[str, str]:
    r = api("upload", clip_factory("fox.mp4", FOX), clip_factory("city.mp4", CITY), "--index", index_id,
            "--no-progress", "--poll-interval", "0")
    assert r.code == 0, r.err
    return {ln.split()[0]: ln.split()[1] for ln in r.out.splitlines()[2:]}


@pytest.fixture
def assets(api, index_id, indexed) -> dict[str, str]:
    """``file -> asset_id`` of the indexed clips (a re-run of the upload lists them, uploading nothing)."""
    r = api("upload", "fox.mp4", "city.mp4", "--index", index_id, "--no-progress")
    assert r.code == 0 and r.out.count("skipped (already indexed)") == 2, r.out + r.err
    return {ln.split()[0]: ln.split()[2] for ln in r.out.splitlines()[2:]}


def test_search_text(api, index_id, indexed) -> None:
    r = api("search", "a taxi in the rain", "--index", index_id, "--limit", "3")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[0].split() == ["rank", "file", "video_id", "moment"]  # Marengo 3.0 ranks, it does not score
    first = lines[2].split()
    assert first[:4] == ["1", "city.mp4", indexed["city.mp4"], "00:00-00:04"]
    assert len(lines) - 2 <= 3

    r = api("search", "a taxi in the rain", "--index", index_id, "--json", "--limit", "1")
    hit = json.loads(r.out)
    assert (hit["video_id"], hit["start"], hit["end"]) == (indexed["city.mp4"], 0, 4)


def test_search_classic_index_shows_scores(api, clip_factory) -> None:
    index_id = api("index", "create", "classic", "--models", "marengo2.7").out.strip().rsplit(": ", 1)[1]
    assert api("upload", clip_factory("fox.mp4", FOX), "--index", index_id, "--poll-interval", "0").code == 0
    r = api("search", "a fox in the snow", "--index", index_id)
    assert r.code == 0, r.err
    assert r.out.splitlines()[0].split() == ["rank", "file", "video_id", "moment", "score", "confidence"]
    row = r.out.splitlines()[2].split()
    assert row[1] == "fox.mp4" and 0 < float(row[4]) <= 100 and row[5] in ("high", "medium", "low")


def test_search_image(api, index_id, indexed, tmp_path: Path) -> None:
    from twelvelabs_rag.testing.samples import make_image

    image = make_image(tmp_path / "q.png", "a red fox running in the snow")
    r = api("search", "--image", image, "--index", index_id, "--options", "visual")
    assert r.code == 0, r.err
    assert r.out.splitlines()[2].split()[1:4] == ["fox.mp4", indexed["fox.mp4"], "00:00-00:04"]


def test_search_bad_input(api, index_id) -> None:
    assert api("search", "--index", index_id).err_lines == ["error: give a text QUERY, --image PATH, or both"]
    r = api("search", "--image", "nope.png", "--index", index_id)
    assert (r.code, r.err_lines) == (1, ["error: no such image file: nope.png"])
    r = api("search", "fox", "--index", "nope")
    assert (r.code, r.err_lines) == (1, ["error: index 'nope' not found (see 'tlrag index list')"])
    r = api("search", "fox", "--index", index_id, "--limit", "0")
    assert (r.code, r.err_lines) == (
        2, ["error: argument --limit: 0 is out of range (use 1 to 10000) (see 'tlrag search --help')"])


# -- analyze -----------------------------------------------------------------------------------


def test_analyze_plain_and_stream(api, assets) -> None:
    video = "--asset", assets["fox.mp4"]
    plain = api("analyze", *video, "What animal is in the video?")
    assert plain.code == 0, plain.err
    assert "fox" in plain.out.lower()
    streamed = api("analyze", *video, "What animal is in the video?", "--stream")
    assert streamed.code == 0, streamed.err
    assert streamed.out.strip() == plain.out.strip()


def test_analyze_with_schema(api, assets, tmp_path: Path) -> None:
    schema = {"type": "object", "properties": {"animal": {"type": "string"}}, "required": ["animal"]}
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(schema))
    r = api("analyze", "--asset", assets["fox.mp4"], "Which animal?", "--schema", path)
    assert r.code == 0, r.err
    value = json.loads(r.out)
    assert isinstance(value["animal"], str)
    # the API's own wrapper form is accepted too
    path.write_text(json.dumps({"type": "json_schema", "json_schema": schema}))
    r = api("analyze", "--asset", assets["fox.mp4"], "Which animal?", "--schema", path)
    assert json.loads(r.out).keys() == {"animal"}


def test_analyze_bad_schema_files(api, assets, tmp_path: Path) -> None:
    video = "--asset", assets["fox.mp4"]
    r = api("analyze", *video, "q", "--schema", "missing.json")
    assert (r.code, r.err_lines) == (1, ["error: no such schema file: missing.json"])
    bad = tmp_path / "bad.json"
    bad.write_text('{"type": "object",\n "properties": }')
    r = api("analyze", *video, "q", "--schema", bad)
    assert (r.code, r.err_lines) == (1, [f"error: schema file {bad} is not valid JSON: Expecting value at line 2 "
                                         "column 16"])
    bad.write_text("[1, 2]")
    r = api("analyze", *video, "q", "--schema", bad)
    assert (r.code, r.err_lines) == (1, [f"error: schema file {bad} must hold a JSON object, not list"])


def test_analyze_window_and_url(api, assets, fake) -> None:
    r = api("analyze", "--asset", assets["fox.mp4"], "What flies?", "--start", "4", "--end", "8")
    assert r.code == 0, r.err
    (sent,) = [q.json for q in fake.calls("POST /analyze")][-1:]
    assert sent["video"] == {"type": "asset_id", "asset_id": assets["fox.mp4"]}
    assert (sent["start_time"], sent["end_time"], sent["model_name"]) == (4, 8, "pegasus1.5")
    r = api("analyze", "--url", "ftp://x/v.mp4", "What?")
    assert (r.code, r.err_lines) == (1, ["error: --url must be an http(s) URL of a video file, got 'ftp://x/v.mp4'"])
    r = api("analyze", "--asset", assets["fox.mp4"], "What?", "--start", "8", "--end", "4")
    assert (r.code, r.err_lines) == (1, ["error: --end (4) must be after --start (8)"])
    r = api("analyze", "What happens?")
    assert r.code == 1 and r.err_lines[0].startswith("error: what should Pegasus watch? pass --asset ASSET_ID")


def test_analyze_classic_video_id(api, clip_factory) -> None:
    index_id = api("index", "create", "classic", "--classic").out.strip().rsplit(": ", 1)[1]
    r = api("upload", clip_factory("fox.mp4", FOX), "--index", index_id, "--no-progress")
    assert r.code == 0, r.err
    video_id = r.out.splitlines()[2].split()[1]
    r = api("analyze", video_id, "What animal is in the video?")
    assert r.code == 0, r.err
    assert "fox" in r.out.lower()


def test_analyze_unknown_video(api, indexed, base_url) -> None:
    r = api("analyze", "nope", "What happens?")
    assert r.code == 1
    assert r.err_lines == [f"error: 404 resource_not_exist: Video with id nope does not exist or is not ready yet. "
                           f"(POST {base_url}/analyze)"]
    assert KEY not in r.err


def test_upload_resume_an_interrupted_multipart_upload(api, index_id, clip_factory, fake) -> None:
    fake.multipart_chunk_size = 4096  # several chunks from a small clip
    fox = clip_factory("fox.mp4", FOX)
    fake.fail_next("POST /assets/multipart-uploads/{upload_id}", 400)  # the chunk report is refused once
    # One chunk at a time: the refused report stops the upload before any other chunk is confirmed.
    r = api("upload", fox, "--index", index_id, "--method", "multipart", "--concurrency", "1", "--no-progress")
    assert r.code == 1
    (upload_id,) = fake.uploads
    assert f"'tlrag upload FILE --index {index_id} --resume {upload_id}'" in r.err_lines[0], r.err
    assert "assets.upload(" not in r.err  # the library's advice for Python callers, reworded

    r = api("upload", fox, "--index", index_id, "--resume", upload_id, "--no-progress")
    assert r.code == 0, r.err
    row = r.out.splitlines()[2].split()
    assert row[0] == "fox.mp4" and row[3] == "ready" and "(resumed)" in r.out
    assert len(fake.uploads) == 1 and len(fake.assets) == 1, "no second session, no second asset"
    assert api("upload", fox, "--index", index_id, "--no-progress").out.count("skipped (already indexed)") == 1

    city = clip_factory("city.mp4", CITY)
    r = api("upload", fox, city, "--index", index_id, "--resume", upload_id)
    assert (r.code, r.err_lines) == (1, [f"error: --resume {upload_id} continues one interrupted upload: give "
                                         "exactly the one file it was uploading (got 2 files)"])


def test_upload_finds_an_interrupted_upload_without_resume(api, index_id, clip_factory, fake) -> None:
    fake.multipart_chunk_size = 4096
    fox = clip_factory("fox.mp4", FOX)
    fake.fail_next("POST /assets/multipart-uploads/{upload_id}", 400)
    assert api("upload", fox, "--index", index_id, "--method", "multipart", "--concurrency", "1",
               "--no-progress").code == 1
    r = api("upload", fox, "--index", index_id, "--no-progress")  # same file: its session is found and continued
    assert r.code == 0, r.err
    assert "(resumed)" in r.out and len(fake.uploads) == 1 and len(fake.assets) == 1, r.out
