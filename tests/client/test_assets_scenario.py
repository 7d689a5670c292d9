"""The current ingest flow end to end (spec-current §11 steps 1-7) against the emulator, for sync and
async clients, in-process and on loopback: assets (direct and multipart), indexed assets, search."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from twelvelabs_rag import APIStatusError, AsyncTwelveLabs, TwelveLabs
from twelvelabs_rag.testing import FakeTwelveLabs, serve
from twelvelabs_rag.testing.samples import make_clip

SCRIPT = '[0-4] a red fox runs through snow | "look at the fox"\n[4-8] a brown dog swims in a lake\n' \
         '[8-12] a child flies a kite on a beach | "higher, higher"'
PUT = "PUT /_upload/{upload_id}/{chunk_index}"
MARENGO3 = [{"model_name": "marengo3.0", "model_options": ["visual", "audio"]}]


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("assets")
    return {"animals": make_clip(d / "animals.mp4", SCRIPT),
            "city": make_clip(d / "city.mp4", "[0-5] cars drive through a busy city street at night")}


@contextlib.asynccontextmanager
async def connected(fake: FakeTwelveLabs, mode: str, where: str) -> AsyncIterator[Any]:
    """A client on the emulator, closed on exit (no socket left for the GC to warn about)."""
    with contextlib.ExitStack() as stack:
        if where == "inproc":
            c = fake.client() if mode == "sync" else fake.async_client()
        else:
            base_url = stack.enter_context(serve(fake))
            cls = TwelveLabs if mode == "sync" else AsyncTwelveLabs
            c = cls(api_key="tlk_test", base_url=base_url, poll_interval=0)
        try:
            yield c
        finally:
            await _do(c.close() if mode == "sync" else c.aclose())


async def _do(x: Any) -> Any:
    return await x if hasattr(x, "__await__") else x


async def _all(pager: Any) -> list[Any]:
    if hasattr(pager, "__aiter__"):
        return [i async for i in pager]
    return list(pager)


@pytest.mark.parametrize("where", ["inproc", "loopback"])
@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_current_ingest_flow(clips: dict[str, Path], mode: str, where: str) -> None:
    fake = FakeTwelveLabs()
    fake.multipart_chunk_size = 2048  # several chunks from a small clip
    size = clips["animals"].stat().st_size
    async with connected(fake, mode, where) as c:
        index = await _do(c.indexes.create(index_name="rag", models=MARENGO3))
        progress: list[Any] = []
        big = await _do(c.assets.upload(clips["animals"], method="multipart", max_concurrency=3,
                                        user_metadata={"topic": "animals"}, on_progress=progress.append))
        assert big.status == "ready" and big.method == "multipart" and big.size == size
        assert big.user_metadata["topic"] == "animals"
        chunks = -(-size // 2048)
        assert progress[-1].chunks_done == chunks and progress[-1].bytes_sent == size == progress[-1].total_bytes
        assert [p.chunks_done for p in progress] == sorted(p.chunks_done for p in progress)
        assert sorted(int(r.path.rsplit("/", 1)[1]) for r in fake.calls(PUT)) == list(range(1, chunks + 1))
        assert all(len(r.json["completed_chunks"]) <= 50
                   for r in fake.calls("POST /assets/multipart-uploads/{upload_id}"))

        small = await _do(c.assets.upload(clips["city"], wait=False))
        assert small.method == "direct" and small.status == "processing"
        small = await _do(c.assets.wait(small.id))
        assert small.status == "ready"

        words = await _do(c.assets.retrieve_transcription(big.id, include=["words", "sentences"]))
        assert [w.value for w in words.words][:4] == ["look", "at", "the", "fox"]
        assert words.sentences[-1].value == "higher, higher"

        ia = await _do(c.indexes.indexed_assets.create_and_wait(index.id, asset_id=big.id, user_metadata={"k": "v"}))
        assert ia.status == "ready" and ia.asset_id == big.id
        ia2 = await _do(c.indexes.indexed_assets.create_and_wait(index.id, asset_id=small.id))
        detail = await _do(c.indexes.indexed_assets.retrieve(index.id, ia.id, embedding_option=["visual", "audio"],
                                                            transcription=True))
        matrix = detail.embedding.video_embedding.matrix
        assert matrix.dtype == np.float32 and matrix.shape[1] == 512
        assert detail.transcription[0].value == "look at the fox" and detail.user_metadata == {"k": "v"}

        listed = await _all(c.indexes.indexed_assets.list(index.id, page_limit=1, duration={"gte": 10},
                                                          user_metadata={"k": "v"}))
        assert [x.id for x in listed] == [ia.id]
        assert fake.calls("GET /indexes/{index_id}/indexed-assets")[-1].query[:3] == [
            ("page", "1"), ("page_limit", "1"), ("duration[gte]", "10")]
        await _do(c.indexes.indexed_assets.update(index.id, ia.id, user_metadata={"k": None, "reviewed": True}))
        assert (await _do(c.indexes.indexed_assets.retrieve(index.id, ia.id))).user_metadata == {"reviewed": True}
        by_asset = await _all(c.indexes.indexed_assets.list_by_asset(big.id))
        assert [(e.id, e.index.id) for e in by_asset] == [(ia.id, index.id)]

        hits = await _do(c.search.create(index_id=index.id, query_text="a kite on a beach", search_options=["visual"]))
        assert hits.data[0].video_id == ia.id  # the indexed asset id is the search video_id

        with pytest.raises(APIStatusError) as busy:
            await _do(c.assets.delete(big.id))
        assert busy.value.status_code == 409
        await _do(c.indexes.indexed_assets.delete(index.id, ia2.id))
        await _do(c.assets.delete(small.id))
        await _do(c.assets.delete(big.id, force=True))
        remaining = await _all(c.assets.list())
        assert remaining == []


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_asset_crud_and_metadata(clips: dict[str, Path], mode: str) -> None:
    fake = FakeTwelveLabs()
    video_url = "https://cdn.example.com/city.mp4"
    fake.add_media(video_url, clips["city"])
    c = fake.client() if mode == "sync" else fake.async_client()
    by_url = await _do(c.assets.create(url=video_url, user_metadata={"a": 1, "b": "x"}))
    by_file = await _do(c.assets.create(file=clips["animals"].read_bytes(), filename="animals.mp4"))
    assert by_url.method == "url" and by_url.status == "processing" and by_file.filename == "animals.mp4"
    await _do(c.assets.update_user_metadata(by_url.id, {"a": None, "c": True, "skip": ""}))
    got = await _do(c.assets.retrieve(by_url.id))
    assert {k: v for k, v in got.user_metadata.items() if not k.startswith("tlrag_")} == {"b": "x", "c": True}
    await _do(c.assets.replace_user_metadata(by_url.id, {"only": "this"}))
    assert (await _do(c.assets.retrieve(by_url.id))).user_metadata == {"only": "this"}
    await _do(c.assets.delete_user_metadata(by_url.id))
    assert (await _do(c.assets.retrieve(by_url.id))).user_metadata == {}
    named = await _all(c.assets.list(filename="ANIMALS"))
    assert [a.id for a in named] == [by_file.id]
    assert [a.id for a in await _all(c.assets.list(asset_ids=[by_url.id], page_limit=1))] == [by_url.id]
    assert fake.calls("GET /assets")[-1].query == [("asset_ids", by_url.id), ("page_limit", "1"), ("page", "1")] or \
        ("asset_ids", by_url.id) in fake.calls("GET /assets")[-1].query


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_indexed_assets_need_a_marengo3_index(clips: dict[str, Path], mode: str) -> None:
    fake = FakeTwelveLabs()
    asset_id = fake.add_asset(clips["city"])
    c = fake.client() if mode == "sync" else fake.async_client()
    old = await _do(c.indexes.create(index_name="old", models=[{"model_name": "marengo2.7",
                                                                "model_options": ["visual", "audio"]}]))
    with pytest.raises(APIStatusError) as refused:
        await _do(c.indexes.indexed_assets.create(old.id, asset_id=asset_id))
    assert refused.value.status_code == 400 and "marengo3.0" in refused.value.message
    with pytest.raises(ValueError, match="range filter"):
        c.indexes.indexed_assets.list(old.id, duration=5)


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_a_failed_asset_says_why(clips: dict[str, Path], mode: str) -> None:
    from twelvelabs_rag import TaskFailedError

    fake = FakeTwelveLabs()
    fake.fail_asset_next("The file is not a playable video.")
    c = fake.client() if mode == "sync" else fake.async_client()
    with pytest.raises(TaskFailedError, match="Asset .* failed: The file is not a playable video") as failed:
        await _do(c.assets.upload(clips["city"]))
    assert failed.value.task.status == "failed" and failed.value.task.error.message.startswith("The file")
