"""The TwelveLabs tools against the emulator: langchain-tests ToolsIntegrationTests, then behaviour.

Each test checks what the tool sent (the emulator's request log) and what it returned (content for
the model, artifact for the program); errors must come back as tool messages, never as exceptions.
"""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import ToolMessage
from langchain_tests.integration_tests import ToolsIntegrationTests

from langchain_twelvelabs.tools import (
    TwelveLabsAnalyzeTool,
    TwelveLabsIngestTool,
    TwelveLabsSearchTool,
    TwelveLabsSegmentSearchTool,
    TwelveLabsToolkit,
)
from twelvelabs_rag.agent_tools import parse_moment_lines
from twelvelabs_rag.store import SegmentStore
from twelvelabs_rag.testing import FakeTwelveLabs, parse_script
from twelvelabs_rag.testing.samples import DEMO_SCRIPTS


def _scene(name: str, word: str) -> tuple[float, float]:
    """(start, end) of the scene of a demo clip whose script mentions ``word``."""
    [scene] = [s for s in parse_script(DEMO_SCRIPTS[name]) if word in s.text]
    return scene.start, scene.end


def call(tool: Any, args: dict[str, Any]) -> ToolMessage:
    return tool.invoke({"type": "tool_call", "id": "call_1", "name": tool.name, "args": args})


async def acall(tool: Any, args: dict[str, Any]) -> ToolMessage:
    return await tool.ainvoke({"type": "tool_call", "id": "call_1", "name": tool.name, "args": args})


@pytest.fixture(scope="session", params=["local", pytest.param("milvus", marks=pytest.mark.slow)])
def segment_store(request: pytest.FixtureRequest, world: Any) -> Any:
    """A store holding the Marengo 2.7 segments of the three demo clips: the local SegmentStore, or a
    MilvusSegmentStore on milvus-lite (every segment-search test runs on both backends)."""
    client = world.client()
    if request.param == "milvus":
        store = request.getfixturevalue("make_milvus")(dim=1024, model_name="marengo2.7")
    else:
        store = SegmentStore.create(None, dim=1024, model_name="marengo2.7")
    for name in DEMO_SCRIPTS:
        task = client.embed.tasks.create_and_wait(
            model_name="Marengo-retrieval-2.7", video_file=world.media_dir / name, video_clip_length=4, poll_interval=0
        )
        store.add_embedding_task(task, metadata={"filename": name})
    return store


class _WorldBound:
    world: Any

    @pytest.fixture(autouse=True)
    def _bind_world(self, world: Any, segment_store: SegmentStore) -> None:
        self.world = world
        self.segment_store = segment_store


class _CurrentWorldBound:
    """The standard suites on a current index (Marengo 3.0, clips ingested as assets)."""

    world: Any

    @pytest.fixture(autouse=True)
    def _bind_world(self, current_world: Any) -> None:
        self.world = current_world


# --- standard suites ----------------------------------------------------------------------------
class TestSearchToolIntegration(_WorldBound, ToolsIntegrationTests):
    @property
    def tool_constructor(self) -> type[TwelveLabsSearchTool]:
        return TwelveLabsSearchTool

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return {"index_id": self.world.index_id, **self.world.clients_kw()}

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"query": "an eagle flies over a frozen mountain lake", "k": 2}


class TestAnalyzeToolIntegration(_WorldBound, ToolsIntegrationTests):
    @property
    def tool_constructor(self) -> type[TwelveLabsAnalyzeTool]:
        return TwelveLabsAnalyzeTool

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return self.world.clients_kw()

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"prompt": "What does the eagle do?", "video_id": self.world.fox_video, "start": 4, "end": 8}


class TestSegmentSearchToolIntegration(_WorldBound, ToolsIntegrationTests):
    @property
    def tool_constructor(self) -> type[TwelveLabsSegmentSearchTool]:
        return TwelveLabsSegmentSearchTool

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return {"store": self.segment_store, **self.world.clients_kw()}

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"query": "a brown bear catches salmon in a river", "k": 3}


