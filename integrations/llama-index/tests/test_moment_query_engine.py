"""Issue 12 §4: a LlamaIndex query engine answers from a retrieved moment by asking Pegasus about that
asset's window, in both flows; the timestamped citation is checked against the clip's script."""

from __future__ import annotations

import re

import pytest
from llama_index.core.query_engine import CustomQueryEngine
from llama_index.core.retrievers import BaseRetriever
from llama_index.llms.twelvelabs import TwelveLabsPegasus
from llama_index.retrievers.twelvelabs import TwelveLabsRetriever

from twelvelabs_rag.moments import format_timestamp
from twelvelabs_rag.testing.samples import DEMO_SCRIPTS

SCENE = re.compile(r"\[(\d+)-(\d+)\]")


class MomentQueryEngine(CustomQueryEngine):
    """Retrieve the best moment, then ask Pegasus about exactly that moment of its video."""

    retriever: BaseRetriever
    llm: TwelveLabsPegasus

    def custom_query(self, query_str: str) -> str:
        [best, *_] = self.retriever.retrieve(query_str)
        meta = best.node.metadata
        where = {"asset_id": meta["asset_id"]} if meta["api_shape"] == "current" else {"video_id": meta["video_id"]}
        answer = self.llm.complete(query_str, start_time=meta["start"], end_time=meta["end"], **where).text
        cite = f"[{meta['filename']} {format_timestamp(meta['start'])}-{format_timestamp(meta['end'])}]"
        return f"{answer} {cite}"


@pytest.fixture(params=["classic", "current"])
def flow_library(request):
    return request.param, request.getfixturevalue("library" if request.param == "classic" else "current_library")


def test_the_query_engine_answers_from_the_moment_in_both_flows(flow_library, client, fake) -> None:
    shape, lib = flow_library
    retriever = TwelveLabsRetriever(lib["index_id"], client=client, similarity_top_k=2)
    # The LLM's own binding is only a default: each query binds it to the retrieved moment.
    default = {"asset_id": lib["asset:city.mp4"]} if shape == "current" else {"video_id": lib["city.mp4"]}
    engine = MomentQueryEngine(retriever=retriever, llm=TwelveLabsPegasus(client=client, **default))

    answer = str(engine.query("Which animal catches salmon in the river?"))
    m = re.search(r"\[(\S+) (\d\d):(\d\d)-(\d\d):(\d\d)\]$", answer)
    assert m is not None, answer
    name, window = m.group(1), (int(m.group(2)) * 60 + int(m.group(3)), int(m.group(4)) * 60 + int(m.group(5)))
    assert name == "wildlife.mp4"
    scenes = [(int(a), int(b)) for a, b in SCENE.findall(DEMO_SCRIPTS[name])]
    assert window in scenes  # the citation is a real scene of the clip's script
    assert "bear" in answer and "salmon" in answer
    for a, b in scenes:  # Pegasus described the cited window and nothing else of the clip
        assert (f"from {a}s to {b}s" in answer) == ((a, b) == window)

    body = fake.calls("POST /analyze")[-1].json
    assert (body["start_time"], body["end_time"]) == window
    if shape == "current":
        assert body["video"] == {"type": "asset_id", "asset_id": lib["asset:wildlife.mp4"]}
        assert body["model_name"] == "pegasus1.5"
    else:
        assert body["video_id"] == lib["wildlife.mp4"] and body["model_name"] == "pegasus1.2"


def test_current_retriever_nodes_carry_asset_and_labelled_rank_score(current_library, client) -> None:
    nodes = TwelveLabsRetriever(current_library["index_id"], client=client, similarity_top_k=3).retrieve(
        "a brown bear catches salmon in a river, an eagle flies over a lake")
    assert len(nodes) > 1
    for position, hit in enumerate(nodes, 1):
        meta = hit.node.metadata
        assert meta["score_kind"] == "rank" and meta["score"] is None and hit.score == 1.0 / meta["rank"]
        assert meta["rank"] == position and meta["api_shape"] == "current"
        assert meta["asset_id"] == current_library[f"asset:{meta['filename']}"]
    assert "asset_id" not in nodes[0].node.get_content(metadata_mode="llm")


async def test_current_retriever_async_maps_assets(current_library, client, aclient) -> None:
    retriever = TwelveLabsRetriever(current_library["index_id"], client=client, async_client=aclient,
                                    similarity_top_k=1)
    [hit] = await retriever.aretrieve("a yellow taxi drives through the rain")
    assert hit.node.metadata["asset_id"] == current_library["asset:city.mp4"]


def test_classic_retriever_labels_similarity_scores(library, client) -> None:
    [hit] = TwelveLabsRetriever(library["index_id"], client=client, similarity_top_k=1).retrieve("a bear fishing")
    assert hit.node.metadata["score_kind"] == "similarity" and "asset_id" not in hit.node.metadata
    assert hit.score == hit.node.metadata["score"]


def test_entity_images_and_transcription_options(current_library, client, fake, media) -> None:
    look = client.assets.upload(media["fox.png"])
    animals = client.entity_collections.create(name="animals")
    rusty = client.entity_collections.entities.create(animals.id, name="Rusty", asset_ids=[look.id])
    retriever = TwelveLabsRetriever(current_library["index_id"], client=client, similarity_top_k=1, entity="rusty",
                                    images=[str(media["fox.png"])], search_options=("visual", "transcription"),
                                    transcription_options=["semantic"])
    [hit] = retriever.retrieve("in the snow")
    assert hit.node.metadata["filename"] == "wildlife.mp4"
    sent = fake.calls("POST /search")[-1]
    assert sent.form["query_text"] == [f"<@{rusty.id}> in the snow"] and len(sent.files) == 1
    assert sent.form["transcription_options"] == ["semantic"]
    from llama_index.core.schema import QueryBundle

    retriever.retrieve(QueryBundle(query_str="", image_path=str(media["fox.png"])))
    assert len(fake.calls("POST /search")[-1].files) == 2  # the query's image plus the configured one
    with pytest.raises(ValueError, match="mix URLs and local files"):
        retriever.retrieve(QueryBundle(query_str="fox", image_path="https://example.com/fox.png"))
