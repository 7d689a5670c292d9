"""Regressions of issue 9 (items 20, 22, 23, 24, 27): what a newcomer typed, and what ``tlrag`` answered.

Every command runs in-process against the loopback emulator; the emulator's request log shows what
reached the "server" (a second upload would be a second paid upload on the real API).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

FOX = "[0-4] a red fox runs through deep snow\n[4-8] an eagle flies over a frozen lake"

# A task that stays "pending" for far more polls than a short --timeout allows.
SLOW_STATUSES = ("validating",) + ("pending",) * 50_000 + ("indexing", "ready")


@pytest.fixture
def slow(monkeypatch: pytest.MonkeyPatch):
    """An emulator whose indexing tasks stay pending; yields ``(fake, base_url)`` set in the environment."""
    from twelvelabs_rag.testing import FakeTwelveLabs, serve

    fake = FakeTwelveLabs(task_statuses=SLOW_STATUSES)
    with serve(fake) as url:
        monkeypatch.setenv("TWELVELABS_BASE_URL", url)
        monkeypatch.setenv("TWELVELABS_API_KEY", "tlk_cli_rerun")
        yield fake, url


def _index(cli, *options: str) -> str:
    r = cli("index", "create", "reruns", *options)
    assert r.code == 0, r.err
    return r.out.strip().rsplit(": ", 1)[1]


# -- item 20: a re-run after --timeout waits for the pending task instead of uploading again ------


def test_rerun_after_timeout_does_not_upload_again(cli, slow, clip_factory) -> None:
    fake, _ = slow
    index_id = _index(cli, "--classic")  # /tasks; the current flow's twin is the next test
    fox = clip_factory("fox.mp4", FOX)

    r = cli("upload", fox, "--index", index_id, "--timeout", "0.3", "--no-progress")
    assert r.code == 1
    assert len(r.err_lines) == 1
    line = r.err_lines[0]
    assert "--timeout" in line and "still 'pending'" in line
    assert "wait()" not in line and "timeout=" not in line  # the library's advice for Python callers
    assert len(fake.calls("POST /tasks")) == 1

    r = cli("upload", fox, "--index", index_id, "--timeout", "0.3", "--no-progress")
    assert r.code == 1 and "--timeout" in r.err
    assert len(fake.calls("POST /tasks")) == 1  # the re-run found the task still pending

    (task_id,) = list(fake.tasks)
    while fake.tasks[task_id].status != "indexing":  # one poll from ready
        fake.advance(task_id)
    r = cli("upload", fox, "--index", index_id, "--no-progress")
    assert r.code == 0, r.err
    row = r.out.splitlines()[2]
    assert row.startswith("fox.mp4") and "ready (uploaded before)" in row
    assert len(fake.calls("POST /tasks")) == 1

    r = cli("upload", fox, "--index", index_id, "--no-progress")
    assert "skipped (already indexed)" in r.out and len(fake.calls("POST /tasks")) == 1


ASSET_POSTS = ("POST /assets", "POST /assets/multipart-uploads", "POST /indexes/{index_id}/indexed-assets")


def test_current_rerun_after_timeout_does_not_upload_again(cli, slow, clip_factory) -> None:
    """On a Marengo 3.0 index: a re-run finds the asset and its indexed asset still indexing and waits."""
    fake, _ = slow
    index_id = _index(cli)
    fox = clip_factory("fox.mp4", FOX)

    r = cli("upload", fox, "--index", index_id, "--timeout", "0.3", "--no-progress")
    assert r.code == 1 and "--timeout" in r.err_lines[0] and "still 'pending'" in r.err_lines[0], r.err
    sent = {route: len(fake.calls(route)) for route in ASSET_POSTS}
    assert sent["POST /assets"] == 1 and sent["POST /indexes/{index_id}/indexed-assets"] == 1

    r = cli("upload", fox, "--index", index_id, "--timeout", "0.3", "--no-progress")
    assert r.code == 1 and "--timeout" in r.err
    assert {route: len(fake.calls(route)) for route in ASSET_POSTS} == sent  # found, still indexing

    (indexed_id,) = list(fake.indexed)
    rec = fake.indexed[indexed_id]
    rec.step = len(rec.statuses) - 2  # one read from ready
    r = cli("upload", fox, "--index", index_id, "--no-progress")
    assert r.code == 0, r.err
    row = r.out.splitlines()[2]
    assert row.split()[:2] == ["fox.mp4", indexed_id] and "ready (uploaded before)" in row
    r = cli("upload", fox, "--index", index_id, "--no-progress")
    assert "skipped (already indexed)" in r.out
    assert {route: len(fake.calls(route)) for route in ASSET_POSTS} == sent


def test_a_failed_task_does_not_block_a_new_upload(cli, clip_factory, monkeypatch) -> None:
    from twelvelabs_rag.testing import FakeTwelveLabs, serve

    fake = FakeTwelveLabs()
    fake.fail_task_next()
    with serve(fake) as url:
        monkeypatch.setenv("TWELVELABS_BASE_URL", url)
        monkeypatch.setenv("TWELVELABS_API_KEY", "tlk_cli_rerun")
        index_id = _index(cli, "--classic")
        fox = clip_factory("fox.mp4", FOX)
        assert cli("upload", fox, "--index", index_id, "--no-progress").code == 1
        r = cli("upload", fox, "--index", index_id, "--no-progress")
        assert r.code == 0, r.err
    assert len(fake.calls("POST /tasks")) == 2


def test_the_core_rule_sees_tasks_in_progress(slow, clip_factory) -> None:
    from twelvelabs_rag import TwelveLabs
    from twelvelabs_rag.dedupe import find_upload
    from twelvelabs_rag.moments import file_sha256

    fake, url = slow
    fox = clip_factory("fox.mp4", FOX)
    with TwelveLabs(api_key="k", base_url=url) as client:
        index = client.indexes.create(index_name="x",
                                      models=[{"model_name": "marengo3.0", "model_options": ["visual"]}])
        facts = {"filename": "fox.mp4", "size": fox.stat().st_size, "sha256": file_sha256(fox)}
        assert find_upload(client, index.id, **facts) is None
        created = client.tasks.create(index_id=index.id, file=fox)
        found = find_upload(client, index.id, **facts)
        assert found is not None and found.in_progress and found.task_id == created.id
        assert find_upload(client, index.id, filename="other.mp4", size=1, sha256="0" * 64) is None
        fake.advance(created.id, steps=len(SLOW_STATUSES))
        client.tasks.retrieve(created.id)
        done = find_upload(client, index.id, **facts)
        assert done is not None and not done.in_progress and done.video_id == created.video_id


# -- item 22: expected bad input is a usage error or a clear line, never "unexpected" -------------


@pytest.mark.parametrize(("argv", "expected"), [
    (["search", "fox", "--index", "i", "--limit", "99999999999999999999"],
     "error: argument --limit: 99999999999999999999 is out of range (use 1 to 10000) (see 'tlrag search --help')"),
    (["emulator", "--port", "99999"],
     "error: argument --port: port 99999 is out of range (use 0 to 65535; 0 picks a free port) "
     "(see 'tlrag emulator --help')"),
    (["upload", "x.mp4", "--index", "i", "--timeout", "nan"],
     "error: argument --timeout: nan is not a finite number of seconds > 0 (see 'tlrag upload --help')"),
    (["upload", "x.mp4", "--index", "i", "--poll-interval", "-1"],
     "error: argument --poll-interval: -1 is not a finite number of seconds >= 0 (see 'tlrag upload --help')"),
    (["analyze", "v", "p", "--temperature", "7"],
     "error: argument --temperature: 7 is out of range (use 0 to 1) (see 'tlrag analyze --help')"),
    (["store", "search", "--path", "s", "--like", "1", "--limit", "-3"],
     "error: argument --limit: -3 is out of range (use 1 to 10000) (see 'tlrag store search --help')"),
])
def test_out_of_range_flags_are_usage_errors(cli, argv, expected) -> None:
    r = cli(*argv)
    assert (r.code, r.err_lines) == (2, [expected])


def test_empty_names_and_prompts_are_caught_locally(cli, slow) -> None:
    fake, _ = slow
    r = cli("index", "create", "")
    assert (r.code, r.err_lines) == (
        1, ["error: NAME is empty: give the index a name, e.g. tlrag index create my-videos"])
    r = cli("analyze", "vid", "  ")
    assert r.code == 1 and r.err_lines[0].startswith("error: PROMPT is empty")
    r = cli("search", "   ", "--index", "i")
    assert r.code == 1 and r.err_lines == ["error: QUERY is empty: give some words to search for, or --image PATH"]
    assert fake.requests == []  # nothing reached the server


def test_deeply_nested_schema_is_one_clear_line(cli, slow, tmp_path: Path) -> None:
    fake, _ = slow
    deep = tmp_path / "deep.json"
    deep.write_text('{"a": ' * 100_000 + "1" + "}" * 100_000)
    r = cli("analyze", "vid", "what?", "--schema", deep)
    assert r.code == 1 and len(r.err_lines) == 1
    assert "nests too deeply" in r.err_lines[0] and "unexpected" not in r.err
    nested = tmp_path / "nested.json"
    nested.write_text('{"a": ' * 40 + "1" + "}" * 40)
    r = cli("analyze", "vid", "what?", "--schema", nested)
    assert r.err_lines == [f"error: schema file {nested} nests deeper than 32 levels; flatten it"]
    assert fake.requests == []


# -- item 23: messages in the command line's terms -----------------------------------------------


def test_image_preflight_names_the_cli_flag_and_the_flag_exists(cli, slow, tmp_path: Path) -> None:
    from twelvelabs_rag.testing.samples import make_image

    fake, _ = slow
    index_id = _index(cli)
    tiny = make_image(tmp_path / "tiny.png", "a fox", width=16, height=16)
    r = cli("search", "--image", tiny, "--index", index_id)
    assert r.code == 1 and len(r.err_lines) == 1
    assert "pass --no-preflight" in r.err and "preflight=False" not in r.err
    assert fake.calls("POST /search") == []
    r = cli("search", "--image", tiny, "--index", index_id, "--no-preflight")
    assert "preflight" not in r.err  # the check is off: the server judges the image
    assert len(fake.calls("POST /search")) == 1


def test_store_search_empty_text_and_uncreatable_store_dir(cli, slow, tmp_path: Path) -> None:
    r = cli("store", "search", "--path", tmp_path, "--text", " ")
    assert r.err_lines == ["error: --text is empty: give some words to search for"]

    blocker = tmp_path / "file"
    blocker.write_text("x")
    from twelvelabs_rag.cli._store_cmds import _make_dir

    with pytest.raises(Exception, match=r"cannot create the store directory .*choose a --path"):
        _make_dir(blocker / "store")


def test_ingest_into_uncreatable_dir_says_so(cli, tmp_path: Path, monkeypatch) -> None:
    from twelvelabs_rag import TwelveLabs
    from twelvelabs_rag.testing import FakeTwelveLabs, serve
    from twelvelabs_rag.testing.samples import make_clip

    clip = make_clip(tmp_path / "fox.mp4", FOX)
    with serve(FakeTwelveLabs()) as url:
        monkeypatch.setenv("TWELVELABS_BASE_URL", url)
        monkeypatch.setenv("TWELVELABS_API_KEY", "k")
        with TwelveLabs(api_key="k", base_url=url) as client:
            task = client.embed.tasks.create_and_wait(model_name="marengo3.0", video_file=clip, poll_interval=0)
        blocker = tmp_path / "plain-file"
        blocker.write_text("x")
        r = cli("store", "ingest", task.id, "--path", blocker / "sub" / "store")
    assert r.code == 1
    assert r.err_lines[0].startswith(f"error: cannot create the store directory {blocker / 'sub' / 'store'}: ")
    assert "no such file" not in r.err


# -- item 24: embed video, ingest --wait, emulator flags, fast waits against loopback ------------


def test_embed_video_then_store(cli, base_url, monkeypatch, clip_factory, tmp_path: Path, fake) -> None:
    monkeypatch.setenv("TWELVELABS_BASE_URL", base_url)
    monkeypatch.setenv("TWELVELABS_API_KEY", "k")
    fox = clip_factory("fox.mp4", FOX)

    r = cli("embed", "video", fox, "--classic")  # v1: a task id for 'tlrag store ingest'
    assert r.code == 0, r.err
    task_id = r.out.splitlines()[0].removeprefix("created embedding task ")
    assert f"tlrag store ingest {task_id} --path DIR --wait" in r.out

    store = tmp_path / "segments"
    r = cli("store", "ingest", task_id, "--path", store, "--wait")  # not ready yet: --wait waits
    assert r.code == 0, r.err
    assert r.out.startswith("added ") and str(store) in r.out

    r = cli("embed", "video", fox, "--store", tmp_path / "second", "--video-id", "fox")
    assert r.code == 0, r.err
    assert "added " in r.out.splitlines()[-1]
    r = cli("store", "search", "--path", tmp_path / "second", "--text", "a fox in the snow", "--json")
    assert json.loads(r.out.splitlines()[0])["video_id"] == "fox"

    assert fake.calls("POST /embed-v2/tasks") and len(fake.assets) == 1  # the default: embed v2 on the asset
    # Waiting against loopback costs a few polls at the fast default, not 5 s each.
    polls = fake.calls("GET /embed/tasks/{task_id}/status")
    assert polls, "the waits polled the task status"


def test_loopback_base_url_gets_a_fast_default_poll_interval() -> None:
    import argparse

    from twelvelabs_rag.cli._api_cmds import poll_interval

    ns = argparse.Namespace(poll_interval=None)
    assert poll_interval(ns, "http://127.0.0.1:8765/v1.3") == 0.05
    assert poll_interval(ns, "http://localhost:1/v1.3") == 0.05
    assert poll_interval(ns, "http://[::1]:1/v1.3") == 0.05
    assert poll_interval(ns, "https://api.twelvelabs.io/v1.3") is None
    assert poll_interval(argparse.Namespace(poll_interval=2.0), "http://127.0.0.1:1/v1.3") == 2.0


def _serve_process(argv: list[str]) -> tuple[subprocess.Popen, list[str], dict]:
    proc = subprocess.Popen([sys.executable, *argv], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines = []
    for _ in range(12):
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if line.startswith('{"ready"'):
            return proc, lines, json.loads(line)
    proc.kill()
    proc.wait(timeout=10)
    raise AssertionError(f"no ready line in {lines}")


@pytest.mark.parametrize("entry", [["-m", "twelvelabs_rag.testing"], ["-m", "twelvelabs_rag.cli", "emulator"]])
def test_emulator_flags_ready_api_key_integration(entry, tmp_path: Path) -> None:
    import httpx

    from twelvelabs_rag.testing.samples import make_clip

    bucket = tmp_path / "bucket"
    bucket.mkdir()
    make_clip(bucket / "fox.mp4", FOX)
    proc, lines, ready = _serve_process([*entry, "--api-key", "tlk_only", "--integration", f"my-bucket={bucket}",
                                         "--ready"])
    try:
        base = ready["base_url"]
        assert ready["integrations"] == ["my-bucket"]
        assert any(line.endswith("TWELVELABS_API_KEY=tlk_only") for line in lines)
        with httpx.Client(base_url=base, headers={"x-api-key": "tlk_only"}) as http:
            assert http.get("/indexes", headers={"x-api-key": "other"}).status_code == 401
            index = http.post("/indexes", json={"index_name": "b", "models": [
                {"model_name": "marengo3.0", "model_options": ["visual"]}]}).json()
            r = http.post("/tasks/transfers/import/my-bucket", json={"index_id": index["_id"]})
            assert r.status_code in (200, 201), r.text
            assert [v["filename"] for v in r.json()["videos"]] == ["fox.mp4"]
            assert http.post("/tasks/transfers/import/other", json={"index_id": index["_id"]}).status_code in (400, 404)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()


def test_module_entry_point_prints_a_sample_key(tmp_path: Path) -> None:
    proc, lines, ready = _serve_process(["-m", "twelvelabs_rag.testing", "--ready"])
    try:
        assert lines[0] == ready["base_url"]
        assert lines[1] == "TWELVELABS_API_KEY=tlk_test"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()


@pytest.mark.parametrize(("value", "message"), [
    ("nodir", "--integration takes ID=DIR"),
    ("b=/definitely/not/here", "is not a directory"),
])
def test_bad_integration_flag_is_a_usage_error(cli, value, message) -> None:
    r = cli("emulator", "--integration", value)
    assert r.code == 2 and len(r.err_lines) == 1 and message in r.err_lines[0]


# -- item 27 -------------------------------------------------------------------------------------


def test_json_outputs_and_stats(api, index_id, clip_factory, tmp_path: Path) -> None:
    fox = clip_factory("fox.mp4", FOX)
    assert api("upload", fox, "--index", index_id, "--no-progress").code == 0
    r = api("index", "list", "--json")
    row = json.loads(r.out.splitlines()[0])
    assert row["video_count"] == 1 and isinstance(row["video_count"], int)
    assert '"video_count": 1,' in r.out or '"video_count": 1}' in r.out

    r = api("search", "a red fox", "--index", index_id, "--json", "--limit", "2")
    assert r.code == 0, r.err
    assert {json.loads(line)["file"] for line in r.out.splitlines()} == {"fox.mp4"}

    r = api("embed", "video", fox, "--store", tmp_path / "s")
    assert r.code == 0, r.err
    r = api("store", "stats", "--path", tmp_path / "s")
    assert r.code == 0 and "read_only" not in r.out


def test_embed_video_v2_reuses_the_asset(api, clip_factory, tmp_path: Path, fake) -> None:
    fox = clip_factory("fox.mp4", FOX)
    r = api("embed", "video", fox, "--store", tmp_path / "s", "--clip-length", "4")
    assert r.code == 0, r.err
    (asset_id,) = list(fake.assets)
    assert r.out.splitlines()[0] == f"uploaded asset {asset_id}"
    assert r.out.splitlines()[-1].startswith("added 6 segments of embed v2 task ")  # 8 s: 2 windows x 3 options
    sent = fake.calls("POST /embed-v2/tasks")[-1].json
    assert sent["video"]["media_source"] == {"asset_id": asset_id}
    assert sent["video"]["segmentation"] == {"strategy": "fixed", "fixed": {"duration_sec": 4}}
    r = api("embed", "video", fox, "--wait")
    assert r.code == 0, r.err
    assert r.out.splitlines()[0] == f"using asset {asset_id} (this file was uploaded before)"
    assert len(fake.assets) == 1 and len(fake.calls("POST /embed-v2/tasks")) == 2
    r = api("embed", "video", fox, "--clip-length", "12")
    assert (r.code, r.err_lines) == (1, ["error: --clip-length 12 is out of range for embed v2 (use 2 to 10 s)"])
    r = api("store", "search", "--path", tmp_path / "s", "--text", "a fox in the snow", "--json")
    assert json.loads(r.out.splitlines()[0])["video_id"] == asset_id


# -- item 21 -------------------------------------------------------------------------------------


def test_a_text_file_named_mp4_is_not_uploaded_without_pyav(cli, slow, tmp_path: Path, monkeypatch) -> None:
    fake, _ = slow
    monkeypatch.setitem(sys.modules, "av", None)  # as if PyAV were not installed
    index_id = _index(cli)
    notes = tmp_path / "notes.mp4"
    notes.write_text("not a video\n" * 50)
    r = cli("upload", notes, "--index", index_id, "--no-progress")
    assert r.code == 1
    assert "notes.mp4: not a video file" in r.err and "pass --no-preflight" in r.err
    assert fake.calls("POST /tasks") == []


def test_sample_media_follow_the_umask(tmp_path: Path) -> None:
    from twelvelabs_rag.testing.samples import make_audio, make_clip, make_image, new_file_mode

    made = [make_image(tmp_path / "i.png", "x"), make_audio(tmp_path / "a.wav", "x", seconds=1),
            make_clip(tmp_path / "c.mp4", "[0-4] x")]
    assert new_file_mode() == 0o666 & ~_umask()
    for path in made:
        assert path.stat().st_mode & 0o777 == new_file_mode(), path


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@pytest.mark.parametrize(("argv", "flag"), [
    (["index", "delete", ""], "INDEX_ID"),
    (["search", "fox", "--index", " "], "--index"),
    (["upload", "x.mp4", "--index", ""], "--index"),
    (["store", "ingest", "", "--path", "s"], "TASK_ID"),
    (["store", "stats", "--path", ""], "--path"),
    (["store", "search", "--path", "s", "--like", "1", "--video", ""], "--video"),
    (["embed", "video", "x.mp4", "--store", ""], "--store"),
])
def test_empty_ids_and_paths_are_usage_errors(cli, argv, flag) -> None:
    r = cli(*argv)
    assert r.code == 2 and len(r.err_lines) == 1
    assert r.err_lines[0].startswith(f"error: argument {flag}: must not be empty")


def test_deep_metadata_is_one_clear_line(cli, slow, clip_factory) -> None:
    fake, _ = slow
    fox = clip_factory("fox.mp4", FOX)
    r = cli("upload", fox, "--index", "i", "--metadata", '{"a": ' * 5000 + "1" + "}" * 5000)
    assert r.err_lines == ["error: --metadata nests too deeply; keep it under 32 levels"]
    r = cli("upload", fox, "--index", "i", "--metadata", '{"a": ' * 40 + "1" + "}" * 40)
    assert r.err_lines == ["error: --metadata nests deeper than 32 levels; flatten it"]
    assert fake.requests == []
