"""One end-to-end scenario against the emulator, for sync/async clients, in-process and on loopback."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import BaseModel

from twelvelabs_rag import APIStatusError, AsyncTwelveLabs, TwelveLabs
from twelvelabs_rag.testing import FakeTwelveLabs, serve
from twelvelabs_rag.testing.samples import make_audio, make_clip, make_image
from twelvelabs_rag.types import StreamEnd, TextGeneration

SCRIPT = "[0-4] a red fox runs through snow\n[4-8] a brown dog swims in a lake\n[8-12] a child flies a kite on a beach"


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("media")
    return {
        "clip": make_clip(d / "animals.mp4", SCRIPT),
        "clip2": make_clip(d / "city.mp4", "[0-5] cars drive through a busy city street at night"),
        "image": make_image(d / "fox.png", "a red fox in the snow"),
        "audio": make_audio(d / "birds.wav", "birds singing in a forest"),
    }


@contextlib.contextmanager
def connected(fake: FakeTwelveLabs, mode: str, where: str) -> Iterator[Any]:
    if where == "inproc":
        client = fake.client(poll_interval=0) if mode == "sync" else fake.async_client(poll_interval=0)
        yield client
        return
    with serve(fake) as base_url:
        cls = TwelveLabs if mode == "sync" else AsyncTwelveLabs
        yield cls(api_key="tlk_test", base_url=base_url, poll_interval=0)


class Caption(BaseModel):
    title: str


async def _do(x: Any) -> Any:
    return await x if hasattr(x, "__await__") and not hasattr(x, "__aiter__") else x


async def _all(pager: Any) -> list[Any]:
    if hasattr(pager, "__aiter__"):
        return [i async for i in pager]
    return list(pager)


@pytest.mark.parametrize("where", ["inproc", "loopback"])
@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_full_scenario(media: dict[str, Path], mode: str, where: str) -> None:
    fake = FakeTwelveLabs()
    with connected(fake, mode, where) as c:
        index = await _do(c.indexes.create(index_name="animals", models=[
            {"model_name": "marengo3.0", "model_options": ["visual", "audio"]},
            {"model_name": "pegasus1.2", "model_options": ["visual", "audio"]}]))
        assert index.index_name == "animals" and index.id

        progress: list[str] = []
        task = await _do(c.tasks.create_and_wait(index_id=index.id, file=media["clip"], user_metadata={"topic": "pets"},
                                                 on_progress=lambda t: progress.append(t.status)))
        assert task.status == "ready" and progress[-1] == "ready" and len(progress) >= 2
        task2 = await _do(c.tasks.create_and_wait(index_id=index.id, file=media["clip2"]))

        videos = await _all(c.indexes.videos.list(index.id, page_limit=1))
        assert {v.id for v in videos} == {task.video_id, task2.video_id}
        await _do(c.indexes.videos.update(index.id, task.video_id, user_metadata={"reviewed": True, "topic": None}))
        video = await _do(c.indexes.videos.retrieve(index.id, task.video_id, embedding_option=["visual"], transcription=True))
        assert video.user_metadata["reviewed"] is True and "topic" not in video.user_metadata
        assert video.embedding.video_embedding.matrix.dtype == np.float32

        first = await _do(c.search.create(index_id=index.id, query_text="a fox running in snow",
                                          search_options=["visual", "audio"], page_limit=1))
        assert first.data[0].video_id == task.video_id and first.data[0].start == 0
        items = await _all(c.search.query(index_id=index.id, query_text="fox snow dog lake kite beach", page_limit=1))
        assert len(items) >= 2
        grouped = await _do(c.search.create(index_id=index.id, query_text="dog swimming", group_by="video",
                                            filter={"id": [task.video_id]}, include_user_metadata=True))
        assert [g.id for g in grouped.data] == [task.video_id] and grouped.data[0].clips

        text = await _do(c.embed.create(model_name="marengo3.0", text="a red fox"))
        image = await _do(c.embed.create(model_name="marengo3.0", image_file=media["image"]))
        audio = await _do(c.embed.create(model_name="marengo3.0", audio_file=media["audio"]))
        for part, kind in ((text, "text"), (image, "image"), (audio, "audio")):
            vec = getattr(part, f"{kind}_embedding").vector
            assert vec.shape == (512,) and vec.dtype == np.float32
        assert float(text.text_embedding.vector @ image.image_embedding.vector) > 0.3

        et = await _do(c.embed.tasks.create_and_wait(model_name="marengo3.0", video_file=media["clip"],
                                                     video_clip_length=4))
        segs = et.video_embedding.segments
        assert et.status == "ready" and et.video_embedding.matrix.shape == (len(segs), 512)
        assert [s.start_offset_sec for s in segs if s.embedding_option == "visual"] == [0, 4, 8]
        assert segs[1].embedding.base is et.video_embedding.matrix  # rows are views, no copies
        again = await _do(c.embed.tasks.retrieve(et.id, embedding_option=["visual"]))
        visual = [i for i, s in enumerate(segs) if s.embedding_option == "visual"]
        assert np.allclose(again.video_embedding.matrix, et.video_embedding.matrix[visual])
        assert et.id in [t.id for t in await _all(c.embed.tasks.list())]

        answer = await _do(c.analyze(video_id=task.video_id, prompt="What animals appear?"))
        assert "fox" in answer.data and answer.usage.output_tokens > 0
        stream = await _do(c.analyze(video_id=task.video_id, prompt="Describe", stream=True))
        events = await _all(stream)
        assert isinstance(events[-1], StreamEnd) and events[-1].usage.output_tokens > 0
        assert "fox" in "".join(e.text for e in events if isinstance(e, TextGeneration))
        structured = await _do(c.analyze.create(video_id=task.video_id, prompt="Give a title", response_format=Caption))
        assert Caption.model_validate(json.loads(structured.data)).title

        await _do(c.indexes.videos.delete(index.id, task2.video_id))
        await _do(c.tasks.delete(task2.id))
        await _do(c.indexes.update(index.id, index_name="animals-2"))
        assert (await _do(c.indexes.retrieve(index.id))).index_name == "animals-2"
        await _do(c.indexes.delete(index.id))
        with pytest.raises(APIStatusError) as gone:  # the API answers 400 resource_not_exist here (spec 2.3)
            await _do(c.indexes.retrieve(index.id))
        assert gone.value.code == "resource_not_exist"
        if mode == "sync":
            c.close()
        else:
            await c.aclose()
    assert len(fake.calls("POST /tasks")) == 2