class TestIngestToolIntegration(_WorldBound, ToolsIntegrationTests):
    """Ingesting a clip that is already in the shared index: found, not uploaded (the world stays read-only)."""

    @property
    def tool_constructor(self) -> type[TwelveLabsIngestTool]:
        return TwelveLabsIngestTool

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return {"index_id": self.world.index_id, **self.world.clients_kw()}

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"source": str(self.world.media_dir / "kitchen.mp4")}


class TestSearchToolIntegrationCurrent(_CurrentWorldBound, TestSearchToolIntegration):
    pass


class TestAnalyzeToolIntegrationCurrent(_CurrentWorldBound, ToolsIntegrationTests):
    @property
    def tool_constructor(self) -> type[TwelveLabsAnalyzeTool]:
        return TwelveLabsAnalyzeTool

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return self.world.clients_kw()

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"prompt": "What does the eagle do?", "asset_id": self.world.assets["wildlife.mp4"], "start": 4, "end": 8}


class TestIngestToolIntegrationCurrent(_CurrentWorldBound, TestIngestToolIntegration):
    """On the current index the clip is found as an asset already indexed: nothing is uploaded."""


# --- search ---------------------------------------------------------------------------------------------
def test_search_returns_cited_moments_and_the_hits(world: Any) -> None:
    tool = TwelveLabsSearchTool(index_id=world.index_id, **world.clients_kw())
    before = len(world.fake.calls("POST /search"))
    msg = call(tool, {"query": "a brown bear catches salmon in a river", "k": 2})
    assert msg.status == "success"
    [sent] = world.fake.calls("POST /search")[before:]
    assert sent.form["query_text"] == ["a brown bear catches salmon in a river"]
    top = msg.artifact[0]
    assert (top["video_id"], top["filename"]) == (world.videos["wildlife.mp4"], "wildlife.mp4")
    assert (top["start"], top["end"]) == _scene("wildlife.mp4", "bear")
    assert top["citation"] == "[wildlife.mp4 00:08-00:12]" and top["text"] == "the bear is fishing"
    [line, *_] = parse_moment_lines(msg.content)  # the model reads the same moment back from the text
    assert (line.citation, line.video_id, line.start, line.end) == (top["citation"], top["video_id"], 8.0, 12.0)


async def test_search_on_a_current_index_names_the_asset_of_each_hit(current_world: Any) -> None:
    world = current_world
    tool = TwelveLabsSearchTool(index_id=world.index_id, **world.clients_kw())
    msg = await acall(tool, {"query": "a brown bear catches salmon in a river", "k": 2})
    top = msg.artifact[0]
    assert (top["video_id"], top["asset_id"]) == (world.videos["wildlife.mp4"], world.assets["wildlife.mp4"])
    assert (top["start"], top["end"]) == _scene("wildlife.mp4", "bear")
    [line, *_] = parse_moment_lines(msg.content)  # the model reads the asset to analyze from the text
    assert (line.video_id, line.extra["asset_id"], line.start, line.end) == (top["video_id"], top["asset_id"], 8.0, 12.0)
    sync = call(tool, {"query": "a brown bear catches salmon in a river", "k": 2})
    assert sync.content == msg.content


async def test_search_by_image_async(world: Any) -> None:
    tool = TwelveLabsSearchTool(index_id=world.index_id, **world.clients_kw())
    msg = await acall(tool, {"image": str(world.media_dir / "fox.png")})
    assert msg.status == "success"
    top = msg.artifact[0]
    assert (top["filename"], top["start"], top["end"]) == ("wildlife.mp4", *_scene("wildlife.mp4", "fox"))


@pytest.mark.parametrize(
    ("args", "needle"),
    [({}, "`query`"), ({"query": "  "}, "`query`"), ({"image": "/no/such/fox.png"}, "/no/such/fox.png"),
     ({"query": "fox", "k": 0}, "`k`: Input should be greater than or equal to 1")],
)
def test_search_errors_come_back_as_tool_messages(world: Any, args: dict[str, Any], needle: str) -> None:
    tool = TwelveLabsSearchTool(index_id=world.index_id, **world.clients_kw())
    msg = call(tool, args)
    assert msg.status == "error" and needle in msg.content and "Traceback" not in msg.content


