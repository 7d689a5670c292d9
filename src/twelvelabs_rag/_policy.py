"""Pure decisions shared by the sync and async clients (no I/O anywhere in this module).

The client shells (`_client.py`) only send, sleep and loop; everything they decide comes from
here, so each rule is a table test away:

```python
from twelvelabs_rag._policy import retry_delay, should_retry
assert should_retry("GET", 503) and not should_retry("GET", 404)
assert retry_delay(0, {"retry-after": "3"}, now=0.0) == 3.0
```
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, Literal

import httpx

from . import _config
from ._exceptions import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    FailureKind,
    RateLimitError,
    TwelveLabsError,
    status_error_class,
)
from .types.embed import TERMINAL_EMBED_STATUSES
from .types.tasks import TERMINAL_TASK_STATUSES

__all__ = [
    "RETRYABLE_STATUSES",
    "FailureKind",
    "classify_transport_error",
    "translate_transport_error",
    "should_retry",
    "upload_outcome",
    "parse_retry_after",
    "retry_delay",
    "AttemptState",
    "Action",
    "decide",
    "parse_error_body",
    "error_from_response",
    "next_page_params",
    "is_terminal",
    "TERMINAL_STATUSES",
    "FAILED_STATUSES",
    "poll_delay",
]

#: Statuses worth another attempt: timeout, conflict (lock), rate limit, server errors.
RETRYABLE_STATUSES = frozenset({408, 409, 429, 503, 504})  # and every other 5xx (see should_retry)



# ---------------------------------------------------------------------------------------------
# Transport failures: the one boundary where httpx exceptions become ours.


def classify_transport_error(exc: BaseException) -> FailureKind:
    """Say whether a failed request may have reached the server (see docs/retries.md)."""
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)):
        return "connect"
    if isinstance(exc, (httpx.WriteError, httpx.WriteTimeout)):
        return "write"
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    return "dropped"


def translate_transport_error(exc: BaseException, request: httpx.Request | None = None) -> APIConnectionError:
    """Map an httpx exception to APIConnectionError/APITimeoutError (the caller chains with ``from``).

    The result's ``failure_kind`` says whether the request may have reached the server.
    """
    where = ""
    if request is not None:
        where = f" ({request.method} {request.url.copy_with(query=None)})"
    detail = type(exc).__name__ + (f": {exc}" if str(exc) else "")
    kind = classify_transport_error(exc)
    err: APIConnectionError
    if isinstance(exc, httpx.TimeoutException):
        err = APITimeoutError(f"Request timed out{where}: {detail}. Raise timeout=... if this is expected.",
                              request=request)
    else:
        hint = "could not connect" if kind == "connect" else "connection failed"
        err = APIConnectionError(f"Connection error, {hint}{where}: {detail}", request=request)
    err.failure_kind = kind  # read by the retry loop (upload_outcome)
    return err


def should_retry(
    method: str,
    status: int | None = None,
    *,
    error: FailureKind | None = None,
    headers: Mapping[str, str] | None = None,
) -> bool:
    """Whether a failed attempt is worth repeating (given retries are left).

    A server's ``x-should-retry: true|false`` header wins. Otherwise: connection failures and
    408/409/429/5xx are retried, other statuses are not. The method matters only for
    non-idempotent uploads, which the caller guards with :func:`upload_outcome`.
    """
    del method  # every endpoint of this API is safe to repeat once uploads are deduplicated
    if headers is not None:
        hint = headers.get("x-should-retry")
        if hint == "true":
            return True
        if hint == "false":
            return False
    if error is not None:
        return True
    if status is None:
        return False
    return status in RETRYABLE_STATUSES or status >= 500


def upload_outcome(
    status: int | None = None, *, error: FailureKind | None = None
) -> Literal["not_created", "ambiguous"]:
    """For ``POST /tasks``: did a failed attempt provably not create a task?

    ``not_created``: never sent (connect failure), 429 or 408 (rejected before processing), 4xx.
    ``ambiguous``: 5xx (including 503 with Retry-After), 409, a failure while sending the body,
    a read timeout or a dropped connection after sending. Ambiguous failures are resolved by
    looking up the task before uploading again.
    """
    if error is not None:
        return "not_created" if error == "connect" else "ambiguous"
    if status is None:
        return "ambiguous"
    if status in (408, 429) or (400 <= status < 500 and status != 409):
        return "not_created"
    return "ambiguous"


# ---------------------------------------------------------------------------------------------
# Retry timing


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    value = headers.get(name)
    if value is None and not isinstance(headers, httpx.Headers):
        lowered = {k.lower(): v for k, v in headers.items()}
        value = lowered.get(name.lower())
    return value


def parse_retry_after(headers: Mapping[str, str] | None, now: float) -> float | None:
    """Seconds the server asked us to wait, or None.

    Order: ``retry-after-ms`` (milliseconds), ``Retry-After`` (seconds or an HTTP date),
    ``X-Ratelimit-Reset`` (UTC epoch seconds). ``now`` is the current epoch time. Negative waits
    become 0; unparsable values are ignored.
    """
    raw = _header(headers, "retry-after-ms")
    if raw is not None:
        try:
            value = float(raw) / 1000.0
            if math.isfinite(value):
                return max(0.0, value)
        except ValueError:
            pass
    raw = _header(headers, "retry-after")
    if raw is not None:
        try:
            value = float(raw)
            if math.isfinite(value):
                return max(0.0, value)
        except ValueError:
            try:
                when = parsedate_to_datetime(raw)
            except (TypeError, ValueError, IndexError):
                when = None
            if when is not None:
                return max(0.0, when.timestamp() - now)
    raw = _header(headers, "x-ratelimit-reset")
    if raw is not None:
        try:
            value = float(raw)
            if math.isfinite(value):
                return max(0.0, value - now)
        except ValueError:
            pass
    return None


def retry_delay(
    attempt: int, headers: Mapping[str, str] | None, now: float, *, jitter: float | None = None
) -> float:
    """Seconds to sleep before retry number ``attempt`` (0 for the first retry).

    The server's advice (:func:`parse_retry_after`) is used when present, capped at
    ``MAX_RETRY_AFTER`` (60 s). Otherwise ``0.5 s * 2**attempt`` capped at 8 s, reduced by up to
    25 % jitter (``jitter`` in [0, 1) picks the fraction; random when None).
    """
    advice = parse_retry_after(headers, now)
    if advice is not None:
        return min(advice, _config.MAX_RETRY_AFTER)
    base = min(_config.INITIAL_RETRY_DELAY * (2.0 ** max(0, attempt)), _config.MAX_RETRY_DELAY)
    if jitter is None:
        jitter = random.random()
    return base * (1.0 - 0.25 * min(max(jitter, 0.0), 1.0))


@dataclass(frozen=True, slots=True)
class AttemptState:
    """Where a request's retry loop stands: ``retries`` already spent of ``max_retries``.

    ``can_recover`` says the caller gave a ``recover()`` lookup (uploads), which is asked after an
    ambiguous HTTP failure; after an ambiguous connection failure it is always asked when given.
    """

    method: str
    max_retries: int
    retries: int = 0
    can_recover: bool = False

    def next(self) -> AttemptState:
        """The state for the next attempt."""
        return AttemptState(self.method, self.max_retries, self.retries + 1, self.can_recover)


@dataclass(frozen=True, slots=True)
class Action:
    """What the shell does with one attempt's outcome, in this order.

    1. ``recover``: call ``recover()`` with ``error`` (redacted) and return what it finds, if anything;
    2. ``pause``: a 429 holds back every request of the client for ``pause`` seconds;
    3. ``kind``: ``return`` the response, ``retry`` after sleeping ``delay`` seconds (log ``reason``),
       or ``raise`` ``error`` (redacted).
    """

    kind: Literal["return", "retry", "raise"]
    error: TwelveLabsError | None = None
    recover: bool = False
    delay: float = 0.0
    pause: float | None = None
    reason: str = ""


_RETURN = Action("return")


def decide(
    state: AttemptState, outcome: httpx.Response | APIConnectionError, *, now: float, jitter: float | None = None
) -> Action:
    """The whole retry decision for one attempt (``now`` is epoch seconds, ``jitter`` as in :func:`retry_delay`).

    ```python
    state = AttemptState("GET", max_retries=2)
    action = decide(state, httpx.Response(503), now=0.0, jitter=0.0)
    assert (action.kind, action.delay) == ("retry", 0.5)
    ```
    """
    left = state.retries < state.max_retries
    if isinstance(outcome, APIConnectionError):
        kind = outcome.failure_kind
        recover = state.can_recover and upload_outcome(error=kind) == "ambiguous"
        if left and should_retry(state.method, error=kind):
            delay = retry_delay(state.retries, None, now, jitter=jitter)
            return Action("retry", outcome, recover, delay, None, type(outcome).__name__)
        return Action("raise", outcome, recover)
    if outcome.is_success:
        return _RETURN
    status = outcome.status_code
    recover = state.can_recover and upload_outcome(status) == "ambiguous"
    retry = left and should_retry(state.method, status, headers=outcome.headers)
    delay = 0.0
    if retry or status == 429:
        delay = retry_delay(state.retries, outcome.headers, now, jitter=jitter)
    pause = delay if status == 429 else None
    error = error_from_response(outcome, now=now) if recover or not retry else None
    if retry:
        return Action("retry", error, recover, delay, pause, f"HTTP {status}")
    return Action("raise", error, recover, 0.0, pause)


# ---------------------------------------------------------------------------------------------
# Error bodies


def parse_error_body(content: bytes) -> tuple[str | None, str | None, Any]:
    """Return ``(code, message, body)`` from an error body.

    Accepts the flat ``{code, message}`` shape, the nested ``{error: {code, message}}`` shape,
    the old ``{error_code: int, message}`` shape, plain text and an empty body.
    """
    if not content or not content.strip():
        return None, None, None
    try:
        body = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        text = content.decode("utf-8", "replace").strip()
        return None, text[:500] or None, text
    if not isinstance(body, dict):
        return None, None, body
    source: Mapping[str, Any] = body
    nested = body.get("error")
    if isinstance(nested, dict):
        source = nested
    elif isinstance(nested, str) and "message" not in body:
        source = {"message": nested}
    code = source.get("code", source.get("error_code"))
    message = source.get("message")
    return (None if code is None else str(code)), (None if message is None else str(message)), body


def error_from_response(response: httpx.Response, *, now: float | None = None) -> APIStatusError:
    """Build the typed error for a 4xx/5xx response (its body must already be read)."""
    code, message, body = parse_error_body(response.content)
    status = response.status_code
    if not message:
        reason = response.reason_phrase or "error"
        message = f"HTTP {status} {reason} with {'an empty' if body is None else 'no message in the'} body"
    cls = status_error_class(status)
    kwargs: dict[str, Any] = {
        "status_code": status,
        "code": code,
        "body": body,
        "response": response,
        "request_id": response.headers.get("x-request-id") or response.headers.get("request-id"),
    }
    if cls is RateLimitError:
        advice = parse_retry_after(response.headers, time.time() if now is None else now)
        return RateLimitError(message, retry_after=advice, **kwargs)
    return cls(message, **kwargs)


# ---------------------------------------------------------------------------------------------
# Paging and polling


def next_page_params(params: Mapping[str, Any], page_info: Mapping[str, Any] | Any,
                     n_items: int) -> dict[str, Any] | None:
    """Params for the next ``page``-paged request, or None when the list is done.

    Stops on an empty page, or when ``page_info.total_page`` says this was the last page (which
    saves the extra empty request the official SDK makes). The page we asked for wins over the
    page the server echoes, so a server that omits ``page_info`` cannot make us loop.
    """
    if n_items == 0:
        return None
    info = page_info if isinstance(page_info, Mapping) else getattr(page_info, "__dict__", {})
    page = int(params.get("page") or info.get("page") or 1)
    total = info.get("total_page")
    if isinstance(total, int) and total > 0 and page >= total:
        return None
    nxt = dict(params)
    nxt["page"] = page + 1
    return nxt



#: Final statuses per kind of task (analyze tasks can also end ``canceled``).
TERMINAL_STATUSES: dict[str, frozenset[str]] = {
    "task": TERMINAL_TASK_STATUSES, "embed": TERMINAL_EMBED_STATUSES,
    "analyze": frozenset({"ready", "failed", "canceled"}),
}
#: Final statuses that are failures (the waiter raises TaskFailedError on them).
FAILED_STATUSES = frozenset({"failed", "canceled"})


def is_terminal(status: str | None, *, kind: Literal["task", "embed", "analyze"] = "task") -> bool:
    """Whether a task status is final (``ready`` or ``failed``; analyze tasks also ``canceled``)."""
    return status in TERMINAL_STATUSES[kind]


def poll_delay(*, interval: float, elapsed: float, timeout: float | None) -> float | None:
    """Seconds to sleep before the next poll, or None when ``timeout`` has run out.

    The last sleep is shortened so the final poll happens right at the deadline.
    """
    interval = max(0.0, interval)
    if timeout is None:
        return interval
    remaining = timeout - elapsed
    if remaining <= 0:
        return None
    return min(interval, remaining)
