"""``TwelveLabsVideoLoader(target="knowledge_store")``: one call indexes local files and builds the hosted store."""

from __future__ import annotations

from pathlib import Path

import pytest

from langchain_twelvelabs import TwelveLabsKnowledgeStoreRetriever, TwelveLabsVideoLoader, format_citation
from twelvelabs_rag import ConfigurationError, NotFoundError

ITEMS = "POST /knowledge-stores/{knowledge_store_id}/items"


def _loader(fake, paths: list[Path], **kw) -> TwelveLabsVideoLoader:
    return TwelveLabsVideoLoader(paths, client=fake.client(), async_client=fake.async_client(), show_progress=False,
                                 poll_interval=0, content="transcript", target="knowledge_store", **kw)


def test_one_load_builds_a_searchable_store(media_dir: Path, indexed_assets_fake) -> None:
    fake = indexed_assets_fake()
    loader = _loader(fake, [media_dir / "wildlife.mp4", media_dir / "city.mp4"])
    docs = loader.load()
    ks = loader.knowledge_store_id
    assert ks and {d.metadata["knowledge_store_id"] for d in docs} == {ks}
    client = fake.client()
    items = {i.id: i for i in client.knowledge_stores.items.list(ks)}
    assert {d.metadata["item_id"] for d in docs} == set(items) and all(i.status == "ready" for i in items.values())
    for doc in docs:
        video = client.indexes.videos.retrieve(loader.index_id, doc.metadata["video_id"])
        assert doc.metadata["asset_id"] == video.asset_id == items[doc.metadata["item_id"]].asset_id
    retriever = TwelveLabsKnowledgeStoreRetriever(knowledge_store_id=ks, k=1, client=client)
    (hit,) = retriever.invoke("a bear catches salmon")
    assert format_citation(hit) == "[wildlife.mp4 00:08-00:12]"
    # loading again into the same store adds nothing: items are found by asset
    before = len(fake.calls(ITEMS))
    again = _loader(fake, [media_dir / "wildlife.mp4"], knowledge_store_id=ks, index_id=loader.index_id).load()
    assert len(fake.calls(ITEMS)) == before and again[0].metadata["item_id"] in items


async def test_async_load_into_a_given_store(media_dir: Path, indexed_assets_fake) -> None:
    fake = indexed_assets_fake(seed=17)
    ks = fake.client().knowledge_stores.create(name="given").id
    loader = _loader(fake, [media_dir / "kitchen.mp4"], knowledge_store_id=ks)
    docs = [d async for d in loader.alazy_load()]
    (item,) = list(fake.client().knowledge_stores.items.list(ks))
    assert [d.metadata["item_id"] for d in docs] == [item.id] and item.status == "ready"


def test_bad_target_arguments_fail_before_any_call(media_dir: Path, indexed_assets_fake) -> None:
    fake = indexed_assets_fake()
    with pytest.raises(ConfigurationError, match="target must be"):
        TwelveLabsVideoLoader([media_dir / "city.mp4"], client=fake.client(), target="store")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="only used with target='knowledge_store'"):
        TwelveLabsVideoLoader([media_dir / "city.mp4"], client=fake.client(), knowledge_store_id="ks_1")
    assert fake.requests == []


def test_unknown_store_is_a_typed_error(media_dir: Path, indexed_assets_fake) -> None:
    fake = indexed_assets_fake()
    with pytest.raises(NotFoundError):
        _loader(fake, [media_dir / "city.mp4"], knowledge_store_id="ks_000000000000000000000000").load()
