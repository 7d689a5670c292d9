"""TwelveLabsVideoReader on a current (Marengo 3.0) index: assets + indexed assets, Pegasus 1.5 on the
asset, "same file -> same asset" across calls, and the classic index unchanged."""

from __future__ import annotations

import pytest
from llama_index.readers.twelvelabs import TwelveLabsVideoReader

from twelvelabs_rag.flow import CURRENT


@pytest.fixture
def current_index(client) -> str:
    return client.indexes.create(index_name="reader-current", models=CURRENT.index_models).id


def _count(fake, method: str, suffix: str) -> int:
    return sum(1 for r in fake.requests if r.method == method and r.path.endswith(suffix))


def test_reads_through_assets_and_analyzes_the_asset(client, fake, media, current_index) -> None:
    reader = TwelveLabsVideoReader(current_index, client=client, show_progress=False, poll_interval=0)
    docs = reader.load_data([media["wildlife.mp4"], media["city.mp4"]])
    assert _count(fake, "POST", "/tasks") == 0 and _count(fake, "POST", "/indexed-assets") == 2
    fox = next(d for d in docs if d.metadata["filename"] == "wildlife.mp4")
    assert fox.metadata["asset_id"] and "fox" in fox.text and "the bear is fishing" in fox.text
    body = next(r.json for r in fake.calls("POST /analyze") if r.json["video"]["asset_id"] == fox.metadata["asset_id"])
    assert body["model_name"] == "pegasus1.5" and "video_id" not in body
    indexed = client.indexes.indexed_assets.retrieve(current_index, fox.metadata["video_id"])
    assert indexed.asset_id == fox.metadata["asset_id"]


def test_a_second_read_reuses_assets_and_video_ids_resolve_to_assets(client, fake, media, current_index) -> None:
    reader = TwelveLabsVideoReader(current_index, client=client, show_progress=False, poll_interval=0,
                                   content="transcript")
    [first] = reader.load_data([media["kitchen.mp4"]])
    [again] = TwelveLabsVideoReader(current_index, client=client, show_progress=False,
                                    content="transcript").load_data([media["kitchen.mp4"]])
    assert again.metadata["asset_id"] == first.metadata["asset_id"]
    assert _count(fake, "POST", "/indexed-assets") == 1 and len(fake.calls("POST /assets")) <= 1
    [by_id] = TwelveLabsVideoReader(current_index, client=client, show_progress=False).load_data(
        video_ids=[first.metadata["video_id"]])
    assert by_id.metadata["asset_id"] == first.metadata["asset_id"] and "chef" in by_id.text


async def test_async_twin(client, aclient, fake, media, current_index) -> None:
    reader = TwelveLabsVideoReader(current_index, client=client, async_client=aclient, show_progress=False,
                                   poll_interval=0)
    docs = await reader.aload_data([media["city.mp4"]])
    assert docs[0].metadata["asset_id"] and "taxi" in docs[0].text
    assert fake.calls("POST /analyze")[-1].json["video"] == {"type": "asset_id", "asset_id": docs[0].metadata["asset_id"]}


def test_classic_index_still_uses_tasks(client, fake, media, library) -> None:
    reader = TwelveLabsVideoReader(library["index_id"], client=client, show_progress=False, poll_interval=0)
    [doc] = reader.load_data(video_ids=[library["city.mp4"]])
    assert "asset_id" not in doc.metadata and fake.calls("POST /analyze")[-1].json["video_id"] == library["city.mp4"]
    with pytest.raises(ValueError, match="api_shape='current' does not fit"):
        TwelveLabsVideoReader(library["index_id"], client=client, api_shape="current",
                              show_progress=False).load_data(video_ids=[library["city.mp4"]])
