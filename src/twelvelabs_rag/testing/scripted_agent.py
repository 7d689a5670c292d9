"""A scripted video agent: the decision logic behind the test-double chat models of the framework packages.

**This is not a language model.** :class:`ScriptedVideoAgent` follows a fixed script, so agent
loops can be tested (and demoed offline) with real tools against the emulator:

0. (given ``ingest=[sources]``) call the ingest tool for each source, again while it is still indexing;
1. call the search tool with the user's question;
2. call the analyze tool about the best moment it returned: its ``asset_id`` (current indexes; its
   ``video_id`` when it has none), ``start`` and ``end``;
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

from ..agent_tools import ANALYZE_NAME, INGEST_NAME, SEARCH_NAME, STILL_INDEXING, MomentLine, parse_moment_lines
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
    """Decides the next step (tool call or final answer) from the question and the tool results so far.

    ``ingest``: sources (paths or URLs) to index first, in order; a source whose ingest result says it
    is still indexing is ingested again (at most ``ingest_attempts`` calls per source).
    """

    def __init__(self, *, search_tool: str = SEARCH_NAME, analyze_tool: str = ANALYZE_NAME,
                 ingest_tool: str = INGEST_NAME, ingest: tuple[str, ...] | list[str] = (),
                 ingest_attempts: int = 10, analyze_prompt: str = "What happens in this moment?", k: int = 3) -> None:
        self.search_tool, self.analyze_tool, self.ingest_tool = search_tool, analyze_tool, ingest_tool
        self.ingest, self.ingest_attempts = tuple(str(x) for x in ingest), ingest_attempts
        self.analyze_prompt, self.k = analyze_prompt, k

    def _ingest_step(self, results: list[ToolResult]) -> ToolStep | FinalStep | None:
        """The next ingest call, or None when every source is indexed."""
        done, attempts = 0, 0
        for result in results:
            if result.name != self.ingest_tool:
                continue
            attempts += 1
            if STILL_INDEXING not in result.content:
                done, attempts = done + 1, 0
        if done >= len(self.ingest):
            return None
        if attempts >= self.ingest_attempts:
            return FinalStep(f"{SCRIPTED_LABEL} {self.ingest[done]} is still indexing after {attempts} calls; "
                             "ask me again later.")
        return ToolStep(self.ingest_tool, {"source": self.ingest[done]})

    def next_step(self, question: str, results: list[ToolResult]) -> ToolStep | FinalStep:
        """The next step after ``results`` (oldest first) of this question's turn."""
        if results and results[-1].is_error:
            last = results[-1]
            return FinalStep(f"{SCRIPTED_LABEL} The {last.name} tool failed: {last.content}")
        if not any(r.name == self.search_tool for r in results):
            return self._ingest_step(results) or ToolStep(self.search_tool, {"query": question})
        last = results[-1]
        moments = self._moments(results)
        if last.name == self.search_tool:
            if not moments:
                return FinalStep(f"{SCRIPTED_LABEL} I found no moment in the videos for {question!r}.")
            best = moments[0]
            asset_id = best.extra.get("asset_id")  # current indexes: Pegasus takes the asset and the window
            target = {"asset_id": asset_id} if asset_id else {"video_id": best.video_id}
            return ToolStep(self.analyze_tool, {**target, "start": best.start, "end": best.end,
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
        asset = f" (asset {moment.extra['asset_id']})" if moment.extra.get("asset_id") else ""
        return (f"{SCRIPTED_LABEL} The best match is {moment.citation}: at {when} "
                f"({moment.start:g}s to {moment.end:g}s) in video {moment.video_id}{asset}. "
                f"Pegasus says: {' '.join(analysis.split())}")
