"""Table tests for the pure retry decisions in twelvelabs_rag._policy."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

import httpx
import pytest

from twelvelabs_rag._exceptions import APIConnectionError, APITimeoutError
from twelvelabs_rag._policy import (
    classify_transport_error,
    parse_retry_after,
    retry_delay,
    should_retry,
    translate_transport_error,
    upload_outcome,
)

NOW = 1_800_000_000.0


def _http_date(epoch: float) -> str:
    return format_datetime(datetime.fromtimestamp(epoch, tz=UTC), usegmt=True)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"retry-after": "3"}, 3.0),
        ({"Retry-After": "1.5"}, 1.5),
        ({"retry-after": "-4"}, 0.0),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),  # ms wins
        ({"retry-after": _http_date(NOW + 7)}, 7.0),
        ({"retry-after": _http_date(NOW - 30)}, 0.0),  # a date in the past means now
        ({"retry-after": "soon"}, None),  # unparsable is ignored
        ({"retry-after-ms": "abc", "retry-after": "2"}, 2.0),
        ({"x-ratelimit-reset": str(int(NOW + 12))}, 12.0),
        ({"X-Ratelimit-Reset": str(int(NOW - 5))}, 0.0),
        ({"retry-after": "nan"}, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(headers, NOW) == expected
    assert parse_retry_after(httpx.Headers(headers), NOW) == expected


@pytest.mark.parametrize(
    ("attempt", "headers", "jitter", "expected"),
    [
        (0, None, 0.0, 0.5),
        (1, None, 0.0, 1.0),
        (2, None, 0.0, 2.0),
        (3, None, 0.0, 4.0),
        (4, None, 0.0, 8.0),
        (10, None, 0.0, 8.0),  # capped at 8 s
        (0, None, 1.0, 0.375),  # at most 25 % jitter
        (4, None, 0.5, 7.0),
        (0, {"retry-after": "3"}, 0.9, 3.0),  # server advice is not jittered
        (0, {"retry-after": "600"}, 0.0, 60.0),  # capped at 60 s
        (0, {"retry-after-ms": "120000"}, 0.0, 60.0),
        (0, {"retry-after": _http_date(NOW + 90)}, 0.0, 60.0),
        (3, {"x-ratelimit-reset": str(int(NOW + 2))}, 0.0, 2.0),
    ],
)
def test_retry_delay(attempt: int, headers: dict[str, str] | None, jitter: float, expected: float) -> None:
    assert retry_delay(attempt, headers, NOW, jitter=jitter) == pytest.approx(expected)


def test_retry_delay_random_jitter_stays_in_band() -> None:
    for _ in range(200):
        assert 0.75 <= retry_delay(1, None, NOW) <= 1.0


@pytest.mark.parametrize(
    ("method", "status", "expected"),
    [
        ("GET", 200, False),
        ("GET", 400, False),
        ("GET", 401, False),
        ("GET", 403, False),
        ("GET", 404, False),
        ("GET", 408, True),
        ("POST", 409, True),
        ("GET", 413, False),
        ("POST", 422, False),
        ("POST", 429, True),
        ("GET", 500, True),
        ("POST", 502, True),
        ("DELETE", 503, True),
        ("PATCH", 504, True),
        ("GET", None, False),
    ],
)
def test_should_retry_status(method: str, status: int | None, expected: bool) -> None:
    assert should_retry(method, status) is expected


@pytest.mark.parametrize("kind", ["connect", "write", "timeout", "dropped"])
def test_should_retry_connection_errors(kind: str) -> None:
    assert should_retry("POST", error=kind) is True  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("hint", "status", "expected"), [("true", 400, True), ("false", 503, False), ("maybe", 503, True)]
)
def test_x_should_retry_header_wins(hint: str, status: int, expected: bool) -> None:
    assert should_retry("GET", status, headers={"x-should-retry": hint}) is expected


@pytest.mark.parametrize(
    ("status", "error", "expected"),
    [
        (None, "connect", "not_created"),
        (None, "write", "ambiguous"),
        (None, "timeout", "ambiguous"),
        (None, "dropped", "ambiguous"),
        (429, None, "not_created"),
        (408, None, "not_created"),
        (400, None, "not_created"),
        (409, None, "ambiguous"),
        (500, None, "ambiguous"),
        (503, None, "ambiguous"),
        (504, None, "ambiguous"),
    ],
)
def test_upload_outcome(status: int | None, error: str | None, expected: str) -> None:
    assert upload_outcome(status, error=error) == expected  # type: ignore[arg-type]


REQ = httpx.Request("POST", "http://x/v1.3/tasks?secret=1")


@pytest.mark.parametrize(
    ("exc", "kind", "cls"),
    [
        (httpx.ConnectError("refused", request=REQ), "connect", APIConnectionError),
        (httpx.ConnectTimeout("slow", request=REQ), "connect", APITimeoutError),
        (httpx.PoolTimeout("pool", request=REQ), "connect", APITimeoutError),
        (httpx.WriteError("broken pipe", request=REQ), "write", APIConnectionError),
        (httpx.WriteTimeout("w", request=REQ), "write", APITimeoutError),
        (httpx.ReadTimeout("r", request=REQ), "timeout", APITimeoutError),
        (httpx.ReadError("reset", request=REQ), "dropped", APIConnectionError),
        (httpx.RemoteProtocolError("gone", request=REQ), "dropped", APIConnectionError),
    ],
)
def test_transport_errors_classified_and_translated(exc: Exception, kind: str, cls: type) -> None:
    assert classify_transport_error(exc) == kind
    err = translate_transport_error(exc, REQ)
    assert type(err) is cls
    assert "POST http://x/v1.3/tasks" in str(err) and "secret" not in str(err)
