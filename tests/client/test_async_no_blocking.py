"""The async client never opens or reads upload files on the event-loop thread."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import httpx

from twelvelabs_rag import AsyncTwelveLabs
from twelvelabs_rag.testing.samples import make_clip, make_image

_OPENS: list[tuple[str, int]] = []
_WATCH: set[str] = set()


def _hook(event: str, args: tuple) -> None:
    if event == "open" and args and isinstance(args[0], str) and args[0] in _WATCH:
        _OPENS.append((args[0], threading.get_ident()))


sys.addaudithook(_hook)  # audit hooks cannot be removed; this one only looks at the files below


async def test_upload_files_are_read_off_the_loop(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "fox.mp4", "[0-5] a red fox")
    image = make_image(tmp_path / "fox.png", "a red fox")
    _WATCH.update({str(clip), str(image)})
    received: list[int] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        received.append(len(await request.aread()))
        if request.url.path.endswith("/embed"):
            return httpx.Response(200, json={"model_name": "m", "image_embedding": {"segments": [{"float": [1.0]}]}})
        return httpx.Response(200, json={"_id": "t1", "video_id": "v1"})

    client = AsyncTwelveLabs(api_key="k", base_url="http://x/v1.3", transport=httpx.MockTransport(handler))
    loop_thread = threading.get_ident()
    await client.tasks.create(index_id="i1", file=clip)
    await client.embed.create(model_name="m", image_file=image)
    await client.search.create(index_id="i1", query_media_file=image)
    await client.aclose()
    assert received[0] > clip.stat().st_size  # the whole file went out
    assert _OPENS, "the audit hook saw no open() of the upload files"
    assert all(ident != loop_thread for _, ident in _OPENS), _OPENS
