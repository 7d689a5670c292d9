"""Index-free analyze, async analyze tasks and batches, end to end on the emulator (sync/async x in-process/loopback).

Batches analyze assets. Until the assets emulator is merged, ``asset_ids`` falls back to indexed
classic videos, which the emulator accepts as asset ids; with it, the assets are uploaded as assets.
"""

from __future__ import annotations

import base64
import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from twelvelabs_rag import (
    APIConnectionError,
    AsyncTwelveLabs,
    BadRequestError,
    ConflictError,
    GatewayTimeoutError,
    InvalidRequestError,
    NotFoundError,
    ServiceUnavailableError,
    TaskFailedError,
    TwelveLabs,
)
from twelvelabs_rag.models import UnknownModelError
from twelvelabs_rag.resources._analyze_body import analyze_body
from twelvelabs_rag.resources.analyze_batches import batch_body
from twelvelabs_rag.testing import FakeTwelveLabs, serve
from twelvelabs_rag.testing.samples import make_clip, png_bytes
from twelvelabs_rag.types import StreamEnd, TextGeneration

SCRIPT = "[0-4] a red fox runs through snow\n[4-8] a brown dog swims in a lake\n[8-12] a child flies a kite on a beach"
URL = "https://media.example/animals.mp4"


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("an") / "animals.mp4", SCRIPT)


@contextlib.contextmanager
def connected(fake: FakeTwelveLabs, mode: str, where: str) -> Iterator[Any]:
    if where == "inproc":
        yield fake.client() if mode == "sync" else fake.async_client()
        return
    with serve(fake) as base_url:
        cls = TwelveLabs if mode == "sync" else AsyncTwelveLabs
        yield cls(api_key="tlk_test", base_url=base_url, poll_interval=0)


async def _do(x: Any) -> Any:
    return await x if hasattr(x, "__await__") else x


async def _all(it: Any) -> list[Any]:
    return [i async for i in it] if hasattr(it, "__aiter__") else list(it)


def asset_ids(fake: FakeTwelveLabs, clip: Path, n: int) -> list[str]:
    """``n`` ready assets of ``clip``."""
    return [fake.add_asset(clip, filename=f"clip{i}.mp4") for i in range(n)]


