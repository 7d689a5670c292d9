"""Routes for ``/indexes`` and ``/indexes/{index_id}/videos``."""

from __future__ import annotations

from typing import Any

from ._core import CoreState, IndexRec, VideoRec, date_filter, embedding_options, paginate
from ._http import ApiError, Req, Resp, bad, missing, not_found, parse_bool, parse_num

__all__ = ["IndexRoutes", "SYSTEM_KEYS"]

INDEX_MODELS = ("marengo2.7", "marengo3.0", "pegasus1.2", "pegasus1.5")
SYSTEM_KEYS = frozenset({"duration", "filename", "fps", "height", "width", "size"})
_VIDEO_QUERY_KEYS = frozenset({"page", "page_limit", "sort_by", "sort_option", "filename", "created_at",
                               "updated_at", "duration", "fps", "width", "height", "size"})


def _models(body: dict[str, Any]) -> list[dict[str, Any]]:
    models = body.get("models")
    if models is None:
        raise missing("models")
    if not isinstance(models, list) or not models:
        raise bad("`models` must be a non-empty list like [{\"model_name\": \"marengo3.0\", "
                  "\"model_options\": [\"visual\", \"audio\"]}].")
    out = []
    for m in models:
        if not isinstance(m, dict) or not m.get("model_name"):
            raise missing("models[].model_name")
        name = m["model_name"]
        if name not in INDEX_MODELS:
            raise bad(f"Unknown model_name {name!r}; use one of {', '.join(INDEX_MODELS)}.")
        options = m.get("model_options")
        if not options:
            raise missing("models[].model_options")
        if not isinstance(options, list) or not set(options) <= {"visual", "audio"}:
            raise bad(f"`model_options` of {name} must be a subset of ['visual', 'audio'], got {options!r}.")
        out.append({"model_name": name, "model_options": list(dict.fromkeys(options))})
    return out


def _meta_value_matches(stored: Any, wanted: str) -> bool:
    if isinstance(stored, bool):
        return wanted.lower() == str(stored).lower()
    if isinstance(stored, (int, float)):
        try:
            return float(wanted) == float(stored)
        except ValueError:
            return False
    if isinstance(stored, list):
        return wanted in [str(x) for x in stored]
    return str(stored) == wanted


