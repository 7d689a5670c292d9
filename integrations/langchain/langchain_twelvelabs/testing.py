"""Test doubles for LangChain agents over the TwelveLabs tools (offline tests and demos; not models).

:class:`ScriptedToolCallingChatModel` is a chat model that follows
``twelvelabs_rag.testing.scripted_agent.ScriptedVideoAgent``'s fixed script: (given
``agent=ScriptedVideoAgent(ingest=[...])``) index the sources, search for the question, ask Pegasus
about the best moment (by its ``asset_id`` on a current index, else its ``video_id``, with its
window), answer with that moment's timestamp. Every answer starts with ``[scripted test model, not an LLM]``.

```python
from langchain_core.messages import HumanMessage
from langchain_twelvelabs.testing import ScriptedToolCallingChatModel
msg = ScriptedToolCallingChatModel().invoke([HumanMessage("Where is the eagle?")])
assert msg.tool_calls[0]["name"] == "twelvelabs_search"
```
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import Field

from twelvelabs_rag.testing.scripted_agent import SCRIPTED_LABEL, FinalStep, ScriptedVideoAgent, ToolResult

__all__ = ["ScriptedToolCallingChatModel", "SCRIPTED_LABEL"]


def _turn(messages: Sequence[BaseMessage]) -> tuple[str, list[ToolResult], int]:
    """The latest user question, the tool results after it, and how many assistant turns it has had."""
    start = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=-1)
    question = messages[start].text if start >= 0 else ""
    results, turns = [], 0
    for message in messages[start + 1:]:
        if isinstance(message, ToolMessage):
            results.append(ToolResult(message.name or "", message.text, message.status == "error"))
        elif isinstance(message, AIMessage):
            turns += 1
    return question, results, turns


class ScriptedToolCallingChatModel(BaseChatModel):
    """A test double with the tool-calling interface of a chat model, driven by a fixed script.

    ``bind_tools`` records the tool names; a step that calls a tool that was not bound raises
    ``ValueError`` (so a test notices a missing tool instead of looping). ``max_turns`` caps the
    assistant turns per question.
    """

    agent: Any = Field(default_factory=ScriptedVideoAgent, exclude=True)
    bound_tools: list[str] | None = None
    max_turns: int = 6

    @property
    def _llm_type(self) -> str:
        return "scripted-tool-calling-test-double"

    def bind_tools(self, tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool], *,
                   tool_choice: str | None = None, **kwargs: Any) -> Runnable[LanguageModelInput, AIMessage]:
        names = [convert_to_openai_tool(t)["function"]["name"] for t in tools]
        return self.model_copy(update={"bound_tools": names})

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        question, results, turns = _turn(messages)
        if turns >= self.max_turns:
            step: Any = FinalStep(f"{SCRIPTED_LABEL} Stopping after {turns} turns without an answer.")
        else:
            step = self.agent.next_step(question, results)
        if isinstance(step, FinalStep):
            message = AIMessage(content=step.text)
        else:
            if self.bound_tools is not None and step.name not in self.bound_tools:
                raise ValueError(f"The script calls {step.name!r}, but the bound tools are {self.bound_tools}; "
                                 "give the agent that tool.")
            message = AIMessage(content="", tool_calls=[
                {"name": step.name, "args": dict(step.args), "id": f"call_{turns + 1}", "type": "tool_call"}])
        return ChatResult(generations=[ChatGeneration(message=message)])
