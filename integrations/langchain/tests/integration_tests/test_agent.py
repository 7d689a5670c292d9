"""An agent loop over the TwelveLabs tools, driven by the scripted test-double model (not an LLM).

The model searches for the question, asks Pegasus about the best moment, and answers with that
moment's timestamp. The checks compare the answer with the clip scripts (the truth of the emulator)
and the emulator's request log (what the tools really sent).

The loop below is the tool-calling loop written with langchain-core, and ``test_create_agent`` runs
the same script through ``langchain.agents.create_agent`` (langchain 1.x on LangGraph, in the dev group).
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from langchain_twelvelabs.testing import SCRIPTED_LABEL, ScriptedToolCallingChatModel
from langchain_twelvelabs.tools import TwelveLabsToolkit
from twelvelabs_rag.testing import parse_script
from twelvelabs_rag.testing.samples import DEMO_SCRIPTS

QUESTION = "When does the eagle fly over the frozen lake?"


def run_agent(model: Any, tools: list[Any], question: str, max_steps: int = 6) -> list[BaseMessage]:
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


async def arun_agent(model: Any, tools: list[Any], question: str, max_steps: int = 6) -> list[BaseMessage]:
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


def test_agent_loop_searches_asks_pegasus_and_answers_with_the_timestamp(world: Any, assert_window_sent: Any) -> None:
    tools = TwelveLabsToolkit(index_id=world.index_id, **world.clients_kw()).get_tools()
    s0, a0 = len(world.fake.calls("POST /search")), len(world.fake.calls("POST /analyze"))
    messages = run_agent(ScriptedToolCallingChatModel(), tools, QUESTION)
    check_transcript(world, messages, world.fake.calls("POST /search")[s0:], world.fake.calls("POST /analyze")[a0:],
                     assert_window_sent)


async def test_agent_loop_async(world: Any, assert_window_sent: Any) -> None:
    tools = TwelveLabsToolkit(index_id=world.index_id, **world.clients_kw()).get_tools()
    s0, a0 = len(world.fake.calls("POST /search")), len(world.fake.calls("POST /analyze"))
    messages = await arun_agent(ScriptedToolCallingChatModel(), tools, QUESTION)
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


def test_create_agent(world: Any, assert_window_sent: Any) -> None:
    import langchain.agents as agents
    tools = TwelveLabsToolkit(index_id=world.index_id, **world.clients_kw()).get_tools()
    s0, a0 = len(world.fake.calls("POST /search")), len(world.fake.calls("POST /analyze"))
    agent = agents.create_agent(ScriptedToolCallingChatModel(), tools)
    messages = agent.invoke({"messages": [HumanMessage(QUESTION)]})["messages"]
    check_transcript(world, messages, world.fake.calls("POST /search")[s0:], world.fake.calls("POST /analyze")[a0:],
                     assert_window_sent)
