"""TwelveLabsVideoLoader on the current flow (the default): assets + indexed assets, Pegasus 1.5 on the
asset, "same file -> same asset" across runs, URLs as assets, and the classic flow one argument away."""

from __future__ import annotations

from langchain_twelvelabs import TwelveLabsVideoLoader


def _loader(fake, sources, **kw) -> TwelveLabsVideoLoader:
    kw.setdefault("show_progress", False)
    kw.setdefault("poll_interval", 0)
    return TwelveLabsVideoLoader(sources, client=fake.client(), async_client=fake.async_client(), **kw)


def _count(fake, method: str, suffix: str) -> int:
    return sum(1 for r in fake.requests if r.method == method and r.path.endswith(suffix))


def test_default_is_the_current_flow_assets_indexed_assets_and_pegasus_on_the_asset(fresh_fake, media_dir) -> None:
    loader = _loader(fresh_fake, [media_dir / "wildlife.mp4", media_dir / "city.mp4"])
    docs = loader.load()
    index = fresh_fake.client().indexes.retrieve(loader.index_id)
    assert [m.model_name for m in index.models] == ["marengo3.0"]
    assert _count(fresh_fake, "POST", "/tasks") == 0 and _count(fresh_fake, "POST", "/indexed-assets") == 2
    fox = docs[0]
    assert fox.metadata["filename"] == "wildlife.mp4" and fox.metadata["asset_id"]
    assert "fox" in fox.page_content and "the bear is fishing" in fox.page_content
    body = fresh_fake.calls("POST /analyze")[0].json
    assert body["video"] == {"type": "asset_id", "asset_id": fox.metadata["asset_id"]}
    assert body["model_name"] == "pegasus1.5" and "video_id" not in body
    # The search hit's video_id is the indexed asset the loader named.
    indexed = fresh_fake.client().indexes.indexed_assets.retrieve(loader.index_id, fox.metadata["video_id"])
    assert indexed.asset_id == fox.metadata["asset_id"]


def test_a_rerun_reuses_the_asset_and_its_indexed_asset(fresh_fake, media_dir, tmp_path) -> None:
    first = _loader(fresh_fake, [media_dir / "kitchen.mp4"], content="transcript")
    [doc] = first.load()
    uploads = _count(fresh_fake, "POST", "/assets") + _count(fresh_fake, "POST", "/assets/multipart-uploads")
    # The same bytes under another name: same hash mark, same asset, same indexed asset.
    copy = tmp_path / "renamed.mp4"
    copy.write_bytes((media_dir / "kitchen.mp4").read_bytes())
    [again] = _loader(fresh_fake, [copy], index_id=first.index_id, content="transcript").load()
    assert (again.metadata["asset_id"], again.metadata["video_id"]) == (doc.metadata["asset_id"], doc.metadata["video_id"])
    assert _count(fresh_fake, "POST", "/assets") + _count(fresh_fake, "POST", "/assets/multipart-uploads") == uploads
    assert _count(fresh_fake, "POST", "/indexed-assets") == 1
    # Another index: the asset is reused, only the indexing is new.
    other = _loader(fresh_fake, [copy], content="transcript", index_name="second")
    [third] = other.load()
    assert third.metadata["asset_id"] == doc.metadata["asset_id"] and other.index_id != first.index_id
    assert _count(fresh_fake, "POST", "/indexed-assets") == 2


def test_an_asset_still_processing_is_waited_for_not_uploaded_again(fresh_fake, media_dir) -> None:
    from twelvelabs_rag.moments import dedupe_metadata, file_sha256

    path = media_dir / "city.mp4"
    pending = fresh_fake.client().assets.upload(path, wait=False,
                                                user_metadata=dedupe_metadata(sha256=file_sha256(path)))
    before = _count(fresh_fake, "POST", "/assets")
    [doc] = _loader(fresh_fake, [path], content="transcript").load()
    assert doc.metadata["asset_id"] == pending.id and _count(fresh_fake, "POST", "/assets") == before


def test_urls_become_assets_by_url(fresh_fake, media_dir) -> None:
    url = "https://media.example.com/city.mp4"
    fresh_fake.add_media(url, media_dir / "city.mp4")
    first, second = _loader(fresh_fake, [url, url], content="both").load()
    assert first.metadata == second.metadata and "taxi" in first.page_content
    [sent] = fresh_fake.calls("POST /assets")  # the URL given twice is ingested once
    assert sent.form["method"] == ["url"] and sent.form["url"] == [url]
    [again] = _loader(fresh_fake, [url], index_id=first.metadata["index_id"], content="transcript").load()
    assert again.metadata["asset_id"] == first.metadata["asset_id"] and len(fresh_fake.calls("POST /assets")) == 1


def test_classic_is_one_argument_away(fresh_fake, media_dir) -> None:
    loader = _loader(fresh_fake, [media_dir / "city.mp4"], api_shape="classic")
    [doc] = loader.load()
    assert [m.model_name for m in fresh_fake.client().indexes.retrieve(loader.index_id).models] == [
        "marengo2.7", "pegasus1.2"]
    assert _count(fresh_fake, "POST", "/tasks") == 1 and "asset_id" not in doc.metadata
    assert fresh_fake.calls("POST /analyze")[-1].json["video_id"] == doc.metadata["video_id"]


async def test_async_twin_matches(fresh_fake, media_dir) -> None:
    loader = _loader(fresh_fake, [media_dir / "wildlife.mp4"])
    docs = [d async for d in loader.alazy_load()]
    [sync_doc] = _loader(fresh_fake, [media_dir / "wildlife.mp4"], index_id=loader.index_id).load()
    assert docs[0].metadata == sync_doc.metadata and docs[0].page_content == sync_doc.page_content
    assert _count(fresh_fake, "POST", "/indexed-assets") == 1


def test_the_progress_bar_shows_the_bytes_of_an_asset_upload(fresh_fake, media_dir, capsys) -> None:
    _loader(fresh_fake, [media_dir / "city.mp4"], content="transcript", show_progress=True).load()
    err = capsys.readouterr().err
    assert "Indexing videos" in err and "MiB" in err  # assets.upload(on_progress=...) reached the bar
