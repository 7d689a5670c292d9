"""Routes for ``/assets`` (spec-current §1): direct and URL uploads, status, transcription, metadata.

An asset walks ``asset_statuses`` (default ``processing`` -> ``ready``) one step per read of it
(retrieve or list), deterministically and without sleeping. A multipart asset stays
``processing`` until its session completes (see ``_multipart``).
"""

from __future__ import annotations

import json
import mimetypes
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .. import _limits
from ._core import Media, paginate
from ._http import ApiError, Req, Resp, bad, missing, parse_bool, part_data
from ._indexes import IndexRoutes

__all__ = ["AssetRec", "AssetRoutes", "ASSET_TYPES"]

ASSET_TYPES = ("image", "video", "audio", "document")
_TRANSCRIPT_VIEWS = ("words", "sentences", "utterances")


@dataclass
class AssetRec:
    id: str
    method: str
    filename: str
    file_type: str
    created_at: str
    seq: int
    user_metadata: dict[str, Any] = field(default_factory=dict)
    media: Media | None = None
    size: int | None = None
    enable_hls: bool = True
    enable_thumbnail: bool = True
    statuses: tuple[str, ...] = ("processing", "ready")
    step: int = 0
    held: bool = False  # a multipart asset before its bytes are all in
    fail: str | None = None

    @property
    def status(self) -> str:
        if self.held:
            return "processing"
        current = self.statuses[min(self.step, len(self.statuses) - 1)]
        return "failed" if current == "ready" and self.fail else current

    @property
    def kind(self) -> str:
        major = self.file_type.split("/", 1)[0]
        if major in ("image", "video", "audio"):
            return major
        return "document" if self.file_type in ("application/pdf", "text/plain", "text/markdown") else "video"


def _meta_value_ok(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool)) or value is None or (
        isinstance(value, list) and all(isinstance(x, str) for x in value))


