"""A scripted video agent: the decision logic behind the test-double chat models of the framework packages.

**This is not a language model.** :class:`ScriptedVideoAgent` follows a fixed script, so agent
loops can be tested (and demoed offline) with real tools against the emulator:

1. call the search tool with the user's question;
2. call the analyze tool about the best moment it returned (its ``video_id``, ``start`` and ``end``);
3. answer with that moment's citation and timestamps, quoting what Pegasus said.

It reads tool results as text (the moment lines of :mod:`twelvelabs_rag.agent_tools`), as a real
model would. ``ScriptedToolCallingChatModel`` (langchain-twelvelabs) and
``ScriptedFunctionCallingLLM`` (llama-index-tools-twelvelabs) wrap it in each framework's model interface.

```python
from twelvelabs_rag.testing.scripted_agent import ScriptedVideoAgent, ToolStep
agent = ScriptedVideoAgent()
step = agent.next_step("Where is the eagle?", [])
assert step == ToolStep("twelvelabs_search", {"query": "Where is the eagle?"})
```
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..agent_tools import ANALYZE_NAME, SEARCH_NAME, MomentLine, parse_moment_lines
from ..moments import format_timestamp

__all__ = ["ScriptedVideoAgent", "ToolStep", "FinalStep", "ToolResult", "SCRIPTED_LABEL"]

#: How the test-double models label themselves, so a demo's output never passes for a real model's.
SCRIPTED_LABEL = "[scripted test model, not an LLM]"


@dataclass(frozen=True)
class ToolStep:
    """Call tool ``name`` with ``args``."""

    name: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FinalStep:
    """Answer the user with ``text`` (ends the loop)."""

    text: str


@dataclass(frozen=True)
class ToolResult:
    """What a tool call returned, as the model sees it: the tool's name and its text."""

    name: str
    content: str
    is_error: bool = False


class ScriptedVideoAgent:
    """Decides the next step (tool call or final answer) from the question and the tool results so far."""

    def __init__(self, *, search_tool: str = SEARCH_NAME, analyze_tool: str = ANALYZE_NAME,
                 analyze_prompt: str = "What happens in this moment?", k: int = 3) -> None:
        self.search_tool, self.analyze_tool = search_tool, analyze_tool
        self.analyze_prompt, self.k = analyze_prompt, k

    def next_step(self, question: str, results: list[ToolResult]) -> ToolStep | FinalStep:
        """The next step after ``results`` (oldest first) of this question's turn."""
        if not results:
            return ToolStep(self.search_tool, {"query": question})
        last = results[-1]
        if last.is_error:
            return FinalStep(f"{SCRIPTED_LABEL} The {last.name} tool failed: {last.content}")
        moments = self._moments(results)
        if last.name == self.search_tool:
            if not moments:
                return FinalStep(f"{SCRIPTED_LABEL} I found no moment in the videos for {question!r}.")
            best = moments[0]
            return ToolStep(self.analyze_tool, {"video_id": best.video_id, "start": best.start, "end": best.end,
                                                "prompt": f"{self.analyze_prompt} {question}".strip()})
        if last.name == self.analyze_tool and moments:
            return FinalStep(self.answer(moments[0], last.content))
        return FinalStep(f"{SCRIPTED_LABEL} My script has no step after the {last.name} tool.")

    def _moments(self, results: list[ToolResult]) -> list[MomentLine]:
        for result in reversed(results):
            if result.name == self.search_tool and not result.is_error:
                return parse_moment_lines(result.content)
        return []

    @staticmethod
    def answer(moment: MomentLine, analysis: str) -> str:
        """The final answer: where the moment is (citation, mm:ss and seconds) and what Pegasus said."""
        when = f"{format_timestamp(moment.start)}-{format_timestamp(moment.end)}"
        return (f"{SCRIPTED_LABEL} The best match is {moment.citation}: at {when} "
                f"({moment.start:g}s to {moment.end:g}s) in video {moment.video_id}. "
                f"Pegasus says: {' '.join(analysis.split())}")
