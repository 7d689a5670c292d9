"""The classic/current flow decision (pure) and the video_id -> asset_id map."""

from __future__ import annotations

import pytest

from twelvelabs_rag import InvalidRequestError
from twelvelabs_rag.flow import CLASSIC, CURRENT, AssetIds, choose_flow
from twelvelabs_rag.testing import FakeTwelveLabs
from twelvelabs_rag.testing.samples import DEMO_SCRIPTS, make_clip

M30 = [{"model_name": "marengo3.0", "model_options": ["visual", "audio"]}]
M27_P12 = [{"model_name": "marengo2.7"}, {"model_name": "pegasus1.2"}]


@pytest.mark.parametrize(("shape", "models", "expected"), [
    (None, None, CURRENT),                                  # nothing known: the live service's shape
    ("current", None, CURRENT), ("classic", None, CLASSIC),
    (None, M30, CURRENT), (None, M27_P12, CLASSIC),
    (None, [{"model_name": "Marengo-retrieval-2.7"}], CLASSIC),  # aliases count
    (None, [{"model_name": "pegasus1.2"}], CLASSIC),
    (None, [{"model_name": "my-own-model"}], CURRENT),       # unknown models do not decide
    ("classic", [{"model_name": "my-own-model"}], CLASSIC),
    ("current", M30, CURRENT), ("classic", M27_P12, CLASSIC),
])
def test_choose_flow(shape, models, expected) -> None:
    assert choose_flow(shape, index_models=models) is expected


@pytest.mark.parametrize(("shape", "models", "message"), [
    ("modern", None, "'current' or 'classic'"),
    ("current", M27_P12, "pass api_shape='classic'"),
    ("classic", M30, "pass api_shape='current'"),
])
def test_bad_or_contradicting_shape_is_a_typed_error(shape, models, message) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        choose_flow(shape, index_models=models)


def test_flows_say_how_to_talk() -> None:
    assert (CURRENT.ingest, CURRENT.embed, CURRENT.analyze_by, CURRENT.scored_hits) == (
        "assets", "embed_v2", "video", False)
    assert (CLASSIC.ingest, CLASSIC.embed, CLASSIC.analyze_by, CLASSIC.scored_hits) == (
        "tasks", "embed_v1", "video_id", True)
    assert [m["model_name"] for m in CURRENT.index_models] == ["marengo3.0"]      # Pegasus needs no index
    assert [m["model_name"] for m in CLASSIC.index_models] == ["marengo2.7", "pegasus1.2"]


def test_an_index_object_decides_by_its_models(tmp_path) -> None:
    client = FakeTwelveLabs().client()
    try:
        index = client.indexes.create(index_name="classic", models=CLASSIC.index_models)
        assert choose_flow(index=client.indexes.retrieve(index.id)) is CLASSIC
    finally:
        client.close()


def test_asset_ids_cache_is_bounded_lru() -> None:
    ids = AssetIds(maxsize=2)
    ids.put("i", "v1", "a1")
    ids.put("i", "v2", "a2")
    assert ids.get("i", "v1") == "a1"         # v1 is now the most recent
    ids.put("i", "v3", "a3")                  # evicts v2
    assert ids.get("i", "v2") is None and ids.get("i", "v1") == "a1" and ids.get("i", "v3") == "a3"


async def test_a_search_hit_maps_to_its_asset_once(tmp_path) -> None:
    fake = FakeTwelveLabs()
    clip = make_clip(tmp_path / "city.mp4", DEMO_SCRIPTS["city.mp4"])
    client, aclient = fake.client(), fake.async_client()
    try:
        asset = client.assets.upload(clip)
        index = client.indexes.create(index_name="current", models=CURRENT.index_models)
        indexed = client.indexes.indexed_assets.create_and_wait(index.id, asset_id=asset.id)
        hit = client.search.create(index_id=index.id, query_text="a taxi in the rain",
                                   search_options=["visual"]).data[0]
        assert hit.video_id == indexed.id     # the indexed asset id is search's video_id (spec §2 inference)
        route = "GET /indexes/{index_id}/indexed-assets/{indexed_asset_id}"
        before = len(fake.calls(route))
        ids = AssetIds()
        assert ids.resolve(client, index.id, hit.video_id) == asset.id
        assert await ids.aresolve(aclient, index.id, hit.video_id) == asset.id
        assert len(fake.calls(route)) == before + 1  # the second answer came from the cache
    finally:
        client.close()
        await aclient.aclose()
