"""One error tree for everything the library raises.

::

    TwelveLabsError
    ├── ConfigurationError            missing api key, bad base_url, ...          (also ValueError)
    ├── PreflightError                media fails the API limits before upload    (also ValueError)
    ├── InvalidRequestError           bad arguments, caught before any I/O        (also ValueError)
    ├── APIConnectionError            network failure, dropped connection, bad stream
    │   └── APITimeoutError           the request timed out
    ├── APIResponseValidationError    the API answered 2xx with a body we cannot parse
    ├── APIStatusError                the API answered 4xx/5xx (carries code, message, status_code)
    │   ├── BadRequestError               400
    │   ├── AuthenticationError           401
    │   ├── PermissionDeniedError         403
    │   ├── NotFoundError                 404
    │   ├── RequestTimeoutError           408
    │   ├── ConflictError                 409
    │   ├── GoneError                     410
    │   ├── ContentTooLargeError          413
    │   ├── UnprocessableEntityError      422
    │   ├── RateLimitError                429 (``retry_after`` in seconds, or None)
    │   └── InternalServerError           >= 500
    │       ├── ServiceUnavailableError       503 (retried)
    │       └── GatewayTimeoutError           504 (retried)
    ├── TaskFailedError               an indexing or embedding task ended ``failed``
    └── WaitTimeoutError              ``wait``/``create_and_wait`` gave up (also TimeoutError)

No exception text ever contains the API key: messages are built from the response body and the
request's method and URL only, and :func:`redact` scrubs any key that could slip through. It is the
one choke point: every error built from a request or response redacts itself (its text, ``message``
and ``body``) against the key that request carried, and the client runs every error it raises
through it once more.

```python
from twelvelabs_rag._exceptions import redact_text
assert redact_text("key tlk_0123456789abcdef is bad", "tlk_0123456789abcdef") == "key <redacted> is bad"
assert redact_text("not known", "kno") == "not known"  # short keys: whole tokens only
```
"""

from __future__ import annotations

import re
from typing import Any, Literal

import httpx

__all__ = [
    "TwelveLabsError",
    "ConfigurationError",
    "PreflightError",
    "InvalidRequestError",
    "APIConnectionError",
    "APITimeoutError",
    "APIResponseValidationError",
    "APIStatusError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "RequestTimeoutError",
    "ConflictError",
    "GoneError",
    "ContentTooLargeError",
    "UnprocessableEntityError",
    "RateLimitError",
    "InternalServerError",
    "ServiceUnavailableError",
    "GatewayTimeoutError",
    "TaskFailedError",
    "WaitTimeoutError",
    "status_error_class",
    "REDACTED",
    "KEY_HEADER",
    "redact",
    "redact_text",
    "RedactedError",
    "safe_cause",
]

#: What replaces the key in any text.
REDACTED = "<redacted>"
#: The request header that carries the key.
KEY_HEADER = "x-api-key"
#: Keys at least this long are removed wherever they occur; shorter ones only as whole tokens, so a
#: toy key such as ``"kno"`` cannot turn "not known" into "not <redacted>wn".
_SUBSTRING_MIN = 12
_WORD = "A-Za-z0-9"


def _pattern(secret: str) -> re.Pattern[str]:
    body = re.escape(secret)
    return re.compile(body if len(secret) >= _SUBSTRING_MIN else f"(?<![{_WORD}]){body}(?![{_WORD}])")


def redact_text(text: str, secret: str | None) -> str:
    """``text`` with every occurrence of ``secret`` replaced by ``<redacted>`` (see ``_SUBSTRING_MIN``)."""
    if not secret or secret not in text:
        return text
    return _pattern(secret).sub(REDACTED, text)


def _scrub(value: Any, secret: str) -> Any:
    if isinstance(value, str):
        return redact_text(value, secret)
    if isinstance(value, (bytes, bytearray)):
        raw = bytes(value)
        if secret.encode("utf-8", "replace") not in raw:
            return value
        return redact_text(raw.decode("utf-8", "replace"), secret).encode("utf-8")
    if isinstance(value, dict):
        return {_scrub(k, secret): _scrub(v, secret) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_scrub(v, secret) for v in value)
    return value