@pytest.mark.parametrize("where", ["inproc", "loopback"])
@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_index_free_and_async_analyze(clip: Path, mode: str, where: str) -> None:
    fake = FakeTwelveLabs()
    fake.add_media(URL, clip)
    ids = asset_ids(fake, clip, 2)
    with connected(fake, mode, where) as c:
        # sync JSON, index-free by URL, a window of the video
        ans = await _do(c.analyze(video={"type": "url", "url": URL}, prompt="Which animal swims?",
                                  model_name="pegasus1.5", start_time=4, end_time=8))
        assert "dog swims" in ans.data and "fox" not in ans.data and ans.finish_reason == "stop"
        # the NDJSON stream, by asset id
        stream = await _do(c.analyze(video={"type": "asset_id", "asset_id": ids[0]}, prompt="Describe", stream=True))
        events = await _all(stream)
        assert isinstance(events[-1], StreamEnd) and "kite" in "".join(
            e.text for e in events if isinstance(e, TextGeneration))
        # Pegasus 1.6 on images
        img = base64.b64encode(png_bytes("a red fox in the snow")).decode()
        pic = await _do(c.analyze(image=[{"name": "fox", "base64_string": img}], prompt="What is in <@fox>?",
                                  model_name="pegasus1.6"))
        assert "red fox" in pic.data
        (rec,) = [r for r in fake.calls("POST /analyze") if r.json.get("image")]
        assert rec.json == {"prompt": "What is in <@fox>?", "image": [{"name": "fox", "base64_string": img}],
                            "model_name": "pegasus1.6", "stream": False}

        # an async task: queued -> processing -> ready, result on retrieve
        seen: list[str] = []
        task = await _do(c.analyze.tasks.create_and_wait(
            video={"type": "url", "url": URL}, prompt="Where is the kite?", custom_id="kite-1",
            on_progress=lambda t: seen.append(t.status)))
        assert seen == ["queued", "processing", "ready"] and task.custom_id == "kite-1"
        assert "kite" in task.result.data and task.result.usage.output_tokens > 0
        assert task.video_source.type == "url" and task.video_source.url == URL

        # segmentation with segment definitions: a JSON document keyed by definition id
        seg = await _do(c.analyze.tasks.create_and_wait(
            video={"type": "url", "url": URL}, prompt="Chapters", analysis_mode="time_based_metadata",
            model_name="pegasus1.6", max_tokens="unlimited",
            response_format={"type": "segment_definitions", "segment_definitions": [
                {"id": "chapter", "description": "one chapter per scene",
                 "fields": [{"name": "title", "type": "string", "description": "what happens"}]}]}))
        chapters = json.loads(seg.result.data)["chapter"]
        assert [(c_["start_time"], c_["end_time"]) for c_ in chapters] == [(0, 4), (4, 8), (8, 12)]
        assert chapters[1]["metadata"]["title"] == "a brown dog swims in a lake"

        # cancel a queued task: wait reports it; delete it; a running task cannot be deleted
        queued = await _do(c.analyze.tasks.create(video={"type": "url", "url": URL}, prompt="x"))
        running = await _do(c.analyze.tasks.create(video={"type": "url", "url": URL}, prompt="y"))
        assert (await _do(c.analyze.tasks.cancel(queued.task_id))).status == "canceled"
        with pytest.raises(TaskFailedError, match="was canceled"):
            await _do(c.analyze.tasks.wait(queued.task_id))
        with pytest.raises(ConflictError):
            await _do(c.analyze.tasks.delete(running.task_id))
        await _do(c.analyze.tasks.delete(queued.task_id))
        with pytest.raises(NotFoundError):
            await _do(c.analyze.tasks.retrieve(queued.task_id))
        listed = await _all(c.analyze.tasks.list(status="ready", page_limit=1))
        assert {t.task_id for t in listed} >= {task.task_id, seg.task_id}

        # a batch over two assets: results stream item by item, while running and when done
        batch = await _do(c.analyze.batches.create(
            requests=[{"video": {"type": "asset_id", "asset_id": a}, "custom_id": f"a{i}"} for i, a in enumerate(ids)],
            defaults={"prompt": "Name the animals"}))
        assert batch.total_items == 2 and [i.custom_id for i in batch.items] == ["a0", "a1"]
        early = await _all(await _do(c.analyze.batches.results(batch.batch_id)))
        assert [r.status for r in early] == ["queued", "queued"]
        status = await _do(c.analyze.batches.retrieve(batch.batch_id))
        while status.status != "completed":
            status = await _do(c.analyze.batches.retrieve(batch.batch_id))
        assert (status.ready_items, status.total_items, status.model_name) == (2, 2, "pegasus1.5")
        done = await _all(await _do(c.analyze.batches.results(batch.batch_id)))
        assert [(r.custom_id, r.status) for r in done] == [("a0", "ready"), ("a1", "ready")]
        assert all("fox" in r.data.data for r in done)
        assert [b.batch_id for b in await _all(c.analyze.batches.list(status="completed"))] == [batch.batch_id]
        with pytest.raises(ConflictError):
            await _do(c.analyze.batches.cancel(batch.batch_id))
        await _do(c.analyze.batches.delete(batch.batch_id))

        # cancel a running batch: canceling, then canceled; its items report batch_canceled
        second = await _do(c.analyze.batches.create(requests=[{"video": {"type": "asset_id", "asset_id": ids[0]},
                                                               "prompt": "x"}]))
        assert (await _do(c.analyze.batches.cancel(second.batch_id))).status == "canceling"
        assert (await _do(c.analyze.batches.retrieve(second.batch_id))).status == "canceling"  # the read advances it
        assert (await _do(c.analyze.batches.retrieve(second.batch_id))).status == "canceled"
        (item,) = await _all(await _do(c.analyze.batches.results(second.batch_id)))
        assert item.status == "canceled" and item.error.code == "batch_canceled"

        with pytest.raises(BadRequestError, match="pegasus1.5 only"):  # the server's check (unknown to the client)
            await _do(c.analyze.batches.create(model_name="pegasus9", requests=[
                {"video": {"type": "asset_id", "asset_id": ids[0]}, "prompt": "x"}]))
        if where == "loopback":
            await _do(c.close() if mode == "sync" else c.aclose())


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(("status", "error"), [(503, ServiceUnavailableError), (504, GatewayTimeoutError)])
async def test_batches_503_504_are_retried_then_typed(clip: Path, mode: str, status: int, error: type) -> None:
    fake = FakeTwelveLabs()
    ids = asset_ids(fake, clip, 1)
    c = fake.client(max_retries=2) if mode == "sync" else fake.async_client(max_retries=2)
    nested = {"error": {"code": "service_unavailable", "message": "Batches are busy; retry shortly."}}
    requests = [{"video": {"type": "asset_id", "asset_id": ids[0]}, "prompt": "x"}]
    fake.fail_next("POST /analyze/batches", status, body=nested, retry_after=0)
    batch = await _do(c.analyze.batches.create(requests=requests))
    assert [r.status for r in fake.calls("POST /analyze/batches")] == [status, 202]
    fake.fail_next("GET /analyze/batches/{batch_id}/results", status, retry_after=0)
    assert len(await _all(await _do(c.analyze.batches.results(batch.batch_id)))) == 1
    fake.fail_next("POST /analyze/batches", status, body=nested, times=3, retry_after=0)
    with pytest.raises(error, match="Batches are busy") as info:
        await _do(c.analyze.batches.create(requests=requests))
    assert info.value.code == "service_unavailable"