def _user_metadata(raw: Any, where: str) -> dict[str, Any]:
    if raw is None or raw == "":
        return {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise bad(f"`user_metadata` of {where} must be a JSON object encoded as a string, "
                      "e.g. '{\"category\": \"news\"}'.") from None
    if not isinstance(raw, dict):
        raise bad(f"`user_metadata` of {where} must be a JSON object.")
    for key, value in raw.items():
        if not _meta_value_ok(value):
            raise bad(f"user_metadata[{key!r}] must be a string, number, boolean, list of strings or null.")
    return raw


def _kept(value: Any) -> bool:
    """Spec §1: ``""`` and ``[]`` values are ignored by the metadata operations."""
    return bool(value != "" and value != [])


class AssetRoutes(IndexRoutes):
    """The asset store; ``add_asset`` seeds it, ``asset_media`` serves the other routes."""

    asset_statuses: tuple[str, ...] = ("processing", "ready")

    @property
    def assets(self) -> dict[str, AssetRec]:
        store = self.__dict__.get("_assets")
        if store is None:
            store = self.__dict__["_assets"] = {}
        return store

    # ------------------------------------------------------------------ public helpers
    def add_asset(self, file: str | os.PathLike[str] | bytes, *, filename: str | None = None, ready: bool = True,
                  user_metadata: dict[str, Any] | None = None) -> str:
        """Seed an asset from a path or bytes (``ready`` at once unless ``ready=False``); returns its id."""
        if isinstance(file, (bytes, bytearray)):
            data, name = bytes(file), filename or "asset.mp4"
        else:
            data, name = Path(file).read_bytes(), filename or Path(file).name
        with self._lock:
            rec = self._new_asset("direct", name, self.media_from_bytes(data, name), len(data),
                                  dict(user_metadata or {}), True, True)
            if ready:
                rec.step = len(rec.statuses) - 1
            return rec.id

    def asset_for_upload(self, media: Media) -> str:
        """The ready asset a classic ``POST /tasks`` upload also becomes (videos carry its ``asset_id``, so
        Pegasus on the current surface can analyze a classically indexed video by that id)."""
        pending_failures = self.__dict__.pop("_asset_failures", None)  # meant for the next real asset
        try:
            rec = self._new_asset("direct", media.filename or "video.mp4", media, media.info.size, {}, True, True)
        finally:
            if pending_failures is not None:
                self.__dict__["_asset_failures"] = pending_failures
        rec.step = len(rec.statuses) - 1
        return rec.id

    def fail_asset_next(self, message: str = "The file could not be processed (injected failure).") -> None:
        """Make the next created asset end ``failed`` (with ``error.message``) instead of ``ready``."""
        with self._lock:
            self.__dict__.setdefault("_asset_failures", []).append(message)

    def asset_media(self, asset_id: str) -> Media:
        """The parsed media of a ready asset (404 ``ApiError`` if unknown, 400 if not ready)."""
        rec = self.assets.get(asset_id or "")
        if rec is None:
            raise ApiError(404, "resource_not_exist", f"Asset with id {asset_id} does not exist.")
        if rec.status != "ready" or rec.media is None:
            raise bad(f"Asset {asset_id} is {rec.status}; wait until GET /assets/{asset_id} says ready.",
                      "asset_not_ready")
        return rec.media

    def asset(self, path: str) -> Resp:
        """Serve an asset's ``/hls/{asset_id}/index.m3u8`` and ``/thumbnails/{asset_id}/0.png`` too."""
        parts = path.strip("/").split("/")
        rec = self.assets.get(parts[1]) if len(parts) == 3 else None
        if rec is None or rec.status != "ready" or rec.media is None:
            return super().asset(path)
        if parts[0] == "hls":
            playlist = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-ENDLIST\n"
            return Resp(200, stream=iter([playlist.encode()]), content_type="application/vnd.apple.mpegurl")
        from .samples import png_bytes

        scenes = rec.media.scene_list()
        return Resp(200, stream=iter([png_bytes(scenes[0].visual if scenes else "", width=320, height=180)]),
                    content_type="image/png")

    # ------------------------------------------------------------------ records
    def _new_asset(self, method: str, filename: str, media: Media | None, size: int | None, meta: dict[str, Any],
                   hls: bool, thumbnail: bool, file_type: str | None = None) -> AssetRec:
        if media is not None and media.info.kind is None:  # unknown bytes: a 10 s 640x360 video, no script
            media.info = replace(media.info, kind="video", width=640, height=360, duration=10.0, fps=25.0)
        ftype = file_type or mimetypes.guess_type(filename)[0] or (
            f"{media.info.kind}/{media.info.format}" if media is not None and media.info.format else "video/mp4")
        rec = AssetRec(self.new_id("asset"), method, filename, ftype, self.now(), self.next_seq(),
                       {k: v for k, v in meta.items() if v is not None and _kept(v)}, media, size, hls, thumbnail,
                       tuple(self.asset_statuses))
        failures = self.__dict__.get("_asset_failures")
        if failures:
            rec.fail = failures.pop(0)
        self.assets[rec.id] = rec
        return rec

    def _asset_rec(self, asset_id: str, status: int = 404) -> AssetRec:
        rec = self.assets.get(asset_id)
        if rec is None:
            raise ApiError(status, "resource_not_exist", f"Asset with id {asset_id} does not exist.")
        return rec

    def _step_asset(self, rec: AssetRec) -> None:
        if not rec.held and rec.status not in ("ready", "failed"):
            rec.step += 1

    def asset_json(self, rec: AssetRec, origin: str, detail: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"_id": rec.id, "method": rec.method, "status": rec.status, "filename": rec.filename,
                               "file_type": rec.file_type, "created_at": rec.created_at,
                               "user_metadata": dict(rec.user_metadata)}
        if not detail:
            return out
        ready = rec.status == "ready"
        media_status = "ready" if ready else ("error" if rec.status == "failed" else "processing")
        if rec.enable_hls:
            out["hls"] = {"manifest_url": f"{origin}/hls/{rec.id}/index.m3u8" if ready else None,
                          "status": media_status}
        if rec.enable_thumbnail:
            out["thumbnail"] = {"representative_url": f"{origin}/thumbnails/{rec.id}/0.png" if ready else None,
                                "status": media_status}
        if rec.status == "failed":
            out["error"] = {"message": rec.fail}
        if ready and rec.media is not None:
            info = rec.media.info
            out["size"] = rec.size
            tech: dict[str, Any] = {"file_size_bytes": rec.size, "file_mime_type": rec.file_type}
            if rec.kind in ("video", "audio"):
                out["duration"] = rec.media.duration
                tech["has_audio"] = any(s.speech for s in rec.media.scene_list()) or rec.kind == "audio"
            if rec.kind == "video":
                tech.update(video_width=info.width, video_height=info.height, video_fps=info.fps,
                            video_duration_seconds=info.duration, file_container_format=info.format)
            if rec.kind == "image":
                tech.update(image_width=info.width, image_height=info.height)
            out["technical_metadata"] = tech
        return out

    # ------------------------------------------------------------------ routes
    def create_asset(self, req: Req) -> Resp:
        req.require_form("POST /assets")
        method = req.f("method")
        if not method:
            raise missing("method")
        if method not in ("direct", "url"):
            raise bad(f"`method` must be direct or url, got {method!r}; for files over 200 MB use "
                      "POST /assets/multipart-uploads.")
        filename = req.f("filename")
        if filename is not None and not 1 <= len(filename) <= 255:
            raise bad("`filename` must be 1 to 255 characters long.")
        meta = _user_metadata(req.f("user_metadata"), "POST /assets")
        hls = parse_bool(req.f("enable_hls"), "enable_hls", True)
        thumb = parse_bool(req.f("enable_thumbnail"), "enable_thumbnail", True)
        if method == "direct":
            part = req.file("file")
            if part is None:
                raise ApiError(400, "parameter_not_provided", "method=direct needs the file as the `file` part.")
            name = filename or part.filename or "asset.mp4"
            data = part_data(part)
            media = self.media_from_bytes(data, name)
            kind = media.info.kind or (mimetypes.guess_type(name)[0] or "video/").split("/")[0]
            problem = _limits.asset_limits(len(data), kind, method="direct")
            if problem:
                raise bad(problem[1], problem[0])
            size: int | None = len(data)
        else:
            url = req.f("url")
            if not url:
                raise ApiError(400, "parameter_not_provided", "method=url needs the `url` field (a direct media URL).")
            media = self.media_from_url(url, "url")
            name = filename or media.filename or "asset.mp4"
            size = media.info.size
        rec = self._new_asset(method, name, media, size, meta, bool(hls), bool(thumb))
        return Resp(201, self.asset_json(rec, req.origin, detail=False))

    def list_assets(self, req: Req) -> Resp:
        items = list(self.assets.values())
        ids = [i for value in req.q_all("asset_ids") for i in value.split(",") if i]
        if ids:
            items = [a for a in items if a.id in ids]
        types = [t for value in req.q_all("asset_types") for t in value.split(",") if t]
        for t in types:
            if t not in ASSET_TYPES:
                raise bad(f"Unknown asset type {t!r}; use one of {', '.join(ASSET_TYPES)}.")
        if types:
            items = [a for a in items if a.kind in types]
        if name := req.q("filename"):
            items = [a for a in items if name.lower() in a.filename.lower()]
        page = paginate(req, items, lambda a: self.asset_json(a, req.origin), sortable=False)
        for a in items:  # a read moves every listed asset on, like a retrieve
            self._step_asset(a)
        return Resp(200, page)

    def get_asset(self, req: Req) -> Resp:
        rec = self._asset_rec(req.params["asset_id"])
        out = self.asset_json(rec, req.origin)
        self._step_asset(rec)
        return Resp(200, out)

    def delete_asset(self, req: Req) -> Resp:
        rec = self._asset_rec(req.params["asset_id"])
        force = parse_bool(req.q("force"), "force", False)
        users = self.indexed_assets_of(rec.id)
        if users and not force:
            raise ApiError(409, "asset_in_use", f"Asset {rec.id} is still indexed in {len(users)} index(es); delete "
                                                "those indexed assets first or pass force=true.")
        del self.assets[rec.id]
        return Resp(204)

    def indexed_assets_of(self, asset_id: str) -> list[str]:
        """Ids of the indexed assets made from ``asset_id`` (none until ``_indexed_assets`` adds some)."""
        return []

    def asset_transcription(self, req: Req) -> Resp:
        rec = self._asset_rec(req.params["asset_id"])
        views = [v.strip() for value in req.q_all("include") for v in value.split(",") if v.strip()] or ["words"]
        for v in views:
            if v not in _TRANSCRIPT_VIEWS:
                raise bad(f"`include` must be among {', '.join(_TRANSCRIPT_VIEWS)}, got {v!r}.")
        if rec.kind not in ("video", "audio"):
            raise ApiError(404, "resource_not_exist", f"Asset {rec.id} is a {rec.kind}; only video and audio "
                                                      "assets have a transcription.")
        if rec.status != "ready" or rec.media is None:
            return Resp(200, {"status": "failed" if rec.status == "failed" else "processing"})
        scenes = [s for s in rec.media.scene_list() if s.speech]
        out: dict[str, Any] = {"status": "ready"}
        if "words" in views:
            out["words"] = [w for s in scenes for w in _words(s.start, s.end, s.speech)]
        if "sentences" in views:
            out["sentences"] = [{"start": s.start, "end": s.end, "value": s.speech} for s in scenes]
        if "utterances" in views:
            out["utterances"] = [{"start": s.start, "end": s.end, "value": s.speech, "speaker": "speaker_0"}
                                 for s in scenes]
        return Resp(200, out)

    def _metadata_body(self, req: Req) -> dict[str, Any]:
        body = req.require_json(f"{req.method} /assets/{{asset_id}}/user-metadata")
        if "user_metadata" not in body:
            raise missing("user_metadata")
        return _user_metadata(body["user_metadata"], f"{req.method} /assets/{{asset_id}}/user-metadata")

    def replace_asset_metadata(self, req: Req) -> Resp:
        rec = self._asset_rec(req.params["asset_id"])
        meta = self._metadata_body(req)
        rec.user_metadata = {k: v for k, v in meta.items() if v is not None and _kept(v)}
        return Resp(204)

    def update_asset_metadata(self, req: Req) -> Resp:
        rec = self._asset_rec(req.params["asset_id"])
        for key, value in self._metadata_body(req).items():
            if value is None:
                rec.user_metadata.pop(key, None)
            elif _kept(value):
                rec.user_metadata[key] = value
        return Resp(204)

    def delete_asset_metadata(self, req: Req) -> Resp:
        self._asset_rec(req.params["asset_id"]).user_metadata = {}
        return Resp(204)


def _words(start: float, end: float, text: str) -> list[dict[str, Any]]:
    words = re.findall(r"\S+", text)
    if not words:
        return []
    step = (end - start) / len(words)
    return [{"start": round(start + i * step, 3), "end": round(start + (i + 1) * step, 3), "value": w}
            for i, w in enumerate(words)]