def test_api_errors_are_tool_messages_without_the_key(media_dir: Path) -> None:
    fake = FakeTwelveLabs(api_keys=["tlk_right"])
    tool = TwelveLabsSearchTool(index_id="idx_x", client=fake.client(api_key="tlk_wrong_secret_123"))
    msg = call(tool, {"query": "a fox"})
    assert msg.status == "error" and "AuthenticationError" in msg.content
    assert "tlk_wrong_secret_123" not in msg.content and "tlk_wrong_secret_123" not in repr(tool)


# --- analyze -----------------------------------------------------------------------------------------------
def test_analyze_asks_about_the_moment_window(world: Any, assert_window_sent: Any) -> None:
    tool = TwelveLabsAnalyzeTool(**world.clients_kw())
    before = len(world.fake.calls("POST /analyze"))
    msg = call(tool, {"prompt": "What flies here?", "video_id": world.fox_video, "start": 4, "end": 8})
    [sent] = world.fake.calls("POST /analyze")[before:]
    assert sent.json["video_id"] == world.fox_video and sent.json["model_name"] == "pegasus1.2"
    assert_window_sent(world.client(), sent.json, 4.0, 8.0)
    assert sent.json["prompt"].endswith("What flies here?")
    assert msg.status == "success" and "eagle" in msg.content
    assert msg.artifact["model_name"] == "pegasus1.2" and msg.artifact["generation_id"]


def test_analyze_an_asset_about_the_moment_window(current_world: Any, assert_window_sent: Any) -> None:
    world = current_world
    tool = TwelveLabsAnalyzeTool(**world.clients_kw())
    before = len(world.fake.calls("POST /analyze"))
    asset = world.assets["wildlife.mp4"]
    msg = call(tool, {"prompt": "What flies here?", "asset_id": asset, "start": 4, "end": 8})
    [sent] = world.fake.calls("POST /analyze")[before:]
    assert sent.json["video"] == {"type": "asset_id", "asset_id": asset} and "video_id" not in sent.json
    assert_window_sent(world.client(), sent.json, 4.0, 8.0)
    assert msg.status == "success" and "eagle" in msg.content and msg.artifact["video"]["asset_id"] == asset


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_toolkit_analyze_takes_a_current_video_id_as_its_asset(current_world: Any, mode: str) -> None:
    """A model that passes a hit's video_id on a current index still gets Pegasus on the asset, with the window."""
    world = current_world
    [tool] = [t for t in TwelveLabsToolkit(index_id=world.index_id, **world.clients_kw()).get_tools()
              if t.name == "twelvelabs_analyze"]
    before = len(world.fake.calls("POST /analyze"))
    args = {"prompt": "What flies here?", "video_id": world.videos["wildlife.mp4"], "start": 4, "end": 8}
    msg = call(tool, args) if mode == "sync" else await acall(tool, args)
    [sent] = world.fake.calls("POST /analyze")[before:]
    assert sent.json["video"] == {"type": "asset_id", "asset_id": world.assets["wildlife.mp4"]}
    assert (sent.json["start_time"], sent.json["end_time"]) == (4.0, 8.0) and "video_id" not in sent.json
    assert msg.status == "success" and "eagle" in msg.content
    missing = call(tool, {"prompt": "What?", "video_id": "no-such-video"})
    assert missing.status == "error" and "no-such-video" in missing.content
    assert len(world.fake.calls("POST /analyze")) == before + 1


async def test_analyze_an_asset_with_a_json_schema_async(current_world: Any) -> None:
    world = current_world  # assets exist on the current flow only (a classic upload makes none)
    tool = TwelveLabsAnalyzeTool(**world.clients_kw())
    schema = {"type": "object", "properties": {"animal": {"type": "string"}}, "required": ["animal"]}
    before = len(world.fake.calls("POST /analyze"))
    asset = world.assets["wildlife.mp4"]
    msg = await acall(tool, {"prompt": "Which animal?", "asset_id": asset, "json_schema": schema})
    [sent] = world.fake.calls("POST /analyze")[before:]
    assert sent.json["video"] == {"type": "asset_id", "asset_id": asset} and sent.json["model_name"] == "pegasus1.5"
    assert sent.json["response_format"] == {"type": "json_schema", "json_schema": schema}
    assert msg.status == "success" and isinstance(msg.artifact["json"]["animal"], str)


