"""Shared plumbing for the TwelveLabs LlamaIndex components (private).

Every component is configured the same way:

* ``api_key`` (else the ``TWELVELABS_API_KEY`` / ``TWELVE_LABS_API_KEY`` environment variable) and
  ``base_url`` (else ``TWELVELABS_BASE_URL``, else the public API): the sync and async clients are
  then built lazily, on first use, so constructing a component never touches the network;
* or a ready ``client`` (:class:`twelvelabs_rag.TwelveLabs`) and/or ``async_client``
  (:class:`twelvelabs_rag.AsyncTwelveLabs`). A component given only one of them serves only that
  side: the other side raises :class:`twelvelabs_rag.ConfigurationError` saying what to pass, rather
  than silently building a second client that might point somewhere else.

The API key is held as a :class:`pydantic.SecretStr` and never appears in a repr or a message.
"""

from __future__ import annotations

import asyncio
import os
import threading
import weakref
from typing import Any

from pydantic import SecretStr

from twelvelabs_rag import AsyncTwelveLabs, ConfigurationError, TwelveLabs

__all__ = ["ClientHolder", "resolve_api_key", "loop_semaphore", "is_url"]

_KEY_ENV_VARS = ("TWELVELABS_API_KEY", "TWELVE_LABS_API_KEY")


def resolve_api_key(api_key: str | SecretStr | None) -> SecretStr | None:
    """The explicit key, else the first non-empty key environment variable, else None."""
    if isinstance(api_key, SecretStr):
        api_key = api_key.get_secret_value()
    if api_key:
        return SecretStr(api_key)
    for name in _KEY_ENV_VARS:
        value = os.environ.get(name)
        if value:
            return SecretStr(value)
    return None


class ClientHolder:
    """Lazily builds (or hands out the given) sync and async TwelveLabs clients for one component."""

    def __init__(
        self,
        owner: str,
        *,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        client: TwelveLabs | None = None,
        async_client: AsyncTwelveLabs | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> None:
        if client is not None and not isinstance(client, TwelveLabs):
            raise ConfigurationError(
                f"{owner}: client= must be a twelvelabs_rag.TwelveLabs, got {type(client).__name__}; "
                "pass an AsyncTwelveLabs as async_client= instead."
            )
        if async_client is not None and not isinstance(async_client, AsyncTwelveLabs):
            raise ConfigurationError(
                f"{owner}: async_client= must be a twelvelabs_rag.AsyncTwelveLabs, got {type(async_client).__name__}."
            )
        self._owner = owner
        self._key = resolve_api_key(api_key)
        self._base_url = base_url or os.environ.get("TWELVELABS_BASE_URL") or None
        self._client = client
        self._async_client = async_client
        # Async clients built from the key: one per event loop (an httpx.AsyncClient's connections
        # belong to the loop that opened them, and LlamaIndex runs some sync paths in fresh loops).
        self._built_async: weakref.WeakKeyDictionary[Any, AsyncTwelveLabs] = weakref.WeakKeyDictionary()
        self._owns_sync = False
        self._build_lock = threading.Lock()
        self._kwargs: dict[str, Any] = {}
        if timeout is not None:
            self._kwargs["timeout"] = timeout
        if max_retries is not None:
            self._kwargs["max_retries"] = max_retries
        self._from_key = client is None and async_client is None
        if self._from_key and self._key is None:
            raise ConfigurationError(
                f"{owner} needs a TwelveLabs API key: pass api_key=..., set the TWELVELABS_API_KEY "
                "environment variable, or pass a ready client=TwelveLabs(...) / async_client=AsyncTwelveLabs(...)."
            )

    @property
    def api_key(self) -> SecretStr | None:
        return self._key

    @property
    def base_url(self) -> str | None:
        return self._base_url

    @property
    def sync(self) -> TwelveLabs:
        """The sync client (built on first use from the key when none was given)."""
        if self._client is None:
            if not self._from_key:
                raise ConfigurationError(
                    f"{self._owner} was given only an async_client, so it cannot make sync calls: "
                    "use the async methods, or also pass client=TwelveLabs(...)."
                )
            with self._build_lock:  # two threads asking at once get the same client
                if self._client is None:
                    assert self._key is not None
                    self._client = TwelveLabs(self._key.get_secret_value(), base_url=self._base_url, **self._kwargs)
                    self._owns_sync = True
        return self._client

    @property
    def aio(self) -> AsyncTwelveLabs:
        """The async client: the one given, else one built from the key for the running loop."""
        if self._async_client is not None:
            return self._async_client
        if not self._from_key:
            raise ConfigurationError(
                f"{self._owner} was given only a sync client, so it cannot make async calls: "
                "use the sync methods, or also pass async_client=AsyncTwelveLabs(...)."
            )
        assert self._key is not None
        loop = asyncio.get_running_loop()
        built = self._built_async.get(loop)
        if built is None:
            built = AsyncTwelveLabs(self._key.get_secret_value(), base_url=self._base_url, **self._kwargs)
            self._built_async[loop] = built
        return built

    def close(self) -> None:
        """Close the sync client if this holder built it (a client you passed in stays yours)."""
        if self._owns_sync and self._client is not None:
            self._client.close()
            self._client = None

    async def aclose(self) -> None:
        """Close the async client this holder built for the running loop (a given one stays yours)."""
        built = self._built_async.pop(asyncio.get_running_loop(), None)
        if built is not None:
            await built.aclose()

    def __repr__(self) -> str:
        return f"ClientHolder(owner={self._owner!r}, base_url={self._base_url!r})"


_SEMAPHORES: weakref.WeakKeyDictionary[Any, dict[int, asyncio.Semaphore]] = weakref.WeakKeyDictionary()


def loop_semaphore(owner: object, limit: int) -> asyncio.Semaphore:
    """One semaphore per (running event loop, owner): bounds concurrency across gathered batches.

    asyncio primitives bind to the loop they first wait on, so a component used from several
    loops (one ``asyncio.run`` after another) gets a fresh semaphore for each.
    """
    loop = asyncio.get_running_loop()
    per_loop = _SEMAPHORES.setdefault(loop, {})
    sem = per_loop.get(id(owner))
    if sem is None:
        sem = per_loop[id(owner)] = asyncio.Semaphore(max(1, limit))
    return sem


def is_url(value: str) -> bool:
    """True for http(s) URLs (the API fetches those itself)."""
    lowered = value.lower()
    return lowered.startswith("http://") or lowered.startswith("https://")