class RedactedError(Exception):
    """Stands in, in an exception chain, for a foreign exception whose text held the key."""


def _text(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:  # a broken __str__ must not break redaction
        return ""


def _stand_in(exc: BaseException, secret: str) -> BaseException:
    """``exc`` itself when its text is clean, else a :class:`RedactedError` with its redacted text."""
    text = _text(exc)
    if secret not in text:
        return exc
    sub = RedactedError(f"{type(exc).__module__}.{type(exc).__qualname__}: {redact_text(text, secret)}")
    sub.__traceback__ = exc.__traceback__
    sub.__cause__, sub.__context__ = exc.__cause__, exc.__context__
    sub.__suppress_context__ = exc.__suppress_context__
    return sub


def redact(exc: BaseException, secret: str | None) -> BaseException:
    """Remove ``secret`` from an exception of any type and everything chained to it; returns the exception.

    Scrubs ``args`` (so ``str()``/``repr()``) and the ``message`` and ``body`` attributes in place,
    for the exception and every exception chained to it (``__cause__``/``__context__``, so a printed
    traceback is clean too). A chained foreign exception whose text is computed from other state
    (pydantic's ``ValidationError`` echoes the input) is replaced in the chain by a
    :class:`RedactedError` carrying its redacted text and traceback. Only the top exception, if it is
    such a foreign one, is returned as a stand-in (re-raise what this returns).
    """
    if not secret:
        return exc
    chain: list[BaseException] = []
    pending: list[BaseException | None] = [exc]
    while pending:  # first scrub every exception of the chain in place ...
        current = pending.pop()
        if current is None or any(current is seen for seen in chain):
            continue
        chain.append(current)
        try:
            current.args = tuple(_scrub(a, secret) for a in current.args)
            for attr in ("message", "body"):
                if attr in vars(current):
                    setattr(current, attr, _scrub(vars(current)[attr], secret))
        except RecursionError:  # a body nested deeper than we can walk: drop it rather than leak it
            vars(current)["body"] = "<body too deeply nested to redact>"
        except (AttributeError, TypeError):  # an exception type with read-only args
            pass
        pending += [current.__cause__, current.__context__]
    for current in chain:  # ... then replace the links whose text still holds the key
        if current.__cause__ is not None:
            current.__cause__ = _stand_in(current.__cause__, secret)
        if current.__context__ is not None:
            current.__context__ = _stand_in(current.__context__, secret)
    return _stand_in(exc, secret)


def _request_of(response: httpx.Response | None, request: httpx.Request | None = None) -> httpx.Request | None:
    if request is None and response is not None:
        try:
            request = response.request
        except RuntimeError:
            return None
    return request


def safe_cause(cause: BaseException, response: httpx.Response | None) -> BaseException:
    """What to chain (``raise err from safe_cause(exc, response)``) when ``exc``'s text may echo the key.

    An error redacts itself when built, but ``raise ... from`` links the cause afterwards; a foreign
    cause whose text holds the key (pydantic echoes the input) is replaced by a redacted stand-in.
    """
    req = _request_of(response)
    secret = req.headers.get(KEY_HEADER) if req is not None else None
    return redact(cause, secret)


def _redact_own(exc: TwelveLabsError, response: httpx.Response | None, request: httpx.Request | None = None) -> None:
    """An error built from a request or response scrubs the key that request carried."""
    req = _request_of(response, request)
    if req is not None:
        redact(exc, req.headers.get(KEY_HEADER))


class TwelveLabsError(Exception):
    """Base class of every error raised by twelvelabs_rag."""


class ConfigurationError(TwelveLabsError, ValueError):
    """The client was configured wrongly (for example no API key)."""


class PreflightError(TwelveLabsError, ValueError):
    """A media file or URL fails the API's limits; raised before any byte is uploaded.

    ``code`` mirrors the API's error code for the same problem (e.g. ``video_resolution_too_low``).
    """

    def __init__(self, message: str, *, code: str = "parameter_invalid", path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.path = path


class InvalidRequestError(TwelveLabsError, ValueError):
    """The call's arguments cannot make a valid request (wrong input for the model, a missing field, ...).

    Raised before any I/O; the message names the argument and the fix.
    """


#: How a request failed without an HTTP answer.
#: connect = never sent (connect error/timeout, pool timeout); write = failed while sending the body;
#: timeout = read timeout after the body was sent; dropped = connection lost after sending.
FailureKind = Literal["connect", "write", "timeout", "dropped"]


class APIConnectionError(TwelveLabsError):
    """The request never got an HTTP answer (DNS, refused, reset, cut stream)."""

    #: "connect" (never sent), "write", "timeout" or "dropped" (may have reached the server).
    failure_kind: FailureKind = "dropped"

    def __init__(self, message: str = "Connection error.", *, request: httpx.Request | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request = request
        _redact_own(self, None, request)


class APITimeoutError(APIConnectionError, TimeoutError):
    """The request timed out."""

    def __init__(self, message: str = "Request timed out.", *, request: httpx.Request | None = None) -> None:
        super().__init__(message, request=request)


class APIResponseValidationError(TwelveLabsError):
    """The API answered 2xx but the body does not match the documented shape."""

    def __init__(self, message: str, *, response: httpx.Response | None = None, body: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.response = response
        self.body = body
        _redact_own(self, response)


class APIStatusError(TwelveLabsError):
    """The API answered with a 4xx or 5xx status.

    Attributes: ``status_code``, ``code`` (the API's error code, e.g. ``resource_not_exist``),
    ``message`` (the API's message), ``body`` (parsed JSON or text), ``request_id`` and ``response``.
    """

    status_code: int = 0

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: str | None = None,
        body: Any = None,
        response: httpx.Response | None = None,
        request_id: str | None = None,
    ) -> None:
        self.status_code = status_code
        self.code = code
        self.message = message
        self.body = body
        self.response = response
        self.request_id = request_id
        method_url = ""
        if response is not None:
            try:
                req = response.request
                method_url = f" ({req.method} {req.url.copy_with(query=None)})"
            except RuntimeError:
                method_url = ""
        head = f"{status_code} {code}" if code else f"{status_code}"
        super().__init__(f"{head}: {message}{method_url}")
        _redact_own(self, response)


class BadRequestError(APIStatusError):
    status_code = 400


class AuthenticationError(APIStatusError):
    status_code = 401


class PermissionDeniedError(APIStatusError):
    status_code = 403


class NotFoundError(APIStatusError):
    status_code = 404


class RequestTimeoutError(APIStatusError):
    status_code = 408


class ConflictError(APIStatusError):
    status_code = 409


class GoneError(APIStatusError):
    """410: the resource existed but is gone for good (e.g. an expired knowledge-store search token)."""

    status_code = 410


class ContentTooLargeError(APIStatusError):
    status_code = 413


class UnprocessableEntityError(APIStatusError):
    status_code = 422


class RateLimitError(APIStatusError):
    """429. ``retry_after`` is the server's advice in seconds (None when it gave none)."""

    status_code = 429

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class InternalServerError(APIStatusError):
    status_code = 500


class ServiceUnavailableError(InternalServerError):
    """503: the service is overloaded or down for a moment (retried; e.g. analyze batches)."""

    status_code = 503


class GatewayTimeoutError(InternalServerError):
    """504: a gateway gave up waiting for the service (retried; e.g. analyze batches)."""

    status_code = 504


class TaskFailedError(TwelveLabsError):
    """An indexing task or an embedding task finished with status ``failed``."""

    def __init__(self, message: str, *, task_id: str, task: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.task_id = task_id
        self.task = task


class WaitTimeoutError(TwelveLabsError, TimeoutError):
    """Waiting for a task gave up after ``timeout`` seconds; the task itself goes on."""

    def __init__(self, message: str, *, task_id: str, last_status: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.task_id = task_id
        self.last_status = last_status


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    408: RequestTimeoutError,
    409: ConflictError,
    410: GoneError,
    413: ContentTooLargeError,
    422: UnprocessableEntityError,
    429: RateLimitError,
    503: ServiceUnavailableError,
    504: GatewayTimeoutError,
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The exception class for an HTTP status (other ``>= 500`` -> InternalServerError)."""
    if status_code in _STATUS_CLASSES:
        return _STATUS_CLASSES[status_code]
    return InternalServerError if status_code >= 500 else APIStatusError
