"""An agent loop over the TwelveLabs tools, driven by the scripted test-double model (not an LLM).

On the current flow (the default) the model ingests the clips into an empty Marengo 3.0 index,
searches for the question, asks Pegasus about the best moment by its asset_id and window, and
answers with that moment's timestamp; one test keeps the classic flow (/tasks index, video_id). The
checks compare the answer with the clip scripts (the truth of the emulator) and the emulator's
request log (what the tools really sent: POST /assets, indexed assets, analyze with a video object).

The loop below is the tool-calling loop written with langchain-core, and ``test_create_agent`` runs
the same script through ``langchain.agents.create_agent`` (langchain 1.x on LangGraph, in the dev group).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from langchain_twelvelabs.testing import SCRIPTED_LABEL, ScriptedToolCallingChatModel
from langchain_twelvelabs.tools import TwelveLabsToolkit
from twelvelabs_rag.flow import CURRENT
from twelvelabs_rag.testing import FakeTwelveLabs, parse_script
from twelvelabs_rag.testing.samples import DEMO_SCRIPTS
from twelvelabs_rag.testing.scripted_agent import ScriptedVideoAgent

QUESTION = "When does the eagle fly over the frozen lake?"


@dataclass
class EmptyCurrentIndex:
    """A fresh emulator with an empty Marengo 3.0 index, and the clips the agent is asked to ingest."""

    fake: FakeTwelveLabs
    index_id: str
    clips: list[Path]

    def clients_kw(self) -> dict[str, Any]:
        return {"client": self.fake.client(), "async_client": self.fake.async_client()}

    def model(self) -> ScriptedToolCallingChatModel:
        """The scripted test double, told to ingest the clips before it searches."""
        return ScriptedToolCallingChatModel(agent=ScriptedVideoAgent(ingest=[str(c) for c in self.clips]),
                                            max_turns=12)


@pytest.fixture
def empty_current(media_dir: Path) -> EmptyCurrentIndex:
    fake = FakeTwelveLabs(seed=3)
    index = fake.client().indexes.create(index_name="agent-current", models=CURRENT.index_models)
    return EmptyCurrentIndex(fake, index.id, [media_dir / name for name in DEMO_SCRIPTS])


def run_agent(model: Any, tools: list[Any], question: str, max_steps: int = 12) -> list[BaseMessage]:
    """The tool-calling loop: call the model, run the tool calls it makes, repeat until it answers."""
    by_name = {t.name: t for t in tools}
    bound = model.bind_tools(tools)
    messages: list[BaseMessage] = [HumanMessage(question)]
    for _ in range(max_steps):
        reply = bound.invoke(messages)
        messages.append(reply)
        if not reply.tool_calls:
            return messages
        messages.extend(by_name[call["name"]].invoke(call) for call in reply.tool_calls)
    raise AssertionError(f"no answer after {max_steps} steps")


async def arun_agent(model: Any, tools: list[Any], question: str, max_steps: int = 12) -> list[BaseMessage]:
    """Async :func:`run_agent` (``ainvoke`` everywhere: the tools use the async client)."""
    by_name = {t.name: t for t in tools}
    bound = model.bind_tools(tools)
    messages: list[BaseMessage] = [HumanMessage(question)]
    for _ in range(max_steps):
        reply = await bound.ainvoke(messages)
        messages.append(reply)
        if not reply.tool_calls:
            return messages
        for call in reply.tool_calls:
            messages.append(await by_name[call["name"]].ainvoke(call))
    raise AssertionError(f"no answer after {max_steps} steps")


def check_transcript(world: Any, messages: list[BaseMessage], searches: list[Any], analyses: list[Any],
                     assert_window_sent: Any) -> None:
    """The agent searched for the question, asked about the right moment, and answered with its time."""
    [eagle] = [s for s in parse_script(DEMO_SCRIPTS["wildlife.mp4"]) if "eagle" in s.visual]
    tool_messages = [m for m in messages if isinstance(m, ToolMessage)]
    assert [m.name for m in tool_messages] == ["twelvelabs_search", "twelvelabs_analyze"]
    assert all(m.status == "success" for m in tool_messages)
    [search] = searches
    assert search.form["query_text"] == [QUESTION]
    [analysis] = analyses
    assert analysis.json["video_id"] == world.videos["wildlife.mp4"]
    assert_window_sent(world.client(), analysis.json, eagle.start, eagle.end)
    answer = messages[-1]
    assert isinstance(answer, AIMessage) and not answer.tool_calls
    assert answer.text.startswith(SCRIPTED_LABEL)
    assert "[wildlife.mp4 00:04-00:08]" in answer.text and f"({eagle.start:g}s to {eagle.end:g}s)" in answer.text
    assert "eagle" in answer.text.split("Pegasus says:", 1)[1]  # Pegasus's answer about that window is quoted


def check_current_transcript(env: EmptyCurrentIndex, messages: list[BaseMessage]) -> None:
    """Ingested through assets, searched, asked Pegasus about the eagle's asset and window, answered with its time."""
    fake, client = env.fake, env.fake.client()
    [eagle] = [s for s in parse_script(DEMO_SCRIPTS["wildlife.mp4"]) if "eagle" in s.visual]
    tool_messages = [m for m in messages if isinstance(m, ToolMessage)]
    assert [m.name for m in tool_messages] == ["twelvelabs_ingest"] * 3 + ["twelvelabs_search", "twelvelabs_analyze"]
    assert all(m.status == "success" for m in tool_messages)
    ingested = {Path(m.artifact["source"]).name: m.artifact for m in tool_messages[:3]}
    assert all(a["status"] == "ready" and a["api_shape"] == "current" and a["asset_id"] for a in ingested.values())
    assert len(fake.calls("POST /assets")) == 3 and len(fake.calls("POST /indexes/{index_id}/indexed-assets")) == 3
    assert fake.calls("POST /tasks") == []
    [search] = fake.calls("POST /search")
    assert search.form["query_text"] == [QUESTION]
    assert tool_messages[3].artifact[0]["asset_id"] == ingested["wildlife.mp4"]["asset_id"]  # the hit names its asset
    [analysis] = fake.calls("POST /analyze")
    assert analysis.json["video"] == {"type": "asset_id", "asset_id": ingested["wildlife.mp4"]["asset_id"]}
    assert client.assets.retrieve(analysis.json["video"]["asset_id"]).filename == "wildlife.mp4"
    assert (analysis.json["start_time"], analysis.json["end_time"]) == (eagle.start, eagle.end)
    assert "video_id" not in analysis.json and analysis.json["model_name"] == CURRENT.pegasus
    answer = messages[-1]
    assert isinstance(answer, AIMessage) and not answer.tool_calls and answer.text.startswith(SCRIPTED_LABEL)
    assert "[wildlife.mp4 00:04-00:08]" in answer.text and f"({eagle.start:g}s to {eagle.end:g}s)" in answer.text
    assert "eagle" in answer.text.split("Pegasus says:", 1)[1]  # Pegasus's answer about that window is quoted


