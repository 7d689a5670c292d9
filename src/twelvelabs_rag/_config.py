"""Defaults and environment resolution for the client.

Precedence everywhere: explicit argument > environment variable > default. Resolution happens in
the client's constructor, never at import time.

```python
from twelvelabs_rag._config import resolve_base_url
assert resolve_base_url("http://127.0.0.1:9/v1.3/") == "http://127.0.0.1:9/v1.3"
```
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import httpx

from ._exceptions import ConfigurationError, TwelveLabsError
from ._version import __version__

if TYPE_CHECKING:
    from ._request import RequestSpec
    from .resources._files import MultipartBody

log = logging.getLogger("twelvelabs_rag")

__all__ = [
    "API_KEY_ENV",
    "API_KEY_ENV_ALT",
    "API_KEY_ENVS",
    "BASE_URL_ENV",
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "DEFAULT_MAX_RETRIES",
    "INITIAL_RETRY_DELAY",
    "MAX_RETRY_DELAY",
    "MAX_RETRY_AFTER",
    "DEFAULT_POLL_INTERVAL",
    "UPLOAD_TOKEN_KEY",
    "UPLOAD_LOOKUP_SKEW",
    "UPLOAD_RECOVERY_TIMEOUT",
    "resolve_api_key",
    "resolve_base_url",
    "BaseClient",
]

API_KEY_ENV = "TWELVELABS_API_KEY"
API_KEY_ENV_ALT = "TWELVE_LABS_API_KEY"
#: Every environment variable the key is read from, in order (the framework packages read the same).
API_KEY_ENVS = (API_KEY_ENV, API_KEY_ENV_ALT)
BASE_URL_ENV = "TWELVELABS_BASE_URL"
DEFAULT_BASE_URL = "https://api.twelvelabs.io/v1.3"

#: Seconds for every phase of one HTTP request (connect, write, read, pool).
DEFAULT_TIMEOUT = 60.0
#: Retries after the first attempt (so 3 attempts in total).
DEFAULT_MAX_RETRIES = 2
#: Backoff is INITIAL_RETRY_DELAY * 2**n, capped at MAX_RETRY_DELAY, minus up to 25 % jitter.
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
#: A server's Retry-After advice is honoured up to this many seconds.
MAX_RETRY_AFTER = 60.0
#: Seconds between polls of a task (`wait`, `create_and_wait`) when the caller gives none.
DEFAULT_POLL_INTERVAL = 5.0
#: Reserved user_metadata key holding the client-generated id of an upload (dedupe after failures).
UPLOAD_TOKEN_KEY = "tlrag_upload_id"
#: Seconds of slack when matching a task's ``created_at`` (second resolution) to an upload's start.
UPLOAD_LOOKUP_SKEW = 5.0
#: Seconds to wait for a candidate task to settle when verifying an interrupted upload.
UPLOAD_RECOVERY_TIMEOUT = 900.0


def resolve_api_key(api_key: str | None, environ: Mapping[str, str] | None = None) -> str:
    """Return the API key from the argument, else ``TWELVELABS_API_KEY``, else ``TWELVE_LABS_API_KEY``.

    Raises:
        ConfigurationError: when none is set (the message names the argument and both variables).
    """
    env = os.environ if environ is None else environ
    for candidate in (api_key, env.get(API_KEY_ENV), env.get(API_KEY_ENV_ALT)):
        if candidate is not None and candidate.strip():
            return candidate.strip()
    raise ConfigurationError(
        "No TwelveLabs API key: pass api_key=... to TwelveLabs()/AsyncTwelveLabs() or set the "
        f"{API_KEY_ENV} environment variable ({API_KEY_ENV_ALT} is also read)."
    )


def resolve_base_url(base_url: str | None, environ: Mapping[str, str] | None = None) -> str:
    """Return the base URL (argument > ``TWELVELABS_BASE_URL`` > production), without a trailing slash.

    Raises:
        ConfigurationError: when the URL is not http(s).
    """
    env = os.environ if environ is None else environ
    url = base_url or env.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ConfigurationError(
            f"base_url must start with http:// or https:// (got {url!r}); pass base_url=... or set "
            f"{BASE_URL_ENV}, e.g. https://api.twelvelabs.io/v1.3"
        )
    return url


class BaseClient:
    """Configuration shared by ``TwelveLabs`` and ``AsyncTwelveLabs`` (resolved once, no I/O)."""

    def __init__(
        self,
        api_key: str | None,
        *,
        base_url: str | None,
        timeout: float | httpx.Timeout | None,
        max_retries: int,
        preflight: bool,
        default_headers: Mapping[str, str] | None,
        poll_interval: float | None,
        clock: Callable[[], float] | None,
    ) -> None:
        self._api_key = resolve_api_key(api_key)
        self.base_url = resolve_base_url(base_url)
        if max_retries < 0:
            raise ConfigurationError(f"max_retries must be >= 0 (got {max_retries})")
        self.max_retries = max_retries
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self.preflight = preflight
        self.poll_interval = DEFAULT_POLL_INTERVAL if poll_interval is None else float(poll_interval)
        self._clock = clock or time.monotonic
        #: After a 429, every request of this client holds back until this clock time (all workers back off).
        self._pause_until = 0.0
        self._headers = {
            "x-api-key": self._api_key,
            "user-agent": f"twelvelabs-rag/{__version__}",
            "accept": "application/json",
            **dict(default_headers or {}),
        }

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, api_key='<redacted>', "
            f"max_retries={self.max_retries}, preflight={self.preflight})"
        )

    def _content(self, spec: RequestSpec, body: MultipartBody | None, stream_body: Any) -> tuple[Any, dict[str, str]]:
        headers = dict(self._headers)
        if body is not None:
            headers.update(body.headers())
            return stream_body, headers
        if spec.json is not None:
            headers["content-type"] = "application/json"
            return json.dumps(spec.json, ensure_ascii=False).encode("utf-8"), headers
        return None, headers

    def _redact(self, exc: TwelveLabsError) -> TwelveLabsError:
        """Last line of defence: the key never appears in an exception's text."""
        key = self._api_key
        exc.args = tuple(a.replace(key, "<redacted>") if isinstance(a, str) else a for a in exc.args)
        message = getattr(exc, "message", None)
        if isinstance(message, str) and key in message:
            exc.message = message.replace(key, "<redacted>")  # type: ignore[attr-defined]
        return exc

    def _gate(self, cleared: float) -> tuple[float, float]:
        """``(seconds to hold back before sending, new cleared mark)`` for the shared 429 pause."""
        gate = self._pause_until
        if gate <= cleared:
            return 0.0, cleared
        return max(0.0, gate - self._clock()), gate

    def _rate_limited(self, delay: float) -> float:
        """Note a 429: hold back every request of this client for ``delay`` seconds; returns the mark."""
        self._pause_until = max(self._pause_until, self._clock() + delay)
        return self._pause_until

    def _log_retry(self, spec: RequestSpec, attempt: int, delay: float, why: str) -> None:
        log.info("retrying %s %s in %.2f s (retry %d of %d) after %s", spec.method, spec.path, delay, attempt + 1, self.max_retries, why)
