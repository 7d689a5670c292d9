"""The emulator through the library's own clients (``fake.client()`` / ``fake.async_client()``)."""

from __future__ import annotations

import json

import pytest

import twelvelabs_rag
from twelvelabs_rag.testing import FakeTwelveLabs
from twelvelabs_rag.testing.samples import png_bytes

MODELS = [{"model_name": "marengo3.0", "model_options": ["visual", "audio"]},
          {"model_name": "pegasus1.2", "model_options": ["visual", "audio"]}]


def test_sync_client_end_to_end(clips) -> None:
    fake = FakeTwelveLabs()
    client = fake.client()
    index = client.indexes.create(index_name="e2e", models=MODELS, addons=["thumbnail"])
    progress = []
    task = client.tasks.create_and_wait(index_id=index.id, file=clips["city.mp4"], user_metadata={"topic": "city"},
                                        on_progress=lambda t: progress.append(t.status))
    assert task.status == "ready" and progress[-1] == "ready" and len(progress) >= 2
    video = client.indexes.videos.retrieve(index.id, task.video_id, embedding_option=["visual"], transcription=True)
    assert video.embedding.video_embedding.matrix.shape == (2, 512) and video.user_metadata["topic"] == "city"
    hits = list(client.search.query(index_id=index.id, query_text="yellow taxi in the rain",
                                    search_options=["visual"], page_limit=1))
    assert hits[0].video_id == task.video_id and hits[0].start == 4 and hits[0].thumbnail_url
    text = client.embed.create(model_name="marengo3.0", text="yellow taxi").text_embedding.vector
    image = client.embed.create(model_name="marengo3.0", image_file=png_bytes("a yellow taxi")).image_embedding.vector
    assert text @ image > 0.8
    answer = client.analyze(video_id=task.video_id, prompt="What vehicle?")
    assert "taxi" in answer.data
    events = list(client.analyze(video_id=task.video_id, prompt="What vehicle?", stream=True))
    assert events[-1].event_type == "stream_end"
    emb = client.embed.tasks.create_and_wait(model_name="Marengo-retrieval-2.7", video_file=clips["city.mp4"])
    assert emb.video_embedding.matrix.shape[1] == 1024
    assert fake.calls("POST /tasks")[0].files[0][1] == "city.mp4"


def test_sync_client_errors_map_to_the_error_tree(clips) -> None:
    fake = FakeTwelveLabs(api_keys=["tlk_right"])
    with pytest.raises(twelvelabs_rag.AuthenticationError):
        list(fake.client(api_key="tlk_wrong").indexes.list())
    client = fake.client(api_key="tlk_right", max_retries=0)
    with pytest.raises(twelvelabs_rag.BadRequestError) as info:
        client.indexes.retrieve("0" * 24)
    assert info.value.code == "resource_not_exist"
    fake.fail_next("GET /indexes", 429, retry_after=0)
    with pytest.raises(twelvelabs_rag.RateLimitError):
        list(client.indexes.list())
    fake.fail_next("GET /indexes", 503, retry_after=0)
    assert list(fake.client(api_key="tlk_right", max_retries=1).indexes.list()) == []  # retried once


async def test_async_client_end_to_end(clips) -> None:
    fake = FakeTwelveLabs(task_statuses=("validating", "ready"))
    client = fake.async_client()
    index = await client.indexes.create(index_name="async", models=MODELS)
    task = await client.tasks.create_and_wait(index_id=index.id, file=clips["kitchen.mp4"])
    res = await client.search.create(index_id=index.id, query_text="chef chops onions", search_options=["visual"])
    assert res.data[0].video_id == task.video_id and res.data[0].start == 0
    stream = await client.analyze(video_id=task.video_id, prompt="food?", stream=True)
    texts = [e.text async for e in stream if e.event_type == "text_generation"]
    assert "pasta" in "".join(texts)
    schema = {"type": "object", "properties": {"dish": {"type": "string"}}, "required": ["dish"]}
    structured = await client.analyze(video_id=task.video_id, prompt="dish?", response_format=schema)
    assert set(json.loads(structured.data)) == {"dish"}
    await client.aclose()
