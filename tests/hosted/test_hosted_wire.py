"""What the hosted-RAG calls put on the wire (checked in the emulator's request log), and the bad
input they refuse before any request."""

from __future__ import annotations

from typing import Any

import pytest

from twelvelabs_rag._exceptions import BadRequestError
from twelvelabs_rag.testing import FakeTwelveLabs


@pytest.fixture
def fc() -> tuple[FakeTwelveLabs, Any]:
    fake = FakeTwelveLabs()
    return fake, fake.client(max_retries=0)


def _last(fake: FakeTwelveLabs) -> Any:
    return fake.requests[-1]


def test_responses_body_omits_unset_fields_and_names_selection_kinds(fc: tuple[FakeTwelveLabs, Any]) -> None:
    fake, client = fc
    ks = client.knowledge_stores.create(name="w")
    coll = client.knowledge_stores.item_collections.create(ks.id, name="c")
    client.responses.create(knowledge_store_id=ks.id, input="hi")
    assert _last(fake).json == {"knowledge_store_id": ks.id, "stream": False,
                                "input": [{"type": "message", "role": "user", "content": "hi"}]}
    client.responses.create(knowledge_store_id=ks.id, input=["a", {"content": "b {{sel:0}}"}], selections=[coll.id],
                            instructions="be brief", include="intermediate_outputs")
    body = _last(fake).json
    assert body["selections"] == [{"kind": "collection", "id": coll.id}] and body["include"] == ["intermediate_outputs"]
    assert [m["content"] for m in body["input"]] == ["a", "b {{sel:0}}"] and body["instructions"] == "be brief"


def test_search_filters_and_list_filters_encoding(fc: tuple[FakeTwelveLabs, Any]) -> None:
    fake, client = fc
    ks = client.knowledge_stores.create(name="w")
    client.knowledge_stores.search(ks.id, query="fox", asset_type=["video", "image"], item_ids="ksi_1",
                                   modalities=["audio"], group_by="item", page_size=5, include_metadata=True)
    assert _last(fake).json == {"query": {"text": "fox"}, "filter": {"asset_type": {"in": ["video", "image"]},
                                                                     "item_id": {"eq": "ksi_1"}},
                                "search_options": {"video": {"modalities": ["audio"]}}, "group_by": "item",
                                "page_size": 5, "include_metadata": True}
    client.knowledge_stores.items.list(ks.id, status=["ready", "failed"], page_limit=5).first_page()
    assert [kv for kv in _last(fake).query if kv[0] == "status"] == [("status", "ready"), ("status", "failed")]


def test_entity_asset_removal_is_a_delete_with_a_json_body(fc: tuple[FakeTwelveLabs, Any]) -> None:
    fake, client = fc
    coll = client.entity_collections.create(name="c")
    with pytest.raises(BadRequestError, match="does not exist"):  # no such entity; the request shape is the point
        client.entity_collections.entities.remove_assets(coll.id, "e1", ["a1"])
    rec = _last(fake)
    assert (rec.method, rec.path, rec.json) == ("DELETE", f"/v1.3/entity-collections/{coll.id}/entities/e1/assets",
                                               {"asset_ids": ["a1"]})


def test_authorize_url_is_concatenated_not_urljoined(fc: tuple[FakeTwelveLabs, Any]) -> None:
    fake, client = fc
    client.data_connectors.create_redirect_uri("https://app.example.com/cb")
    client.data_connectors.authorize_connection(provider="google_drive", redirect_uri="https://app.example.com/cb")
    assert _last(fake).path == "/v1.3/connections:authorize" and _last(fake).status == 200


@pytest.mark.parametrize(("call", "message"), [
    (lambda c: c.entity_collections.entities.create("ec", name="A", asset_ids=[]), "at least one asset id"),
    (lambda c: c.entity_collections.entities.create("ec", name="A", asset_ids="a1"), "a list"),
    (lambda c: c.entity_collections.entities.create_bulk("ec", [{"name": "A"}]), "'name' and 'asset_ids'"),
    (lambda c: c.knowledge_stores.search("ks", query=" "), "non-empty query"),
    (lambda c: c.knowledge_stores.search("ks", query="q", page_size=51), "between 1 and 50"),
    (lambda c: c.knowledge_stores.search("ks", query="q", modalities=["smell"]), "visual' and 'audio"),
    (lambda c: c.knowledge_stores.search("ks", query="q", item_ids=[]), "empty list"),
    (lambda c: c.knowledge_stores.item_collections.add_items("ks", "c", [f"i{n}" for n in range(501)]), "at most 500"),
    (lambda c: c.data_connectors.imports.import_files("cn", source_ids=["a", "a"]), "unique"),
    (lambda c: c.data_connectors.imports.import_files("cn", source_ids=[str(n) for n in range(101)]), "at most 100"),
    (lambda c: c.data_connectors.authorize_connection(provider="dropbox", redirect_uri="https://x"), "google_drive"),
    (lambda c: c.knowledge_stores.retrieve(""), "non-empty string"),
])
def test_bad_input_is_refused_before_any_request(fc: tuple[FakeTwelveLabs, Any], call: Any, message: str) -> None:
    fake, client = fc
    with pytest.raises(ValueError, match=message):
        call(client)
    assert fake.requests == []
