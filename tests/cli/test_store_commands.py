"""``tlrag store ingest|search|stats``: embed tasks from the loopback emulator into a local store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

FOX = "[0-4] a red fox runs through deep snow\n[4-8] an eagle flies over a frozen lake"
CITY = "[0-4] a yellow taxi drives through the rain at night\n[4-8] people eat noodles at a night market"


def _embed_task(base_url: str, clip: Path) -> str:
    from twelvelabs_rag import TwelveLabs

    with TwelveLabs(api_key="tlk_any", base_url=base_url) as client:
        task = client.embed.tasks.create_and_wait(model_name="marengo3.0", video_file=clip, poll_interval=0)
    return task.id


@pytest.fixture
def store_path(api, base_url, clip_factory, tmp_path: Path) -> Path:
    path = tmp_path / "segments"
    for name, script in (("fox.mp4", FOX), ("city.mp4", CITY)):
        task_id = _embed_task(base_url, clip_factory(name, script))
        r = api("store", "ingest", task_id, "--path", path, "--video-id", name.removesuffix(".mp4"))
        assert r.code == 0, r.err
        assert r.out.startswith("added ") and f"of task {task_id} to {path}" in r.out
    return path


def _rows(out: str) -> list[list[str]]:
    return [ln.split() for ln in out.splitlines()[2:]]


def test_ingest_then_stats(api, store_path) -> None:
    r = api("store", "stats", "--path", store_path)
    assert r.code == 0, r.err
    assert r.out.strip()
    assert "marengo3.0" in r.out


def test_search_text_image_like(api, store_path, tmp_path: Path) -> None:
    r = api("store", "search", "--path", store_path, "--text", "a taxi in the rain", "--limit", "3")
    assert r.code == 0, r.err
    assert r.out.splitlines()[0].split() == ["segment", "video_id", "file", "moment", "option", "score"]
    top = _rows(r.out)[0]
    assert top[1:3] == ["city", "city.mp4"]
    assert top[3].startswith("00:00-")  # the taxi is in the first scene

    from twelvelabs_rag.testing.samples import make_image

    image = make_image(tmp_path / "fox.png", "a red fox in the deep snow")
    r = api("store", "search", "--path", store_path, "--image", image, "--limit", "2")
    assert r.code == 0, r.err
    assert _rows(r.out)[0][1] == "fox"

    seed = int(_rows(r.out)[0][0])
    r = api("store", "search", "--path", store_path, "--like", str(seed), "--json", "--limit", "4")
    assert r.code == 0, r.err
    hits = [json.loads(line) for line in r.out.splitlines()]
    assert hits and seed not in [h["id"] for h in hits]
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)


def test_search_with_video_filter(api, store_path) -> None:
    r = api("store", "search", "--path", store_path, "--text", "a taxi in the rain", "--video", "fox", "--json")
    assert r.code == 0, r.err
    assert {json.loads(line)["video_id"] for line in r.out.splitlines()} == {"fox"}


def test_like_is_offline(cli, store_path) -> None:
    # No key, no base URL: --like and stats never need the API.
    r = cli("store", "search", "--path", store_path, "--like", "0", "--limit", "1")
    assert r.code == 0, r.err
    assert cli("store", "stats", "--path", store_path).code == 0


def test_wrong_store_path(api, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    expected = f"error: no segment store at {missing} (create one with 'tlrag store ingest TASK_ID --path {missing}')"
    assert api("store", "stats", "--path", missing).err_lines == [expected]
    r = api("store", "search", "--path", missing, "--text", "fox")
    assert (r.code, r.err_lines) == (1, [expected])
    afile = tmp_path / "file.txt"
    afile.write_text("x")
    r = api("store", "stats", "--path", afile)
    assert (r.code, r.err_lines) == (1, [f"error: {afile} is a file, not a segment store directory"])
    empty = tmp_path / "empty"
    empty.mkdir()
    r = api("store", "stats", "--path", empty)
    assert (r.code, r.err_lines) == (1, [f"error: no segment store at {empty} (create one with 'tlrag store ingest "
                                         f"TASK_ID --path {empty}')"])
    (empty / "manifest.json").write_text("{ not json")
    r = api("store", "stats", "--path", empty)
    assert r.code == 1 and len(r.err_lines) == 1 and r.err_lines[0].startswith("error: ")
    assert "Traceback" not in r.err


def test_bad_like_and_unknown_segment(api, store_path) -> None:
    r = api("store", "search", "--path", store_path, "--like", "abc")
    assert r.err_lines == ["error: --like takes a segment id (an integer from 'tlrag store search'), not 'abc'"]
    r = api("store", "search", "--path", store_path, "--like", "99999")
    assert r.code == 1 and len(r.err_lines) == 1 and "99999" in r.err_lines[0]


def test_ingest_unknown_task(api, tmp_path: Path) -> None:
    r = api("store", "ingest", "nope", "--path", tmp_path / "s")
    assert (r.code, r.err_lines) == (
        1, ["error: embedding task 'nope' not found (create one with 'tlrag embed video PATH')"])


def test_ingest_unfinished_task(api, base_url, clip_factory, tmp_path: Path) -> None:
    from twelvelabs_rag import TwelveLabs

    with TwelveLabs(api_key="tlk_any", base_url=base_url) as client:
        created = client.embed.tasks.create(model_name="marengo3.0", video_file=clip_factory("fox.mp4", FOX))
    r = api("store", "ingest", created.id, "--path", tmp_path / "s")
    assert r.code == 1
    assert r.err_lines[0].startswith(f"error: embedding task {created.id} is ")
    assert r.err_lines[0].endswith("not ready: add --wait to wait for it")
