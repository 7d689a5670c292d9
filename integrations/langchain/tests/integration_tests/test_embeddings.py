"""TwelveLabsEmbeddings: one space for text, images and audio; bounded concurrency; order; errors."""

from __future__ import annotations

import numpy as np
import pytest

from langchain_twelvelabs import TwelveLabsEmbeddings
from twelvelabs_rag import PreflightError
from twelvelabs_rag.testing import FakeTwelveLabs
from twelvelabs_rag.testing.samples import make_image


def _cos(a, b) -> float:
    a, b = np.asarray(a), np.asarray(b)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_text_image_and_audio_share_one_space(world) -> None:
    emb = TwelveLabsEmbeddings(**world.clients_kw())
    [image] = emb.embed_image(world.media_dir / "fox.png")
    [audio] = emb.embed_audio([world.media_dir / "market.wav"])
    fox, market = emb.embed_documents(["a red fox runs through deep snow", "welcome to the night market"])
    assert len(image) == len(audio) == len(fox) == 1024
    assert _cos(fox, image) > _cos(market, image) + 0.2
    assert _cos(market, audio) > _cos(fox, audio) + 0.2


async def test_async_media_twins_match_sync(world) -> None:
    emb = TwelveLabsEmbeddings(**world.clients_kw())
    paths = [world.media_dir / "fox.png", world.media_dir / "fox.png"]
    assert await emb.aembed_image(paths) == emb.embed_image(paths)
    assert await emb.aembed_audio(world.media_dir / "market.wav") == emb.embed_audio(world.media_dir / "market.wav")


def test_current_model_is_512_d(world) -> None:
    emb = TwelveLabsEmbeddings(model="marengo3.0", **world.clients_kw())
    assert len(emb.embed_query("a fox")) == 512


def test_embed_documents_is_concurrent_bounded_and_ordered() -> None:
    fake = FakeTwelveLabs()
    fake.add_latency("POST /embed", 0.02)
    emb = TwelveLabsEmbeddings(client=fake.client(), max_concurrency=3)
    texts = [f"scene number {i} with a fox" for i in range(10)]
    vectors = emb.embed_documents(texts)
    assert fake.max_in_flight == 3
    assert vectors == [emb.embed_query(t) for t in texts]


async def test_aembed_documents_is_concurrent_bounded_and_ordered() -> None:
    fake = FakeTwelveLabs()
    fake.add_latency("POST /embed", 0.02)
    emb = TwelveLabsEmbeddings(async_client=fake.async_client(), client=fake.client(), max_concurrency=4)
    texts = [f"an eagle over lake {i}" for i in range(12)]
    vectors = await emb.aembed_documents(texts)
    assert fake.max_in_flight == 4
    assert vectors == emb.embed_documents(texts)


def test_media_that_fails_preflight_and_missing_files(world, tmp_path) -> None:
    emb = TwelveLabsEmbeddings(**world.clients_kw())
    small = make_image(tmp_path / "small.png", "a fox", width=32, height=32)
    before = len(world.fake.requests)
    with pytest.raises(PreflightError):
        emb.embed_image([small])
    with pytest.raises(FileNotFoundError, match="missing.png"):
        emb.embed_image([tmp_path / "missing.png"])
    assert len(world.fake.requests) == before
