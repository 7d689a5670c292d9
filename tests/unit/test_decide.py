"""Table tests for ``_policy.decide``: the whole retry decision of one attempt, shared by both shells."""

from __future__ import annotations

import httpx
import pytest

from twelvelabs_rag._exceptions import (
    APIConnectionError,
    APITimeoutError,
    InternalServerError,
    NotFoundError,
    RateLimitError,
)
from twelvelabs_rag._policy import Action, AttemptState, decide

NOW = 1_800_000_000.0


def _conn(kind: str, cls: type[APIConnectionError] = APIConnectionError) -> APIConnectionError:
    err = cls("Connection error, connection failed (POST https://x/tasks): boom")
    err.failure_kind = kind
    return err


def _resp(status: int, headers: dict[str, str] | None = None, body: bytes = b"") -> httpx.Response:
    return httpx.Response(status, headers=headers, content=body, request=httpx.Request("POST", "https://x/tasks"))


def test_success_returns() -> None:
    assert decide(AttemptState("GET", 2), _resp(200), now=NOW) == Action("return")


@pytest.mark.parametrize(
    ("status", "headers", "retries", "can_recover", "kind", "recover", "delay", "pause"),
    [
        (503, {}, 0, False, "retry", False, 0.5, None),
        (503, {}, 1, False, "retry", False, 1.0, None),
        (503, {}, 2, False, "raise", False, 0.0, None),  # out of retries
        (503, {}, 0, True, "retry", True, 0.5, None),  # ambiguous upload: look first, then retry
        (500, {}, 2, True, "raise", True, 0.0, None),
        (409, {}, 0, True, "retry", True, 0.5, None),  # 409 is ambiguous and retryable
        (408, {}, 0, True, "retry", False, 0.5, None),  # rejected before processing: no lookup
        (404, {}, 0, True, "raise", False, 0.0, None),
        (400, {}, 0, False, "raise", False, 0.0, None),
        (429, {"retry-after": "3"}, 0, True, "retry", False, 3.0, 3.0),
        (429, {"retry-after": "3"}, 2, False, "raise", False, 0.0, 3.0),  # raised 429 still pauses the client
        (429, {"retry-after": "600"}, 0, False, "retry", False, 60.0, 60.0),  # capped
        (429, {}, 2, False, "raise", False, 0.0, 2.0),  # backoff for attempt 2 is the pause
        (503, {"x-should-retry": "false"}, 0, False, "raise", False, 0.0, None),
        (404, {"x-should-retry": "true"}, 0, False, "retry", False, 0.5, None),
        (503, {"retry-after": "7"}, 0, False, "retry", False, 7.0, None),
    ],
)
def test_http_failures(status, headers, retries, can_recover, kind, recover, delay, pause) -> None:
    action = decide(AttemptState("POST", 2, retries, can_recover), _resp(status, headers), now=NOW, jitter=0.0)
    assert (action.kind, action.recover, action.delay, action.pause) == (kind, recover, delay, pause)
    if kind == "retry":
        assert action.reason == f"HTTP {status}"
    if kind == "raise" or recover:
        assert action.error is not None and action.error.status_code == status  # type: ignore[attr-defined]
    else:
        assert action.error is None


def test_raised_errors_are_typed() -> None:
    state = AttemptState("GET", 0)
    assert isinstance(decide(state, _resp(404), now=NOW).error, NotFoundError)
    assert isinstance(decide(state, _resp(500), now=NOW).error, InternalServerError)
    err = decide(state, _resp(429, {"retry-after": "4"}), now=NOW).error
    assert isinstance(err, RateLimitError) and err.retry_after == 4.0


@pytest.mark.parametrize(
    ("failure", "retries", "can_recover", "kind", "recover"),
    [
        ("connect", 0, True, "retry", False),  # never sent: nothing to look up
        ("connect", 2, True, "raise", False),
        ("write", 0, True, "retry", True),
        ("timeout", 1, True, "retry", True),
        ("dropped", 2, True, "raise", True),
        ("dropped", 0, False, "retry", False),  # no lookup given
    ],
)
def test_connection_failures(failure, retries, can_recover, kind, recover) -> None:
    err = _conn(failure)
    action = decide(AttemptState("POST", 2, retries, can_recover), err, now=NOW, jitter=0.0)
    assert (action.kind, action.recover, action.error, action.pause) == (kind, recover, err, None)
    assert action.delay == (0.5 * 2**retries if kind == "retry" else 0.0)
    if kind == "retry":
        assert action.reason == "APIConnectionError"


def test_timeout_reason_names_the_class() -> None:
    action = decide(AttemptState("GET", 1), _conn("timeout", APITimeoutError), now=NOW, jitter=0.0)
    assert (action.kind, action.reason) == ("retry", "APITimeoutError")


def test_jitter_shortens_backoff_by_up_to_a_quarter() -> None:
    action = decide(AttemptState("GET", 2, 1), _resp(502), now=NOW, jitter=0.999)
    assert 0.75 <= action.delay <= 1.0


def test_state_next_counts_retries() -> None:
    state = AttemptState("POST", 3, 0, True).next().next()
    assert (state.retries, state.max_retries, state.can_recover) == (2, 3, True)
