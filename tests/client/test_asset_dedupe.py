"""The "already ingested" rule on current indexes (``twelvelabs_rag.dedupe.find_asset_upload``):
the same file is the same asset, including an asset still processing; sync and async agree."""

from __future__ import annotations

from pathlib import Path

import pytest

from twelvelabs_rag.dedupe import afind_asset_upload, find_asset_upload
from twelvelabs_rag.moments import dedupe_metadata, file_sha256
from twelvelabs_rag.testing import FakeTwelveLabs
from twelvelabs_rag.testing.samples import make_clip

MARENGO3 = [{"model_name": "marengo3.0", "model_options": ["visual", "audio"]}]


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    return make_clip(tmp_path / "fox.mp4", "[0-5] a red fox runs through snow", seconds=5)


async def _both(fake: FakeTwelveLabs, index_id: str, **facts):
    sync = find_asset_upload(fake.client(), index_id, **facts)
    async with fake.async_client() as ac:
        asynced = await afind_asset_upload(ac, index_id, **facts)
    # The emulator advances a processing asset on each read, so the twins agree on ids, not on status.
    assert (sync and (sync.asset_id, sync.indexed_asset_id)) == (asynced and (asynced.asset_id, asynced.indexed_asset_id))
    return sync


async def test_same_file_is_same_asset_through_processing_and_indexing(clip: Path) -> None:
    fake = FakeTwelveLabs()
    fake.asset_statuses = ("processing",) * 8 + ("ready",)  # stays processing over the lookups below
    client = fake.client()
    index = client.indexes.create(index_name="a", models=MARENGO3)
    other = client.indexes.create(index_name="b", models=MARENGO3)
    digest = file_sha256(clip)
    facts = {"filename": clip.name, "size": clip.stat().st_size, "sha256": digest}
    assert await _both(fake, index.id, **facts) is None

    asset = client.assets.upload(clip, user_metadata=dedupe_metadata(sha256=digest), wait=False)
    found = await _both(fake, index.id, **facts)
    assert found is not None and found.asset_id == asset.id and not found.in_index
    assert found.asset_status == "processing" and not found.asset_ready  # still processing: reuse, do not re-upload

    client.assets.wait(asset.id)
    ia = client.indexes.indexed_assets.create(index.id, asset_id=asset.id)
    found = await _both(fake, index.id, **facts)
    assert (found.asset_id, found.indexed_asset_id, found.in_index) == (asset.id, ia.id, True)
    # Another index does not hold it yet: the asset is reused there, not uploaded again.
    there = await _both(fake, other.id, **facts)
    assert (there.asset_id, there.in_index) == (asset.id, False)

    # A different file of the same name is not this asset.
    (clip.parent / "b").mkdir()
    twin = make_clip(clip.parent / "b" / "fox.mp4", "[0-5] a grey owl", seconds=5)
    assert await _both(fake, index.id, filename=twin.name, size=twin.stat().st_size, sha256=file_sha256(twin)) is None


async def test_failed_asset_and_url_marks(clip: Path) -> None:
    fake = FakeTwelveLabs()
    client = fake.client()
    index = client.indexes.create(index_name="a", models=MARENGO3)
    digest = file_sha256(clip)
    fake.fail_asset_next()
    failed = client.assets.upload(clip, user_metadata=dedupe_metadata(sha256=digest), wait=False)
    client.assets.retrieve(failed.id)
    assert client.assets.retrieve(failed.id).status == "failed"
    assert await _both(fake, index.id, filename=clip.name, size=clip.stat().st_size, sha256=digest) is None

    url = "https://cdn.example.com/fox.mp4"
    assert await _both(fake, index.id, url=url) is None
    with pytest.raises(ValueError, match="filename"):
        find_asset_upload(client, index.id)