@pytest.mark.parametrize(
    ("args", "needle"),
    [({"prompt": "What?"}, "exactly one of `video_id`"),
     ({"prompt": "What?", "video_id": "v", "url": "https://x/v.mp4"}, "exactly one of `video_id`"),
     ({"prompt": "What?", "url": "ftp://x/v.mp4"}, "http(s)"),
     ({"prompt": "What?", "video_id": "v", "start": 8, "end": 8.5}, "at least 1 second"),
     ({"prompt": " ", "video_id": "v"}, "`prompt` is empty")],
)
def test_analyze_bad_input_is_a_tool_message_and_sends_nothing(world: Any, args: dict, needle: str) -> None:
    tool = TwelveLabsAnalyzeTool(**world.clients_kw())
    before = len(world.fake.calls("POST /analyze"))
    msg = call(tool, args)
    assert msg.status == "error" and needle in msg.content
    assert len(world.fake.calls("POST /analyze")) == before


# --- segment store ---------------------------------------------------------------------------------------------
def test_segment_search_text_then_more_like_this(world: Any, segment_store: SegmentStore) -> None:
    tool = TwelveLabsSegmentSearchTool(store=segment_store, **world.clients_kw())
    msg = call(tool, {"query": "a yellow taxi drives through the rain", "k": 3})
    top = msg.artifact[0]
    assert (top["filename"], top["start"], top["end"]) == ("city.mp4", *_scene("city.mp4", "taxi"))
    assert top["citation"] == "[city.mp4 00:04-00:08]"
    like = call(tool, {"like_segment_id": top["segment_id"], "k": 2})
    assert like.status == "success" and len(like.artifact) == 2
    assert top["segment_id"] not in [h["segment_id"] for h in like.artifact]
    assert [m.extra["segment_id"] for m in parse_moment_lines(like.content)] == [
        str(h["segment_id"]) for h in like.artifact]


async def test_segment_search_async_image_and_offline(world: Any, segment_store: SegmentStore) -> None:
    tool = TwelveLabsSegmentSearchTool(store=segment_store, **world.clients_kw())
    msg = await acall(tool, {"image": str(world.media_dir / "fox.png"), "k": 1})
    assert (msg.artifact[0]["filename"], msg.artifact[0]["start"]) == ("wildlife.mp4", 0.0)
    offline = TwelveLabsSegmentSearchTool(store=segment_store)  # no key, no client: no network at all
    like = await acall(offline, {"like_segment_id": msg.artifact[0]["segment_id"], "k": 1})
    assert like.status == "success" and len(like.artifact) == 1
    fresh = call(offline, {"query": "words never embedded before"})
    assert fresh.status == "error" and "client" in fresh.content


@pytest.mark.parametrize(("args", "needle"), [({}, "exactly one of"), ({"query": "x", "like_segment_id": 1}, "exactly one of"),
                                             ({"like_segment_id": 10**9}, "not in the store")])
def test_segment_search_bad_input(segment_store: SegmentStore, args: dict, needle: str) -> None:
    msg = call(TwelveLabsSegmentSearchTool(store=segment_store), args)
    assert msg.status == "error" and needle in msg.content


# --- ingest ------------------------------------------------------------------------------------------------------
def _ticking_clients(fake: FakeTwelveLabs) -> dict[str, Any]:
    """Clients whose clock moves one second per reading, so a 1 s wait covers about one poll."""
    ticks = itertools.count()
    clock = lambda: float(next(ticks))  # noqa: E731
    return {"client": fake.client(poll_interval=0, clock=clock), "async_client": fake.async_client(poll_interval=0, clock=clock)}


