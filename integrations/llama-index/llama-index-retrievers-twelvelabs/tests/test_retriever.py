"""TwelveLabsRetriever against the emulator: clip nodes, transcripts, image queries, async, errors."""

from __future__ import annotations

import asyncio

import pytest
from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.schema import QueryBundle, TextNode
from llama_index.retrievers.twelvelabs import TwelveLabsRetriever, clip_node_id

from twelvelabs_rag import ConfigurationError, NotFoundError, TwelveLabsError

VIDEO_ROUTE = "GET /indexes/{index_id}/videos/{video_id}"


@pytest.fixture
def retriever(library, client, aclient) -> TwelveLabsRetriever:
    return TwelveLabsRetriever(library["index_id"], client=client, async_client=aclient, similarity_top_k=3)


def test_is_a_base_retriever() -> None:
    assert BaseRetriever in TwelveLabsRetriever.__mro__


def test_text_query_returns_clip_nodes(retriever, library) -> None:
    hits = retriever.retrieve("a brown bear catches salmon in a river")
    assert hits, "expected at least one clip"
    top = hits[0]
    assert isinstance(top.node, TextNode)
    meta = top.node.metadata
    assert meta["video_id"] == library["wildlife.mp4"]
    assert (meta["start"], meta["end"]) == (8.0, 12.0)
    assert meta["index_id"] == library["index_id"]
    assert meta["filename"] == "wildlife.mp4"
    assert meta["rank"] == 1
    assert {"score", "thumbnail_url", "user_metadata", "confidence"} <= set(meta)
    assert "tlrag_upload_id" not in (meta["user_metadata"] or {})  # the client's internal token is hidden
    # The page text is what is said in that time range (from the video's transcript).
    assert top.node.text == "the bear is fishing"
    assert top.node.node_id == clip_node_id(meta["video_id"], 8.0, 12.0)
    assert top.node.ref_doc_id == meta["video_id"]
    # Noisy keys stay out of the LLM prompt; the citation keys stay in.
    llm_view = top.node.get_content(metadata_mode="llm")
    assert "wildlife.mp4" in llm_view and "thumbnail_url" not in llm_view and "index_id" not in llm_view


def test_without_a_transcript_the_text_names_video_and_range(library, client) -> None:
    retriever = TwelveLabsRetriever(library["index_id"], client=client, fetch_transcripts=False)
    hits = retriever.retrieve("an eagle flies over a frozen mountain lake")
    eagle = next(h for h in hits if h.node.metadata["start"] == 4.0)
    assert eagle.node.text == f"Clip of video {library['wildlife.mp4']} from 00:04 to 00:08."


def test_a_silent_clip_gets_the_readable_line_not_its_picture(client, tmp_path) -> None:
    from twelvelabs_rag.testing.samples import make_clip

    clip = make_clip(tmp_path / "harbour.mp4", "[0-4] fishing boats rock in a quiet harbour\n"
                                               '[4-8] a fisherman mends a net | "the nets need mending every day"')
    index = client.indexes.create(index_name="silent", models=[{"model_name": "marengo2.7",
                                                                "model_options": ["visual", "audio"]}])
    client.tasks.create_and_wait(index_id=index.id, file=clip)
    retriever = TwelveLabsRetriever(index.id, client=client, similarity_top_k=2)
    hits = {h.node.metadata["start"]: h.node for h in retriever.retrieve("fishing boats, a fisherman mends a net")}
    # Nothing is said in the first scene, so there is no transcript to quote.
    assert hits[0.0].text == "Clip of video harbour.mp4 from 00:00 to 00:04."
    assert hits[4.0].text == "the nets need mending every day"


def test_node_ids_are_unique_per_clip(retriever) -> None:
    retriever.similarity_top_k = 10
    hits = retriever.retrieve("a scene")
    ids = [h.node.node_id for h in hits]
    keys = {(h.node.metadata["video_id"], h.node.metadata["start"], h.node.metadata["end"]) for h in hits}
    assert len(ids) == len(set(ids)) == len(keys)


def test_transcripts_are_fetched_once_per_video(retriever, fake) -> None:
    retriever.retrieve("a brown bear catches salmon")
    retriever.retrieve("the bear is fishing in a river")
    fetched = [r.path.rsplit("/", 1)[-1] for r in fake.calls(VIDEO_ROUTE)]
    assert fetched and len(fetched) == len(set(fetched))


def test_similarity_top_k_follows_pages(library, client, fake) -> None:
    retriever = TwelveLabsRetriever(library["index_id"], client=client, similarity_top_k=7, fetch_transcripts=False)
    hits = retriever.retrieve("a")
    assert len(hits) <= 7
    form = fake.calls("POST /search")[-1].form
    assert form["page_limit"] == ["7"] and form["search_options"] == ["visual", "audio"]
    assert form["group_by"] == ["clip"]
    assert not fake.calls(VIDEO_ROUTE)
    assert all(h.node.metadata["filename"] is None for h in hits)


def test_image_query(retriever, media, fake, library) -> None:
    hits = retriever.retrieve(QueryBundle(query_str="", image_path=str(media["taxi.png"])))
    assert hits[0].node.metadata["video_id"] == library["city.mp4"]
    assert hits[0].node.metadata["start"] == 4.0
    sent = fake.calls("POST /search")[-1]
    assert sent.form["query_media_type"] == ["image"] and "query_text" not in sent.form
    assert sent.files and sent.files[0][0] == "query_media_file"


async def test_aretrieve_matches_retrieve_and_does_not_block(retriever, fake, loop_free) -> None:
    sync = [(h.node.node_id, h.node.text) for h in retriever.retrieve("a chef chops onions")]
    retriever.clear_cache()
    fake.add_latency("POST /search", 0.05)
    hits, free = await loop_free(retriever.aretrieve("a chef chops onions"))
    assert [(h.node.node_id, h.node.text) for h in hits] == sync
    assert free


def test_bad_input_is_refused_clearly(retriever, library, client, tmp_path) -> None:
    with pytest.raises(ValueError, match="text query or a QueryBundle"):
        retriever.retrieve("   ")
    with pytest.raises(FileNotFoundError, match="neither an http"):
        retriever.retrieve(QueryBundle(query_str="", image_path=str(tmp_path / "nope.png")))
    with pytest.raises(ValueError, match="index_id"):
        TwelveLabsRetriever("", client=client)
    with pytest.raises(ValueError, match="similarity_top_k"):
        TwelveLabsRetriever(library["index_id"], client=client, similarity_top_k=0)
    with pytest.raises(ConfigurationError, match="async_client"):
        asyncio.run(TwelveLabsRetriever(library["index_id"], client=client).aretrieve("fox"))


def test_api_errors_are_typed(client) -> None:
    retriever = TwelveLabsRetriever("0123456789abcdef01234567", client=client)
    with pytest.raises(TwelveLabsError) as info:
        retriever.retrieve("a fox")
    assert isinstance(info.value, (NotFoundError, TwelveLabsError)) and "0123456789abcdef01234567" in str(info.value)


def test_an_item_without_times_is_skipped_not_a_crash() -> None:
    """A search item with no start/end (nothing to cite) used to raise TypeError in float(None)."""
    from twelvelabs_rag.types import SearchItem

    items = [SearchItem(video_id="v1", start=None, end=None, rank=1),
             SearchItem(video_id="v1", start=4.0, end=8.0, rank=2),
             SearchItem(video_id=None, start=1.0, end=2.0, rank=3)]
    clips = list(TwelveLabsRetriever._clips(items, 10))
    assert [(c.video_id, c.start, c.end) for c in clips] == [("v1", 4.0, 8.0)]