class IndexRoutes(CoreState):
    """Index CRUD and the videos inside an index."""

    # ------------------------------------------------------------------ serialisers
    def index_json(self, ix: IndexRec) -> dict[str, Any]:
        videos = [v for v in self.videos.values() if v.index_id == ix.id and v.ready]
        return {"_id": ix.id, "index_name": ix.name, "models": ix.models, "addons": ix.addons,
                "video_count": len(videos), "total_duration": round(sum(v.media.duration for v in videos), 3),
                "created_at": ix.created_at, "updated_at": ix.updated_at, "expires_at": None}

    def video_summary(self, v: VideoRec) -> dict[str, Any]:
        info = v.media.info
        return {"_id": v.id, "asset_id": v.asset_id, "created_at": v.created_at, "updated_at": v.updated_at,
                "indexed_at": v.indexed_at,
                "system_metadata": {"filename": v.media.filename or f"{v.id}.mp4", "duration": v.media.duration,
                                    "fps": info.fps or 30.0, "width": info.width or 1280, "height": info.height or 720,
                                    "size": info.size or 0},
                "user_metadata": dict(v.user_metadata)}

    def _video_list_item(self, v: VideoRec) -> dict[str, Any]:
        """A list item ("VideoVector"): the summary without ``user_metadata``, which only retrieve returns
        (twelvelabs-api.md §4: "Video detail (retrieve) adds user_metadata")."""
        out = self.video_summary(v)
        out.pop("user_metadata", None)
        return out

    def hls_json(self, video_id: str, origin: str) -> dict[str, Any]:
        return {"video_url": f"{origin}/hls/{video_id}/index.m3u8",
                "thumbnail_urls": [f"{origin}/thumbnails/{video_id}/0.png"],
                "status": "COMPLETE", "updated_at": self.now()}

    def asset(self, path: str) -> Resp:
        """Serve the URLs the answers mention: ``/thumbnails/{video}/{second}.png`` and ``/hls/{video}/index.m3u8``.

        Thumbnails are flat PNGs in the colour ``samples.make_clip`` paints that scene, with the scene
        text in a ``tEXt`` chunk; the HLS playlist is an empty VOD placeholder (no media segments).
        """
        from .samples import png_bytes

        parts = path.strip("/").split("/")
        video = self.videos.get(parts[1]) if len(parts) == 3 else None
        if video is None or not video.ready:
            return Resp(404, ApiError(404, "resource_not_exist", f"No media at {path}.").body())
        if parts[0] == "hls":
            playlist = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-ENDLIST\n"
            return Resp(200, stream=iter([playlist.encode()]), content_type="application/vnd.apple.mpegurl")
        try:
            second = float(parts[2].rsplit(".", 1)[0])
        except ValueError:
            return Resp(404, ApiError(404, "resource_not_exist", f"No thumbnail at {path}.").body())
        scene = next((s for s in video.media.scene_list() if s.start <= second < s.end), None)
        data = png_bytes(scene.visual if scene else "", width=320, height=180)
        return Resp(200, stream=iter([data]), content_type="image/png")

    # ------------------------------------------------------------------ lookups
    def get_index_rec(self, index_id: str | None, status: int = 400) -> IndexRec:
        if not index_id:
            raise missing("index_id")
        ix = self.indexes.get(index_id)
        if ix is None:
            raise not_found("Index", index_id, status)
        return ix

    def get_video_rec(self, index_id: str, video_id: str, status: int = 400) -> VideoRec:
        self.get_index_rec(index_id, status)
        v = self.videos.get(video_id)
        if v is None or v.index_id != index_id or not v.ready:
            raise not_found("Video", video_id, status)
        return v

    # ------------------------------------------------------------------ indexes
    def create_index(self, req: Req) -> Resp:
        body = req.require_json("POST /indexes")
        name = body.get("index_name")
        if not name:
            raise missing("index_name")
        if not isinstance(name, str):
            raise bad("`index_name` must be a string.")
        models = _models(body)
        addons = body.get("addons") or []
        if not isinstance(addons, list) or not set(addons) <= {"thumbnail"}:
            raise bad(f"`addons` may only contain 'thumbnail', got {addons!r}.")
        if addons and not any(m["model_name"].startswith("marengo") for m in models):
            raise bad("The thumbnail addon needs a Marengo model in the index.")
        if any(ix.name == name for ix in self.indexes.values()):
            raise bad(f"An index named {name!r} already exists; choose another name.", "index_name_already_exists")
        ix = IndexRec(self.new_id("index"), name, models, list(addons), self.now(), self.now(), self.next_seq())
        self.indexes[ix.id] = ix
        return Resp(201, {"_id": ix.id})

    def list_indexes(self, req: Req) -> Resp:
        items = list(self.indexes.values())
        if name := req.q("index_name"):
            items = [ix for ix in items if ix.name == name]
        if opts := req.q("model_options"):
            wanted = {o.strip() for o in opts.split(",") if o.strip()}
            items = [ix for ix in items if any(wanted <= set(m["model_options"]) for m in ix.models)]
        if family := req.q("model_family"):
            if family not in ("marengo", "pegasus"):
                raise bad(f"`model_family` must be marengo or pegasus, got {family!r}.")
            items = [ix for ix in items if any(m["model_name"].startswith(family) for m in ix.models)]
        items = [ix for ix in items if date_filter(req, "created_at", ix.created_at)
                 and date_filter(req, "updated_at", ix.updated_at)]
        return Resp(200, paginate(req, items, self.index_json))

    def get_index(self, req: Req) -> Resp:
        return Resp(200, self.index_json(self.get_index_rec(req.params["index_id"])))

    def update_index(self, req: Req) -> Resp:
        ix = self.get_index_rec(req.params["index_id"])
        body = req.require_json("PUT /indexes/{index_id}")
        name = body.get("index_name")
        if not name:
            raise missing("index_name")
        if "models" in body or "addons" in body:
            raise bad("The models and addons of an index cannot be changed; create a new index.",
                      "index_option_cannot_be_changed")
        if any(o.name == name and o.id != ix.id for o in self.indexes.values()):
            raise bad(f"An index named {name!r} already exists; choose another name.", "index_name_already_exists")
        ix.name, ix.updated_at = name, self.now()
        return Resp(204)

    def delete_index(self, req: Req) -> Resp:
        ix = self.get_index_rec(req.params["index_id"])
        del self.indexes[ix.id]
        for vid in [v.id for v in self.videos.values() if v.index_id == ix.id]:
            del self.videos[vid]
        return Resp(204)

    # ------------------------------------------------------------------ videos
    def list_videos(self, req: Req) -> Resp:
        ix = self.get_index_rec(req.params["index_id"])
        items = [v for v in self.videos.values() if v.index_id == ix.id and v.ready]
        if filename := req.q("filename"):
            items = [v for v in items if (v.media.filename or "") == filename]
        items = [v for v in items if date_filter(req, "created_at", v.created_at)
                 and date_filter(req, "updated_at", v.updated_at)]
        for key in ("duration", "fps", "width", "height", "size"):
            exact = parse_num(req.q(key), key)
            lo, hi = parse_num(req.q(f"{key}[gte]"), f"{key}[gte]"), parse_num(req.q(f"{key}[lte]"), f"{key}[lte]")
            if exact is None and lo is None and hi is None:
                continue
            items = [v for v in items if _in_range(self.video_summary(v)["system_metadata"][key], exact, lo, hi)]
        for key, value in req.query:
            name = key[len("user_metadata["):-1] if key.startswith("user_metadata[") and key.endswith("]") else key
            if name in _VIDEO_QUERY_KEYS or "[" in name:
                continue
            items = [v for v in items if name in v.user_metadata and _meta_value_matches(v.user_metadata[name], value)]
        return Resp(200, paginate(req, items, self._video_list_item))

    def get_video(self, req: Req) -> Resp:
        v = self.get_video_rec(req.params["index_id"], req.params["video_id"], status=404)
        ix = self.indexes[v.index_id]
        out = self.video_summary(v)
        out["system_metadata"].pop("size", None)
        if v.stream:
            out["hls"] = self.hls_json(v.id, req.origin)
        options = req.q_all("embedding_option")
        if options:
            marengo = ix.marengo()
            if marengo is None:
                raise bad("embedding_option needs an index with a Marengo model.")
            allowed = embedding_options(marengo["model_name"])
            for o in options:
                if o not in allowed:
                    raise bad(f"embedding_option {o!r} is not valid for {marengo['model_name']}; "
                              f"use one of {', '.join(allowed)}.")
            key = tuple(options)
            if key not in v.segment_cache:
                v.segment_cache[key] = self.video_segments(v.media, marengo["model_name"], options)
            out["embedding"] = {"model_name": marengo["model_name"],
                                "video_embedding": {"segments": v.segment_cache[key]}}
        if parse_bool(req.q("transcription"), "transcription", False):
            # Spoken words only, like the API: a silent scene has no transcript line.
            out["transcription"] = [{"start": s.start, "end": s.end, "value": s.speech}
                                    for s in v.media.scene_list() if s.speech]
        return Resp(200, out)

    def update_video(self, req: Req) -> Resp:
        v = self.get_video_rec(req.params["index_id"], req.params["video_id"])
        body = req.require_json(f"{req.method} /indexes/{{index_id}}/videos/{{video_id}}")
        meta = body.get("user_metadata")
        if meta is None and "video_title" not in body:
            raise missing("user_metadata")
        if meta is not None and not isinstance(meta, dict):
            raise bad("`user_metadata` must be a JSON object of key -> string/number/boolean/list of strings.")
        for key, value in (meta or {}).items():
            if key in SYSTEM_KEYS:
                raise bad(f"`{key}` is a system metadata key and cannot be overridden; rename your key.")
            if value is None:
                v.user_metadata.pop(key, None)
            elif isinstance(value, (str, int, float, bool)) or (
                    isinstance(value, list) and all(isinstance(x, str) for x in value)):
                v.user_metadata[key] = value
            else:
                raise bad(f"user_metadata[{key!r}] must be a string, number, boolean or list of strings.")
        v.updated_at = self.now()
        return Resp(204)

    def delete_video(self, req: Req) -> Resp:
        v = self.get_video_rec(req.params["index_id"], req.params["video_id"])
        del self.videos[v.id]
        task = self.tasks.get(v.task_id)
        if task is not None:
            task.deleted_video = True
        return Resp(204)


def _in_range(value: Any, exact: float | None, lo: float | None, hi: float | None) -> bool:
    if value is None:
        return False
    if exact is not None and float(value) != exact:
        return False
    if lo is not None and float(value) < lo:
        return False
    return not (hi is not None and float(value) > hi)


def check_user_metadata(raw: Any) -> dict[str, Any]:
    """Validate ``user_metadata`` sent as a JSON string (multipart) or an object (JSON)."""
    import json

    if raw is None or raw == "":
        return {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise bad("`user_metadata` must be a JSON object encoded as a string, e.g. '{\"category\": \"news\"}'."
                      ) from None
    if not isinstance(raw, dict):
        raise bad("`user_metadata` must be a JSON object.")
    for key, value in raw.items():
        if key in SYSTEM_KEYS:
            raise bad(f"`{key}` is a system metadata key and cannot be used in user_metadata.")
        if not (isinstance(value, (str, int, float, bool)) or value is None or (
                isinstance(value, list) and all(isinstance(x, str) for x in value))):
            raise bad(f"user_metadata[{key!r}] must be a string, number, boolean or list of strings.")
    return {k: v for k, v in raw.items() if v is not None}


__all__ += ["check_user_metadata", "ApiError"]
