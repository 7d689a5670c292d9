"""Defaults and environment resolution for the client.

Precedence everywhere: explicit argument > environment variable > default. Resolution happens in
the client's constructor, never at import time.

```python
from twelvelabs_rag._config import resolve_base_url
assert resolve_base_url("http://127.0.0.1:9/v1.3/") == "http://127.0.0.1:9/v1.3"
```
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Mapping

import httpx

from ._exceptions import ConfigurationError

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
    "check_timeout",
    "check_max_retries",
    "check_poll_interval",
    "check_wait_timeout",
    "check_callable",
    "check_headers",
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


def _check_key(key: object, source: str) -> str:
    """A key must be a string of printable ASCII without spaces (it goes into an HTTP header).

    The message names the problem and where the key came from, never the key itself.
    """
    if not isinstance(key, str):
        raise ConfigurationError(
            f"api_key must be a string, got {type(key).__name__}; pass api_key=\"tlk_...\" or set {API_KEY_ENV}."
        )
    key = key.strip()
    for position, char in enumerate(key):
        if not "!" <= char <= "~":
            what = "a line break" if char in "\r\n" else "a space" if char.isspace() else (
                "a control character" if ord(char) < 0x20 or ord(char) == 0x7F else "a non-ASCII character")
            raise ConfigurationError(
                f"The API key from {source} contains {what} at position {position}, which cannot be sent in "
                "an HTTP header; copy the key again from the TwelveLabs dashboard (keys look like tlk_...)."
            )
    return key


def resolve_api_key(api_key: str | None, environ: Mapping[str, str] | None = None) -> str:
    """Return the API key from the argument, else ``TWELVELABS_API_KEY``, else ``TWELVE_LABS_API_KEY``.

    Raises:
        ConfigurationError: when none is set (the message names the argument and both variables), or
            the key is not a string of printable ASCII (the message never contains the key).
    """
    env = os.environ if environ is None else environ
    for source, candidate in (("api_key=", api_key), (API_KEY_ENV, env.get(API_KEY_ENV)),
                              (API_KEY_ENV_ALT, env.get(API_KEY_ENV_ALT))):
        if candidate is not None and (not isinstance(candidate, str) or candidate.strip()):
            return _check_key(candidate, source)
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
    if base_url is not None and not isinstance(base_url, str):
        raise ConfigurationError(
            f"base_url must be a string, got {type(base_url).__name__}; pass e.g. base_url=\"https://api.twelvelabs.io/v1.3\""
        )
    url = base_url or env.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ConfigurationError(
            f"base_url must start with http:// or https:// (got {url!r}); pass base_url=... or set "
            f"{BASE_URL_ENV}, e.g. https://api.twelvelabs.io/v1.3"
        )
    return url


def _seconds(name: str, value: object, *, allow_zero: bool) -> float:
    bound = ">= 0" if allow_zero else "> 0"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigurationError(
            f"{name} must be a number of seconds {bound}, got {type(value).__name__} {value!r:.40}; pass e.g. {name}=30"
        )
    seconds = float(value)
    if not math.isfinite(seconds) or seconds < 0 or (seconds == 0 and not allow_zero):
        raise ConfigurationError(f"{name} must be a finite number of seconds {bound}, got {value!r}; "
                                 f"pass e.g. {name}=30")
    return seconds


def check_timeout(timeout: object) -> httpx.Timeout:
    """``timeout=``: seconds (> 0, finite), an ``httpx.Timeout`` whose set phases are such, or None (no limit)."""
    if isinstance(timeout, httpx.Timeout):
        for phase in ("connect", "read", "write", "pool"):
            value = getattr(timeout, phase)
            if value is not None:
                _seconds(f"timeout.{phase}", value, allow_zero=False)
        return timeout
    if timeout is None:
        return httpx.Timeout(None)
    return httpx.Timeout(_seconds("timeout", timeout, allow_zero=False))


def check_max_retries(max_retries: object) -> int:
    """``max_retries=``: an int >= 0."""
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ConfigurationError(
            f"max_retries must be an int >= 0 (retries after the first attempt), got {max_retries!r:.40}; "
            "pass e.g. max_retries=2, or 0 to never retry"
        )
    return max_retries


def check_poll_interval(poll_interval: object) -> float:
    """``poll_interval=``: seconds >= 0, or None for the default."""
    if poll_interval is None:
        return DEFAULT_POLL_INTERVAL
    return _seconds("poll_interval", poll_interval, allow_zero=True)


def check_wait_timeout(timeout: object) -> float | None:
    """``timeout=`` of ``wait``/``create_and_wait``: seconds >= 0, or None (wait as long as it takes)."""
    return None if timeout is None else _seconds("timeout", timeout, allow_zero=True)


def check_callable(name: str, value: object) -> None:
    if value is not None and not callable(value):
        raise ConfigurationError(f"{name} must be a function or None, got {type(value).__name__}")


def check_headers(headers: object) -> dict[str, str]:
    if headers is None:
        return {}
    if not isinstance(headers, Mapping):
        raise ConfigurationError(f"default_headers must be a mapping of str to str, got {type(headers).__name__}")
    out: dict[str, str] = {}
    for name, value in headers.items():
        if not (isinstance(name, str) and isinstance(value, str)):
            raise ConfigurationError(f"default_headers must map str to str; {name!r:.40} is not; pass text values")
        if any(not " " <= c <= "~" for c in name + value):
            raise ConfigurationError(
                f"default_headers[{name!r:.40}] holds a line break, control or non-ASCII character; "
                "HTTP headers take printable ASCII only"
            )
        out[name] = value
    return out
