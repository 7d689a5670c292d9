"""TwelveLabsEmbedding against the emulator: text/image/audio in one space, batching, async, config."""

from __future__ import annotations

import asyncio
import json
from io import BytesIO

import numpy as np
import pytest
from llama_index.core.embeddings import MultiModalEmbedding
from llama_index.embeddings.twelvelabs import TwelveLabsEmbedding

from twelvelabs_rag import ConfigurationError


def cos(a, b) -> float:
    a, b = np.asarray(a), np.asarray(b)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


#: api_shape -> (the route it calls, the vector size)
SHAPES = {"current": ("POST /embed-v2", 512), "classic": ("POST /embed", 1024)}


@pytest.fixture(params=sorted(SHAPES))
def shape(request) -> str:
    return request.param


@pytest.fixture
def route(shape) -> str:
    return SHAPES[shape][0]


@pytest.fixture
def embed(client, aclient, shape) -> TwelveLabsEmbedding:
    return TwelveLabsEmbedding(api_shape=shape, client=client, async_client=aclient)


def test_is_a_multimodal_embedding() -> None:
    assert MultiModalEmbedding in TwelveLabsEmbedding.__mro__
    assert TwelveLabsEmbedding.class_name() == "TwelveLabsEmbedding"


def test_text_query_and_document_share_the_space(embed, fake, shape, route) -> None:
    q = embed.get_query_embedding("a brown bear catches salmon")
    d1 = embed.get_text_embedding("a bear fishing for salmon in a river")
    d2 = embed.get_text_embedding("a yellow taxi in the rain")
    assert len(q) == len(d1) == embed.dimension == SHAPES[shape][1]
    assert cos(q, d1) > cos(q, d2)
    sent = fake.calls(route)
    names = [r.json["model_name"] if shape == "current" else r.form["model_name"][0] for r in sent]
    assert names == [{"current": "marengo3.0", "classic": "Marengo-retrieval-2.7"}[shape]] * 3


def test_default_is_embed_v2_and_marengo_3_5_takes_a_dimension(client, fake) -> None:
    assert TwelveLabsEmbedding(client=client).model_name == "marengo3.0"
    short = TwelveLabsEmbedding("marengo3.5", embedding_dimension=128, client=client)
    assert short.dimension == 128 and len(short.get_text_embedding("a fox")) == 128
    body = fake.calls("POST /embed-v2")[-1].json
    assert body["input_type"] == "multi_input" and body["embedding_dimension"] == 128


@pytest.mark.parametrize(("name", "canonical", "dim"), [
    ("marengo3.0", "marengo3.0", 512),
    ("marengo2.7", "Marengo-retrieval-2.7", 1024),
    ("Marengo-retrieval-2.7", "Marengo-retrieval-2.7", 1024),
])
def test_model_names(client, name, canonical, dim) -> None:
    embed = TwelveLabsEmbedding(name, client=client)
    assert embed.model_name == canonical
    assert len(embed.get_text_embedding("a fox")) == dim


def test_unknown_model_is_refused_at_construction(client) -> None:
    with pytest.raises(ValueError, match="marengo3.0"):
        TwelveLabsEmbedding("marengo9", client=client)


def test_batch_keeps_order_and_bounds_concurrency(embed, fake, peak, route) -> None:
    fake.add_latency(route, 0.03)
    texts = [f"scene number {i} with a fox" for i in range(12)]
    embed.embed_batch_size, embed.max_concurrency = 6, 3
    batch = embed.get_text_embedding_batch(texts)
    assert len(fake.calls(route)) == 12
    assert peak(fake.calls(route)) == 3
    singles = [embed.get_text_embedding(t) for t in texts[:3]]
    assert np.allclose(batch[:3], singles)


async def test_async_batch_is_concurrent_and_bounded(embed, fake, peak, loop_free, route) -> None:
    fake.add_latency(route, 0.05)
    embed.embed_batch_size, embed.max_concurrency = 4, 5
    texts = [f"clip {i}: an eagle over a lake" for i in range(15)]
    vectors, free = await loop_free(embed.aget_text_embedding_batch(texts))
    assert len(vectors) == 15 and free
    # The base class gathers every batch at once; the per-loop semaphore still caps it at 5.
    assert peak(fake.calls(route)) == 5
    again = await embed.aget_query_embedding(texts[7])
    assert np.allclose(vectors[7], again)


