"""Core helpers the framework packages share on the current flow: entity lookup by name, the
asset half of "same file -> same asset", embed v2 request shaping, segment reading, bulk mapping."""

from __future__ import annotations

import re
import textwrap

import numpy as np
import pytest

from twelvelabs_rag import analyze_answer, bulk, embed_inputs, embedding_segments, entity_query, ingest_assets
from twelvelabs_rag.dedupe import find_asset_upload
from twelvelabs_rag.entity_query import EntityLookupError, find_entity
from twelvelabs_rag.store import ModelMismatchError
from twelvelabs_rag.testing import FakeTwelveLabs
from twelvelabs_rag.testing.samples import make_clip, make_image

MODULES = [analyze_answer, bulk, embed_inputs, embedding_segments, entity_query, ingest_assets]


def _examples():
    for module in MODULES:
        for block in re.findall(r"```python\n(.*?)```", module.__doc__ or "", re.S):
            yield pytest.param(textwrap.dedent(block), id=module.__name__)


@pytest.mark.parametrize("code", list(_examples()))
def test_docstring_examples_run(code: str) -> None:
    exec(compile(code, "example", "exec"), {})


def test_entity_lookup_is_exact_and_says_how_to_fix(tmp_path) -> None:
    client = FakeTwelveLabs().client()
    look = client.assets.upload(make_image(tmp_path / "ana.png", "a woman with a red scarf"))
    one, two = client.entity_collections.create(name="people"), client.entity_collections.create(name="crew")
    ana = client.entity_collections.entities.create(one.id, name="Ana", asset_ids=[look.id])
    client.entity_collections.entities.create(one.id, name="Anabel", asset_ids=[look.id])  # a prefix match only
    assert find_entity(client, " ana ").id == ana.id
    assert find_entity(client, "Ana", entity_collection_id=one.id).mention == f"<@{ana.id}>"
    client.entity_collections.entities.create(two.id, name="Ana", asset_ids=[look.id])
    with pytest.raises(EntityLookupError, match="2 entities are named 'Ana'.*entity_collection_id"):
        find_entity(client, "Ana")
    with pytest.raises(EntityLookupError, match="entity name is empty"):
        find_entity(client, "  ")


def test_find_asset_by_hash_or_name_and_size_never_a_failed_one(tmp_path) -> None:
    from twelvelabs_rag.moments import dedupe_metadata, file_sha256

    client = FakeTwelveLabs().client()
    clip = make_clip(tmp_path / "fox.mp4", "[0-4] a red fox runs through snow")
    facts = {"filename": "fox.mp4", "size": clip.stat().st_size, "sha256": file_sha256(clip)}
    assert find_asset_upload(client, None, **facts) is None
    plain = client.assets.upload(clip)  # no mark: found by name and size
    assert find_asset_upload(client, None, **facts).asset_id == plain.id
    assert find_asset_upload(client, None, filename="fox.mp4", size=1, sha256="0" * 64) is None
    marked = client.assets.upload(clip, filename="renamed.mp4", user_metadata=dedupe_metadata(sha256=facts["sha256"]))
    # a renamed copy of the same bytes: found by its sha256 mark
    assert find_asset_upload(client, None, filename="other.mp4", size=facts["size"],
                             sha256=facts["sha256"]).asset_id == marked.id


def test_segments_refuse_another_models_vectors_and_map_the_asset_scope() -> None:
    from twelvelabs_rag.types.embed_v2 import EmbedV2Task

    task = EmbedV2Task.model_validate({"_id": "t", "status": "ready", "data": [
        {"embedding": [0.6, 0.8], "start_sec": 0, "end_sec": 6, "embedding_option": "audio", "embedding_scope": "clip"},
        {"embedding": [1.0, 0.0], "embedding_option": "visual", "embedding_scope": "asset"}]})
    seg = embedding_segments.segments_of(task)
    assert seg.scopes == ["clip", "video"] and seg.ends == [6.0, 0.0] and seg.vectors.shape == (2, 2)
    mean = np.array([0.8, 0.4])  # the two rows averaged, then re-normalised
    assert np.allclose(embed_inputs.v2_vector(task, "audio"), mean / np.linalg.norm(mean))

    class V1:  # a classic task's shape, named by its model
        id, model_name = "v1", "Marengo-retrieval-2.7"
        video_embedding = type("E", (), {"segments": [object()], "matrix": np.zeros((1, 2)), "metadata": None})()

    with pytest.raises(ModelMismatchError, match="use a store created with that model"):
        embedding_segments.segments_of(V1(), model_name="marengo3.0")