def test_agent_ingests_searches_and_asks_pegasus_by_asset_on_a_current_index(empty_current: EmptyCurrentIndex) -> None:
    tools = TwelveLabsToolkit(index_id=empty_current.index_id, **empty_current.clients_kw()).get_tools()
    check_current_transcript(empty_current, run_agent(empty_current.model(), tools, QUESTION))


async def test_agent_loop_async_current(empty_current: EmptyCurrentIndex) -> None:
    tools = TwelveLabsToolkit(index_id=empty_current.index_id, **empty_current.clients_kw()).get_tools()
    check_current_transcript(empty_current, await arun_agent(empty_current.model(), tools, QUESTION))


def test_agent_loop_on_a_classic_index_asks_by_video_id(world: Any, assert_window_sent: Any) -> None:
    """The classic flow (Marengo 2.7 + Pegasus 1.2 index, /tasks uploads): hits have no asset, analyze takes the video_id."""
    tools = TwelveLabsToolkit(index_id=world.index_id, **world.clients_kw()).get_tools()
    s0, a0 = len(world.fake.calls("POST /search")), len(world.fake.calls("POST /analyze"))
    messages = run_agent(ScriptedToolCallingChatModel(), tools, QUESTION)
    check_transcript(world, messages, world.fake.calls("POST /search")[s0:], world.fake.calls("POST /analyze")[a0:],
                     assert_window_sent)


def test_agent_sees_tool_errors_as_messages(world: Any) -> None:
    tools = TwelveLabsToolkit(index_id="no-such-index", **world.clients_kw()).get_tools()
    messages = run_agent(ScriptedToolCallingChatModel(), tools, QUESTION)
    [failed] = [m for m in messages if isinstance(m, ToolMessage)]
    assert failed.status == "error" and "no-such-index" in failed.content
    assert "twelvelabs_search tool failed" in messages[-1].text


def test_scripted_model_refuses_a_tool_it_was_not_given(world: Any) -> None:
    [analyze] = [t for t in TwelveLabsToolkit(**world.clients_kw()).get_tools() if t.name == "twelvelabs_analyze"]
    with pytest.raises(ValueError, match="twelvelabs_search"):
        run_agent(ScriptedToolCallingChatModel(), [analyze], QUESTION)


def test_create_agent(empty_current: EmptyCurrentIndex) -> None:
    import langchain.agents as agents
    tools = TwelveLabsToolkit(index_id=empty_current.index_id, **empty_current.clients_kw()).get_tools()
    agent = agents.create_agent(empty_current.model(), tools)
    messages = agent.invoke({"messages": [HumanMessage(QUESTION)]})["messages"]
    check_current_transcript(empty_current, messages)
