"""An upload whose answer is lost is found again, never sent twice (docs/retries.md).

The handler forwards to the emulator (so a task really gets created) and then loses the answer:
a 500 after creating, a dropped connection, or a read timeout.
"""

from __future__ import annotations

import json
from email.utils import formatdate
from pathlib import Path

import httpx
import pytest

from twelvelabs_rag import UPLOAD_TOKEN_KEY, InternalServerError
from twelvelabs_rag.testing import FakeTwelveLabs
from twelvelabs_rag.testing.samples import make_clip


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    return make_clip(tmp_path / "fox.mp4", "[0-5] a red fox runs through snow", seconds=5)


def _lossy(fake: FakeTwelveLabs, failure: str, *, add_date: bool = False):
    state = {"lost": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        response = fake(request)
        if add_date:
            response.headers["date"] = formatdate(usegmt=True)
        if request.method == "POST" and request.url.path.endswith("/tasks") and state["lost"] == 0:
            state["lost"] += 1
            if failure == "500":
                return httpx.Response(500, json={"code": "internal_error", "message": "oops"})
            if failure == "drop":
                raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
            raise httpx.ReadTimeout("timed out reading the answer", request=request)
        return response

    return handler


def _index(fake: FakeTwelveLabs) -> str:
    client = fake.client()
    return client.indexes.create(index_name="d", models=[{"model_name": "marengo3.0", "model_options": ["visual"]}]).id


@pytest.mark.parametrize("failure", ["500", "drop", "timeout"])
async def test_lost_answer_does_not_duplicate_file_upload(make, clip: Path, failure: str) -> None:
    fake = FakeTwelveLabs()
    index_id = _index(fake)
    h = make(_lossy(fake, failure))
    created = await h.call(h.client.tasks.create, index_id=index_id, file=clip)
    assert list(fake.tasks) == [created.id]
    assert len(fake.calls("POST /tasks")) == 1
    assert fake.calls("GET /tasks")  # it looked before deciding


async def test_lost_answer_does_not_duplicate_url_upload(make, clip: Path) -> None:
    fake = FakeTwelveLabs()
    fake.add_media("https://media.test/fox.mp4", clip)
    index_id = _index(fake)
    h = make(_lossy(fake, "500"))
    created = await h.call(h.client.tasks.create, index_id=index_id, url="https://media.test/fox.mp4")
    assert list(fake.tasks) == [created.id] and len(fake.calls("POST /tasks")) == 1


async def test_earlier_upload_of_same_file_is_not_mistaken(make, clip: Path) -> None:
    fake = FakeTwelveLabs(task_statuses=("ready",))
    index_id = _index(fake)
    first = fake.client().tasks.create(index_id=index_id, file=clip)

    rejected = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/tasks") and not rejected:
            rejected.append(request)
            return httpx.Response(503, headers={"retry-after": "0"})  # rejected before creating anything
        return fake(request)

    h = make(handler)
    second = await h.call(h.client.tasks.create, index_id=index_id, file=clip)
    assert second.id != first.id and set(fake.tasks) == {first.id, second.id}
    assert len(rejected) == 1 and len(fake.calls("POST /tasks")) == 2  # the first upload + one retry


async def test_unverifiable_candidates_stop_the_retry(make, clip: Path) -> None:
    """If the lookup itself fails, the original error is raised and nothing is uploaded again."""
    fake = FakeTwelveLabs()
    index_id = _index(fake)
    lossy = _lossy(fake, "500")

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path.endswith("/tasks"):
            return httpx.Response(400, json={"code": "parameter_invalid", "message": "no lookups today"})
        return lossy(request)

    h = make(handler)
    with pytest.raises(InternalServerError) as info:
        await h.call(h.client.tasks.create, index_id=index_id, file=clip)
    assert info.value.message == "oops" and len(fake.calls("POST /tasks")) == 1


async def test_server_clock_unlike_task_times_does_not_hide_the_task(make, clip: Path) -> None:
    """The emulator stamps tasks from 2026-01-01; a real-time Date header must not hide them (token check)."""
    fake = FakeTwelveLabs()
    index_id = _index(fake)
    h = make(_lossy(fake, "500", add_date=True))
    created = await h.call(h.client.tasks.create, index_id=index_id, file=clip)
    assert len(fake.calls("POST /tasks")) == 1 and created.id in fake.tasks


def _echoing_tokens(fake: FakeTwelveLabs, token_for: dict) -> object:
    """Lose the first upload's answer, and echo ``user_metadata`` on listed tasks as ``token_for`` says.

    The API's task objects carry no ``user_metadata`` (spec §3), so the client's fast path (trust a
    token found on the task itself) is driven here at the transport, not through the emulator.
    """
    lossy = _lossy(fake, "500")

    def handler(request: httpx.Request) -> httpx.Response:
        response = lossy(request)
        if request.method == "GET" and request.url.path.endswith("/tasks"):
            body = response.json()
            sent = fake.calls("POST /tasks")[0].form["user_metadata"][0]
            ours = json.loads(sent)[UPLOAD_TOKEN_KEY]
            for item in body["data"]:
                item["user_metadata"] = {UPLOAD_TOKEN_KEY: token_for.get("token", ours)}
            return httpx.Response(200, json=body, headers={"date": response.headers.get("date", "")})
        return response

    return handler


async def test_token_on_the_task_itself_is_trusted_without_reading_the_video(make, clip: Path) -> None:
    fake = FakeTwelveLabs()
    index_id = _index(fake)
    h = make(_echoing_tokens(fake, {}))
    created = await h.call(h.client.tasks.create, index_id=index_id, file=clip)
    assert list(fake.tasks) == [created.id] and len(fake.calls("POST /tasks")) == 1
    assert not fake.calls("GET /indexes/{index_id}/videos/{video_id}")  # the fast path answered


async def test_another_uploads_token_on_the_task_means_upload_again(make, clip: Path) -> None:
    """A task whose token is not ours is someone else's upload of the same file: ours was never made."""
    fake = FakeTwelveLabs()
    index_id = _index(fake)
    h = make(_echoing_tokens(fake, {"token": "someone-elses-upload"}))
    created = await h.call(h.client.tasks.create, index_id=index_id, file=clip)
    assert len(fake.calls("POST /tasks")) == 2 and created.id == list(fake.tasks)[-1]