def test_ingest_returns_the_ids_on_timeout_and_never_uploads_twice(fresh_fake: FakeTwelveLabs, index_models, media_dir: Path) -> None:
    clients = _ticking_clients(fresh_fake)
    index = clients["client"].indexes.create(index_name="ingest", models=index_models)
    tool = TwelveLabsIngestTool(index_id=index.id, wait_timeout=1, **clients)
    source = str(media_dir / "wildlife.mp4")
    first = call(tool, {"source": source})
    assert first.status == "success" and first.artifact["status"] != "ready"
    assert first.artifact["task_id"] and first.artifact["video_id"] and "call the ingest tool again" in first.content.lower()
    statuses = [first.artifact["status"]]
    for _ in range(5):
        again = call(tool, {"source": source})
        assert again.artifact["task_id"] == first.artifact["task_id"] and again.artifact["resumed"]
        statuses.append(again.artifact["status"])
        if again.artifact["status"] == "ready":
            break
    assert statuses[-1] == "ready" and again.artifact["video_id"] == first.artifact["video_id"]
    assert len(fresh_fake.calls("POST /tasks")) == 1
    done = call(tool, {"source": source})  # now found in the index
    assert done.artifact["already_indexed"] and done.artifact["video_id"] == first.artifact["video_id"]
    assert len(fresh_fake.calls("POST /tasks")) == 1
    [upload] = fresh_fake.calls("POST /tasks")
    assert "tlrag_sha256" in upload.form["user_metadata"][0]


async def test_ingest_async_url_resumes_without_a_second_upload(fresh_fake: FakeTwelveLabs, index_models) -> None:
    clients = _ticking_clients(fresh_fake)
    index = await clients["async_client"].indexes.create(index_name="ingest", models=index_models)
    tool = TwelveLabsIngestTool(index_id=index.id, wait_timeout=1, **clients)
    results = [await acall(tool, {"source": "https://example.com/fox.mp4"}) for _ in range(5)]
    assert results[-1].artifact["status"] == "ready"
    assert len({r.artifact["video_id"] for r in results}) == 1
    assert len(fresh_fake.calls("POST /tasks")) == 1


def _current_index(clients: dict[str, Any]) -> str:
    from twelvelabs_rag.flow import CURRENT

    return str(clients["client"].indexes.create(index_name="ingest-current", models=CURRENT.index_models).id)


def test_ingest_on_a_current_index_uploads_an_asset_and_returns_its_ids_on_timeout(
        fresh_fake: FakeTwelveLabs, media_dir: Path) -> None:
    clients = _ticking_clients(fresh_fake)
    tool = TwelveLabsIngestTool(index_id=_current_index(clients), wait_timeout=1, **clients)
    source = str(media_dir / "wildlife.mp4")
    first = call(tool, {"source": source})
    assert first.status == "success" and first.artifact["status"] != "ready" and first.artifact["asset_id"]
    assert first.artifact["api_shape"] == "current" and first.artifact["task_id"] is None
    assert "still being indexed" in first.content and f"asset_id={first.artifact['asset_id']}" in first.content
    results = [first]
    while results[-1].artifact["status"] != "ready" and len(results) < 8:
        results.append(call(tool, {"source": source}))
    assert results[-1].artifact["status"] == "ready" and len(results) > 2
    assert {r.artifact["asset_id"] for r in results} == {first.artifact["asset_id"]}
    assert len(fresh_fake.calls("POST /assets")) == 1 and len(fresh_fake.calls("POST /indexes/{index_id}/indexed-assets")) == 1
    assert fresh_fake.calls("POST /tasks") == []
    indexed = clients["client"].indexes.indexed_assets.retrieve(tool.index_id, results[-1].artifact["video_id"])
    assert indexed.asset_id == first.artifact["asset_id"]


async def test_ingest_async_url_on_a_current_index(fresh_fake: FakeTwelveLabs) -> None:
    clients = _ticking_clients(fresh_fake)
    tool = TwelveLabsIngestTool(index_id=_current_index(clients), wait_timeout=1, **clients)
    results = [await acall(tool, {"source": "https://example.com/fox.mp4"}) for _ in range(6)]
    assert results[0].artifact["status"] != "ready" and results[-1].artifact["status"] == "ready"
    assert len({r.artifact["asset_id"] for r in results}) == 1
    assert len(fresh_fake.calls("POST /assets")) == 1 and fresh_fake.calls("POST /tasks") == []


