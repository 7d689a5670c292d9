"""The API key never reaches exception text, ``.body``, header reprs or the CLI (issue 9, item 18).

Every error built from a request redacts itself against the key that request carried (the one
choke point, ``_exceptions.redact``), keys that cannot go in a header are refused at construction
without being echoed, and short keys are redacted as whole tokens only.
"""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from twelvelabs_rag import (
    APIResponseValidationError,
    AsyncTwelveLabs,
    AuthenticationError,
    ConfigurationError,
    TwelveLabs,
)
from twelvelabs_rag._exceptions import redact, redact_text

KEY = "tlk_SUPERSECRET0123456789abcd"


def _echo_2xx_not_json(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=b"<html>your key is " + request.headers["x-api-key"].encode() + b"</html>")


def _echo_2xx_bad_shape(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"_id": 5, "index_name": {"echo": request.headers["x-api-key"]}})


def _echo_ndjson(request: httpx.Request) -> httpx.Response:
    key = request.headers["x-api-key"]
    lines = b'{"event_type":"stream_start"}\nnot json ' + key.encode() + b"\n"
    return httpx.Response(200, content=lines, headers={"content-type": "application/x-ndjson"})


def _echo_401(request: httpx.Request) -> httpx.Response:
    key = request.headers["x-api-key"]
    return httpx.Response(401, json={"code": "api_key_invalid", "message": f"key {key} is bad", "echo": [key]})


def _assert_clean(exc: BaseException) -> None:
    texts = [str(exc), repr(exc), repr(getattr(exc, "body", None)), str(getattr(exc, "message", ""))]
    response = getattr(exc, "response", None)
    request = getattr(exc, "request", None) or (response.request if response is not None else None)
    if request is not None:
        texts += [repr(request.headers), str(request.headers), repr(request)]
    for text in texts:
        assert KEY not in text, text
    assert "<redacted>" in str(exc) + repr(getattr(exc, "body", None))


@pytest.mark.parametrize(
    ("handler", "call", "error"),
    [
        (_echo_2xx_not_json, lambda c: c.indexes.retrieve("i1"), APIResponseValidationError),
        (_echo_2xx_bad_shape, lambda c: c.indexes.retrieve("i1"), APIResponseValidationError),
        (_echo_401, lambda c: c.indexes.retrieve("i1"), AuthenticationError),
        (_echo_ndjson, lambda c: list(c.analyze(video_id="v", prompt="p", stream=True)), APIResponseValidationError),
    ],
)
def test_sync_errors_are_redacted(handler, call, error) -> None:
    with TwelveLabs(api_key=KEY, transport=httpx.MockTransport(handler), max_retries=0) as client:
        with pytest.raises(error) as info:
            call(client)
    _assert_clean(info.value)


@pytest.mark.parametrize("handler", [_echo_2xx_not_json, _echo_2xx_bad_shape, _echo_401, _echo_ndjson])
def test_async_errors_are_redacted(handler) -> None:
    async def main() -> BaseException:
        async with AsyncTwelveLabs(api_key=KEY, transport=httpx.MockTransport(handler), max_retries=0) as client:
            try:
                if handler is _echo_ndjson:
                    stream = await client.analyze(video_id="v", prompt="p", stream=True)
                    [e async for e in stream]
                else:
                    await client.indexes.retrieve("i1")
            except Exception as exc:  # inspected below
                return exc
        raise AssertionError("no error")

    _assert_clean(asyncio.run(main()))


