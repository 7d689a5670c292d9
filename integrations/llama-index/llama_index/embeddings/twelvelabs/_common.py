"""Shared plumbing for the TwelveLabs LlamaIndex components (private).

Every component is configured the same way:

* ``api_key`` (else the ``TWELVELABS_API_KEY`` / ``TWELVE_LABS_API_KEY`` environment variable) and
  ``base_url`` (else ``TWELVELABS_BASE_URL``, else the public API): the sync and async clients are
  then built lazily, on first use, so constructing a component never touches the network;
* or a ready ``client`` (:class:`twelvelabs_rag.TwelveLabs`) and/or ``async_client``
  (:class:`twelvelabs_rag.AsyncTwelveLabs`). A component given only one of them serves only that
  side: the other side raises :class:`twelvelabs_rag.ConfigurationError` saying what to pass, rather
  than silently building a second client that might point somewhere else.

The clients themselves are held by :class:`twelvelabs_rag.LazyClients` (one async client per event
loop). The API key is exposed as a :class:`pydantic.SecretStr` and never appears in a repr or a message.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

from pydantic import SecretStr

from twelvelabs_rag import AsyncTwelveLabs, ConfigurationError, LazyClients, TwelveLabs

__all__ = ["ClientHolder", "loop_semaphore", "is_url"]


class ClientHolder:
    """The sync and async TwelveLabs clients of one component: the given ones, or built lazily from the key.

    A thin layer over :class:`twelvelabs_rag.LazyClients` (which builds, caches one async client per
    event loop, and closes); this adds the component's checks: clients of the right type, and a key
    (or a client) at construction.
    """

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
        # A component given only one client serves only that side (build_missing=False).
        self._clients = LazyClients(
            api_key, base_url=base_url, client=client, async_client=async_client, build_missing=False,
            owner=owner, timeout=timeout, max_retries=max_retries,
        )
        if client is None and async_client is None and self._clients.api_key is None:
            raise ConfigurationError(
                f"{owner} needs a TwelveLabs API key: pass api_key=..., set the TWELVELABS_API_KEY "
                "environment variable, or pass a ready client=TwelveLabs(...) / async_client=AsyncTwelveLabs(...)."
            )

    @property
    def api_key(self) -> SecretStr | None:
        key = self._clients.api_key
        return SecretStr(key) if key is not None else None

    @property
    def base_url(self) -> str | None:
        return self._clients.base_url

    @property
    def sync(self) -> TwelveLabs:
        """The sync client (built on first use from the key when none was given)."""
        return self._clients.sync

    @property
    def aio(self) -> AsyncTwelveLabs:
        """The async client: the one given, else one built from the key for the running loop."""
        return self._clients.aio

    def close(self) -> None:
        """Close the sync client if this holder built it (a client you passed in stays yours)."""
        self._clients.close()

    async def aclose(self) -> None:
        """Close the async client this holder built for the running loop (a given one stays yours)."""
        await self._clients.aclose()

    def __repr__(self) -> str:
        return f"ClientHolder(owner={self._owner!r}, base_url={self.base_url!r})"


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
    return lowered.startswith(("http://", "https://"))
