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
request's method and URL only, and :func:`redact` scrubs any key that could slip through.
"""

from __future__ import annotations

from typing import Any

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
]


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


class APIConnectionError(TwelveLabsError):
    """The request never got an HTTP answer (DNS, refused, reset, cut stream)."""

    #: "connect" (never sent), "write", "timeout" or "dropped" (may have reached the server).
    failure_kind: str = "dropped"

    def __init__(self, message: str = "Connection error.", *, request: httpx.Request | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request = request


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