@pytest.mark.parametrize("where", ["inproc", "loopback"])
@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_results_stream_cut_midway_says_it_is_incomplete(clip: Path, mode: str, where: str) -> None:
    fake = FakeTwelveLabs()
    ids = asset_ids(fake, clip, 1)
    with connected(fake, mode, where) as c:
        batch = await _do(c.analyze.batches.create(requests=[
            {"video": {"type": "asset_id", "asset_id": ids[0]}, "custom_id": f"c{i}", "prompt": "x"} for i in range(4)]))
        fake.cut_stream_next()
        got: list[str] = []
        with pytest.raises(APIConnectionError, match=r"cut after 1 item\(s\).*Call results\(\) again"):
            it = await _do(c.analyze.batches.results(batch.batch_id))
            if hasattr(it, "__aiter__"):
                async for item in it:
                    got.append(item.custom_id)
            else:
                got.extend(item.custom_id for item in it)
        assert got == ["c0"]  # the complete lines before the cut were delivered
        again = await _all(await _do(c.analyze.batches.results(batch.batch_id)))
        assert [i.custom_id for i in again] == ["c0", "c1", "c2", "c3"]
        if where == "loopback":
            await _do(c.close() if mode == "sync" else c.aclose())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "exactly one of video="),
        ({"video": {"type": "url", "url": "u"}, "video_id": "v"}, "exactly one of"),
        ({"video": {"type": "ftp", "url": "u"}}, "video.type must be url, asset_id or base64_string"),
        ({"video": {"type": "url"}}, "needs url="),
        ({"image": [{"name": "a b", "url": "u"}], "model_name": "pegasus1.6"}, "letters, digits"),
        ({"image": [{"name": "a", "url": "u"}, {"name": "a", "url": "v"}], "model_name": "pegasus1.6"}, "unique"),
        ({"image": [{"name": "a", "url": "u"}], "model_name": "pegasus1.5"}, "need model_name='pegasus1.6'"),
        ({"image": [{"name": "a"}], "model_name": "pegasus1.6"}, "exactly one of url"),
        ({"image": [{"name": "a", "url": "u"}, {"name": "b", "url": "v"}], "model_name": "pegasus1.6",
          "prompt": "compare <@a> with the other"}, "cite every image"),
        ({"video": {"type": "url", "url": "u"}, "max_tokens": "unlimited"}, "needs analyze.tasks"),
        ({"video": {"type": "url", "url": "u"}, "max_tokens": 0}, "positive integer"),
        ({"video": {"type": "url", "url": "u"}, "start_time": 5, "end_time": 5.5}, "at least 1 s"),
        ({"video": {"type": "url", "url": "u"}, "start_time": -1}, ">= 0"),
        ({"video": {"type": "url", "url": "u"}, "prompt": None}, "non-empty prompt"),
    ],
)
def test_analyze_body_checks(kwargs: dict, message: str) -> None:
    args = {"prompt": "p", "prompt_v2": None, "video_id": None, "video": None, "image": None, "model_name": None,
            "temperature": None, "max_tokens": None, "response_format": None, "start_time": None, "end_time": None}
    args.update(kwargs)
    with pytest.raises(InvalidRequestError, match=message):
        analyze_body(**args)


