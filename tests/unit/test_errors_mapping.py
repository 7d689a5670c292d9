"""Error mapping from every body shape, and the status-to-class table."""

from __future__ import annotations

import httpx
import pytest

from twelvelabs_rag import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ContentTooLargeError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestTimeoutError,
    UnprocessableEntityError,
)
from twelvelabs_rag._policy import error_from_response, parse_error_body

REQ = httpx.Request("GET", "http://x/v1.3/tasks/abc")


@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        (b'{"code": "resource_not_exist", "message": "nope", "docs_url": "u"}', "resource_not_exist", "nope"),
        (b'{"error": {"code": "parameter_invalid", "message": "bad", "details": {}}}', "parameter_invalid", "bad"),
        (b'{"error_code": 12, "message": "expired token"}', "12", "expired token"),
        (b'{"error": "plain string"}', None, "plain string"),
        (b"", None, None),
        (b"   ", None, None),
        (b"upstream exploded", None, "upstream exploded"),
        (b"[1, 2]", None, None),
        (b'{"message": "only a message"}', None, "only a message"),
    ],
)
def test_parse_error_body(content: bytes, code: str | None, message: str | None) -> None:
    got_code, got_message, _ = parse_error_body(content)
    assert (got_code, got_message) == (code, message)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (408, RequestTimeoutError),
        (409, ConflictError),
        (413, ContentTooLargeError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (502, InternalServerError),
        (502, InternalServerError),  # 503/504 have their own subclasses (test_current_errors.py),
        (418, APIStatusError),
    ],
)
def test_status_to_class(status: int, cls: type[APIStatusError]) -> None:
    resp = httpx.Response(status, json={"code": "c", "message": "m"}, request=REQ, headers={"x-request-id": "r1"})
    err = error_from_response(resp)
    assert type(err) is cls
    assert (err.status_code, err.code, err.message, err.request_id) == (status, "c", "m", "r1")
    assert str(err) == f"{status} c: m (GET http://x/v1.3/tasks/abc)"


def test_empty_body_still_gives_a_useful_message() -> None:
    err = error_from_response(httpx.Response(429, content=b"", request=REQ, headers={"retry-after": "4"}))
    assert isinstance(err, RateLimitError)
    assert err.retry_after == 4.0 and err.code is None and err.body is None
    assert "429" in str(err) and "empty" in err.message


def test_nested_body_maps_to_typed_error() -> None:
    resp = httpx.Response(404, json={"error": {"code": "resource_not_exist", "message": "no video"}}, request=REQ)
    err = error_from_response(resp)
    assert isinstance(err, NotFoundError) and err.code == "resource_not_exist" and err.message == "no video"
