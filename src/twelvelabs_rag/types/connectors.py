"""Data connectors (Google Drive connections, redirect URIs) and the imports that turn files into assets."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from ._base import APIModel

__all__ = ["Connection", "ConnectionAccount", "AuthorizeResult", "RedirectUri", "ImportItem", "ImportItemError",
           "ImportResult", "Import", "ImportDetail", "ConnectionsPage", "RedirectUrisPage", "ImportsPage"]


class ConnectionAccount(APIModel):
    external_id: str | None = None
    display_name: str | None = None


class Connection(APIModel):
    id: str = Field(alias="_id")
    provider: str | None = None
    status: str | None = None
    custom_id: str | None = None
    account: ConnectionAccount | None = None
    scopes: list[str] = Field(default_factory=list)
    connected_at: datetime | None = None
    last_used_at: datetime | None = None


class AuthorizeResult(APIModel):
    """Open ``authorize_url`` in a browser; the consent page redirects to your ``redirect_uri``."""

    authorize_url: str
    state: str | None = None


class RedirectUri(APIModel):
    id: str = Field(alias="_id")
    redirect_uri: str
    created_at: datetime | None = None


class ImportItemError(APIModel):
    code: str | None = None
    message: str | None = None


class ImportItem(APIModel):
    source_id: str
    action: str | None = None
    asset_id: str | None = None
    status: str | None = None
    error: ImportItemError | None = None


class ImportResult(APIModel):
    id: str = Field(alias="_id")
    has_failures: bool = False
    items: list[ImportItem] = Field(default_factory=list)


class Import(APIModel):
    id: str = Field(alias="_id")
    connection_id: str | None = None
    provider: str | None = None
    custom_id: str | None = None
    item_count: int = 0
    created_at: datetime | None = None


class ImportDetail(Import):
    items: list[ImportItem] = Field(default_factory=list)


class _OnePage(APIModel):
    page_info: dict[str, Any] = Field(default_factory=dict)


class ConnectionsPage(_OnePage):
    data: list[Connection] = Field(default_factory=list)


class RedirectUrisPage(_OnePage):
    data: list[RedirectUri] = Field(default_factory=list)


class ImportsPage(_OnePage):
    data: list[Import] = Field(default_factory=list)
