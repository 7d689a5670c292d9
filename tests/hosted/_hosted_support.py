"""Shared helpers of the hosted-RAG tests.

``make_fake`` gives a ``FakeTwelveLabs`` with the assets seeding contract of the emulator
(``add_asset`` / ``asset_media``, see _prompts emu_contract). Until the assets emulator is merged
into this branch, :class:`AssetStandIn` implements exactly that contract (a ready/not-ready asset
holding parsed media) so the entity, knowledge-store and import routes can be tested; once
``FakeTwelveLabs`` has ``add_asset`` itself, the real one is used and the stand-in is unused.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from twelvelabs_rag.testing import FakeTwelveLabs
from twelvelabs_rag.testing._core import Media
from twelvelabs_rag.testing._http import ApiError
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


class AssetStandIn(FakeTwelveLabs):
    """FakeTwelveLabs plus the assets engineer's seeding contract (``add_asset`` / ``asset_media``)."""

    def add_asset(self, file: str | os.PathLike[str] | bytes, *, filename: str | None = None, ready: bool = True,
                  user_metadata: dict | None = None) -> str:
        data = bytes(file) if isinstance(file, (bytes, bytearray)) else Path(file).read_bytes()
        name = filename or (None if isinstance(file, (bytes, bytearray)) else Path(file).name)
        with self._lock:
            if not hasattr(self, "_standin_assets"):
                self._standin_assets: dict[str, list[Any]] = {}
            asset_id = self.new_id("asset")
            self._standin_assets[asset_id] = [self.media_from_bytes(data, name), ready]
        return asset_id

    def asset_media(self, asset_id: str) -> Media:
        found = getattr(self, "_standin_assets", {}).get(asset_id)
        if found is None:
            raise ApiError(404, "resource_not_exist", f"Asset {asset_id} does not exist.")
        if not found[1]:
            raise ApiError(400, "asset_not_ready", f"Asset {asset_id} is still processing.")
        return found[0]  # type: ignore[no-any-return]


def make_fake(**kw: Any) -> FakeTwelveLabs:
    cls = FakeTwelveLabs if hasattr(FakeTwelveLabs, "add_asset") else AssetStandIn
    return cls(**kw)


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
