"""A test double for LlamaIndex agents over the TwelveLabs tools (offline tests and demos; not an LLM).

:class:`ScriptedFunctionCallingLLM` has the interface of a function-calling LLM (so ``FunctionAgent``
accepts it) and follows ``twelvelabs_rag.testing.scripted_agent.ScriptedVideoAgent``'s fixed
script: (given ``agent=ScriptedVideoAgent(ingest=[...])``) index the sources, search for the
question, ask Pegasus about the best moment (by its ``asset_id`` on a current index, else its
``video_id``, with its window), answer with that moment's timestamp. Every answer starts with
``[scripted test model, not an LLM]``.

```python
from llama_index.core.llms import ChatMessage
from llama_index.tools.twelvelabs.testing import ScriptedFunctionCallingLLM
reply = ScriptedFunctionCallingLLM().chat([ChatMessage(role="user", content="Where is the eagle?")])
assert reply.message.blocks[0].tool_name == "twelvelabs_search"
```
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from llama_index.core.base.llms.types import ChatMessage, MessageRole, ToolCallBlock
from llama_index.core.llms.mock import MockFunctionCallingLLM

from twelvelabs_rag.testing.scripted_agent import SCRIPTED_LABEL, FinalStep, ScriptedVideoAgent, ToolResult

__all__ = ["ScriptedFunctionCallingLLM", "SCRIPTED_LABEL"]


def _turn(messages: Sequence[ChatMessage]) -> tuple[str, list[ToolResult], int]:
    """The latest user question, the tool results after it (named via their call ids), the assistant turns."""
    start = max((i for i, m in enumerate(messages) if m.role == MessageRole.USER), default=-1)
    question = (messages[start].content or "") if start >= 0 else ""
    names: dict[str, str] = {}
    results, turns = [], 0
    for message in messages[start + 1:]:
        if message.role == MessageRole.ASSISTANT:
            turns += 1
            for block in message.blocks:
                if isinstance(block, ToolCallBlock):
                    names[block.tool_call_id or ""] = block.tool_name
        elif message.role == MessageRole.TOOL:
            call_id = message.additional_kwargs.get("tool_call_id", "")
            results.append(ToolResult(names.get(call_id, ""), message.content or ""))
    return question, results, turns


class ScriptedFunctionCallingLLM(MockFunctionCallingLLM):
    """A function-calling LLM test double driven by :class:`ScriptedVideoAgent` (``agent=`` to configure it).

    A step that calls a tool the agent was not given raises ``ValueError``; ``max_turns`` caps the
    assistant turns per question.
    """

    max_turns: int = 6

    def __init__(self, agent: ScriptedVideoAgent | None = None, **kwargs: Any) -> None:
        super().__init__(is_chat_model=True, **kwargs)
        script = agent or ScriptedVideoAgent()

        def respond(messages: Sequence[ChatMessage], **call: Any) -> ChatMessage:
            question, results, turns = _turn(messages)
            if turns >= self.max_turns:
                step: Any = FinalStep(f"{SCRIPTED_LABEL} Stopping after {turns} turns without an answer.")
            else:
                step = script.next_step(question, results)
            if isinstance(step, FinalStep):
                return ChatMessage(role=MessageRole.ASSISTANT, content=step.text)
            tools = call.get("tools")
            if tools is not None and step.name not in [t.metadata.name for t in tools]:
                raise ValueError(f"The script calls {step.name!r}, but the agent's tools are "
                                 f"{[t.metadata.name for t in tools]}; give the agent that tool.")
            block = ToolCallBlock(tool_call_id=f"call_{turns + 1}", tool_name=step.name, tool_kwargs=dict(step.args))
            return ChatMessage(role=MessageRole.ASSISTANT, blocks=[block])

        self.response_generator = respond

    @classmethod
    def class_name(cls) -> str:
        return "ScriptedFunctionCallingLLM"
