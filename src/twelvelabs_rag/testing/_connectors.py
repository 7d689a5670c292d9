"""Emulator routes for data connectors (``/connections``) and imports, without a browser.

A real connection needs a person to consent on Google's OAuth page; the emulator skips that with
:meth:`ConnectorRoutes.add_connection`, which registers a connected Google Drive account and the
files it holds (``source_id -> media``). Imports then turn those files into assets through the
assets emulator's ``add_asset`` (in ``processing``, as the API does); importing a file again answers
``skipped`` with the same asset. ``POST /connections:authorize`` answers an ``authorize_url`` on the
emulator (nothing serves it: that page is the browser step). Picker tokens and redirect URIs are
plain records.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from ._entities import page_of
from ._http import ApiError, Req, Resp, bad, missing

__all__ = ["ConnectorRoutes"]


@dataclass
class ConnectionRec:
    id: str
    custom_id: str | None
    display_name: str
    files: dict[str, tuple[str, bytes]]  # source id -> (filename, bytes)
    created_at: str
    seq: int
    status: str = "active"
    last_used_at: str | None = None
    imported: dict[str, str] = field(default_factory=dict)  # source id -> asset id


@dataclass
class ImportRec:
    id: str
    connection_id: str
    items: list[dict[str, Any]]
    created_at: str
    seq: int


class ConnectorRoutes:
    """Mixin of FakeTwelveLabs: ``/connections``, ``/connections/{id}/imports``, redirect URIs."""

    def _conn_state(self) -> tuple[dict[str, ConnectionRec], dict[str, ImportRec], dict[str, dict[str, Any]]]:
        if not hasattr(self, "_connections"):
            self._connections: dict[str, ConnectionRec] = {}
            self._imports: dict[str, ImportRec] = {}
            self._redirect_uris: dict[str, dict[str, Any]] = {}
        return self._connections, self._imports, self._redirect_uris

    def add_connection(self, files: Mapping[str, str | os.PathLike[str] | bytes | tuple[str, bytes]], *,
                       custom_id: str | None = None, display_name: str = "emulator@example.com") -> str:
        """Register a connected Google Drive account holding ``files`` (source id -> path, bytes or
        ``(filename, bytes)``); returns the connection id. Stands in for the browser OAuth step."""
        loaded: dict[str, tuple[str, bytes]] = {}
        for source_id, f in files.items():
            if isinstance(f, tuple):
                loaded[source_id] = (f[0], bytes(f[1]))
            elif isinstance(f, (bytes, bytearray)):
                loaded[source_id] = (f"{source_id}.bin", bytes(f))
            else:
                loaded[source_id] = (Path(f).name, Path(f).read_bytes())
        with self._lock:  # type: ignore[attr-defined]
            rec = ConnectionRec(self.new_id("connection"), custom_id, display_name, loaded, self.now(),  # type: ignore[attr-defined]
                                self.next_seq())  # type: ignore[attr-defined]
            self._conn_state()[0][rec.id] = rec
        return rec.id

    def _connection(self, req: Req) -> ConnectionRec:
        cid = req.params["connection_id"]
        rec = self._conn_state()[0].get(cid)
        if rec is None:
            raise ApiError(404, "resource_not_exist", f"Connection {cid} does not exist.")
        return rec

    @staticmethod
    def _conn_json(c: ConnectionRec) -> dict[str, Any]:
        return {"_id": c.id, "provider": "google_drive", "status": c.status, "custom_id": c.custom_id,
                "account": {"external_id": "gd-" + c.id[:8], "display_name": c.display_name},
                "scopes": ["https://www.googleapis.com/auth/drive.file"], "connected_at": c.created_at,
                "last_used_at": c.last_used_at}

    def _import_json(self, i: ImportRec, items: bool) -> dict[str, Any]:
        conn = self._conn_state()[0].get(i.connection_id)
        out: dict[str, Any] = {"_id": i.id, "connection_id": i.connection_id, "provider": "google_drive",
               "custom_id": conn.custom_id if conn else None, "item_count": len(i.items), "created_at": i.created_at}
        if items:
            out["items"] = [self._import_item_now(item) for item in i.items]
        return out

    def _import_item_now(self, item: dict[str, Any]) -> dict[str, Any]:
        """An import item with the current status of its asset (processing until the asset is ready)."""
        if item.get("asset_id") is None:
            return dict(item)
        try:
            self.asset_media(item["asset_id"])  # type: ignore[attr-defined]
            status = "ready"
        except ApiError as exc:
            status = "processing" if exc.status == 400 else "failed"
        return {**item, "status": status}

    # ------------------------------------------------------------------ connections
    def authorize_connection(self, req: Req) -> Resp:
        body = req.require_json("POST /connections:authorize")
        if body.get("provider") != "google_drive":
            raise bad(f"`provider` must be google_drive, got {body.get('provider')!r}.")
        uri = body.get("redirect_uri")
        if not uri:
            raise missing("redirect_uri")
        if uri not in {r["redirect_uri"] for r in self._conn_state()[2].values()}:
            raise bad(f"redirect_uri {uri!r} is not registered; register it with POST /connections/redirect-uris.")
        state = self.new_id("oauth-state")  # type: ignore[attr-defined]
        return Resp(200, {"authorize_url": f"{req.origin}/oauth/google_drive/authorize?state={state}", "state": state})

    def list_connections(self, req: Req) -> Resp:
        return Resp(200, page_of(req, list(self._conn_state()[0].values()), self._conn_json, ("created_at",)))

    def get_connection(self, req: Req) -> Resp:
        return Resp(200, self._conn_json(self._connection(req)))

    def delete_connection(self, req: Req) -> Resp:
        rec = self._connection(req)
        del self._conn_state()[0][rec.id]
        return Resp(204)

    def connection_picker_token(self, req: Req) -> Resp:
        rec = self._connection(req)
        if rec.status != "active":
            raise ApiError(409, "connection_not_active", f"Connection {rec.id} is {rec.status}; reconnect it first.")
        return Resp(200, {"access_token": "ya29.emulator-" + self.new_id("picker"), "expires_in": 3600,  # type: ignore[attr-defined]
                          "scope": "https://www.googleapis.com/auth/drive.file", "app_id": "000000000000",
                          "developer_key": "emulator-developer-key"})

    def list_redirect_uris(self, req: Req) -> Resp:
        records = [_Row(r) for r in self._conn_state()[2].values()]
        return Resp(200, page_of(req, records, lambda r: {k: v for k, v in r.row.items() if k != "seq"},
                                 ("created_at",)))

    def create_redirect_uri(self, req: Req) -> Resp:
        uri = req.require_json("POST /connections/redirect-uris").get("redirect_uri")
        if not uri:
            raise missing("redirect_uri")
        parsed = urlparse(uri) if isinstance(uri, str) else None
        if parsed is None or parsed.scheme != "https" or not parsed.netloc:
            raise ApiError(422, "redirect_uri_invalid", f"redirect_uri must be an absolute https URL, got {uri!r}.")
        if any(r["redirect_uri"] == uri for r in self._conn_state()[2].values()):
            raise ApiError(409, "redirect_uri_exists", f"{uri} is already registered.")
        row = {"_id": self.new_id("redirect-uri"), "redirect_uri": uri, "created_at": self.now(),  # type: ignore[attr-defined]
               "seq": self.next_seq()}  # type: ignore[attr-defined]
        self._conn_state()[2][row["_id"]] = row
        return Resp(201, {k: v for k, v in row.items() if k != "seq"})

    def delete_redirect_uri(self, req: Req) -> Resp:
        if self._conn_state()[2].pop(req.params["redirect_uri_id"], None) is None:
            raise ApiError(404, "resource_not_exist", f"Redirect URI {req.params['redirect_uri_id']} does not exist.")
        return Resp(204)

    # ------------------------------------------------------------------ imports
    def import_files(self, req: Req) -> Resp:
        conn = self._connection(req)
        items = req.require_json("POST /connections/{id}/imports").get("items")
        if not isinstance(items, list) or not items or len(items) > 100:
            raise bad("`items` must be a list of 1 to 100 {source_id} objects.")
        ids = [i.get("source_id") if isinstance(i, dict) else None for i in items]
        if not all(isinstance(s, str) and s for s in ids) or len(set(ids)) != len(ids):
            raise bad("Every item needs a source_id, and source ids must be unique within one import.")
        add_asset = getattr(self, "add_asset", None)
        if add_asset is None:
            raise ApiError(501, "not_implemented", "This emulator has no assets (the assets emulator is not "
                                                   "installed), so files cannot be imported.")
        out = []
        for sid in ids:
            if sid in conn.imported:
                out.append({"source_id": sid, "action": "skipped", "asset_id": conn.imported[sid]})
            elif sid not in conn.files:
                out.append({"source_id": sid, "action": "rejected",
                            "error": {"code": "source_not_found", "message": f"No file {sid} in this Google Drive."}})
            else:
                filename, data = conn.files[sid]
                conn.imported[sid] = add_asset(data, filename=filename, ready=False)
                out.append({"source_id": sid, "action": "created", "asset_id": conn.imported[sid]})
        conn.last_used_at = self.now()  # type: ignore[attr-defined]
        rec = ImportRec(self.new_id("import"), conn.id, out, self.now(), self.next_seq())  # type: ignore[attr-defined]
        self._conn_state()[1][rec.id] = rec
        return Resp(201, {"_id": rec.id, "has_failures": any(i["action"] == "rejected" for i in out),
                          "items": [self._import_item_now(i) for i in out]})

    def list_imports(self, req: Req) -> Resp:
        conn = self._connection(req)
        items = [i for i in self._conn_state()[1].values() if i.connection_id == conn.id]
        return Resp(200, page_of(req, items, lambda i: self._import_json(i, False), ("created_at",)))

    def get_import(self, req: Req) -> Resp:
        conn = self._connection(req)
        rec = self._conn_state()[1].get(req.params["import_id"])
        if rec is None or rec.connection_id != conn.id:
            raise ApiError(404, "resource_not_exist", f"Import {req.params['import_id']} does not exist.")
        return Resp(200, self._import_json(rec, True))


@dataclass
class _Row:
    row: dict[str, Any]

    @property
    def created_at(self) -> Any:
        return self.row["created_at"]

    @property
    def seq(self) -> int:
        return int(self.row["seq"])