def test_image_inputs_path_bytes_url(embed, fake, media, shape, route) -> None:
    fox_text = embed.get_text_embedding("a red fox runs through deep snow in a forest")
    taxi_text = embed.get_text_embedding("a yellow taxi drives through the rain")
    by_path = embed.get_image_embedding(str(media["fox.png"]))
    by_bytes = embed.get_image_embedding(BytesIO(media["fox.png"].read_bytes()))
    fake.add_media("https://example.com/fox.png", media["fox.png"])
    by_url = embed.get_image_embedding("https://example.com/fox.png")
    assert np.allclose(by_path, by_bytes) and np.allclose(by_path, by_url)
    assert cos(by_path, fox_text) > cos(by_path, taxi_text)
    last = fake.calls(route)[-1]
    if shape == "current":
        assert last.json["image"] == {"media_source": {"url": "https://example.com/fox.png"}}
    else:
        assert last.form["image_url"] == ["https://example.com/fox.png"]


async def test_image_batch_async(embed, media) -> None:
    fox, taxi = await embed.aget_image_embedding_batch([str(media["fox.png"]), str(media["taxi.png"])])
    assert cos(fox, await embed.aget_query_embedding("a yellow taxi drives through the rain")) < cos(
        taxi, await embed.aget_query_embedding("a yellow taxi drives through the rain")
    )


def test_audio_in_the_same_space(embed, media, shape) -> None:
    audio = embed.get_audio_embedding(media["bear.wav"])
    assert len(audio) == SHAPES[shape][1]
    assert cos(audio, embed.get_text_embedding("the bear is fishing")) > cos(
        audio, embed.get_text_embedding("a yellow taxi drives through the rain")
    )
    (batched,) = embed.get_audio_embedding_batch([media["bear.wav"]])
    assert np.allclose(audio, batched)


async def test_audio_async(embed, media) -> None:
    sync = embed.get_audio_embedding(str(media["bear.wav"]))
    assert np.allclose(sync, await embed.aget_audio_embedding(str(media["bear.wav"])))


def test_bad_media_inputs_raise_typed_errors(embed, tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="http"):
        embed.get_image_embedding(str(tmp_path / "missing.png"))
    with pytest.raises(TypeError, match="BytesIO"):
        embed.get_image_embedding(42)  # type: ignore[arg-type]


def test_api_errors_surface_typed(embed, fake, route) -> None:
    from twelvelabs_rag import BadRequestError

    fake.fail_next(route, 400, body={"code": "parameter_invalid", "message": "text is too long"})
    with pytest.raises(BadRequestError, match="too long"):
        embed.get_text_embedding("x")


def test_configuration_rules(monkeypatch, fake) -> None:
    with pytest.raises(ConfigurationError, match="TWELVELABS_API_KEY"):
        TwelveLabsEmbedding()
    monkeypatch.setenv("TWELVELABS_API_KEY", "tlk_secret_from_env")
    embed = TwelveLabsEmbedding()  # no network in the constructor
    assert not fake.requests
    for text in (repr(embed), str(embed), embed.to_json(), json.dumps(embed.to_payload())):
        assert "tlk_secret_from_env" not in text
    only_async = TwelveLabsEmbedding(async_client=fake.async_client())
    with pytest.raises(ConfigurationError, match="client=TwelveLabs"):
        only_async.get_text_embedding("x")


def test_key_and_base_url_build_a_working_client(monkeypatch) -> None:
    from twelvelabs_rag.testing import FakeTwelveLabs, serve

    fake = FakeTwelveLabs()
    with serve(fake) as base_url:
        monkeypatch.setenv("TWELVELABS_BASE_URL", base_url)
        embed = TwelveLabsEmbedding(api_key="tlk_test", max_retries=0)
        assert len(embed.get_text_embedding("over real loopback http")) == 512
        embed.close()
        # The async client built from the key follows the event loop: two asyncio.run calls work.
        first = asyncio.run(embed.aget_text_embedding("first loop"))
        second = asyncio.run(embed.aget_text_embedding("first loop"))
        assert np.allclose(first, second)
