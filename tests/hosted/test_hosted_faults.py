"""Faults on the hosted-RAG routes: transient statuses are retried, answers that began streaming are not,
and a 4xx surfaces as its typed error at once (sync and async, in-process)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from _hosted_support import call, collect

from twelvelabs_rag._exceptions import BadRequestError, NotFoundError
from twelvelabs_rag._sse import StreamCutError

SEARCH = "POST /knowledge-stores/{knowledge_store_id}/search"


@pytest.fixture(params=["sync", "async"])
async def setup(request: pytest.FixtureRequest, fake: Any, hosted_media: dict[str, Path]) -> tuple[Any, Any, str]:
    ks = fake.client().knowledge_stores.create(name="faults")
    fake.client().knowledge_stores.items.create_and_wait(ks.id, asset_id=fake.add_asset(hosted_media["city.mp4"]))
    client = fake.client() if request.param == "sync" else fake.async_client()
    return fake, client, ks.id


async def test_transient_statuses_and_dropped_connections_are_retried(setup: tuple[Any, Any, str]) -> None:
    fake, client, ks_id = setup
    fake.fail_next("POST /responses", 503)
    answer = await call(client.responses.create, knowledge_store_id=ks_id, input="the taxi")
    assert answer.annotations and len(fake.calls("POST /responses")) == 2
    fake.fail_next(SEARCH, 429, retry_after=0)
    fake.drop_next(SEARCH)
    page = await call(client.knowledge_stores.search, ks_id, query="the taxi")
    assert page.data and len(fake.calls(SEARCH)) == 3
    fake.drop_next("POST /responses")  # dropped before any byte of the stream: safe to send again
    events = await collect(await call(client.responses.create, knowledge_store_id=ks_id, input="taxi", stream=True))
    assert events[-1].type == "response.completed"


async def test_a_stream_cut_after_it_began_is_not_retried(setup: tuple[Any, Any, str]) -> None:
    fake, client, ks_id = setup
    before = len(fake.calls("POST /responses"))
    fake.cut_stream_next()
    stream = await call(client.responses.create, knowledge_store_id=ks_id, input="the taxi", stream=True)
    with pytest.raises(StreamCutError):
        await collect(stream)
    assert len(fake.calls("POST /responses")) == before + 1


async def test_client_errors_are_typed_and_not_retried(setup: tuple[Any, Any, str]) -> None:
    fake, client, ks_id = setup
    with pytest.raises(BadRequestError, match="does not exist; omit session_id"):
        await call(client.responses.create, knowledge_store_id=ks_id, input="taxi", session_id="sess_unknown")
    with pytest.raises(NotFoundError, match="does not exist in knowledge store"):
        await call(client.knowledge_stores.items.retrieve, ks_id, "ksi_unknown")
    with pytest.raises(BadRequestError, match="refers to selection 2"):
        await call(client.responses.create, knowledge_store_id=ks_id, input="{{sel:2}}")
    assert all(r.status in (200, 201, 400, 404) for r in fake.requests)
    assert len([r for r in fake.requests if r.status in (400, 404)]) == 3  # each sent once
