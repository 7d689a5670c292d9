"""Fault matrix on the emulator: the client retries or fails as docs/retries.md says, with typed
errors, and never uploads twice (checked in the emulator's request log and task table)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from twelvelabs_rag import (
    APIConnectionError,
    APITimeoutError,
    AsyncTwelveLabs,
    InternalServerError,
    RateLimitError,
    TaskFailedError,
    TwelveLabs,
)
from twelvelabs_rag.testing import FakeTwelveLabs, serve
from twelvelabs_rag.testing.samples import make_clip

MARENGO = [{"model_name": "marengo3.0", "model_options": ["visual", "audio"]},
           {"model_name": "pegasus1.2", "model_options": ["visual", "audio"]}]


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("m") / "fox.mp4", "[0-4] a red fox runs through snow\n[4-8] a dog")


class Env:
    def __init__(self, fake: FakeTwelveLabs, client: Any, mode: str) -> None:
        self.fake, self.client, self.mode = fake, client, mode
        self.sleeps: list[float] = []

    async def __call__(self, fn: Any, *a: Any, **kw: Any) -> Any:
        out = fn(*a, **kw)
        return await out if hasattr(out, "__await__") and not hasattr(out, "__aiter__") else out

    async def events(self, stream: Any) -> list[Any]:
        if hasattr(stream, "__aiter__"):
            return [e async for e in stream]
        return list(stream)


@contextlib.asynccontextmanager
async def environment(mode: str, where: str, **kw: Any) -> AsyncIterator[Env]:
    fake = FakeTwelveLabs(task_statuses=("pending", "ready"))
    sleeps: list[float] = []

    async def asleep(s: float) -> None:
        sleeps.append(s)

    kw.setdefault("poll_interval", 0)
    kw["sleep"] = sleeps.append if mode == "sync" else asleep
    cls = TwelveLabs if mode == "sync" else AsyncTwelveLabs
    with contextlib.ExitStack() as stack:
        if where == "inproc":
            transport = fake.transport() if mode == "sync" else fake.async_transport()
            client = cls(api_key="tlk_test", base_url="http://emulator/v1.3", transport=transport, **kw)
        else:
            client = cls(api_key="tlk_test", base_url=stack.enter_context(serve(fake)), **kw)
        env = Env(fake, client, mode)
        env.sleeps = sleeps
        try:
            yield env
        finally:
            if mode == "sync":
                client.close()
            else:
                await client.aclose()


def params(*wheres: str) -> Any:
    return pytest.mark.parametrize(("mode", "where"), [(m, w) for w in wheres for m in ("sync", "async")])


BOTH = ("inproc", "loopback")


@params(*BOTH)
async def test_429_with_retry_after_is_waited_out(mode: str, where: str) -> None:
    async with environment(mode, where) as env:
        env.fake.fail_next("POST /embed", 429, retry_after=2)
        res = await env(env.client.embed.create, model_name="marengo3.0", text="a fox")
        assert res.text_embedding.vector.shape == (512,)
        assert env.sleeps == [2.0] and len(env.fake.calls("POST /embed")) == 2


@params(*BOTH)
async def test_rate_limit_window_gives_typed_error_with_retry_after(mode: str, where: str) -> None:
    async with environment(mode, where, max_retries=0) as env:
        env.fake.rate_limit("POST /embed", per_minute=1)
        await env(env.client.embed.create, model_name="marengo3.0", text="one")
        with pytest.raises(RateLimitError) as info:
            await env(env.client.embed.create, model_name="marengo3.0", text="two")
        assert info.value.code == "too_many_requests" and 0 < info.value.retry_after <= 60


@params(*BOTH)
async def test_5xx_on_read_is_retried_then_typed(mode: str, where: str) -> None:
    async with environment(mode, where) as env:
        index = await env(env.client.indexes.create, index_name="x", models=MARENGO)
        env.fake.fail_next("GET /indexes/{index_id}", 503)
        assert (await env(env.client.indexes.retrieve, index.id)).id == index.id
        env.fake.fail_next("GET /indexes/{index_id}", 500, times=3)
        with pytest.raises(InternalServerError) as info:
            await env(env.client.indexes.retrieve, index.id)
        assert info.value.status_code == 500 and info.value.code
        assert len(env.fake.calls("GET /indexes/{index_id}")) == 2 + 3 + 1  # create's retrieve, 2, then 3


@params(*BOTH)
async def test_5xx_on_upload_never_duplicates(mode: str, where: str, clip: Path) -> None:
    async with environment(mode, where) as env:
        index = await env(env.client.indexes.create, index_name="x", models=MARENGO)
        env.fake.fail_next("POST /tasks", 503, retry_after=0)
        task = await env(env.client.tasks.create_and_wait, index_id=index.id, file=clip)
        assert task.status == "ready"
        assert list(env.fake.tasks) == [task.id] and len(env.fake.calls("POST /tasks")) == 2
        assert env.fake.calls("GET /tasks")  # looked for the task before uploading again


@params(*BOTH)
async def test_dropped_connection_on_upload_never_duplicates(mode: str, where: str, clip: Path) -> None:
    async with environment(mode, where) as env:
        index = await env(env.client.indexes.create, index_name="x", models=MARENGO)
        await env(env.client.tasks.create_and_wait, index_id=index.id, file=clip)  # same file, earlier upload
        env.fake.drop_next("POST /tasks")
        created = await env(env.client.tasks.create, index_id=index.id, file=clip)
        assert len(env.fake.tasks) == 2 and created.id in env.fake.tasks
        assert len(env.fake.calls("POST /tasks")) == 3  # first upload, dropped attempt, one retry


@params(*BOTH)
async def test_dropped_connection_on_read_is_retried(mode: str, where: str) -> None:
    async with environment(mode, where) as env:
        env.fake.drop_next("GET /indexes", times=2)
        assert await env(lambda: _collect(env.client.indexes.list())) == []
        env.fake.drop_next("GET /indexes", times=3)
        with pytest.raises(APIConnectionError) as info:
            await env(lambda: _collect(env.client.indexes.list()))
        assert info.value.__cause__ is not None


async def _collect(pager: Any) -> list[Any]:
    if hasattr(pager, "__aiter__"):
        return [x async for x in pager]
    return list(pager)


@params(*BOTH)
async def test_cut_stream_is_a_connection_error_and_not_retried(mode: str, where: str, clip: Path) -> None:
    async with environment(mode, where) as env:
        index = await env(env.client.indexes.create, index_name="x", models=MARENGO)
        task = await env(env.client.tasks.create_and_wait, index_id=index.id, file=clip)
        env.fake.cut_stream_next()
        stream = await env(env.client.analyze, video_id=task.video_id, prompt="describe", stream=True)
        with pytest.raises(APIConnectionError):
            await env.events(stream)
        assert len(env.fake.calls("POST /analyze")) == 1


@params(*BOTH)
async def test_failed_task_raises_task_failed(mode: str, where: str, clip: Path) -> None:
    async with environment(mode, where) as env:
        index = await env(env.client.indexes.create, index_name="x", models=MARENGO)
        env.fake.fail_task_next()
        with pytest.raises(TaskFailedError) as info:
            await env(env.client.tasks.create_and_wait, index_id=index.id, file=clip)
        assert info.value.task.status == "failed" and info.value.task_id in env.fake.tasks
        env.fake.fail_task_next()
        with pytest.raises(TaskFailedError):
            await env(env.client.embed.tasks.create_and_wait, model_name="marengo3.0", video_file=clip)


@params("loopback")  # timeouts need a real socket; MockTransport cannot time out
async def test_latency_beyond_timeout_is_a_typed_timeout(mode: str, where: str) -> None:
    async with environment(mode, where, timeout=0.2, max_retries=1) as env:
        env.fake.add_latency("POST /embed", 0.6)
        with pytest.raises(APITimeoutError):
            await env(env.client.embed.create, model_name="marengo3.0", text="slow")
        assert len(env.fake.calls("POST /embed")) == 2 and len(env.sleeps) == 1
        env.fake.add_latency("POST /embed", 0.0)
        assert (await env(env.client.embed.create, model_name="marengo3.0", text="fast")).text_embedding
        deadline = time.monotonic() + 5
        while env.fake.in_flight and time.monotonic() < deadline:  # let the slow server threads finish
            time.sleep(0.02)
