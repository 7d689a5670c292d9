"""The agent ingest follows the flow decision: a current index (Marengo 3.0) ingests through assets +
indexed assets (``twelvelabs_rag.ingest_assets``), a classic one through ``/tasks``; never twice.

Checked against the emulator's request log (``POST /assets``, ``POST /indexes/{id}/indexed-assets``,
``POST /tasks``), with a clock that moves one second per reading so a 1 s wait covers about one poll.
"""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path
from typing import Any

import pytest

from twelvelabs_rag import InvalidRequestError, TaskFailedError
from twelvelabs_rag.agent_tools import STILL_INDEXING, Ingester, ToolInputError, moment_line
from twelvelabs_rag.ingest_assets import IngestWaitTimeoutError, aingest_asset, ingest_asset
from twelvelabs_rag.moments import dedupe_metadata, file_sha256
from twelvelabs_rag.testing import FakeTwelveLabs
from twelvelabs_rag.testing.samples import DEMO_SCRIPTS, make_clip
from twelvelabs_rag.testing.scripted_agent import FinalStep, ScriptedVideoAgent, ToolResult, ToolStep

CURRENT_MODELS = [{"model_name": "marengo3.0", "model_options": ["visual", "audio"]}]
ASSETS, INDEXED, TASKS = "POST /assets", "POST /indexes/{index_id}/indexed-assets", "POST /tasks"


def _ticking() -> Any:
    ticks = itertools.count()
    return lambda: float(next(ticks))


def _posts(fake: FakeTwelveLabs) -> tuple[int, int, int]:
    return len(fake.calls(ASSETS)), len(fake.calls(INDEXED)), len(fake.calls(TASKS))


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    return make_clip(tmp_path / "wildlife.mp4", DEMO_SCRIPTS["wildlife.mp4"])


def test_a_current_index_ingests_a_file_through_assets_and_names_the_asset(clip: Path) -> None:
    fake = FakeTwelveLabs()
    client = fake.client(poll_interval=0)
    index = client.indexes.create(index_name="i", models=CURRENT_MODELS)
    ingester = Ingester()
    result = ingester.ingest(client, index_id=index.id, source=str(clip), timeout=60)
    assert result.ready and result.api_shape == "current" and result.task_id is None
    assert client.indexes.indexed_assets.retrieve(index.id, result.video_id).asset_id == result.asset_id
    assert f"asset_id={result.asset_id}" in result.text() and "analyze tool by its asset_id" in result.text()
    assert _posts(fake) == (1, 1, 0)
    [upload] = fake.calls(ASSETS)
    assert "tlrag_sha256" in upload.form["user_metadata"][0]  # the dedupe mark, found by the next call
    again = Ingester().ingest(client, index_id=index.id, source=str(clip), timeout=60)  # a fresh process
    assert again.already_indexed and (again.asset_id, again.video_id) == (result.asset_id, result.video_id)
    assert _posts(fake) == (1, 1, 0)


def test_a_timeout_returns_the_ids_and_the_next_calls_wait_without_uploading_again(clip: Path) -> None:
    fake = FakeTwelveLabs()
    client = fake.client(poll_interval=0, clock=_ticking())
    index = client.indexes.create(index_name="i", models=CURRENT_MODELS)
    ingester = Ingester()
    results = [ingester.ingest(client, index_id=index.id, source=str(clip), timeout=1)]
    assert not results[0].ready and results[0].asset_id and STILL_INDEXING in results[0].text()
    assert "call the ingest tool again" in results[0].text().lower()
    while not results[-1].ready and len(results) < 8:
        results.append(ingester.ingest(client, index_id=index.id, source=str(clip), timeout=1))
    assert results[-1].ready and len(results) > 2
    assert {r.asset_id for r in results} == {results[0].asset_id}
    assert {r.video_id for r in results if r.video_id} == {results[-1].video_id}
    assert all(r.resumed for r in results[1:-1])  # found the earlier upload, did not send it again
    assert _posts(fake) == (1, 1, 0)


async def test_async_url_on_a_current_index_times_out_then_is_ready_with_one_asset() -> None:
    fake = FakeTwelveLabs()
    client = fake.async_client(poll_interval=0, clock=_ticking())
    index = await client.indexes.create(index_name="i", models=CURRENT_MODELS)
    ingester = Ingester()
    results = [await ingester.aingest(client, index_id=index.id, source="https://example.com/fox.mp4", timeout=1)]
    while not results[-1].ready and len(results) < 8:
        results.append(await ingester.aingest(client, index_id=index.id, source="https://example.com/fox.mp4",
                                              timeout=1))
    assert not results[0].ready and results[-1].ready and results[-1].api_shape == "current"
    assert {r.asset_id for r in results} == {results[-1].asset_id}
    assert _posts(fake) == (1, 1, 0)