@pytest.mark.parametrize(
    "bad", ["tlk_SECRET\r\nx-evil: 1", "tlk_SECRET\ndef", "tlk_äSECRET", "tlk_SE CRET", "tlk_\x00SECRET"],
)
def test_key_that_cannot_be_a_header_is_refused_without_echo(bad: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for cls in (TwelveLabs, AsyncTwelveLabs):
        with pytest.raises(ConfigurationError) as info:
            cls(api_key=bad)
        assert "SECRET" not in str(info.value) and "CRET" not in str(info.value) and "position" in str(info.value)
    if "\x00" in bad:
        return  # an environment variable cannot hold a NUL
    monkeypatch.setenv("TWELVELABS_API_KEY", bad)
    with pytest.raises(ConfigurationError, match="TWELVELABS_API_KEY") as info:
        TwelveLabs()
    assert "CRET" not in str(info.value)


def test_surrounding_whitespace_is_still_stripped() -> None:
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["x-api-key"])
        return httpx.Response(200, json={"_id": "i1", "index_name": "n"})

    with TwelveLabs(api_key=f"  {KEY}\n", transport=httpx.MockTransport(handler)) as client:
        client.indexes.retrieve("i1")
    assert seen == [KEY]


def test_header_repr_masks_the_key() -> None:
    with TwelveLabs(api_key=KEY, transport=httpx.MockTransport(_echo_401), max_retries=0) as client:
        with pytest.raises(AuthenticationError) as info:
            client.indexes.retrieve("i1")
    headers = info.value.response.request.headers
    assert KEY not in repr(headers) and "[secure]" in repr(headers)
    assert headers["x-api-key"] == KEY  # still sendable: only the repr is masked, as httpx does for Authorization


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ("not known", "kno", "not known"),
        ("key kno is bad", "kno", "key <redacted> is bad"),
        ('{"k":"kno"}', "kno", '{"k":"<redacted>"}'),
        (f"x{KEY}y", KEY, "x<redacted>y"),  # real-length keys go wherever they appear
        ("nothing here", KEY, "nothing here"),
    ],
)
def test_redact_text(text: str, key: str, expected: str) -> None:
    assert redact_text(text, key) == expected


def test_redact_reaches_body_message_and_chained_errors() -> None:
    inner = ValueError(f"inner {KEY}")
    err = APIResponseValidationError(f"outer {KEY}", body={"a": [KEY, b"raw " + KEY.encode()]})
    err.__cause__ = inner
    redact(err, KEY)
    assert KEY not in str(err) + err.message + json.dumps(err.body, default=repr) + str(inner)


def test_deeply_nested_body_cannot_crash_redaction() -> None:
    body: list = [KEY]
    for _ in range(100_000):
        body = [body]
    err = APIResponseValidationError("bad", body=body)
    redact(err, KEY)
    assert err.body == "<body too deeply nested to redact>"


def test_lazy_clients_report_a_bad_key_instead_of_using_the_environments(monkeypatch: pytest.MonkeyPatch) -> None:
    from twelvelabs_rag import LazyClients

    monkeypatch.setenv("TWELVELABS_API_KEY", KEY)
    lazy = LazyClients("tlk_SECRET\r\nx-evil: 1")
    assert not lazy.can_build
    with pytest.raises(ConfigurationError, match="line break") as info:
        lazy.sync  # noqa: B018 - building is the point
    assert "SECRET" not in str(info.value)

    async def build() -> None:
        lazy.aio  # noqa: B018

    with pytest.raises(ConfigurationError, match="line break"):
        asyncio.run(build())


def test_task_failure_text_is_redacted() -> None:
    from twelvelabs_rag import TaskFailedError

    def handler(request: httpx.Request) -> httpx.Response:
        key = request.headers["x-api-key"]
        return httpx.Response(200, json={"_id": "t1", "index_id": "i1", "status": "failed",
                                         "error": {"message": f"bad key {key}"}})

    with TwelveLabs(api_key=KEY, transport=httpx.MockTransport(handler), poll_interval=0) as client:
        with pytest.raises(TaskFailedError) as info:
            client.tasks.wait("t1")
    assert KEY not in str(info.value) and "<redacted>" in str(info.value)

    async def main() -> BaseException:
        async with AsyncTwelveLabs(api_key=KEY, transport=httpx.MockTransport(handler), poll_interval=0) as client:
            try:
                await client.tasks.wait("t1")
            except TaskFailedError as exc:
                return exc
        raise AssertionError("no error")

    exc = asyncio.run(main())
    assert KEY not in str(exc) and "<redacted>" in str(exc)
