"""``client.embed.v2`` end to end on the emulator: sync/async x in-process/loopback, plus the request checks."""

from __future__ import annotations

import base64
import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from twelvelabs_rag import (
    AsyncTwelveLabs,
    BadRequestError,
    ContentTooLargeError,
    InvalidRequestError,
    NotFoundError,
    TaskFailedError,
    TwelveLabs,
)
from twelvelabs_rag.models import UnknownModelError
from twelvelabs_rag.resources.embed_v2 import embed_v2_body
from twelvelabs_rag.testing import FakeTwelveLabs, serve
from twelvelabs_rag.testing.samples import make_clip, png_bytes

SCRIPT = "[0-4] a red fox runs through snow\n[4-8] a brown dog swims in a lake\n[8-12] a child flies a kite on a beach"
CLIP_URL = "https://media.example/animals.mp4"


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("v2") / "animals.mp4", SCRIPT)


@contextlib.contextmanager
def connected(fake: FakeTwelveLabs, mode: str, where: str) -> Iterator[Any]:
    if where == "inproc":
        yield fake.client() if mode == "sync" else fake.async_client()
        return
    with serve(fake) as base_url:
        cls = TwelveLabs if mode == "sync" else AsyncTwelveLabs
        yield cls(api_key="tlk_test", base_url=base_url, poll_interval=0)


async def _do(x: Any) -> Any:
    return await x if hasattr(x, "__await__") else x


async def _all(pager: Any) -> list[Any]:
    return [i async for i in pager] if hasattr(pager, "__aiter__") else list(pager)


@pytest.mark.parametrize("where", ["inproc", "loopback"])
@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_embed_v2_scenario(clip: Path, mode: str, where: str) -> None:
    fake = FakeTwelveLabs()
    fake.add_media(CLIP_URL, clip)
    with connected(fake, mode, where) as c:
        # a text query, in the same space as embed v1 of the same model
        q = await _do(c.embed.v2.create(input_type="text", model_name="marengo3.0", text="a red fox in the snow"))
        assert q.matrix.shape == (1, 512) and q.matrix.dtype == np.float32
        v1 = await _do(c.embed.create(model_name="marengo3.0", text="a red fox in the snow"))
        assert np.allclose(q.vector, v1.text_embedding.vector, atol=1e-6)

        # a video task: created 202 processing, ready after polls, vectors in the retrieve answer
        seen: list[str] = []
        task = await _do(c.embed.v2.tasks.create_and_wait(
            input_type="video", model_name="marengo3.0",
            video={"media_source": {"url": CLIP_URL}, "embedding_option": ["visual"], "embedding_scope": ["clip"],
                   "segmentation": {"strategy": "fixed", "fixed": {"duration_sec": 4}}},
            on_progress=lambda t: seen.append(t.status)))
        assert seen[0] == "processing" and seen[-1] == "ready"
        assert task.matrix.shape == (3, 512) and task.matrix.dtype == np.float32
        assert task.data[1].embedding.base is task.matrix  # row views of one matrix, no copies
        assert [(d.start_sec, d.end_sec) for d in task.data] == [(0, 4), (4, 8), (8, 12)]
        assert task.metadata.embedding_options == ["visual"] and task.metadata.duration == 12
        # text and video share a space: the fox query finds the fox clip
        assert int(np.argmax(task.matrix @ q.vector)) == 0

        listed = await _all(c.embed.v2.tasks.list(status="ready"))
        assert [t.id for t in listed] == [task.id] and listed[0].video_embedding["metadata"]["input_url"] == CLIP_URL

        # Marengo 3.5: Matryoshka sizes (a shorter vector is the prefix of the 512-d one), usage reported
        full = await _do(c.embed.v2.create(input_type="multi_input", model_name="marengo3.5",
                                           multi_input={"input_text": "a red fox"}))
        short = await _do(c.embed.v2.create(input_type="multi_input", model_name="marengo3.5",
                                            multi_input={"input_text": "a red fox"}, embedding_dimension=256))
        assert full.matrix.shape == (1, 512) and short.matrix.shape == (1, 256)
        assert np.allclose(short.vector, full.vector[:256]) and short.usage.input_tokens == {"text": 3}

        # text+image, 3.0 multi_input of images
        img = base64.b64encode(png_bytes("a red fox in the snow")).decode()
        ti = await _do(c.embed.v2.create(input_type="text_image", model_name="marengo3.0",
                                         text_image={"media_source": {"base64_string": img}, "input_text": "fox"}))
        assert ti.matrix.shape == (1, 512)

        # the API's errors, nested body included, become the typed errors
        with pytest.raises(BadRequestError, match="Unknown model_name 'marengo9'") as bad:
            await _do(c.embed.v2.create(input_type="text", model_name="marengo9", text="x"))
        assert bad.value.code == "parameter_invalid" and "error" in bad.value.body
        huge = base64.b64encode(b"\0" * (32 * 1024 * 1024 + 4096)).decode()
        with pytest.raises(ContentTooLargeError) as big:
            await _do(c.embed.v2.create(input_type="image", model_name="marengo3.0",
                                        image={"media_source": {"base64_string": huge}}))
        assert big.value.code == "media_too_large"
        with pytest.raises(NotFoundError):
            await _do(c.embed.v2.tasks.retrieve("0" * 24))

        # a task that fails: TaskFailedError carrying the server's message
        fake.fail_embed_v2_task_next("The video stream could not be decoded.")
        with pytest.raises(TaskFailedError, match="could not be decoded"):
            await _do(c.embed.v2.tasks.create_and_wait(input_type="audio", model_name="marengo3.0",
                                                       audio={"media_source": {"url": CLIP_URL}}))
        if where == "loopback":
            await _do(c.close() if mode == "sync" else c.aclose())


