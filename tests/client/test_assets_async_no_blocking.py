"""The async ``assets.upload`` never opens or reads the file on the event-loop thread (direct and multipart)."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

from twelvelabs_rag.testing import FakeTwelveLabs
from twelvelabs_rag.testing.samples import make_clip

_OPENS: list[tuple[str, int]] = []
_WATCH: set[str] = set()


def _hook(event: str, args: tuple) -> None:
    if event == "open" and args and isinstance(args[0], (str, Path)) and str(args[0]) in _WATCH:
        _OPENS.append((str(args[0]), threading.get_ident()))


sys.addaudithook(_hook)  # audit hooks cannot be removed; this one only looks at the files below


@pytest.mark.parametrize("method", ["direct", "multipart"])
async def test_asset_files_are_read_off_the_loop(tmp_path: Path, method: str) -> None:
    clip = make_clip(tmp_path / f"{method}.mp4", "[0-5] a red fox")
    _WATCH.add(str(clip))
    fake = FakeTwelveLabs()
    fake.multipart_chunk_size = 1024
    client = fake.async_client()
    loop_thread = threading.get_ident()
    asset = await client.assets.upload(clip, method=method, max_concurrency=3)
    await client.aclose()
    assert asset.status == "ready" and asset.size == clip.stat().st_size
    mine = [o for o in _OPENS if o[0] == str(clip)]
    assert mine, "the audit hook saw no open() of the file"
    assert all(ident != loop_thread for _, ident in mine), mine
