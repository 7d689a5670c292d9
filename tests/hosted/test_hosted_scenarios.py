"""Hosted RAG end to end, sync/async x in-process/loopback: entities and entity search, knowledge
stores (items, collections, search with tokens), Responses (citations, sessions, SSE), connectors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from _hosted_support import HOSTED_SCRIPTS, call, collect

from twelvelabs_rag import AsyncTwelveLabs, TwelveLabs
from twelvelabs_rag._exceptions import APIStatusError, BadRequestError, NotFoundError
from twelvelabs_rag.testing import serve
from twelvelabs_rag.testing._encoder import tokens
from twelvelabs_rag.testing._script import parse_script

MODES = [("sync", "inproc"), ("async", "inproc"), ("sync", "loopback"), ("async", "loopback")]


@pytest.fixture(params=MODES, ids=["-".join(m) for m in MODES])
async def client(request: pytest.FixtureRequest, fake: Any) -> AsyncIterator[Any]:
    mode, where = request.param
    if where == "inproc":
        c = fake.client() if mode == "sync" else fake.async_client()
        yield c
    else:
        with serve(fake) as base_url:
            cls = TwelveLabs if mode == "sync" else AsyncTwelveLabs
            c = cls(api_key="tlk_test", base_url=base_url, poll_interval=0)
            yield c
    await call(c.close if mode == "sync" else c.aclose)


def _scene_at(filename: str, start: float, end: float) -> Any:
    (scene,) = [s for s in parse_script(HOSTED_SCRIPTS[filename]) if (s.start, s.end) == (start, end)]
    return scene


async def _store_with_items(client: Any, fake: Any, media: dict[str, Path]) -> tuple[Any, dict[str, Any]]:
    ks = await call(client.knowledge_stores.create, name="nature and city", metadata={"team": "rag"})
    items = {}
    for name in ("wildlife.mp4", "city.mp4", "park.mp4", "bridge.png"):
        asset_id = fake.add_asset(media[name])
        items[name] = await call(client.knowledge_stores.items.create_and_wait, ks.id, asset_id=asset_id,
                                 metadata={"source": name})
    return ks, items


async def test_entities_and_entity_search(client: Any, fake: Any, hosted_media: dict[str, Path]) -> None:
    ada_png, bridge_png = fake.add_asset(hosted_media["ada.png"]), fake.add_asset(hosted_media["bridge.png"])
    clip = fake.add_asset(hosted_media["wildlife.mp4"])
    cast = await call(client.entity_collections.create, name="cast", description="people in the park")
    ada = await call(client.entity_collections.entities.create, cast.id, name="Ada", asset_ids=[ada_png],
                     metadata={"role": "walker"})
    assert (ada.status, ada.asset_ids, ada.metadata) == ("processing", [ada_png], {"role": "walker"})
    assert (await call(client.entity_collections.entities.retrieve, cast.id, ada.id)).status == "ready"

    bulk = await call(client.entity_collections.entities.create_bulk, cast.id,
                      [{"name": "Bridge", "asset_ids": [bridge_png]}, {"name": "Not a picture", "asset_ids": [clip]}])
    assert (bulk.success_count, bulk.failed_count) == (1, 1)
    assert bulk.errors[0].entity_index == 1 and "image" in bulk.errors[0].error_reason
    listed = await collect(client.entity_collections.entities.list(cast.id, page_limit=1, sort_by="name"))
    assert [e.name for e in listed] == ["Ada", "Bridge"]
    assert [c.id for c in await collect(client.entity_collections.list(name="cas"))] == [cast.id]

    updated = await call(client.entity_collections.entities.update, cast.id, ada.id, description="our walker",
                         metadata={"seen": True})
    assert (updated.description, updated.metadata) == ("our walker", {"seen": True})
    grown = await call(client.entity_collections.entities.add_assets, cast.id, ada.id, [bridge_png])
    assert grown.asset_ids == [ada_png, bridge_png] and grown.status == "processing"
    by_asset = await collect(client.entity_collections.entities.list_by_asset(bridge_png))
    assert sorted(e.name for e in by_asset) == ["Ada", "Bridge"]
    shrunk = await call(client.entity_collections.entities.remove_assets, cast.id, ada.id, [bridge_png])
    assert shrunk.asset_ids == [ada_png]
    with pytest.raises(BadRequestError, match="at least one reference"):
        await call(client.entity_collections.entities.remove_assets, cast.id, ada.id, [ada_png])
    index_id = await _park_index(client, hosted_media)
    with pytest.raises(BadRequestError, match="still processing"):  # assets changed: processing again
        await call(client.search.create, index_id=index_id, query_text=f"{ada.mention} walks",
                   search_options=["visual"])
    await call(client.entity_collections.entities.retrieve, cast.id, ada.id)  # a read: ready again
    page = await call(client.search.create, index_id=index_id, query_text=f"{ada.mention} walks",
                      search_options=["visual"])
    top = page.data[0]
    assert (top.start, top.end) == (4.0, 8.0)  # the scene that shows what Ada's reference picture shows
    with pytest.raises(BadRequestError, match="does not exist"):
        await call(client.search.create, index_id=index_id, query_text="<@000000000000000000000000> walks",
                   search_options=["visual"])

    await call(client.entity_collections.entities.delete, cast.id, ada.id)
    assert [e.name for e in await collect(client.entity_collections.entities.list(cast.id))] == ["Bridge"]
    renamed = await call(client.entity_collections.update, cast.id, name="cast-2")
    assert renamed.name == "cast-2"
    await call(client.entity_collections.delete, cast.id)
    with pytest.raises(BadRequestError):
        await call(client.entity_collections.retrieve, cast.id)


async def _park_index(client: Any, media: dict[str, Path]) -> str:
    index = await call(client.indexes.create, index_name="park",
                       models=[{"model_name": "marengo3.0", "model_options": ["visual", "audio"]}])
    await call(client.tasks.create_and_wait, index_id=index.id, file=media["park.mp4"])
    return index.id  # type: ignore[no-any-return]


async def test_knowledge_store_items_collections_and_search(client: Any, fake: Any,
                                                             hosted_media: dict[str, Path]) -> None:
    ks, items = await _store_with_items(client, fake, hosted_media)
    assert all(i.status == "ready" for i in items.values())
    assert items["bridge.png"].asset_type == "image" and items["city.mp4"].system_metadata["duration"] == 12.0
    assert (await call(client.knowledge_stores.retrieve, ks.id)).item_count == 4
    assert len(await collect(client.knowledge_stores.items.list(ks.id, page_limit=3, status=["ready"]))) == 4

    # search: every match really contains a word of the query, in the modality it reports
    page = await call(client.knowledge_stores.search, ks.id, query="rain taxi at night",
                      modalities=["visual", "audio"], include_metadata=True)
    assert page.effective_search_options == {"video": {"modalities": ["visual", "audio"]}}
    assert [h.rank for h in page.data] == list(range(1, len(page.data) + 1))
    assert {h.item_id for h in page.data} == {items["city.mp4"].id}
    for hit in page.data:
        (match,) = hit.matches
        scene = _scene_at("city.mp4", match.start_sec, match.end_sec)
        assert set(tokens("rain taxi at night")) & set(tokens(scene.text))
        assert hit.metadata["user"] == {"source": "city.mp4"}
    assert (page.data[0].matches[0].start_sec, page.data[0].matches[0].transcription) == (
        4.0, "a taxi splashes through the evening rain")

    # pages follow tokens; one page at a time, same hits as one big page
    everything = await call(client.knowledge_stores.search, ks.id, query="a river lake bridge", page_size=50)
    paged = await collect(client.knowledge_stores.query(ks.id, "a river lake bridge", page_size=1))
    assert [(h.item_id, h.matches) for h in paged] == [(h.item_id, h.matches) for h in everything.data]
    assert len(paged) >= 3 and any(h.asset_type == "image" for h in paged)
    grouped = await call(client.knowledge_stores.search, ks.id, query="a river lake bridge", group_by="item",
                         asset_type="video", item_ids=[items["wildlife.mp4"].id])
    assert [(h.item_id, [(m.start_sec, m.end_sec) for m in h.matches]) for h in grouped.data] == [
        (items["wildlife.mp4"].id, [(4.0, 8.0), (8.0, 12.0)])]

    # a token from before the items changed is gone (410); an unknown token is a 400
    first = await call(client.knowledge_stores.search, ks.id, query="a river lake bridge", page_size=1)
    await call(client.knowledge_stores.items.delete, ks.id, items["bridge.png"].id)
    with pytest.raises(APIStatusError) as gone:
        await call(client.knowledge_stores.search, ks.id, query="x", page_token=first.next_page_token)
    assert gone.value.status_code == 410 and "run the search again" in str(gone.value)
    with pytest.raises(BadRequestError, match="not valid"):
        await call(client.knowledge_stores.search, ks.id, query="x", page_token="kspt_nope")

    # item collections
    coll = await call(client.knowledge_stores.item_collections.create, ks.id, name="animals")
    coll = await call(client.knowledge_stores.item_collections.add_items, ks.id, coll.id,
                      [items["wildlife.mp4"].id, items["park.mp4"].id, items["wildlife.mp4"].id])
    assert coll.member_count == 2
    members = await collect(client.knowledge_stores.item_collections.list_items(ks.id, coll.id))
    assert {m.id for m in members} == {items["wildlife.mp4"].id, items["park.mp4"].id}
    assert await call(client.knowledge_stores.item_collections.remove_items, ks.id, coll.id,
                      [items["park.mp4"].id]) is None
    assert (await call(client.knowledge_stores.item_collections.retrieve, ks.id, coll.id)).member_count == 1
    with pytest.raises(BadRequestError, match="already exists"):
        await call(client.knowledge_stores.item_collections.create, ks.id, name="animals")
    renamed = await call(client.knowledge_stores.item_collections.update, ks.id, coll.id, name="wild", metadata={})
    assert [c.name for c in await collect(client.knowledge_stores.item_collections.list(ks.id))] == [renamed.name]
    await call(client.knowledge_stores.item_collections.delete, ks.id, coll.id)
    updated = await call(client.knowledge_stores.update, ks.id, description="d", metadata={})
    assert (updated.description, updated.metadata, updated.item_count) == ("d", {}, 3)
    assert ks.id in [s.id for s in await collect(client.knowledge_stores.list())]
    await call(client.knowledge_stores.delete, ks.id)
    with pytest.raises(NotFoundError):
        await call(client.knowledge_stores.retrieve, ks.id)


def _check_citations(answer: Any, question_words: set[str], items: dict[str, Any]) -> None:
    """Every annotation covers a quote of a scene of the cited item whose time range holds those words."""
    by_id = {i.id: name for name, i in items.items()}
    (part,) = [p for o in answer.output if o.type == "message" for p in o.content]
    assert part.annotations, answer.output_text
    for ann in part.annotations:
        quoted = part.cited(ann)
        name = by_id[ann.item_id]
        scene = _scene_at(name, ann.start_sec, ann.end_sec)
        assert ann.title == name and ann.type == "video_citation"
        assert set(tokens(quoted)) <= set(tokens(scene.text)) and set(tokens(quoted)) & question_words


async def test_responses_cite_real_moments_remember_turns_and_stream(client: Any, fake: Any,
                                                                    hosted_media: dict[str, Path]) -> None:
    ks, items = await _store_with_items(client, fake, hosted_media)
    question = "Where does the fox hunt in the snow?"
    first = await call(client.responses.create, knowledge_store_id=ks.id, input=question)
    assert first.status == "completed" and first.session_id.startswith("sess_") and first.id.startswith("resp_")
    _check_citations(first, set(tokens(question)), items)
    assert first.annotations[0].item_id == items["wildlife.mp4"].id and first.annotations[0].start_sec == 0.0
    assert "a red fox runs through deep snow" in first.output_text

    # the session remembers: a follow-up without searchable words is answered from the earlier question
    follow = await call(client.responses.create, knowledge_store_id=ks.id, input="And what else?",
                        session_id=first.session_id)
    assert follow.session_id == first.session_id and "earlier question" in follow.output_text
    assert [a.item_id for a in follow.annotations] == [a.item_id for a in first.annotations]
    assert follow.usage.input_tokens > first.usage.input_tokens  # the history is part of the prompt
    fresh = await call(client.responses.create, knowledge_store_id=ks.id, input="And what else?")
    assert fresh.annotations == [] and "found nothing" in fresh.output_text
    # history sent as earlier messages of one request (no session) counts too
    replayed = await call(client.responses.create, knowledge_store_id=ks.id, input=[question, "And what else?"])
    assert [a.item_id for a in replayed.annotations] == [a.item_id for a in first.annotations]

    # selections narrow softly, through {{sel:N}}; a collection selection shows in the citation
    coll = await call(client.knowledge_stores.item_collections.create, ks.id, name="city")
    await call(client.knowledge_stores.item_collections.add_items, ks.id, coll.id, [items["city.mp4"].id])
    narrowed = await call(client.responses.create, knowledge_store_id=ks.id, input="What happens at night in {{sel:0}}?",
                          selections=[coll.id], include=["intermediate_outputs"])
    assert {a.item_id for a in narrowed.annotations} == {items["city.mp4"].id}
    assert {a.collection_id for a in narrowed.annotations} == {coll.id}
    assert [o.type for o in narrowed.output] == ["function_call", "function_call_output", "message"]
    with pytest.raises(BadRequestError, match="belongs to knowledge store"):
        other = await call(client.knowledge_stores.create, name="other")
        await call(client.responses.create, knowledge_store_id=other.id, input="fox", session_id=first.session_id)

    # streaming: typed events in sequence; the deltas are the answer; the final object has the citations
    stream = await call(client.responses.create, knowledge_store_id=ks.id, input=question, stream=True)
    events = await collect(stream)
    seqs = [e.sequence_number for e in events]
    assert seqs == sorted(set(seqs)) and events[0].type == "response.created" and events[-1].type == "response.completed"
    deltas = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert deltas == stream.final.output_text == first.output_text
    assert [a.model_dump() for a in stream.final.annotations] == [a.model_dump() for a in first.annotations]
    done_part = [e for e in events if e.type == "response.content_part.done"][0].part
    assert done_part.annotations == stream.final.annotations
    assert stream.final.session_id != first.session_id  # a new conversation

    schema = {"type": "object", "properties": {"answer": {"type": "string"}, "quotes": {"type": "array"}}}
    shaped = await call(client.responses.create, knowledge_store_id=ks.id, input=question,
                        text={"format": {"type": "json_schema", "name": "answer", "schema": schema}})
    import json

    body = json.loads(shaped.output_text)
    assert body["quotes"] and "fox" in body["answer"]
    assert all("fox" in shaped.output_text[a.start_index:a.end_index + 1] or "snow" in
               shaped.output_text[a.start_index:a.end_index + 1] for a in shaped.annotations)


async def test_connectors_and_imports_without_a_browser(client: Any, fake: Any, hosted_media: dict[str, Path]) -> None:
    conn_id = fake.add_connection({"gd-fox": hosted_media["wildlife.mp4"], "gd-city": hosted_media["city.mp4"]},
                                  custom_id="user-42", display_name="ada@example.com")
    page = await call(client.data_connectors.list_connections, page_limit=10)
    assert [(c.id, c.provider, c.status, c.custom_id) for c in page.data] == [(conn_id, "google_drive", "active",
                                                                              "user-42")]
    conn = await call(client.data_connectors.retrieve_connection, conn_id)
    assert conn.account.display_name == "ada@example.com"

    result = await call(client.data_connectors.imports.import_files, conn_id, source_ids=["gd-fox", "gd-missing"])
    assert result.has_failures and [(i.source_id, i.action) for i in result.items] == [
        ("gd-fox", "created"), ("gd-missing", "rejected")]
    fox_asset = result.items[0].asset_id
    assert result.items[0].status == "processing" and result.items[1].error.code == "source_not_found"
    again = await call(client.data_connectors.imports.import_files, conn_id, source_ids=["gd-fox"])
    assert [(i.action, i.asset_id) for i in again.items] == [("skipped", fox_asset)] and not again.has_failures

    imports = await call(client.data_connectors.imports.list_imports, conn_id)
    assert {i.id for i in imports.data} == {result.id, again.id} and all(i.custom_id == "user-42" for i in imports.data)
    detail = await call(client.data_connectors.imports.retrieve_import, conn_id, result.id)
    assert [i.source_id for i in detail.items] == ["gd-fox", "gd-missing"] and detail.item_count == 2

    uri = await call(client.data_connectors.create_redirect_uri, "https://app.example.com/oauth/callback")
    assert [u.id for u in (await call(client.data_connectors.list_redirect_uris)).data] == [uri.id]
    auth = await call(client.data_connectors.authorize_connection, provider="google_drive",
                      redirect_uri="https://app.example.com/oauth/callback", custom_id="user-43")
    assert auth.authorize_url.split("?")[0].endswith("/oauth/google_drive/authorize") and auth.state
    with pytest.raises(BadRequestError, match="not registered"):
        await call(client.data_connectors.authorize_connection, provider="google_drive",
                   redirect_uri="https://elsewhere.example.com/cb")
    await call(client.data_connectors.delete_redirect_uri, uri.id)
    await call(client.data_connectors.delete_connection, conn_id)
    with pytest.raises(NotFoundError):
        await call(client.data_connectors.retrieve_connection, conn_id)


def test_emulator_mixins_do_not_shadow_each_other() -> None:
    """The route mixins share one instance: a hosted-RAG helper defined twice would answer for the other."""
    from twelvelabs_rag.testing import FakeTwelveLabs
    from twelvelabs_rag.testing._connectors import ConnectorRoutes
    from twelvelabs_rag.testing._entities import EntityRoutes
    from twelvelabs_rag.testing._knowledge import KnowledgeRoutes
    from twelvelabs_rag.testing._responses import ResponseRoutes

    ours = {n for cls in (EntityRoutes, KnowledgeRoutes, ResponseRoutes, ConnectorRoutes) for n in vars(cls)
            if not n.startswith("__")}
    owners = {n: [c.__name__ for c in FakeTwelveLabs.__mro__[1:] if n in vars(c)] for n in ours}
    assert {n: o for n, o in owners.items() if len(o) > 1} == {}


async def test_entity_wait_polls_until_ready_for_search(client: Any, fake: Any, hosted_media: dict[str, Path]) -> None:
    """A new entity is ``processing``; searching for it then is a 400 — ``wait`` is what makes it usable."""
    ada_png = fake.add_asset(hosted_media["ada.png"])
    cast = await call(client.entity_collections.create, name="cast")
    ada = await call(client.entity_collections.entities.create, cast.id, name="Ada", asset_ids=[ada_png])
    seen: list[str] = []
    ready = await call(client.entity_collections.entities.wait, cast.id, ada.id, on_progress=lambda e: seen.append(e.status))
    assert ready.status == "ready" and ready.id == ada.id and seen[-1] == "ready"
