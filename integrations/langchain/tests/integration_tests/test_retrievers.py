"""TwelveLabsSearchRetriever against the emulator: mapping, k, transcripts cache, media queries, errors."""

from __future__ import annotations

import pytest

from langchain_twelvelabs import TwelveLabsSearchRetriever, format_citation
from twelvelabs_rag import APIStatusError


def _retriever(world, **kw) -> TwelveLabsSearchRetriever:
    return TwelveLabsSearchRetriever(index_id=world.index_id, **world.clients_kw(), **kw)


def _requests(world, fragment: str) -> int:
    return sum(1 for r in world.fake.requests if fragment in r.path)


def test_documents_carry_clip_metadata_and_unique_ids(world) -> None:
    docs = _retriever(world, k=5, threshold="none").invoke("a red fox runs through deep snow")
    assert len(docs) == 5
    top = docs[0]
    assert top.metadata["video_id"] == world.fox_video
    assert top.metadata["filename"] == "wildlife.mp4"
    assert (top.metadata["start"], top.metadata["end"]) == (0.0, 4.0)
    assert top.metadata["index_id"] == world.index_id
    assert top.metadata["rank"] == 1
    assert set(top.metadata) >= {"score", "thumbnail_url", "user_metadata"}
    assert len({d.id for d in docs}) == len(docs)
    assert top.id.startswith(world.fox_video)
    assert format_citation(top) == "[wildlife.mp4 00:00-00:04]"


def test_page_content_is_the_clip_transcript_or_a_readable_line(world) -> None:
    [bear] = _retriever(world, k=1).invoke("a brown bear catches salmon in a river")
    assert (bear.metadata["filename"], bear.metadata["start"]) == ("wildlife.mp4", 8.0)
    assert bear.page_content == "the bear is fishing"  # the transcript of exactly that time range
    [bare] = _retriever(world, k=1, fetch_video_details=False).invoke("a brown bear catches salmon in a river")
    assert bare.metadata["filename"] is None
    assert bare.page_content == f"Clip of video {world.fox_video} from 00:08 to 00:12."


def test_video_details_are_fetched_once_per_video(world) -> None:
    retriever = _retriever(world, k=6)
    before = _requests(world, f"/videos/{world.fox_video}")
    retriever.invoke("a red fox runs through deep snow")
    retriever.invoke("an eagle flies over a frozen lake")
    assert _requests(world, f"/videos/{world.fox_video}") - before == 1


def test_k_per_call_and_pagination_beyond_one_page(world) -> None:
    retriever = _retriever(world, k=2, threshold="none")
    assert len(retriever.invoke("snow")) == 2
    docs = retriever.invoke("snow", k=7)  # page_limit 7 -> one page; 9 clips in all
    assert len(docs) == 7 and len({d.id for d in docs}) == 7
    many = _retriever(world, k=9, threshold="none").invoke("snow")
    assert len(many) == 9


def test_filter_and_group_by_video(world) -> None:
    docs = _retriever(world, k=3, threshold="none", filter={"id": [world.videos["city.mp4"]]}).invoke("a fox")
    assert len(docs) == 3 and {d.metadata["video_id"] for d in docs} == {world.videos["city.mp4"]}
    grouped = _retriever(world, k=4, group_by="video", threshold="none").invoke("a yellow taxi drives through the rain")
    assert len(grouped) == 4
    assert grouped[0].metadata["filename"] == "city.mp4"


def test_image_query_by_path_and_by_keyword(world) -> None:
    image = world.media_dir / "fox.png"
    by_query = _retriever(world, k=1).invoke(str(image))
    assert by_query[0].metadata["filename"] == "wildlife.mp4" and by_query[0].metadata["start"] == 0.0
    by_kw = _retriever(world, k=1).invoke("", image=image)
    assert by_kw[0].id == by_query[0].id


async def test_ainvoke_matches_invoke(world) -> None:
    retriever = _retriever(world, k=4)
    sync_docs = retriever.invoke("people eat noodles at a night market")
    async_docs = await _retriever(world, k=4).ainvoke("people eat noodles at a night market")
    assert [d.id for d in async_docs] == [d.id for d in sync_docs]
    assert async_docs[0].page_content == sync_docs[0].page_content


def test_empty_query_is_a_clear_value_error(world) -> None:
    with pytest.raises(ValueError, match="Empty search query"):
        _retriever(world).invoke("   ")
    with pytest.raises(ValueError, match="k must be >= 1"):
        _retriever(world).invoke("a fox", k=0)