def test_analyze_body_registry_and_shapes() -> None:
    base = {"prompt": "p", "prompt_v2": None, "video_id": None, "image": None, "temperature": None,
            "max_tokens": None, "response_format": None, "start_time": None, "end_time": None}
    with pytest.raises(UnknownModelError, match="cannot be used with analyze_tasks"):
        analyze_body(**base, video={"type": "url", "url": "u"}, model_name="pegasus1.2", endpoint="analyze_tasks")
    body = analyze_body(**{**base, "max_tokens": "unlimited"}, video={"url": "u"}, model_name="pegasus1.6",
                        endpoint="analyze_tasks", analysis_mode="time_based_metadata")
    assert body == {"prompt": "p", "video": {"type": "url", "url": "u"}, "max_tokens": "unlimited",
                    "model_name": "pegasus1.6", "analysis_mode": "time_based_metadata"}
    # classic calls are unchanged
    assert analyze_body(**{**base, "video_id": "v1"}, video=None, model_name=None) == {"prompt": "p", "video_id": "v1"}


def test_batch_body_checks() -> None:
    ok = [{"video": {"asset_id": "a"}, "prompt": "hi", "response_format": {"type": "object"}}]
    assert batch_body(ok, "pegasus1.5", "general", {"prompt": "d"}) == {
        "model_name": "pegasus1.5", "analysis_mode": "general",
        "requests": [{"video": {"type": "asset_id", "asset_id": "a"}, "prompt": {"input_text": "hi"},
                      "response_format": {"type": "json_schema", "json_schema": {"type": "object"}}}],
        "defaults": {"prompt": {"input_text": "d"}}}
    with pytest.raises(UnknownModelError, match="use one of: pegasus1.5"):
        batch_body(ok, "pegasus1.6", "general", None)
    with pytest.raises(InvalidRequestError, match="1 to 1,000"):
        batch_body([], "pegasus1.5", "general", None)
    with pytest.raises(InvalidRequestError, match="assets only"):
        batch_body([{"video": {"type": "url", "url": "u"}}], "pegasus1.5", "general", None)
    with pytest.raises(InvalidRequestError, match="analysis_mode"):
        batch_body(ok, "pegasus1.5", "chapters", None)


def test_bad_arguments_send_nothing() -> None:
    fake = FakeTwelveLabs()
    c = fake.client()
    with pytest.raises(InvalidRequestError):
        c.analyze.tasks.create(video={"type": "url", "url": "u"}, prompt="p", custom_id="x" * 65)
    with pytest.raises(InvalidRequestError):
        c.analyze(image=[{"name": "a", "url": "u"}], prompt="p", model_name="pegasus1.5")
    assert fake.requests == []