async def test_ingest_tool_resumes_an_interrupted_multipart_upload_with_progress(
        fresh_fake: FakeTwelveLabs, media_dir: Path) -> None:
    from twelvelabs_rag import TwelveLabsError
    from twelvelabs_rag.moments import dedupe_metadata, file_sha256

    clients = {"client": fresh_fake.client(poll_interval=0), "async_client": fresh_fake.async_client(poll_interval=0)}
    clip = media_dir / "city.mp4"
    fresh_fake.multipart_chunk_size = 4096  # several chunks from a small clip
    fresh_fake.fail_next("POST /assets/multipart-uploads/{upload_id}", 400)  # the first chunk report is refused
    with pytest.raises(TwelveLabsError):
        clients["client"].assets.upload(clip, method="multipart", max_concurrency=1,
                                        user_metadata=dedupe_metadata(sha256=file_sha256(clip)))
    progress: list[Any] = []
    tool = TwelveLabsIngestTool(index_id=_current_index(clients), on_progress=progress.append, **clients)
    msg = await acall(tool, {"source": str(clip)})
    assert msg.status == "success" and msg.artifact["status"] == "ready" and msg.artifact["resumed"]
    assert progress and progress[-1].bytes_sent == clip.stat().st_size
    assert len(fresh_fake.uploads) == 1 and len(fresh_fake.assets) == 1  # no second session, no second asset
    assert "on_progress" not in tool.model_dump()


def test_ingest_api_shape_that_contradicts_the_index_is_a_tool_message(fresh_fake: FakeTwelveLabs) -> None:
    clients = {"client": fresh_fake.client(poll_interval=0)}
    tool = TwelveLabsIngestTool(index_id=_current_index(clients), api_shape="classic", **clients)
    msg = call(tool, {"source": "https://example.com/fox.mp4"})
    assert msg.status == "error" and "api_shape='classic' does not fit this index" in msg.content
    assert fresh_fake.calls("POST /assets") == [] and fresh_fake.calls("POST /tasks") == []


def test_ingest_bad_source_and_failed_task(fresh_fake: FakeTwelveLabs, index_models, media_dir: Path) -> None:
    client = fresh_fake.client(poll_interval=0)
    index = client.indexes.create(index_name="ingest", models=index_models)
    tool = TwelveLabsIngestTool(index_id=index.id, client=client)
    missing = call(tool, {"source": "/no/such/video.mp4"})
    assert missing.status == "error" and "/no/such/video.mp4" in missing.content
    tiny = call(tool, {"source": str(media_dir / "tiny.mp4")})  # below the API's minimum resolution
    assert tiny.status == "error" and "PreflightError" in tiny.content
    fresh_fake.fail_task_next()
    failed = call(tool, {"source": str(media_dir / "city.mp4")})
    assert failed.status == "error" and "TaskFailedError" in failed.content
    assert len(fresh_fake.calls("POST /tasks")) == 1


# --- toolkit -----------------------------------------------------------------------------------------------------
def test_toolkit_builds_the_tools_its_configuration_supports(world: Any, segment_store: SegmentStore) -> None:
    kw = world.clients_kw()
    names = [t.name for t in TwelveLabsToolkit(index_id=world.index_id, store=segment_store, **kw).get_tools()]
    assert names == ["twelvelabs_search", "twelvelabs_analyze", "twelvelabs_segment_search", "twelvelabs_ingest"]
    tools = TwelveLabsToolkit(**kw).get_tools()
    assert [t.name for t in tools] == ["twelvelabs_analyze"] and tools[0].client is kw["client"]
    shaped = TwelveLabsToolkit(index_id=world.index_id, api_shape="classic", **kw).get_tools()
    assert [(t.name, t.api_shape, t.index_id) for t in shaped] == [  # type: ignore[attr-defined]
        (name, "classic", world.index_id) for name in ("twelvelabs_search", "twelvelabs_analyze", "twelvelabs_ingest")]


async def test_async_tools_do_not_block_the_loop(world: Any) -> None:
    world.fake.add_latency("POST /search", 0.05)
    try:
        tool = TwelveLabsSearchTool(index_id=world.index_id, **world.clients_kw())
        ran: list[str] = []

        async def other() -> None:
            await asyncio.sleep(0)
            ran.append("other")

        task = asyncio.ensure_future(other())
        msg = await acall(tool, {"query": "a fox"})
        ran.append("tool")
        await task
        assert msg.status == "success" and ran == ["other", "tool"]
    finally:
        world.fake.add_latency("POST /search", 0)