async def test_unknown_index_raises_a_typed_api_error(world) -> None:
    retriever = TwelveLabsSearchRetriever(index_id="0" * 24, **world.clients_kw())
    with pytest.raises(APIStatusError) as info:
        retriever.invoke("a fox")
    assert info.value.code == "resource_not_exist"
    with pytest.raises(APIStatusError):
        await retriever.ainvoke("a fox")


def test_user_metadata_is_included_on_request(fresh_fake, media_dir, index_models) -> None:
    client = fresh_fake.client()
    index = client.indexes.create(index_name="meta", models=index_models)
    client.tasks.create_and_wait(
        index_id=index.id, file=media_dir / "city.mp4", user_metadata={"topic": "travel"}, poll_interval=0
    )
    kw = {"client": client, "async_client": fresh_fake.async_client(), "index_id": index.id, "k": 1}
    [doc] = TwelveLabsSearchRetriever(**kw).invoke("a yellow taxi drives through the rain")
    assert doc.metadata["user_metadata"] == {"topic": "travel"}
    [bare] = TwelveLabsSearchRetriever(include_user_metadata=False, **kw).invoke("a yellow taxi")
    assert bare.metadata["user_metadata"] is None
    [only] = TwelveLabsSearchRetriever(filter={"topic": "travel"}, **kw).invoke("a yellow taxi")
    assert only.metadata["video_id"] == doc.metadata["video_id"]


def test_more_than_one_page_is_followed_until_k(fresh_fake, tmp_path, index_models) -> None:
    from twelvelabs_rag.testing.samples import make_clip

    script = "\n".join(f"[{i}-{i + 1}] a snowy scene number {i}" for i in range(56))
    clip = make_clip(tmp_path / "long.mp4", script, width=360, height=360, fps=2)
    client = fresh_fake.client()
    index = client.indexes.create(index_name="long", models=index_models)
    client.tasks.create_and_wait(index_id=index.id, file=clip, poll_interval=0)
    retriever = TwelveLabsSearchRetriever(index_id=index.id, k=55, client=client, threshold="none")
    docs = retriever.invoke("a snowy scene")
    assert len(docs) == 55 and len({d.id for d in docs}) == 55
    assert len(fresh_fake.calls("GET /search/{page_token}")) == 1  # 50 on the first page, 5 from the next


def test_composed_text_and_image_query_on_marengo_3(fresh_fake, media_dir) -> None:
    client = fresh_fake.client()
    index = client.indexes.create(index_name="m3", models=[{"model_name": "marengo3.0", "model_options": ["visual", "audio"]}])
    for name in ("wildlife.mp4", "city.mp4"):
        client.tasks.create_and_wait(index_id=index.id, file=media_dir / name, poll_interval=0)
    retriever = TwelveLabsSearchRetriever(index_id=index.id, k=1, client=client)
    [doc] = retriever.invoke("deep snow in a forest", image=media_dir / "fox.png")
    assert doc.metadata["filename"] == "wildlife.mp4" and doc.metadata["start"] == 0.0
    sent = fresh_fake.calls("POST /search")[-1]
    assert sent.form["query_text"] == ["deep snow in a forest"] and sent.form["query_media_type"] == ["image"]


def test_a_silent_clip_gets_the_readable_line_not_its_picture(fresh_fake, tmp_path, index_models) -> None:
    from twelvelabs_rag.testing.samples import make_clip

    clip = make_clip(tmp_path / "harbour.mp4", "[0-4] fishing boats rock in a quiet harbour\n"
                                               '[4-8] a fisherman mends a net | "the nets need mending every day"')
    client = fresh_fake.client()
    index = client.indexes.create(index_name="silent", models=index_models)
    client.tasks.create_and_wait(index_id=index.id, file=clip, poll_interval=0)
    retriever = TwelveLabsSearchRetriever(index_id=index.id, client=client, k=2)
    docs = {d.metadata["start"]: d for d in retriever.invoke("fishing boats in a harbour, a fisherman mends a net")}
    silent, spoken = docs[0.0], docs[4.0]
    # Nothing is said in the first scene, so there is no transcript to quote.
    assert silent.page_content == "Clip of video harbour.mp4 from 00:00 to 00:04."
    assert spoken.page_content == "the nets need mending every day"


