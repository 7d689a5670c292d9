"""twelvelabs_rag.agent_tools (the framework-free tool bodies) and the scripted test-double agent."""

from __future__ import annotations

import re
import textwrap

import pytest

from twelvelabs_rag import TaskFailedError, TwelveLabsError, agent_tools
from twelvelabs_rag.agent_tools import (
    AnalyzeArgs,
    Ingester,
    SearchArgs,
    ToolInputError,
    analyze_request,
    moment_line,
    parse_moment_lines,
    validate_args,
)
from twelvelabs_rag.testing import FakeTwelveLabs, scripted_agent
from twelvelabs_rag.testing.scripted_agent import SCRIPTED_LABEL, FinalStep, ScriptedVideoAgent, ToolResult, ToolStep

#: A classic index (ingest through /tasks) and a current one (assets + indexed assets).
CLASSIC_MODELS = [{"model_name": "marengo2.7", "model_options": ["visual"]}]
CURRENT_MODELS = [{"model_name": "marengo3.0", "model_options": ["visual"]}]


def test_moment_lines_round_trip() -> None:
    text = "\n".join([
        "2 moment(s) for 'x', best first:",
        moment_line(1, "[a b.mp4 00:04-00:08]", "v1", 4, 8, "says | a\n pipe", score=0.5, segment_id=None),
        moment_line(2, "[v2 01:00-01:02]", "v2", 60.04, 62, None, segment_id=7),
    ])
    first, second = parse_moment_lines(text)
    assert (first.rank, first.citation, first.video_id, first.start, first.end) == (1, "[a b.mp4 00:04-00:08]", "v1", 4.0, 8.0)
    assert first.text == "says | a pipe" and first.extra == {"score": "0.5"}
    assert (second.start, second.text, second.extra) == (60.0, "", {"segment_id": "7"})
    assert parse_moment_lines("no moments here") == []


@pytest.mark.parametrize(
    ("kwargs", "video", "model"),
    [({"video_id": "v1"}, None, "pegasus1.2"),
     ({"asset_id": "a1"}, {"type": "asset_id", "asset_id": "a1"}, "pegasus1.5"),
     ({"url": "https://x/v.mp4"}, {"type": "url", "url": "https://x/v.mp4"}, "pegasus1.5"),
     ({"url": "https://x/v.mp4", "model_name": "pegasus1.6"}, {"type": "url", "url": "https://x/v.mp4"}, "pegasus1.6")],
)
def test_analyze_request_video_and_model(kwargs: dict, video: dict | None, model: str) -> None:
    req = analyze_request(prompt=" What? ", **kwargs)
    assert req.get("video") == video and req["model_name"] == model and req["prompt"] == "What?"
    assert ("video_id" in req) == ("video_id" in kwargs)


def test_analyze_request_window_goes_to_the_api_on_the_current_surface() -> None:
    assert analyze_request(prompt="Q", asset_id="a", start=4, end=8) == {
        "video": {"type": "asset_id", "asset_id": "a"}, "model_name": "pegasus1.5", "start_time": 4.0,
        "end_time": 8.0, "prompt": "Q"}
    stated = analyze_request(prompt="Q", video_id="v", start=64)  # classic /analyze has no window
    assert stated["prompt"] == "Consider only the part of the video from 01:04 on. Q" and "start_time" not in stated
    schema = {"type": "object"}
    assert analyze_request(prompt="Q", video_id="v", json_schema=schema)["response_format"] == {
        "type": "json_schema", "json_schema": schema}


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [({}, "exactly one of"), ({"video_id": "v", "asset_id": "a"}, "exactly one of"),
     ({"url": "file:///v.mp4"}, "http(s)"), ({"video_id": "v", "start": -1}, "start"),
     ({"video_id": "v", "start": 5, "end": 5.5}, "at least 1 second"), ({"video_id": "v", "json_schema": {}}, "JSON schema")],
)
def test_analyze_request_bad_input(kwargs: dict, needle: str) -> None:
    with pytest.raises(ToolInputError, match=re.escape(needle)) as info:
        analyze_request(prompt="Q", **kwargs)
    assert isinstance(info.value, TwelveLabsError) and isinstance(info.value, ValueError)


def test_validate_args_names_the_argument_and_the_fix() -> None:
    assert validate_args(SearchArgs, {"query": "fox"}).query == "fox"
    with pytest.raises(ToolInputError, match=r"`k`: Input should be greater than or equal to 1.*call the tool again"):
        validate_args(SearchArgs, {"k": 0})
    with pytest.raises(ToolInputError, match="`prompt`: Field required"):
        validate_args(AnalyzeArgs, {"video_id": "v"})


