"""The statuses of the current API (410, 503, 504), the nested embed-v2 error body, and their retry decisions."""

from __future__ import annotations

import httpx
import pytest

from twelvelabs_rag import (
    APIStatusError,
    ContentTooLargeError,
    GatewayTimeoutError,
    GoneError,
    InternalServerError,
    ServiceUnavailableError,
    TwelveLabsError,
)
from twelvelabs_rag._exceptions import status_error_class
from twelvelabs_rag._policy import AttemptState, decide, error_from_response, should_retry

NOW = 1_800_000_000.0


def _resp(status: int, body: bytes = b"", method: str = "POST", path: str = "/v1.3/analyze/batches") -> httpx.Response:
    return httpx.Response(status, content=body, request=httpx.Request(method, "https://x" + path))


@pytest.mark.parametrize(
    ("status", "cls"),
    [(410, GoneError), (503, ServiceUnavailableError), (504, GatewayTimeoutError), (500, InternalServerError),
     (502, InternalServerError), (413, ContentTooLargeError), (418, APIStatusError)],
)
def test_status_classes(status, cls):
    assert status_error_class(status) is cls


def test_new_5xx_classes_stay_internal_server_errors():
    # code written against the seed (``except InternalServerError``) keeps catching 503/504
    assert issubclass(ServiceUnavailableError, InternalServerError)
    assert issubclass(GatewayTimeoutError, InternalServerError)
    assert issubclass(GoneError, APIStatusError) and issubclass(GoneError, TwelveLabsError)


@pytest.mark.parametrize(
    ("status", "body", "cls", "code", "message"),
    [
        # embed-v2 nests its error body
        (413, b'{"error": {"code": "media_too_large", "message": "The image is larger than 32 MB.", "details": {}}}',
         ContentTooLargeError, "media_too_large", "The image is larger than 32 MB."),
        (400, b'{"error": {"code": "parameter_invalid", "message": "embedding_dimension needs marengo3.5"}}',
         APIStatusError, "parameter_invalid", "embedding_dimension needs marengo3.5"),
        # batches: 503/504 with the nested ErrorResponse
        (503, b'{"error": {"code": "service_unavailable", "message": "Try again shortly."}}',
         ServiceUnavailableError, "service_unavailable", "Try again shortly."),
        (504, b'{"error": {"code": "gateway_timeout", "message": "Upstream timed out."}}',
         GatewayTimeoutError, "gateway_timeout", "Upstream timed out."),
        (410, b'{"code": "token_expired", "message": "The search token expired; search again."}',
         GoneError, "token_expired", "The search token expired; search again."),
        (503, b"", ServiceUnavailableError, None, "HTTP 503 Service Unavailable with an empty body"),
    ],
)
def test_error_from_response(status, body, cls, code, message):
    err = error_from_response(_resp(status, body))
    assert type(err) is cls or isinstance(err, cls)
    assert (err.status_code, err.code, err.message) == (status, code, message)
    assert "POST https://x/v1.3/analyze/batches" in str(err)


@pytest.mark.parametrize(("status", "retried"), [(503, True), (504, True), (410, False), (413, False)])
def test_should_retry(status, retried):
    assert should_retry("POST", status) is retried


@pytest.mark.parametrize(
    ("status", "retries", "kind", "error_cls"),
    [
        (503, 0, "retry", None),
        (504, 0, "retry", None),
        (503, 2, "raise", ServiceUnavailableError),  # out of retries: the typed error
        (504, 2, "raise", GatewayTimeoutError),
        (410, 0, "raise", GoneError),  # gone is final
    ],
)
def test_decide(status, retries, kind, error_cls):
    action = decide(AttemptState("POST", 2, retries), _resp(status), now=NOW, jitter=0.0)
    assert action.kind == kind
    if error_cls is None:
        assert action.error is None and action.delay == 0.5 * 2**retries
    else:
        assert type(action.error) is error_cls