def test_fractional_clip_times_are_kept_to_the_millisecond(fresh_fake, tmp_path, index_models) -> None:
    """Scenes that do not start on whole seconds keep their exact times (and ids) in the documents."""
    from twelvelabs_rag.testing.samples import make_clip

    clip = make_clip(tmp_path / "relay.mp4", "[0-2.25] runners wait at the start line\n"
                                             '[2.25-6.75] a baton passes between two runners | "go go go"\n'
                                             "[6.75-9.5] the last runner crosses the finish line")
    client = fresh_fake.client()
    index = client.indexes.create(index_name="fractional", models=index_models)
    client.tasks.create_and_wait(index_id=index.id, file=clip, poll_interval=0)
    retriever = TwelveLabsSearchRetriever(index_id=index.id, client=client, k=3, threshold="none")
    docs = retriever.invoke("a baton passes between two runners")
    spans = {(d.metadata["start"], d.metadata["end"]) for d in docs}
    assert (2.25, 6.75) in spans, spans
    baton = next(d for d in docs if d.metadata["start"] == 2.25)
    assert baton.id != next(d for d in docs if d.metadata["start"] != 2.25).id


# --- the current flow (Marengo 3.0 index, assets) -------------------------------------------------


def test_current_index_hits_carry_their_asset_id_and_rank_only(current_world) -> None:
    retriever = _retriever(current_world, k=3)
    docs = retriever.invoke("a brown bear catches salmon in a river, an eagle flies over a lake, a red fox in snow")
    by_name = {d.metadata["filename"]: d for d in docs}
    bear = by_name["wildlife.mp4"]
    assert bear.metadata["asset_id"] == current_world.assets["wildlife.mp4"]
    assert bear.metadata["api_shape"] == "current" and bear.metadata["score"] is None
    assert [d.metadata["rank"] for d in docs] == list(range(1, len(docs) + 1)) and len(docs) > 1
    # The asset mapping is cached: a second search asks no indexed-asset lookups again.
    before = _requests(current_world, "/indexed-assets/")
    retriever.invoke("a brown bear catches salmon in a river")
    assert _requests(current_world, "/indexed-assets/") == before


async def test_current_index_async_twin_maps_assets(current_world) -> None:
    [doc] = await _retriever(current_world, k=1).ainvoke("a yellow taxi drives through the rain")
    assert doc.metadata["asset_id"] == current_world.assets["city.mp4"]


def test_classic_index_keeps_scores_and_has_no_asset_id(world) -> None:
    [doc] = _retriever(world, k=1).invoke("a brown bear catches salmon in a river")
    assert doc.metadata["api_shape"] == "classic" and "asset_id" not in doc.metadata
    assert doc.metadata["score"] is not None
    with pytest.raises(ValueError, match="api_shape='current' does not fit this index"):
        _retriever(world, api_shape="current").invoke("bear")


def test_several_query_images_and_transcription_search(current_world) -> None:
    fox = str(current_world.media_dir / "fox.png")
    retriever = _retriever(current_world, k=1, search_options=["visual", "transcription"],
                           transcription_options=["lexical"])
    [doc] = retriever.invoke("deep snow", image=[fox, fox])
    assert doc.metadata["filename"] == "wildlife.mp4"
    sent = current_world.fake.calls("POST /search")[-1]
    assert len(sent.files) == 2 and sent.form["transcription_options"] == ["lexical"]
    with pytest.raises(ValueError, match="mixes URLs and local files"):
        retriever.invoke("deep snow", image=[fox, "https://example.com/fox.png"])


def test_entity_search_resolves_the_name(fresh_fake, media_dir) -> None:
    from tests.integration_tests.conftest import ingest_assets

    from twelvelabs_rag.entity_query import EntityLookupError
    from twelvelabs_rag.flow import CURRENT

    client = fresh_fake.client()
    index = client.indexes.create(index_name="ent", models=CURRENT.index_models)
    ingest_assets(fresh_fake, index.id, [media_dir / "wildlife.mp4", media_dir / "city.mp4"])
    look = client.assets.upload(media_dir / "fox.png")
    people = client.entity_collections.create(name="animals")
    rusty = client.entity_collections.entities.create(people.id, name="Rusty", asset_ids=[look.id])
    retriever = TwelveLabsSearchRetriever(index_id=index.id, k=1, client=client)
    [doc] = retriever.invoke("in the snow", entity="rusty")
    assert doc.metadata["filename"] == "wildlife.mp4"
    assert fresh_fake.calls("POST /search")[-1].form["query_text"] == [f"<@{rusty.id}> in the snow"]
    with pytest.raises(EntityLookupError, match="no entity named 'Bruno'.*check the spelling"):
        retriever.invoke("in the snow", entity="Bruno")
