"""Shared plumbing: client configuration, lazy client construction, small helpers.

Every public class of this package takes the same connection settings:

- ``api_key``: a ``SecretStr``; read from ``TWELVELABS_API_KEY`` (or ``TWELVE_LABS_API_KEY``) when absent;
- ``base_url``: read from ``TWELVELABS_BASE_URL`` when absent (production otherwise);
- ``timeout`` / ``max_retries``: passed to the client;
- or ready ``client`` (``twelvelabs_rag.TwelveLabs``) / ``async_client`` (``AsyncTwelveLabs``).

Clients are built on first use, never in a constructor, so building any object does no I/O
(``twelvelabs_rag.LazyClients`` holds or builds them; one async client per event loop, closed when
that loop shuts down). ``close()`` / ``await aclose()`` close the clients an object built; clients
you passed in stay yours to close.

```python
from langchain_twelvelabs._utils import media_arg
assert media_arg("https://x/clip.wav", "audio") == {"audio_url": "https://x/clip.wav"}
```
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from langchain_core.utils import from_env, secret_from_env
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SecretStr

from twelvelabs_rag import API_KEY_ENVS, BASE_URL_ENV, LazyClients

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


def build_clients(
    api_key: SecretStr | str | None,
    base_url: str | None,
    *,
    timeout: float | None = None,
    max_retries: int | None = None,
    client: Any = None,
    async_client: Any = None,
    owner: str = "this object",
) -> LazyClients:
    """Return the :class:`twelvelabs_rag.LazyClients` that builds the missing clients lazily from the settings.

    Nothing is built until ``.sync`` / ``.aio`` is first used. Used by the non-pydantic classes
    (the loader); pydantic classes use :class:`TwelveLabsClientMixin`.
    """
    return LazyClients(
        api_key, base_url=base_url, client=client, async_client=async_client,
        timeout=timeout, max_retries=max_retries, owner=owner,
    )


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

    _clients: tuple[tuple[Any, ...], LazyClients] | None = PrivateAttr(default=None)

    @property
    def lc_secrets(self) -> dict[str, str]:
        """For ``langchain_core.load.dumpd``: the key is dumped as a reference to its env var, never its value."""
        return {"api_key": API_KEY_ENVS[0]}

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        """Where ``langchain_core.load.loads`` finds the class: ``["langchain_twelvelabs", "<module>"]``."""
        return cls.__module__.split(".")

    def _lazy_clients(self) -> LazyClients:
        """The object's clients, set up (not built) on first use from the fields, and again if they change."""
        fields = (self.api_key, self.base_url, self.client, self.async_client, self.timeout, self.max_retries)
        if self._clients is None or any(a is not b for a, b in zip(self._clients[0], fields, strict=True)):
            clients = LazyClients(
                self.api_key, base_url=self.base_url, client=self.client, async_client=self.async_client,
                timeout=self.timeout, max_retries=self.max_retries, owner=type(self).__name__,
            )
            old, self._clients = self._clients, (fields, clients)
            if old is not None:  # settings changed: the client built from the old ones is obsolete
                old[1].close()
        return self._clients[1]

    def close(self) -> None:
        """Close the sync client this object built from its settings (a ``client`` you passed in stays yours).

        Async clients it built close when their event loop shuts down, or earlier with :meth:`aclose`.
        The object stays usable: the next call builds a fresh client.

        ```python
        from langchain_twelvelabs import TwelveLabsEmbeddings
        embeddings = TwelveLabsEmbeddings(api_key="tlk_x")
        embeddings.close()  # nothing was built yet: a no-op
        ```
        """
        if self._clients is not None:
            self._clients[1].close()

    async def aclose(self) -> None:
        """Close the async client this object built for the running event loop (a given one stays yours)."""
        if self._clients is not None:
            await self._clients[1].aclose()

    def _sync_client(self) -> Any:
        """The given ``client``, or one built (once) from the settings."""
        return self._lazy_clients().sync

    def _async_client(self) -> Any:
        """The given ``async_client``, or one built from the settings for the running event loop.

        A built async client's connection pool belongs to one event loop, so a new one is built when
        the object is used from another loop (e.g. a second ``asyncio.run``).
        """
        return self._lazy_clients().aio


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


def progress_bar(total: int, desc: str, unit: str) -> Any:
    """A tqdm bar, or None when there is nothing to count or tqdm is not installed.

    tqdm is optional (``pip install "langchain-twelvelabs[progress]"``). ``tqdm.auto`` in a Jupyter
    kernel without ipywidgets warns "IProgress not found" on import: the notebook widget only when it
    can work, else the plain text bar.
    """
    import importlib.util

    if total == 0 or importlib.util.find_spec("tqdm") is None:
        return None
    if importlib.util.find_spec("ipywidgets") is not None:
        from tqdm.auto import tqdm
    else:
        from tqdm.std import tqdm
    return tqdm(total=total, desc=desc, unit=unit)