def test_an_asset_still_processing_from_another_process_is_waited_for(clip: Path) -> None:
    fake = FakeTwelveLabs()
    client = fake.client(poll_interval=0)
    index = client.indexes.create(index_name="i", models=CURRENT_MODELS)
    earlier = client.assets.upload(clip, user_metadata=dedupe_metadata(sha256=file_sha256(clip)), wait=False)
    assert earlier.status == "processing"
    result = Ingester().ingest(client, index_id=index.id, source=str(clip), timeout=60)
    assert result.ready and result.resumed and result.asset_id == earlier.id
    assert _posts(fake) == (1, 1, 0)  # the one upload is the earlier one


def test_a_failed_indexing_is_an_error_and_a_retry_reindexes_the_same_asset(clip: Path) -> None:
    fake = FakeTwelveLabs()
    client = fake.client(poll_interval=0)
    index = client.indexes.create(index_name="i", models=CURRENT_MODELS)
    fake.fail_task_next()
    ingester = Ingester()
    with pytest.raises(TaskFailedError):
        ingester.ingest(client, index_id=index.id, source=str(clip), timeout=60)
    result = ingester.ingest(client, index_id=index.id, source=str(clip), timeout=60)
    assert result.ready and _posts(fake) == (1, 2, 0)  # indexed again; the bytes were not sent again


async def test_concurrent_ingests_of_one_source_upload_one_asset() -> None:
    fake = FakeTwelveLabs()
    client = fake.async_client(poll_interval=0)
    index = await client.indexes.create(index_name="i", models=CURRENT_MODELS)
    fake.add_latency(ASSETS, 0.05)  # awaited by the async transport: the second call runs meanwhile
    ingester = Ingester()
    first, second = await asyncio.gather(
        ingester.aingest(client, index_id=index.id, source="https://example.com/v.mp4", timeout=60),
        ingester.aingest(client, index_id=index.id, source="https://example.com/v.mp4", timeout=60),
        return_exceptions=True,
    )
    # Which of the two gets in first is the scheduler's choice: exactly one ingests, the other is told to wait.
    done = [r for r in (first, second) if not isinstance(r, BaseException)]
    refused = [r for r in (first, second) if isinstance(r, BaseException)]
    assert len(done) == 1 and done[0].ready
    assert len(refused) == 1 and isinstance(refused[0], ToolInputError) and "call again" in str(refused[0])
    again = await ingester.aingest(client, index_id=index.id, source="https://example.com/v.mp4", timeout=60)
    assert again.already_indexed and again.asset_id == done[0].asset_id and _posts(fake) == (1, 1, 0)


def test_api_shape_classic_keeps_tasks_and_a_contradiction_is_named() -> None:
    fake = FakeTwelveLabs()
    client = fake.client(poll_interval=0)
    classic = client.indexes.create(index_name="c", models=[{"model_name": "marengo2.7", "model_options": ["visual"]}])
    result = Ingester(api_shape="classic").ingest(client, index_id=classic.id, source="https://example.com/v.mp4",
                                                  timeout=60)
    assert result.ready and result.api_shape == "classic" and result.task_id and result.asset_id is None
    assert _posts(fake) == (0, 0, 1)
    current = client.indexes.create(index_name="n", models=CURRENT_MODELS)
    with pytest.raises(InvalidRequestError, match="api_shape='classic' does not fit this index"):
        Ingester(api_shape="classic").ingest(client, index_id=current.id, source="https://example.com/v.mp4")
    with pytest.raises(InvalidRequestError, match="api_shape must be"):
        Ingester(api_shape="modern")
    assert _posts(fake) == (0, 0, 1)


# --- ingest_asset: a timeout names what it made ----------------------------------------------------------
def test_ingest_asset_timeout_names_the_asset_then_the_indexed_asset(clip: Path) -> None:
    fake = FakeTwelveLabs()
    client = fake.client(poll_interval=0, clock=_ticking())
    index = client.indexes.create(index_name="i", models=CURRENT_MODELS)
    facts = {"filename": clip.name, "size": clip.stat().st_size, "sha256": file_sha256(clip)}
    errors = []
    for _ in range(8):
        try:
            done = ingest_asset(client, index.id, clip, facts, timeout=1)
            break
        except IngestWaitTimeoutError as exc:
            errors.append(exc)
    assert errors and {e.asset_id for e in errors} == {done.asset_id}
    assert errors[0].video_id is None and "still processing" in str(errors[0])  # the asset's own wait
    assert errors[-1].video_id == done.video_id and "still indexing" in str(errors[-1])
    assert all(e.reused for e in errors[1:])
    assert _posts(fake) == (1, 1, 0)


