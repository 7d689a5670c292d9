"""The TwelveLabs clients of one long-lived object (a retriever, an LLM wrapper, a reader, ...).

Framework packages build their objects from connection settings (``api_key``, ``base_url``, the
environment) or from ready clients. :class:`LazyClients` is the one place that turns those into a
sync :class:`~twelvelabs_rag.TwelveLabs` and an async :class:`~twelvelabs_rag.AsyncTwelveLabs`:

- a client passed in is used as is, and stays the caller's to close;
- a missing one is built on first use (so constructing the owner does no I/O), once for the sync
  side and once per running event loop for the async side (an ``httpx.AsyncClient``'s connections
  belong to the loop that opened them, and frameworks run some sync paths in fresh loops);
- a built async client is closed when its event loop shuts down (``asyncio.run`` and
  ``asyncio.Runner`` finalise async generators before closing the loop; :class:`LazyClients` hooks
  in there), so a fresh loop per sync call leaves no open sockets behind; :meth:`LazyClients.aclose`
  closes it earlier;
- a built sync client is closed by :meth:`LazyClients.close`, or when the :class:`LazyClients`
  (usually: its owning object, e.g. a chat model built per call) is garbage collected;
- with ``build_missing=False``, an object given only one of the two clients serves only that side:
  the other raises :class:`~twelvelabs_rag.ConfigurationError` instead of silently building a
  second client that might point somewhere else.

The key is read from the argument, else ``TWELVELABS_API_KEY`` / ``TWELVE_LABS_API_KEY``, once, at
construction; it never appears in a repr. A missing key is reported by the client when one is
built (callers that want to fail earlier check :attr:`LazyClients.can_build`).

```python
from twelvelabs_rag import LazyClients
from twelvelabs_rag.testing import FakeTwelveLabs

fake = FakeTwelveLabs()
clients = LazyClients("tlk_test", base_url="http://emulator/v1.3", transport=fake.transport())
assert clients.sync.indexes.list(page_limit=1) is not None  # built here, on first use
assert clients.sync is clients.sync and "tlk_test" not in repr(clients)
clients.close()
```
"""

from __future__ import annotations

import asyncio
import os
import threading
import weakref
from collections.abc import AsyncGenerator
from typing import Any

from ._client import AsyncTwelveLabs, TwelveLabs
from ._config import BASE_URL_ENV, resolve_api_key
from ._exceptions import ConfigurationError

__all__ = ["LazyClients"]


def _plain(secret: Any) -> str | None:
    """A key given as ``str`` or as a secret wrapper with ``get_secret_value()`` (pydantic ``SecretStr``)."""
    if secret is None:
        return None
    getter = getattr(secret, "get_secret_value", None)
    value = getter() if callable(getter) else secret
    if not isinstance(value, str):
        raise ConfigurationError(f"api_key must be a string, got {type(value).__name__}.")
    return value.strip() or None


async def _close_with_loop(
    client: AsyncTwelveLabs, loop: asyncio.AbstractEventLoop
) -> AsyncGenerator[None, None]:
    """Suspended until ``loop`` finalises its async generators (loop shutdown), then close ``client``.

    The loop tracks this generator once it has started (``sys.set_asyncgen_hooks``), and
    ``loop.shutdown_asyncgens()`` -- run by ``asyncio.run``/``asyncio.Runner`` before the loop
    closes -- resumes it with ``GeneratorExit``, so the client is closed while its loop still runs.
    """
    try:
        yield
    finally:
        if not loop.is_closed():  # a loop closed without finalising: nothing can run on it any more
            await client.aclose()


def _start(gen: AsyncGenerator[None, None]) -> None:
    """Run ``gen`` to its first ``yield`` now, in the running loop's thread (registers it with the loop)."""
    try:
        gen.asend(None).send(None)
    except StopIteration:
        return
    raise RuntimeError("closer generator did not suspend")  # pragma: no cover - it always yields first


