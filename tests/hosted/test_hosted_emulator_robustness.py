"""Garbage sent to any hosted-RAG route gets a 4xx with a message, never an emulator 500."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from twelvelabs_rag.testing import ROUTES, FakeTwelveLabs

HOSTED_PREFIXES = ("/entity-collections", "/assets/{asset_id}/entities", "/knowledge-stores", "/responses",
                   "/connections")
ROUTES_UNDER_TEST = [(m, t) for m, t, _ in ROUTES if t.startswith(HOSTED_PREFIXES)]
BODIES: list[Any] = [None, [], {}, "text", 7, {"name": 5, "asset_ids": "a", "metadata": [1]},
                     {"query": "fox", "filter": {"asset_type": {"eq": 1, "in": []}}, "page_size": "5"},
                     {"query": {"text": 3}, "search_options": {"video": "x"}, "group_by": 1},
                     {"knowledge_store_id": 1, "input": [{"type": "message", "role": "user", "content": 5}]},
                     {"knowledge_store_id": "ks_x", "input": "hi", "selections": "all", "text": []},
                     {"items": [{"source_id": None}], "item_ids": {"a": 1}, "entities": [None, 1],
                      "redirect_uri": 5, "provider": []}]


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, str]]:
    from twelvelabs_rag.testing.samples import make_clip, make_image

    root = tmp_path_factory.mktemp("robust")
    fake = FakeTwelveLabs()
    client = fake.client()
    image = fake.add_asset(make_image(root / "p.png", "a man in a hat"))
    video = fake.add_asset(make_clip(root / "v.mp4", "[0-4] a fox"))
    coll = client.entity_collections.create(name="c")
    ent = client.entity_collections.entities.create(coll.id, name="e", asset_ids=[image])
    ks = client.knowledge_stores.create(name="k")
    item = client.knowledge_stores.items.create(ks.id, asset_id=video)
    kc = client.knowledge_stores.item_collections.create(ks.id, name="kc")
    conn = fake.add_connection({"s": Path(root / "v.mp4")})
    ids = {"entity_collection_id": coll.id, "entity_id": ent.id, "asset_id": image, "knowledge_store_id": ks.id,
           "item_id": item.id, "collection_id": kc.id, "connection_id": conn, "import_id": "nope",
           "redirect_uri_id": "nope"}
    return fake, ids


@pytest.mark.parametrize(("method", "template"), ROUTES_UNDER_TEST, ids=[f"{m} {t}" for m, t in ROUTES_UNDER_TEST])
def test_no_route_answers_500_to_garbage(method: str, template: str, setup: tuple[Any, dict[str, str]]) -> None:
    fake, ids = setup
    http = httpx.Client(transport=fake.transport(), base_url="http://emulator/v1.3", headers={"x-api-key": "k"})
    path = template.format(**ids)
    for body in BODIES:
        content = b"{not json" if body == "text" else json.dumps(body).encode()
        resp = http.request(method, path, content=content, headers={"content-type": "application/json"},
                            params={"page": "0", "sort_by": "nope", "status": "weird"} if method == "GET" else None)
        assert resp.status_code < 500, (method, path, body, resp.text)
        if resp.status_code >= 400:
            assert resp.json()["message"], resp.text