async def test_aingest_asset_timeout_is_the_same_typed_error() -> None:
    fake = FakeTwelveLabs()
    client = fake.async_client(poll_interval=0, clock=_ticking())
    index = await client.indexes.create(index_name="i", models=CURRENT_MODELS)
    with pytest.raises(IngestWaitTimeoutError) as caught:
        await aingest_asset(client, index.id, "https://x/v.mp4", {"url": "https://x/v.mp4"}, timeout=1)
    assert caught.value.asset_id and caught.value.task_id in (caught.value.asset_id, caught.value.video_id)


# --- the scripted agent on the current flow ----------------------------------------------------------------
def test_scripted_agent_analyzes_by_asset_id_with_the_window() -> None:
    search = ToolResult("twelvelabs_search", "1 moment(s):\n" + moment_line(
        1, "[f.mp4 00:04-00:08]", "ia1", 4, 8, "an eagle", asset_id="as1"))
    step = ScriptedVideoAgent().next_step("eagle?", [search])
    assert step == ToolStep("twelvelabs_analyze", {"asset_id": "as1", "start": 4.0, "end": 8.0,
                                                   "prompt": "What happens in this moment? eagle?"})


def test_scripted_agent_ingests_first_and_again_while_still_indexing() -> None:
    agent = ScriptedVideoAgent(ingest=["a.mp4", "b.mp4"], ingest_attempts=2)
    waiting = ToolResult("twelvelabs_ingest", f"a.mp4 is uploaded but {STILL_INDEXING} (status indexing)")
    ready_a = ToolResult("twelvelabs_ingest", "a.mp4 is indexed: asset_id=x")
    ready_b = ToolResult("twelvelabs_ingest", "b.mp4 is indexed: asset_id=y")
    assert agent.next_step("q", []) == ToolStep("twelvelabs_ingest", {"source": "a.mp4"})
    assert agent.next_step("q", [waiting]) == ToolStep("twelvelabs_ingest", {"source": "a.mp4"})
    assert agent.next_step("q", [waiting, ready_a]) == ToolStep("twelvelabs_ingest", {"source": "b.mp4"})
    assert agent.next_step("q", [waiting, ready_a, ready_b]) == ToolStep("twelvelabs_search", {"query": "q"})
    gave_up = agent.next_step("q", [waiting, waiting])
    assert isinstance(gave_up, FinalStep) and "a.mp4 is still indexing after 2 calls" in gave_up.text


def _interrupted_multipart(fake: FakeTwelveLabs, client: Any, clip: Path) -> str:
    """Start a multipart upload of ``clip`` that stops after its first chunk (a refused report): its session."""
    from twelvelabs_rag import TwelveLabsError

    fake.multipart_chunk_size = 4096  # several chunks from a small clip
    fake.fail_next("POST /assets/multipart-uploads/{upload_id}", 400)
    with pytest.raises(TwelveLabsError):
        client.assets.upload(clip, method="multipart", max_concurrency=1,
                             user_metadata=dedupe_metadata(sha256=file_sha256(clip)))
    (upload_id,) = fake.uploads
    return str(upload_id)


def test_an_interrupted_multipart_upload_is_resumed_with_progress(clip: Path) -> None:
    fake = FakeTwelveLabs()
    client = fake.client(poll_interval=0)
    index = client.indexes.create(index_name="i", models=CURRENT_MODELS)
    upload_id = _interrupted_multipart(fake, client, clip)
    progress: list[Any] = []
    result = Ingester().ingest(client, index_id=index.id, source=str(clip), timeout=60, on_progress=progress.append)
    assert result.ready and result.resumed
    assert progress and {p.upload_id for p in progress} == {upload_id}  # the bytes of the resumed session
    assert progress[-1].bytes_sent == clip.stat().st_size
    assert len(fake.uploads) == 1 and len(fake.assets) == 1  # no second session, no second asset


async def test_async_resume_reports_progress_too(clip: Path) -> None:
    fake = FakeTwelveLabs()
    client, aclient = fake.client(poll_interval=0), fake.async_client(poll_interval=0)
    index = client.indexes.create(index_name="i", models=CURRENT_MODELS)
    upload_id = _interrupted_multipart(fake, client, clip)
    progress: list[Any] = []
    result = await Ingester().aingest(aclient, index_id=index.id, source=str(clip), timeout=60,
                                      on_progress=progress.append)
    assert result.ready and result.resumed and {p.upload_id for p in progress} == {upload_id}
    assert len(fake.uploads) == 1 and len(fake.assets) == 1
