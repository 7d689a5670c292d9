"""Shared plumbing: client configuration, lazy client construction, small helpers.

Every public class of this package takes the same connection settings:

- ``api_key``: a ``SecretStr``; read from ``TWELVELABS_API_KEY`` (or ``TWELVE_LABS_API_KEY``) when absent;
- ``base_url``: read from ``TWELVELABS_BASE_URL`` when absent (production otherwise);
- ``timeout`` / ``max_retries``: passed to the client;
- or ready ``client`` (``twelvelabs_rag.TwelveLabs``) / ``async_client`` (``AsyncTwelveLabs``).

Clients are built on first use, never in a constructor, so building any object does no I/O.

```python
from langchain_twelvelabs._utils import media_arg
assert media_arg("https://x/clip.wav", "audio") == {"audio_url": "https://x/clip.wav"}
```
"""

from __future__ import annotations

import asyncio
import re
import weakref
from collections.abc import Awaitable, Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from langchain_core.utils import from_env, secret_from_env
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SecretStr

__all__ = [
    "TwelveLabsClientMixin",
    "build_clients",
    "is_url",
    "media_arg",
    "run_bounded",
    "arun_bounded",
]

T = TypeVar("T")
R = TypeVar("R")

API_KEY_ENVS = ("TWELVELABS_API_KEY", "TWELVE_LABS_API_KEY")
BASE_URL_ENV = "TWELVELABS_BASE_URL"
_URL_RE = re.compile(r"^https?://", re.IGNORECASE)


def is_url(value: Any) -> bool:
    """True when ``value`` is an http(s) URL string."""
    return isinstance(value, str) and bool(_URL_RE.match(value.strip()))


def media_arg(value: str | Path, kind: str) -> dict[str, Any]:
    """Map a path or URL to the client's ``<kind>_url`` / ``<kind>_file`` keyword.

    ```python
    assert media_arg("https://x/y.png", "image") == {"image_url": "https://x/y.png"}
    ```
    """
    if is_url(value):
        return {f"{kind}_url": str(value).strip()}
    path = Path(value).expanduser()
    if not path.is_file():
        raise FileNotFoundError(
            f"{kind} file not found: {str(path)!r}; pass an existing local path or an http(s) URL"
        )
    return {f"{kind}_file": path}


def _for_running_loop(cached: tuple[Any, Any] | None, kwargs: dict[str, Any]) -> tuple[Any, Any]:
    """``(loop reference, AsyncTwelveLabs)`` for the running loop, reusing ``cached`` when it matches."""
    loop = asyncio.get_running_loop()
    if cached is not None and cached[0]() is loop:
        return cached
    from twelvelabs_rag import AsyncTwelveLabs

    return (weakref.ref(loop), AsyncTwelveLabs(**kwargs))


def build_clients(
    api_key: SecretStr | str | None,
    base_url: str | None,
    *,
    timeout: float | None = None,
    max_retries: int | None = None,
    client: Any = None,
    async_client: Any = None,
) -> tuple[Any, Any]:
    """Return ``(client, async_client)``, building the missing ones lazily from the settings.

    Returns callables, so that nothing is built until it is needed. Used by the non-pydantic
    classes (loader, vector store helpers); pydantic classes use :class:`TwelveLabsClientMixin`.
    """
    key = api_key.get_secret_value() if isinstance(api_key, SecretStr) else api_key
    kwargs: dict[str, Any] = {"api_key": key, "base_url": base_url}
    if timeout is not None:
        kwargs["timeout"] = timeout
    if max_retries is not None:
        kwargs["max_retries"] = max_retries
    cache: dict[str, Any] = {"sync": client, "async": async_client}

    def get_sync() -> Any:
        if cache["sync"] is None:
            from twelvelabs_rag import TwelveLabs

            cache["sync"] = TwelveLabs(**kwargs)
        return cache["sync"]

    def get_async() -> Any:
        if async_client is not None:
            return async_client
        cache["async"] = _for_running_loop(cache["async"], kwargs)
        return cache["async"][1]

    return get_sync, get_async


class TwelveLabsClientMixin(BaseModel):
    """Connection fields shared by the pydantic classes, plus lazy ``_sync_client()``/``_async_client()``."""

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True, protected_namespaces=())

    api_key: SecretStr | None = Field(
        default_factory=secret_from_env(list(API_KEY_ENVS), default=None),
        description="TwelveLabs API key; read from TWELVELABS_API_KEY when not given.",
    )
    base_url: str | None = Field(
        default_factory=from_env(BASE_URL_ENV, default=None),
        description="API base URL (e.g. https://api.twelvelabs.io/v1.3); read from TWELVELABS_BASE_URL.",
    )
    timeout: float | None = Field(default=None, description="Seconds per HTTP request (client default 60).")
    max_retries: int | None = Field(default=None, description="Retries on transient errors (client default 2).")
    client: Any = Field(default=None, exclude=True, repr=False, description="A ready twelvelabs_rag.TwelveLabs.")
    async_client: Any = Field(
        default=None, exclude=True, repr=False, description="A ready twelvelabs_rag.AsyncTwelveLabs."
    )

    _built_client: Any = PrivateAttr(default=None)
    _built_async_client: Any = PrivateAttr(default=None)

    def _client_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "api_key": self.api_key.get_secret_value() if self.api_key is not None else None,
            "base_url": self.base_url,
        }
        if self.timeout is not None:
            kwargs["timeout"] = self.timeout
        if self.max_retries is not None:
            kwargs["max_retries"] = self.max_retries
        return kwargs

    def _sync_client(self) -> Any:
        """The given ``client``, or one built (once) from the settings."""
        if self.client is not None:
            return self.client
        if self._built_client is None:
            from twelvelabs_rag import TwelveLabs

            self._built_client = TwelveLabs(**self._client_kwargs())
        return self._built_client

    def _async_client(self) -> Any:
        """The given ``async_client``, or one built from the settings for the running event loop.

        A built async client's connection pool belongs to one event loop, so a new one is built when
        the object is used from another loop (e.g. a second ``asyncio.run``).
        """
        if self.async_client is not None:
            return self.async_client
        self._built_async_client = _for_running_loop(self._built_async_client, self._client_kwargs())
        return self._built_async_client[1]


def run_bounded(fn: Callable[[T], R], items: Sequence[T], max_concurrency: int) -> list[R]:
    """Apply ``fn`` to every item on at most ``max_concurrency`` threads; results keep input order.

    The first error is raised (after the calls already running finish); queued items are dropped.
    """
    if len(items) <= 1 or max_concurrency <= 1:
        return [fn(item) for item in items]
    pool = ThreadPoolExecutor(max_workers=min(max_concurrency, len(items)))
    try:
        futures = [pool.submit(fn, item) for item in items]
        return [f.result() for f in futures]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # after a failure, queued items never start


async def arun_bounded(fn: Callable[[T], Awaitable[R]], items: Iterable[T], max_concurrency: int) -> list[R]:
    """Await ``fn`` for every item, at most ``max_concurrency`` at once; results keep input order."""
    semaphore = asyncio.Semaphore(max(1, max_concurrency))

    async def one(item: T) -> R:
        async with semaphore:
            return await fn(item)

    tasks = [asyncio.ensure_future(one(item)) for item in items]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
