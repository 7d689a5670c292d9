"""Shared helpers of the hosted-RAG tests.

Clip scripts of the hosted tests and small call/collect helpers that run a sync or an async
client method alike.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from twelvelabs_rag.testing.samples import DEMO_SCRIPTS

#: Clips of the hosted tests: the demo's wildlife and city scripts, plus a walk by the woman the
#: ``ada.png`` reference shows (for entity search).
HOSTED_SCRIPTS = {
    "wildlife.mp4": DEMO_SCRIPTS["wildlife.mp4"],
    "city.mp4": DEMO_SCRIPTS["city.mp4"],
    "park.mp4": "[0-4] children play football on the grass | \"goal!\"\n"
                "[4-8] a woman in a green raincoat with a red umbrella walks her dog | \"come on, buddy\"\n"
                "[8-12] ducks swim across a pond | \"the ducks are hungry\"",
}


async def call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call a sync or async client method and return its result."""
    result = fn(*args, **kwargs)
    if inspect.isawaitable(result):
        result = await result
    return result


async def collect(pager_or_stream: Any) -> list[Any]:
    """Every item of a SyncPage/AsyncPage or every event of a (sync or async) stream."""
    if hasattr(pager_or_stream, "__aiter__"):
        return [x async for x in pager_or_stream]
    return list(pager_or_stream)