def test_ingest_forgets_a_failed_task_so_the_source_can_be_retried() -> None:
    fake = FakeTwelveLabs()
    client = fake.client(poll_interval=0)
    index = client.indexes.create(index_name="i", models=CLASSIC_MODELS)
    ingester = Ingester()
    fake.fail_task_next()
    with pytest.raises(TaskFailedError):
        ingester.ingest(client, index_id=index.id, source="https://example.com/v.mp4", timeout=60)
    assert ingester.pending() == {}
    assert ingester.ingest(client, index_id=index.id, source="https://example.com/v.mp4", timeout=60).ready
    assert len(fake.calls("POST /tasks")) == 2
    with pytest.raises(ToolInputError, match="index_id"):
        ingester.ingest(client, index_id="", source="https://example.com/v.mp4")


# --- the scripted agent ------------------------------------------------------------------------------
SEARCH = ToolResult("twelvelabs_search", "1 moment(s):\n" + moment_line(1, "[f.mp4 00:04-00:08]", "v9", 4, 8, "an eagle"))


def test_scripted_agent_follows_its_script() -> None:
    agent = ScriptedVideoAgent()
    assert agent.next_step("eagle?", []) == ToolStep("twelvelabs_search", {"query": "eagle?"})
    assert agent.next_step("eagle?", [SEARCH]) == ToolStep(
        "twelvelabs_analyze", {"video_id": "v9", "start": 4.0, "end": 8.0, "prompt": "What happens in this moment? eagle?"})
    final = agent.next_step("eagle?", [SEARCH, ToolResult("twelvelabs_analyze", "It  flies.")])
    assert isinstance(final, FinalStep) and final.text == (
        f"{SCRIPTED_LABEL} The best match is [f.mp4 00:04-00:08]: at 00:04-00:08 (4s to 8s) in video v9. "
        "Pegasus says: It flies.")


@pytest.mark.parametrize(
    ("results", "needle"),
    [([ToolResult("twelvelabs_search", "No moments found")], "found no moment"),
     ([ToolResult("twelvelabs_search", "bad index", is_error=True)], "twelvelabs_search tool failed: bad index"),
     ([SEARCH, ToolResult("other", "?")], "no step after the other tool")],
)
def test_scripted_agent_ends_clearly_when_off_script(results: list, needle: str) -> None:
    step = ScriptedVideoAgent().next_step("q", results)
    assert isinstance(step, FinalStep) and step.text.startswith(SCRIPTED_LABEL) and needle in step.text


@pytest.mark.parametrize("module", [agent_tools, scripted_agent], ids=lambda m: m.__name__)
def test_docstring_examples_run(module) -> None:
    objects = [module] + [getattr(module, n) for n in module.__all__]
    blocks = [b for obj in objects for b in re.findall(r"```python\n(.*?)```", getattr(obj, "__doc__", "") or "", re.S)]
    assert blocks
    for block in blocks:
        exec(compile(textwrap.dedent(block), module.__name__, "exec"), dict(vars(module)))


async def test_concurrent_ingests_of_one_source_upload_once() -> None:
    import asyncio

    fake = FakeTwelveLabs()
    client = fake.async_client(poll_interval=0)
    index = await client.indexes.create(index_name="i", models=CLASSIC_MODELS)
    fake.add_latency("POST /tasks", 0.05)  # awaited by the async transport: the second call runs meanwhile
    ingester = Ingester()
    first, second = await asyncio.gather(
        ingester.aingest(client, index_id=index.id, source="https://example.com/v.mp4", timeout=60),
        ingester.aingest(client, index_id=index.id, source="https://example.com/v.mp4", timeout=60),
        return_exceptions=True,
    )
    assert first.ready and isinstance(second, ToolInputError) and "call again" in str(second)
    assert len(fake.calls("POST /tasks")) == 1
    again = await ingester.aingest(client, index_id=index.id, source="https://example.com/v.mp4", timeout=60)
    assert again.already_indexed and again.video_id == first.video_id and len(fake.calls("POST /tasks")) == 1


def test_ingest_waits_for_an_upload_another_process_started(tmp_path) -> None:
    """A fresh Ingester (no memory of earlier calls) finds the task still indexing and waits for it."""
    from twelvelabs_rag.agent_tools import Ingester
    from twelvelabs_rag.moments import dedupe_metadata, file_sha256
    from twelvelabs_rag.testing.samples import DEMO_SCRIPTS, make_clip

    fake = FakeTwelveLabs()
    client = fake.client(poll_interval=0)
    try:
        index = client.indexes.create(index_name="i", models=CLASSIC_MODELS)
        clip = make_clip(tmp_path / "fox.mp4", DEMO_SCRIPTS["wildlife.mp4"])
        first = client.tasks.create(index_id=index.id, file=clip, user_metadata=dedupe_metadata(sha256=file_sha256(clip)))
        result = Ingester().ingest(client, index_id=index.id, source=str(clip), timeout=60)
        assert result.ready and result.resumed and result.task_id == first.id
        assert len(fake.calls("POST /tasks")) == 1   # never uploaded a second time
    finally:
        client.close()
