"""TwelveLabsEmbeddings in both flows: embed v2 (default, marengo3.0) and /embed (classic, Marengo 2.7):
one space for text, images and audio; bounded concurrency; order; errors; the shared 429 pause."""

from __future__ import annotations

import numpy as np
import pytest

from langchain_twelvelabs import TwelveLabsEmbeddings
from twelvelabs_rag import PreflightError
from twelvelabs_rag.testing import FakeTwelveLabs
from twelvelabs_rag.testing.samples import make_image

#: (api_shape, the route it calls, the vector size)
SHAPES = {"current": ("POST /embed-v2", 512), "classic": ("POST /embed", 1024)}


def _cos(a, b) -> float:
    a, b = np.asarray(a), np.asarray(b)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


@pytest.fixture(params=sorted(SHAPES))
def shape(request) -> str:
    return request.param


def test_text_image_and_audio_share_one_space(world, shape) -> None:
    emb = TwelveLabsEmbeddings(api_shape=shape, **world.clients_kw())
    before = len(world.fake.calls(SHAPES[shape][0]))
    [image] = emb.embed_image(world.media_dir / "fox.png")
    [audio] = emb.embed_audio([world.media_dir / "market.wav"])
    fox, market = emb.embed_documents(["a red fox runs through deep snow", "welcome to the night market"])
    assert len(image) == len(audio) == len(fox) == SHAPES[shape][1]
    assert len(world.fake.calls(SHAPES[shape][0])) == before + 4  # the flow's endpoint, one call per input
    assert _cos(fox, image) > _cos(market, image) + 0.2
    assert _cos(market, audio) > _cos(fox, audio) + 0.2


def test_default_is_embed_v2_marengo_3_0(world) -> None:
    emb = TwelveLabsEmbeddings(**world.clients_kw())
    assert emb.model == "marengo3.0" and emb.uses_v2
    vector = emb.embed_query("a fox")
    body = world.fake.calls("POST /embed-v2")[-1].json
    assert body["model_name"] == "marengo3.0" and body["input_type"] == "text" and len(vector) == 512


def test_text_image_pairs_and_marengo_3_5_dimension(world) -> None:
    emb = TwelveLabsEmbeddings(**world.clients_kw())
    [pair] = emb.embed_text_image([("in deep snow", world.media_dir / "fox.png")])
    body = world.fake.calls("POST /embed-v2")[-1].json
    assert body["input_type"] == "text_image" and "base64_string" in body["text_image"]["media_source"]
    assert body["text_image"]["input_text"] == "in deep snow" and len(pair) == 512
    assert _cos(pair, emb.embed_query("a red fox in deep snow")) > _cos(pair, emb.embed_query("a yellow taxi"))
    short = TwelveLabsEmbeddings(model="marengo3.5", embedding_dimension=256, **world.clients_kw())
    assert len(short.embed_documents(["a red fox runs through deep snow"])[0]) == 256
    assert world.fake.calls("POST /embed-v2")[-1].json["embedding_dimension"] == 256
    with pytest.raises(ValueError, match="text\\+image embeddings need embed v2"):
        TwelveLabsEmbeddings(api_shape="classic", **world.clients_kw()).embed_text_image([("x", "fox.png")])


async def test_async_media_twins_match_sync(world, shape) -> None:
    emb = TwelveLabsEmbeddings(api_shape=shape, **world.clients_kw())
    paths = [world.media_dir / "fox.png", world.media_dir / "fox.png"]
    assert await emb.aembed_image(paths) == emb.embed_image(paths)
    assert await emb.aembed_audio(world.media_dir / "market.wav") == emb.embed_audio(world.media_dir / "market.wav")
    pairs = [("snow", world.media_dir / "fox.png")]
    if shape == "current":
        assert await emb.aembed_text_image(pairs) == emb.embed_text_image(pairs)


def test_embed_documents_is_concurrent_bounded_and_ordered(shape) -> None:
    fake = FakeTwelveLabs()
    fake.add_latency(SHAPES[shape][0], 0.02)
    emb = TwelveLabsEmbeddings(api_shape=shape, client=fake.client(), max_concurrency=3)
    texts = [f"scene number {i} with a fox" for i in range(10)]
    vectors = emb.embed_documents(texts)
    assert fake.max_in_flight == 3
    assert vectors == [emb.embed_query(t) for t in texts]


async def test_aembed_documents_is_concurrent_bounded_and_ordered(shape) -> None:
    fake = FakeTwelveLabs()
    fake.add_latency(SHAPES[shape][0], 0.02)
    emb = TwelveLabsEmbeddings(api_shape=shape, async_client=fake.async_client(), client=fake.client(),
                               max_concurrency=4)
    texts = [f"an eagle over lake {i}" for i in range(12)]
    vectors = await emb.aembed_documents(texts)
    assert fake.max_in_flight == 4
    assert vectors == emb.embed_documents(texts)


def test_media_that_fails_preflight_and_missing_files(world, tmp_path, shape) -> None:
    emb = TwelveLabsEmbeddings(api_shape=shape, **world.clients_kw())
    small = make_image(tmp_path / "small.png", "a fox", width=32, height=32)
    before = len(world.fake.requests)
    with pytest.raises(PreflightError):
        emb.embed_image([small])
    with pytest.raises(FileNotFoundError, match="missing.png"):
        emb.embed_image([tmp_path / "missing.png"])
    assert len(world.fake.requests) == before
