"""Fixtures for the client tests: clients on a MockTransport handler, with recorded sleeps."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

import httpx
import pytest

from twelvelabs_rag import AsyncTwelveLabs, TwelveLabs

BASE = "http://api.test/v1.3"


class Harness:
    """Runs the same scenario on a sync or an async client (``await h.call(client.x.y, ...)``)."""

    def __init__(self, mode: str, handler: Callable[[httpx.Request], Any], *,
                 on_sleep: Callable[[float], None] | None = None, **kw: Any) -> None:
        self.mode = mode
        self.sleeps: list[float] = []

        def record(seconds: float) -> None:
            self.sleeps.append(seconds)
            if on_sleep is not None:
                on_sleep(seconds)
        kw.setdefault("api_key", "tlk_test")
        kw.setdefault("base_url", BASE)
        kw.setdefault("poll_interval", 0)
        if mode == "sync":
            if inspect.iscoroutinefunction(handler):
                raise TypeError("sync harness needs a sync handler")
            self.client: Any = TwelveLabs(transport=httpx.MockTransport(handler), sleep=record, **kw)
        else:
            async def sleep(seconds: float) -> None:
                record(seconds)
                await asyncio.sleep(0)

            self.client = AsyncTwelveLabs(transport=httpx.MockTransport(handler), sleep=sleep, **kw)

    async def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        result = fn(*args, **kwargs)
        if inspect.isawaitable(result):
            result = await result
        return result

    async def collect(self, pager: Any) -> list[Any]:
        if self.mode == "sync":
            return list(pager)
        return [item async for item in pager]


def multipart_fields(request: httpx.Request) -> list[tuple[str, str | None, bytes]]:
    """(name, filename, payload) of every part, in order."""
    body = request.read()
    msg = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + request.headers["content-type"].encode() + b"\r\n\r\n" + body
    )
    out = []
    for part in msg.iter_parts():
        out.append((part.get_param("name", header="content-disposition"), part.get_filename(),
                    part.get_payload(decode=True)))
    return out


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def make(mode: str) -> Callable[..., Harness]:
    """``make(handler, **client_kwargs)`` -> a Harness for the current mode."""
    return lambda handler, **kw: Harness(mode, handler, **kw)


@pytest.fixture
def parts() -> Callable[[httpx.Request], list[tuple[str, str | None, bytes]]]:
    return multipart_fields