def test_wire_body_is_the_sdk_shape() -> None:
    """The JSON body is the SDK's (spec §3.1 capture): unset keys omitted, inputs as given."""
    fake = FakeTwelveLabs()
    video = {"media_source": {"asset_id": "a1"}, "segmentation": {"strategy": "fixed", "fixed": {"duration_sec": 6}},
             "embedding_option": ["visual", "audio"], "embedding_scope": ["clip"]}
    with pytest.raises(NotFoundError, match="a1"):  # an unknown asset
        fake.client().embed.v2.create(input_type="video", model_name="marengo3.0", video=video)
    (rec,) = fake.calls("POST /embed-v2")
    assert rec.json == {"input_type": "video", "model_name": "marengo3.0", "video": video}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"input_type": "text", "model_name": "marengo3.0", "inputs": {}}, "needs text="),
        ({"input_type": "text", "model_name": "marengo3.0", "inputs": {"text": "a", "image": "u"}}, "drop image"),
        ({"input_type": "video", "model_name": "marengo3.5", "inputs": {"video": "u"}}, "takes input_type multi_input"),
        ({"input_type": "text", "model_name": "marengo3.0", "inputs": {"text": "a"}, "embedding_dimension": 256},
         "needs marengo3.5"),
        ({"input_type": "text", "model_name": "marengo3.0", "inputs": {"text": "  "}}, "non-empty"),
        ({"input_type": "image", "model_name": "marengo3.0", "inputs": {"image": {"media_source": {}}}},
         "exactly one of url, base64_string or asset_id"),
        ({"input_type": "image", "model_name": "marengo3.0",
          "inputs": {"image": {"media_source": {"url": "u", "asset_id": "a"}}}}, "exactly one"),
        ({"input_type": "multi_input", "model_name": "marengo3.5",
          "inputs": {"multi_input": {"media_sources": [{"media_type": "image", "url": "u"}] * 11}}}, "at most 10"),
        ({"input_type": "text", "model_name": "", "inputs": {"text": "a"}}, "model_name is required"),
    ],
)
def test_body_checks(kwargs: dict, message: str) -> None:
    inputs = kwargs.pop("inputs")
    with pytest.raises(InvalidRequestError, match=message):
        embed_v2_body(kwargs.pop("input_type"), kwargs.pop("model_name"), inputs, tasks=False, **kwargs)


def test_body_checks_for_tasks_and_models() -> None:
    with pytest.raises(UnknownModelError, match="not an embed-v2 model"):
        embed_v2_body("text", "marengo2.7", {"text": "a"}, tasks=False)
    with pytest.raises(InvalidRequestError, match="embedding_dimension=600"):
        embed_v2_body("multi_input", "marengo3.5", {"multi_input": {"input_text": "a"}}, tasks=False,
                      embedding_dimension=600)
    assert embed_v2_body("document", "marengo3.5", {"document": "https://x/a.pdf"}, tasks=True) == {
        "input_type": "document", "model_name": "marengo3.5", "document": {"media_source": {"url": "https://x/a.pdf"}}}
    with pytest.raises(InvalidRequestError, match="takes input_type audio, video"):
        embed_v2_body("document", "marengo3.0", {"document": "https://x/a.pdf"}, tasks=True)
    # an unknown model and input type pass through for the server to judge
    assert embed_v2_body("hologram", "marengo4.0", {}, tasks=False) == {"input_type": "hologram",
                                                                        "model_name": "marengo4.0"}


def test_bad_input_sends_nothing() -> None:
    fake = FakeTwelveLabs()
    with pytest.raises(InvalidRequestError):
        fake.client().embed.v2.create(input_type="text", model_name="marengo3.0", text="a", embedding_dimension=64)
    assert fake.requests == []