def _finish(gen: AsyncGenerator[None, None]) -> None:
    """Finish a closer whose loop has closed without finalising it (nothing left to await on)."""
    try:
        gen.aclose().send(None)
    except (StopIteration, RuntimeError):
        pass


class LazyClients:
    """Hold the given TwelveLabs clients, or build them lazily from a key, base URL and environment.

    Args:
        api_key: the key (``str`` or pydantic ``SecretStr``); else the key environment variables.
        base_url: the API base URL; else ``TWELVELABS_BASE_URL``; else the client's default.
        client / async_client: ready clients to use instead of building them.
        build_missing: when only one client is given, build the other from the settings (True) or
            refuse the other side with a :class:`ConfigurationError` (False).
        owner: the owning object's name, used in error messages.
        **client_kwargs: passed to every built client (``timeout``, ``max_retries``, ``transport``...);
            ``None`` values are dropped so the client's defaults apply.

    Example:
        ```python
        from twelvelabs_rag import LazyClients, TwelveLabs
        given = TwelveLabs(api_key="tlk_x")
        clients = LazyClients(client=given, build_missing=False, owner="MyRetriever")
        assert clients.sync is given and not clients.can_build
        given.close()
        ```
    """

    def __init__(
        self,
        api_key: Any = None,
        *,
        base_url: str | None = None,
        client: TwelveLabs | None = None,
        async_client: AsyncTwelveLabs | None = None,
        build_missing: bool = True,
        owner: str = "this object",
        **client_kwargs: Any,
    ) -> None:
        self._owner = owner
        explicit = _plain(api_key)
        try:
            self._key: str | None = resolve_api_key(explicit)
        except ConfigurationError:  # reported by the client if one has to be built
            self._key = None
        #: What a built client resolves: the key, else the argument as given, so a key that is present
        #: but unusable is reported as such (never silently replaced by the environment's key).
        self._key_arg = self._key if self._key is not None else explicit
        self._base_url = base_url or os.environ.get(BASE_URL_ENV) or None
        self._kwargs = {k: v for k, v in client_kwargs.items() if v is not None}
        self._client = client
        self._async_client = async_client
        self._from_settings = client is None and async_client is None
        self._build_missing = build_missing or self._from_settings
        self._built: TwelveLabs | None = None
        self._finalizer: weakref.finalize[..., Any] | None = None
        # loop -> (client built for it, the generator that closes it when the loop shuts down)
        self._built_async: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, tuple[AsyncTwelveLabs, AsyncGenerator[None, None]]
        ] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    @classmethod
    def for_component(
        cls,
        owner: str,
        *,
        api_key: Any = None,
        base_url: str | None = None,
        client: TwelveLabs | None = None,
        async_client: AsyncTwelveLabs | None = None,
        **client_kwargs: Any,
    ) -> LazyClients:
        """The clients of a framework component, checked when the component is built (not at first call).

        Ready clients must be of the right class; a component given only one of them serves only
        that side (``build_missing=False``); with no client, a key (argument or environment) is
        required now. Each failure is a :class:`~twelvelabs_rag.ConfigurationError` that names the fix.

        ```python
        from twelvelabs_rag import ConfigurationError, LazyClients, TwelveLabs
        sync_client = TwelveLabs(api_key="tlk_x")
        try:
            LazyClients.for_component("MyReader", async_client=sync_client)
        except ConfigurationError as exc:
            assert "async_client= must be a twelvelabs_rag.AsyncTwelveLabs" in str(exc)
        sync_client.close()
        ```
        """
        if client is not None and not isinstance(client, TwelveLabs):
            raise ConfigurationError(
                f"{owner}: client= must be a twelvelabs_rag.TwelveLabs, got {type(client).__name__}; "
                "pass an AsyncTwelveLabs as async_client= instead."
            )
        if async_client is not None and not isinstance(async_client, AsyncTwelveLabs):
            raise ConfigurationError(
                f"{owner}: async_client= must be a twelvelabs_rag.AsyncTwelveLabs, got {type(async_client).__name__}."
            )
        clients = cls(api_key, base_url=base_url, client=client, async_client=async_client, build_missing=False,
                      owner=owner, **client_kwargs)
        if client is None and async_client is None and clients.api_key is None:
            raise ConfigurationError(
                f"{owner} needs a TwelveLabs API key: pass api_key=..., set the TWELVELABS_API_KEY "
                "environment variable, or pass a ready client=TwelveLabs(...) / async_client=AsyncTwelveLabs(...)."
            )
        return clients

    # ------------------------------------------------------------------ settings
    @property
    def api_key(self) -> str | None:
        """The resolved key (argument, else environment), or None. Never shown in the repr."""
        return self._key

    @property
    def base_url(self) -> str | None:
        """The resolved base URL (argument, else ``TWELVELABS_BASE_URL``), or None for the default."""
        return self._base_url

    @property
    def can_build(self) -> bool:
        """True when a missing client can be built: a key is known and building it is allowed."""
        return self._key is not None and self._build_missing

    # ------------------------------------------------------------------ clients
    @property
    def sync(self) -> TwelveLabs:
        """The given sync client, else one built (once, thread-safely) from the settings."""
        if self._client is not None:
            return self._client
        if not self._build_missing:
            raise ConfigurationError(
                f"{self._owner} was given only an async_client, so it cannot make sync calls: "
                "use the async methods, or also pass client=TwelveLabs(...)."
            )
        with self._lock:  # two threads asking at once get the same client
            if self._built is None:
                self._built = TwelveLabs(self._key_arg, base_url=self._base_url, **self._kwargs)
                # an owner dropped without close() (a model built per call) must not leave sockets to the GC
                self._finalizer = weakref.finalize(self, self._built.close)
            return self._built

    @property
    def aio(self) -> AsyncTwelveLabs:
        """The given async client, else one built from the settings for the running event loop."""
        if self._async_client is not None:
            return self._async_client
        if not self._build_missing:
            raise ConfigurationError(
                f"{self._owner} was given only a sync client, so it cannot make async calls: "
                "use the sync methods, or also pass async_client=AsyncTwelveLabs(...)."
            )
        loop = asyncio.get_running_loop()
        with self._lock:
            entry = self._built_async.get(loop)
            if entry is None:
                self._forget_closed_loops()
                client = AsyncTwelveLabs(self._key_arg, base_url=self._base_url, **self._kwargs)
                closer = _close_with_loop(client, loop)
                _start(closer)  # on this loop's thread: the loop now finalises it at shutdown
                entry = self._built_async[loop] = (client, closer)
        return entry[0]

    def _forget_closed_loops(self) -> None:
        """Drop the clients of loops that have closed (already closed at their loop's shutdown)."""
        for loop in [lp for lp in list(self._built_async) if lp.is_closed()]:
            _client, closer = self._built_async.pop(loop)
            _finish(closer)

    def close(self) -> None:
        """Close the sync client built here (a client you passed in stays yours).

        Async clients built here close with their event loop (or earlier with :meth:`aclose`).
        """
        with self._lock:
            built, self._built = self._built, None
            finalizer, self._finalizer = self._finalizer, None
            self._forget_closed_loops()
        if finalizer is not None:
            finalizer.detach()
        if built is not None:
            built.close()

    async def aclose(self) -> None:
        """Close the async client built here for the running loop (a given one stays yours)."""
        with self._lock:
            entry = self._built_async.pop(asyncio.get_running_loop(), None)
            self._forget_closed_loops()
        if entry is not None:
            await entry[1].aclose()  # runs the closer's finally: closes the client

    def __repr__(self) -> str:
        def side(given: Any, built: bool) -> str:
            return "given" if given is not None else "built" if built else "lazy"

        return (f"LazyClients(owner={self._owner!r}, base_url={self._base_url!r}, "
                f"client={side(self._client, self._built is not None)}, "
                f"async_client={side(self._async_client, len(self._built_async) > 0)})")
