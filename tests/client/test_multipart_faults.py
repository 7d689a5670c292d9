"""Fault matrix of ``assets.upload``: a chunk PUT failing is retried alone, expired URLs are refreshed,
a session cut halfway resumes sending only the unconfirmed chunks (checked in the emulator's log),
an ambiguous create never opens a second session, the API key never goes to a presigned URL, and
preflight refuses what the API would refuse before any byte is sent."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from twelvelabs_rag import APIConnectionError, AsyncTwelveLabs, PreflightError, TwelveLabs
from twelvelabs_rag.testing import FakeTwelveLabs
from twelvelabs_rag.testing.samples import make_clip

PUT = "PUT /_upload/{upload_id}/{chunk_index}"
CHUNK = 1024


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("mp") / "long.mp4",
                     "[0-4] a red fox runs through snow\n[4-8] a brown dog swims in a lake")


def _fake() -> FakeTwelveLabs:
    fake = FakeTwelveLabs()
    fake.multipart_chunk_size = CHUNK
    return fake


def _client(fake: FakeTwelveLabs, mode: str, hook: Callable[[httpx.Request], Any] | None = None,
            sleeps: list[float] | None = None) -> Any:
    """A client on the emulator whose every request first passes ``hook`` (which may raise, or
    return ``"lose"`` to let the emulator answer and then lose the answer: a read timeout)."""
    kw: dict[str, Any] = {"api_key": "tlk_test", "base_url": "http://emulator/v1.3", "poll_interval": 0}
    record = sleeps if sleeps is not None else []
    if mode == "sync":
        def handler(request: httpx.Request) -> httpx.Response:
            lose = hook(request) if hook else None
            response = fake(request)
            if lose == "lose":
                raise httpx.ReadTimeout("answer lost", request=request)
            return response
        return TwelveLabs(transport=httpx.MockTransport(handler), sleep=record.append, **kw)

    async def ahandler(request: httpx.Request) -> httpx.Response:
        lose = hook(request) if hook else None
        response = await fake.handle_async(request)
        if lose == "lose":
            raise httpx.ReadTimeout("answer lost", request=request)
        return response

    async def asleep(seconds: float) -> None:
        record.append(seconds)

    return AsyncTwelveLabs(transport=httpx.MockTransport(ahandler), sleep=asleep, **kw)


async def _do(x: Any) -> Any:
    return await x if hasattr(x, "__await__") else x


def _put_indexes(fake: FakeTwelveLabs, since: int = 0) -> list[int]:
    return [int(r.path.rsplit("/", 1)[1]) for r in fake.requests[since:] if r.route == PUT]


def _chunks(clip: Path) -> int:
    return -(-clip.stat().st_size // CHUNK)


@pytest.mark.parametrize("fault", ["503", "drop"])
@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_failed_chunk_put_is_retried_alone(clip: Path, mode: str, fault: str) -> None:
    fake, sleeps = _fake(), []
    c = _client(fake, mode, sleeps=sleeps)
    if fault == "503":
        fake.fail_next(PUT, 503, times=2)
    else:
        fake.drop_next(PUT, times=2)
    asset = await _do(c.assets.upload(clip, method="multipart", max_concurrency=1))
    assert asset.status == "ready" and asset.size == clip.stat().st_size
    puts = _put_indexes(fake)
    assert puts[:3] == [1, 1, 1], "chunk 1 failed twice and was sent again on its own"
    assert puts[3:] == list(range(2, _chunks(clip) + 1)), "every other chunk went exactly once"
    assert len(sleeps) >= 2 and all(s > 0 for s in sleeps[:2])
    assert len(fake.calls("POST /assets/multipart-uploads")) == 1


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_expired_urls_are_refreshed(clip: Path, mode: str) -> None:
    fake = _fake()
    state = {"puts": 0}

    def hook(request: httpx.Request) -> None:
        if "/_upload/" in request.url.path:
            state["puts"] += 1
            if state["puts"] == 2:  # after the first chunk, every URL handed out so far goes stale
                fake.expire_upload_urls(request.url.path.split("/")[-2])

    c = _client(fake, mode, hook)
    asset = await _do(c.assets.upload(clip, method="multipart", max_concurrency=1))
    assert asset.status == "ready"
    refused = [r for r in fake.calls(PUT) if r.status == 403]
    assert len(refused) == 1, "one PUT hit a stale URL; the rest used the fresh ones"
    assert len(fake.calls("POST /assets/multipart-uploads/{upload_id}/presigned-urls")) >= 2


@pytest.mark.parametrize("explicit", [False, True])
@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_cut_session_resumes_with_only_the_missing_chunks(clip: Path, mode: str, explicit: bool) -> None:
    fake = _fake()
    total = _chunks(clip)
    cut = {"after": total // 2, "ok": 0, "on": True}

    def hook(request: httpx.Request) -> None:
        if "/_upload/" in request.url.path and cut["on"]:
            if cut["ok"] >= cut["after"]:
                raise httpx.ConnectError("network gone", request=request)
            cut["ok"] += 1

    c = _client(fake, mode, hook)
    with pytest.raises(APIConnectionError, match="upload_id="):
        await _do(c.assets.upload(clip, method="multipart", max_concurrency=2))
    (upload_id, session), = fake.uploads.items()
    confirmed = set(session.completed)
    assert confirmed and len(confirmed) < total and session.status == "active"

    cut["on"] = False
    mark = len(fake.requests)
    progress: list[Any] = []
    asset = await _do(c.assets.upload(clip, method="multipart", max_concurrency=2, on_progress=progress.append,
                                      upload_id=upload_id if explicit else None))
    assert asset.status == "ready" and asset.id == session.asset_id
    resent = _put_indexes(fake, mark)
    assert sorted(resent) == sorted(set(range(1, total + 1)) - confirmed), "only the unconfirmed chunks went again"
    assert not set(resent) & confirmed
    assert progress[0].resumed_chunks == len(confirmed) and progress[-1].chunks_done == total
    assert len(fake.uploads) == 1 and len(fake.assets) == 1, "no second session, no second asset"


@pytest.mark.parametrize("route", ["POST /assets/multipart-uploads", "POST /assets"])
@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_ambiguous_create_never_uploads_twice(clip: Path, mode: str, route: str) -> None:
    fake = _fake()
    lost = {"done": False}

    def hook(request: httpx.Request) -> str | None:
        if f"{request.method} {request.url.path}" == route.replace(" /", " /v1.3/") and not lost["done"]:
            lost["done"] = True
            return "lose"  # the emulator creates it; the client never hears back
        return None

    c = _client(fake, mode, hook)
    asset = await _do(c.assets.upload(clip, method="multipart" if "multipart" in route else "direct"))
    assert lost["done"] and asset.status == "ready"
    assert len(fake.assets) == 1, "the lost answer's asset was found by its token and reused"
    assert len(fake.uploads) == (1 if "multipart" in route else 0)
    assert len(fake.calls(route)) == 1


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_api_key_never_goes_to_presigned_urls(clip: Path, mode: str) -> None:
    fake = _fake()
    seen: list[tuple[bool, bool]] = []
    c = _client(fake, mode, lambda r: seen.append(("/_upload/" in r.url.path, "x-api-key" in r.headers)))
    await _do(c.assets.upload(clip, method="multipart", chunk_size=300))  # streamed in 300-byte blocks
    puts = [has_key for is_put, has_key in seen if is_put]
    api = [has_key for is_put, has_key in seen if not is_put]
    assert len(puts) == _chunks(clip) and not any(puts)
    assert api and all(api)


def _sparse(path: Path, size: int) -> Path:
    with open(path, "wb") as fh:
        fh.truncate(size)
    return path


@pytest.mark.parametrize(("name", "size", "method", "code"), [
    ("big.mp4", 200 * 1024**2 + 1, "direct", "asset_filesize_too_large"),
    ("huge.mp4", 10 * 1024**3 + 1, "auto", "asset_filesize_too_large"),
    ("photo.png", 32 * 1024**2 + 1, "auto", "asset_filesize_too_large"),
    ("empty.mp4", 0, "auto", "parameter_invalid"),
])
@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_preflight_refuses_before_sending(tmp_path: Path, mode: str, name: str, size: int, method: str,
                                                code: str) -> None:
    fake = _fake()
    c = _client(fake, mode)
    with pytest.raises(PreflightError) as refused:
        await _do(c.assets.upload(_sparse(tmp_path / name, size), method=method))
    assert refused.value.code == code and name in str(refused.value)
    assert fake.requests == []


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_unknown_upload_id_is_a_clear_error(clip: Path, mode: str) -> None:
    fake = _fake()
    c = _client(fake, mode)
    with pytest.raises(PreflightError, match="without upload_id"):
        await _do(c.assets.upload(clip, upload_id="0" * 24))
    assert fake.calls(PUT) == [] and fake.uploads == {}


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_a_rate_limited_report_loses_no_proof(clip: Path, mode: str) -> None:
    """Regression: a report refused with 429 used to drop its batch of proofs, leaving the session
    incomplete; the batch is now put back and reported with the next one."""
    fake = _fake()
    c = _client(fake, mode)
    c.max_retries = 0  # the 429 reaches the bounded runner, which repeats the chunk's job
    fake.fail_next("POST /assets/multipart-uploads/{upload_id}", 429, retry_after=0)
    asset = await _do(c.assets.upload(clip, method="multipart", max_concurrency=2))
    assert asset.status == "ready"
    (session,) = fake.uploads.values()
    assert session.status == "completed" and len(session.completed) == _chunks(clip)


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_chunk_bodies_stream_from_the_file(clip: Path, mode: str) -> None:
    """Regression: a chunk used to go out as one ``bytes`` body, and RSS grew with the file size
    (156 MiB over a 512 MiB upload in benchmarks/multipart_bench.py); bodies now stream in blocks."""
    fake = _fake()
    streams: list[tuple[str, str]] = []

    def note(request: httpx.Request) -> None:  # before anything reads the body
        if "/_upload/" in request.url.path:
            streams.append((type(request.stream).__name__, request.headers["content-length"]))

    class Sync(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            note(request)
            return fake.transport().handle_request(request)

    class Async(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            note(request)
            return await fake.async_transport().handle_async_request(request)

    kw: dict[str, Any] = {"api_key": "tlk_test", "base_url": "http://emulator/v1.3", "poll_interval": 0}
    c = TwelveLabs(transport=Sync(), **kw) if mode == "sync" else AsyncTwelveLabs(transport=Async(), **kw)
    await _do(c.assets.upload(clip, method="multipart", max_concurrency=1))  # the default streams
    size = clip.stat().st_size
    assert [int(n) for _, n in streams] == [min(CHUNK, size - i * CHUNK) for i in range(_chunks(clip))]
    assert "ByteStream" not in {kind for kind, _ in streams}, "a whole chunk was held as one bytes body"


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_create_refuses_a_file_over_the_direct_limit(tmp_path: Path, mode: str) -> None:
    fake = _fake()
    c = _client(fake, mode)
    with pytest.raises(PreflightError, match="multipart upload") as refused:
        await _do(c.assets.create(file=_sparse(tmp_path / "big.mp4", 200 * 1024**2 + 1)))
    assert refused.value.code == "asset_filesize_too_large" and fake.requests == []


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_a_failing_report_says_how_to_resume(clip: Path, mode: str) -> None:
    from twelvelabs_rag import BadRequestError

    fake = _fake()
    c = _client(fake, mode)
    fake.fail_next("POST /assets/multipart-uploads/{upload_id}", 400, times=99)
    with pytest.raises(BadRequestError) as failed:
        await _do(c.assets.upload(clip, method="multipart", max_concurrency=2))
    (upload_id,) = fake.uploads
    assert f"upload_id={upload_id!r}" in str(failed.value) and upload_id in failed.value.message


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_chunk_faults_on_loopback(clip: Path, mode: str) -> None:
    from twelvelabs_rag.testing import serve

    fake = _fake()
    fake.drop_next(PUT)  # the server closes the socket without an answer
    fake.fail_next(PUT, 500)
    with serve(fake) as base_url:
        cls = TwelveLabs if mode == "sync" else AsyncTwelveLabs
        c = cls(api_key="tlk_test", base_url=base_url, poll_interval=0, sleep=(lambda s: None) if mode == "sync"
                else _no_sleep)
        try:
            asset = await _do(c.assets.upload(clip, method="multipart", max_concurrency=1))
        finally:
            await _do(c.close() if mode == "sync" else c.aclose())
    assert asset.status == "ready"
    puts = fake.calls(PUT)
    assert [r.status for r in puts[:3]] == [None, 500, 200] and len(puts) == _chunks(clip) + 2


async def _no_sleep(seconds: float) -> None:
    return None
