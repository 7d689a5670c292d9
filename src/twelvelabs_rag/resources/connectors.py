"""``/connections``: data connectors (Google Drive) and the imports that turn their files into assets.

Connecting an account needs a person in a browser (OAuth consent, and the Google Picker to choose
files); everything after that is plain API calls and lives here. See docs/connectors.md.

```python
for conn in client.data_connectors.list_connections().data:
    result = client.data_connectors.imports.import_files(conn.id, source_ids=["1AbC...", "1DeF..."])
    print([(i.source_id, i.action, i.asset_id) for i in result.items])
```
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

from .._request import RequestSpec, query_params
from ..types.connectors import (
    AuthorizeResult,
    Connection,
    ConnectionsPage,
    ImportDetail,
    ImportResult,
    ImportsPage,
    RedirectUri,
    RedirectUrisPage,
)
from ._resource import AsyncResource, SyncResource, check_id, parse_model

__all__ = ["DataConnectors", "AsyncDataConnectors", "Imports", "AsyncImports", "MAX_IMPORT_ITEMS"]

MAX_IMPORT_ITEMS = 100
PROVIDERS = ("google_drive",)


def _conn(cid: str) -> str:
    return f"connections/{check_id('connection_id', cid)}"


def _page(path: str, page: int | None, page_limit: int | None) -> RequestSpec:
    return RequestSpec("GET", path, params=query_params({"page": page, "page_limit": page_limit}))


def _authorize_spec(provider: str, redirect_uri: str, custom_id: str | None) -> RequestSpec:
    if provider not in PROVIDERS:
        raise ValueError(f"provider must be one of {', '.join(PROVIDERS)}, got {provider!r}")
    body: dict[str, Any] = {"provider": provider, "redirect_uri": check_id("redirect_uri", redirect_uri)}
    if custom_id is not None:
        body["custom_id"] = custom_id
    # "connections:authorize" is joined by plain concatenation (build_url): urljoin would read "connections:"
    # as a URL scheme, which is the bug that makes SDK 1.3.6 fail before sending anything.
    return RequestSpec("POST", "connections:authorize", json=body)


def _import_spec(cid: str, source_ids: Sequence[str]) -> RequestSpec:
    if isinstance(source_ids, str) or not source_ids:
        raise ValueError(f"import_files needs source_ids=[...] (the provider's file ids), got {source_ids!r}")
    ids = [check_id("source_ids[]", s) for s in source_ids]
    if len(set(ids)) != len(ids):
        dup = sorted({s for s in ids if ids.count(s) > 1})
        raise ValueError(f"import_files: source ids must be unique, {dup} appear more than once")
    if len(ids) > MAX_IMPORT_ITEMS:
        raise ValueError(f"import_files takes at most {MAX_IMPORT_ITEMS} files per call, got {len(ids)}; "
                         "split the list")
    return RequestSpec("POST", f"{_conn(cid)}/imports", json={"items": [{"source_id": s} for s in ids]})


class DataConnectors(SyncResource):
    """``client.data_connectors`` (with ``.imports``)."""

    @cached_property
    def imports(self) -> Imports:
        return Imports(self._client)

    def authorize_connection(self, *, provider: str, redirect_uri: str,
                             custom_id: str | None = None) -> AuthorizeResult:
        """Start connecting an account: open ``authorize_url`` in a browser (the consent needs a person)."""
        return parse_model(AuthorizeResult, self._client._request(_authorize_spec(provider, redirect_uri, custom_id)))

    def list_connections(self, *, page: int | None = None, page_limit: int | None = None) -> ConnectionsPage:
        """One page of connections (``.data``); ask for the next ``page`` yourself."""
        return parse_model(ConnectionsPage, self._client._request(_page("connections", page, page_limit)))

    def retrieve_connection(self, connection_id: str) -> Connection:
        """One connection (``status`` active, expired or revoked)."""
        return parse_model(Connection, self._client._request(RequestSpec("GET", _conn(connection_id))))

    def delete_connection(self, connection_id: str) -> None:
        """Disconnect (assets imported through it are kept)."""
        self._client._request(RequestSpec("DELETE", _conn(connection_id)))

    def list_redirect_uris(self, *, page: int | None = None, page_limit: int | None = None) -> RedirectUrisPage:
        """The registered OAuth redirect URIs."""
        spec = _page("connections/redirect-uris", page, page_limit)
        return parse_model(RedirectUrisPage, self._client._request(spec))

    def create_redirect_uri(self, redirect_uri: str) -> RedirectUri:
        """Register an exact, public HTTPS redirect URI for ``authorize_connection``."""
        spec = RequestSpec("POST", "connections/redirect-uris",
                           json={"redirect_uri": check_id("redirect_uri", redirect_uri)})
        return parse_model(RedirectUri, self._client._request(spec))

    def delete_redirect_uri(self, redirect_uri_id: str) -> None:
        """Unregister a redirect URI."""
        path = f"connections/redirect-uris/{check_id('redirect_uri_id', redirect_uri_id)}"
        self._client._request(RequestSpec("DELETE", path))


class AsyncDataConnectors(AsyncResource):
    """``client.data_connectors`` of the async client."""

    @cached_property
    def imports(self) -> AsyncImports:
        return AsyncImports(self._client)

    async def authorize_connection(self, *, provider: str, redirect_uri: str,
                                   custom_id: str | None = None) -> AuthorizeResult:
        """Start connecting an account: open ``authorize_url`` in a browser (the consent needs a person)."""
        return parse_model(AuthorizeResult,
                           await self._client._request(_authorize_spec(provider, redirect_uri, custom_id)))

    async def list_connections(self, *, page: int | None = None, page_limit: int | None = None) -> ConnectionsPage:
        """One page of connections (``.data``); ask for the next ``page`` yourself."""
        return parse_model(ConnectionsPage, await self._client._request(_page("connections", page, page_limit)))

    async def retrieve_connection(self, connection_id: str) -> Connection:
        """One connection (``status`` active, expired or revoked)."""
        return parse_model(Connection, await self._client._request(RequestSpec("GET", _conn(connection_id))))

    async def delete_connection(self, connection_id: str) -> None:
        """Disconnect (assets imported through it are kept)."""
        await self._client._request(RequestSpec("DELETE", _conn(connection_id)))

    async def list_redirect_uris(self, *, page: int | None = None, page_limit: int | None = None) -> RedirectUrisPage:
        """The registered OAuth redirect URIs."""
        return parse_model(RedirectUrisPage,
                           await self._client._request(_page("connections/redirect-uris", page, page_limit)))

    async def create_redirect_uri(self, redirect_uri: str) -> RedirectUri:
        """Register an exact, public HTTPS redirect URI for ``authorize_connection``."""
        spec = RequestSpec("POST", "connections/redirect-uris",
                           json={"redirect_uri": check_id("redirect_uri", redirect_uri)})
        return parse_model(RedirectUri, await self._client._request(spec))

    async def delete_redirect_uri(self, redirect_uri_id: str) -> None:
        """Unregister a redirect URI."""
        await self._client._request(
            RequestSpec("DELETE", f"connections/redirect-uris/{check_id('redirect_uri_id', redirect_uri_id)}"))


class Imports(SyncResource):
    """``client.data_connectors.imports``: files of a connection imported as assets."""

    def import_files(self, connection_id: str, *, source_ids: Sequence[str]) -> ImportResult:
        """Import up to 100 files; a file imported before is ``skipped`` and keeps its asset."""
        return parse_model(ImportResult, self._client._request(_import_spec(connection_id, source_ids)))

    def list_imports(self, connection_id: str, *, page: int | None = None,
                     page_limit: int | None = None) -> ImportsPage:
        """One page of the imports of a connection."""
        spec = _page(f"{_conn(connection_id)}/imports", page, page_limit)
        return parse_model(ImportsPage, self._client._request(spec))

    def retrieve_import(self, connection_id: str, import_id: str) -> ImportDetail:
        """One import with the status of each of its files."""
        path = f"{_conn(connection_id)}/imports/{check_id('import_id', import_id)}"
        return parse_model(ImportDetail, self._client._request(RequestSpec("GET", path)))


class AsyncImports(AsyncResource):
    """``client.data_connectors.imports`` of the async client."""

    async def import_files(self, connection_id: str, *, source_ids: Sequence[str]) -> ImportResult:
        """Import up to 100 files; a file imported before is ``skipped`` and keeps its asset."""
        return parse_model(ImportResult, await self._client._request(_import_spec(connection_id, source_ids)))

    async def list_imports(self, connection_id: str, *, page: int | None = None,
                           page_limit: int | None = None) -> ImportsPage:
        """One page of the imports of a connection."""
        return parse_model(ImportsPage,
                           await self._client._request(_page(f"{_conn(connection_id)}/imports", page, page_limit)))

    async def retrieve_import(self, connection_id: str, import_id: str) -> ImportDetail:
        """One import with the status of each of its files."""
        path = f"{_conn(connection_id)}/imports/{check_id('import_id', import_id)}"
        return parse_model(ImportDetail, await self._client._request(RequestSpec("GET", path)))
