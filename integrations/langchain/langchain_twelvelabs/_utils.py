"""Shared plumbing of this package: client configuration fields and a progress bar.

Every public class of this package takes the same connection settings:

- ``api_key``: a ``SecretStr``; read from ``TWELVELABS_API_KEY`` (or ``TWELVE_LABS_API_KEY``) when absent;
- ``base_url``: read from ``TWELVELABS_BASE_URL`` when absent (production otherwise);
- ``timeout`` / ``max_retries``: passed to the client;
- or ready ``client`` (``twelvelabs_rag.TwelveLabs``) / ``async_client`` (``AsyncTwelveLabs``).

Clients are built on first use, never in a constructor, so building any object does no I/O
(``twelvelabs_rag.LazyClients`` holds or builds them; one async client per event loop, closed when
that loop shuts down). ``close()`` / ``await aclose()`` close the clients an object built; clients
you passed in stay yours to close.

What is not LangChain-specific lives in the core, under public names: the URL test and media
keywords (``twelvelabs_rag.media_inputs``), the bounded fan-out with the shared 429 pause
(``twelvelabs_rag.bulk``), the lazily built clients (``twelvelabs_rag.LazyClients``).
"""

from __future__ import annotations

from typing import Any

from langchain_core.utils import from_env, secret_from_env
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SecretStr

from twelvelabs_rag import API_KEY_ENVS, BASE_URL_ENV, LazyClients

__all__ = ["TwelveLabsClientMixin", "progress_bar"]

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
