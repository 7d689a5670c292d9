"""Configuration precedence and key redaction (repr, exception text, logs)."""

from __future__ import annotations

import logging

import httpx
import pytest

from twelvelabs_rag import AsyncTwelveLabs, AuthenticationError, ConfigurationError, TwelveLabs
from twelvelabs_rag._config import DEFAULT_BASE_URL, resolve_api_key, resolve_base_url

KEY = "tlk_SUPERSECRET_0123456789"


@pytest.mark.parametrize(
    ("arg", "env", "expected"),
    [
        ("a", {"TWELVELABS_API_KEY": "b", "TWELVE_LABS_API_KEY": "c"}, "a"),
        (None, {"TWELVELABS_API_KEY": "b", "TWELVE_LABS_API_KEY": "c"}, "b"),
        (None, {"TWELVE_LABS_API_KEY": "c"}, "c"),
        (None, {"TWELVELABS_API_KEY": "  ", "TWELVE_LABS_API_KEY": "c"}, "c"),
    ],
)
def test_api_key_precedence(arg: str | None, env: dict[str, str], expected: str) -> None:
    assert resolve_api_key(arg, env) == expected


def test_missing_key_names_argument_and_env_var() -> None:
    with pytest.raises(ConfigurationError) as info:
        resolve_api_key(None, {})
    assert "api_key" in str(info.value) and "TWELVELABS_API_KEY" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_missing_key_in_constructor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TWELVELABS_API_KEY", raising=False)
    monkeypatch.delenv("TWELVE_LABS_API_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="TWELVELABS_API_KEY"):
        TwelveLabs()
    with pytest.raises(ConfigurationError, match="TWELVELABS_API_KEY"):
        AsyncTwelveLabs()


@pytest.mark.parametrize(
    ("arg", "env", "expected"),
    [
        ("http://a/v1.3/", {"TWELVELABS_BASE_URL": "http://b/v1.3"}, "http://a/v1.3"),
        (None, {"TWELVELABS_BASE_URL": "http://b/v1.3"}, "http://b/v1.3"),
        (None, {}, DEFAULT_BASE_URL),
    ],
)
def test_base_url_precedence(arg: str | None, env: dict[str, str], expected: str) -> None:
    assert resolve_base_url(arg, env) == expected


def test_bad_base_url() -> None:
    with pytest.raises(ConfigurationError, match="http"):
        resolve_base_url("ftp://x", {})


def test_env_key_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = []
    monkeypatch.setenv("TWELVELABS_API_KEY", KEY)
    monkeypatch.setenv("TWELVELABS_BASE_URL", "http://127.0.0.1:9/v1.3")

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.headers["x-api-key"], str(request.url)))
        return httpx.Response(200, json={"_id": "i1", "index_name": "n"})

    with TwelveLabs(transport=httpx.MockTransport(handler)) as client:
        client.indexes.retrieve("i1")
    assert seen == [(KEY, "http://127.0.0.1:9/v1.3/indexes/i1")]


def test_key_never_in_repr_or_401_text(caplog: pytest.LogCaptureFixture) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        # a hostile server echoing the key back must not leak it through our exception
        echoed = f"key {request.headers['x-api-key']} is bad"
        return httpx.Response(401, json={"code": "api_key_invalid", "message": echoed})

    caplog.set_level(logging.DEBUG)
    client = TwelveLabs(api_key=KEY, transport=httpx.MockTransport(handler), max_retries=0)
    assert KEY not in repr(client) and "redacted" in repr(client)
    with pytest.raises(AuthenticationError) as info:
        client.indexes.retrieve("i1")
    assert info.value.code == "api_key_invalid"
    assert KEY not in str(info.value) and KEY not in info.value.message and KEY not in repr(info.value)
    assert KEY not in caplog.text
    assert KEY not in repr(AsyncTwelveLabs(api_key=KEY))


def test_http_client_and_transport_are_exclusive() -> None:
    with pytest.raises(ConfigurationError):
        TwelveLabs(api_key="k", http_client=httpx.Client(),
                   transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    with pytest.raises(ConfigurationError):
        TwelveLabs(api_key="k", max_retries=-1)
