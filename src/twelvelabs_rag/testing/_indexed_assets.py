"""Routes for ``/indexes/{index_id}/indexed-assets`` and ``/assets/{asset_id}/indexed-assets`` (spec-current §2).

An indexed asset *is* a video of its index (same ``_id``, spec §2 inference): once ``ready`` it shows
in the classic ``/videos`` endpoints and in search results as ``video_id``. It walks the emulator's
``task_statuses`` one step per read (retrieve, or a list that includes it). Only ``marengo3.0``
indexes take indexed assets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._assets import AssetRoutes
from ._core import VideoRec, date_filter, embedding_options, paginate
from ._http import ApiError, Req, Resp, bad, missing, parse_bool, parse_num

__all__ = ["IndexedAssetRec", "IndexedAssetRoutes"]

_RANGE_KEYS = ("duration", "fps", "width", "height", "size")
_LIST_KEYS = frozenset({"page", "page_limit", "sort_by", "sort_option", "status", "filename", "created_at",
                        "updated_at"})
_STATUSES = ("validating", "pending", "queued", "indexing", "ready", "failed")


@dataclass
class IndexedAssetRec:
    id: str
    asset_id: str
    statuses: tuple[str, ...]
    step: int = 0
    fail: tuple[str, str] | None = None

    @property
    def status(self) -> str:
        if self.step >= len(self.statuses) - 1 and self.fail:
            return "failed"
        return self.statuses[min(self.step, len(self.statuses) - 1)]


class IndexedAssetRoutes(AssetRoutes):
    """Indexing of existing assets into Marengo 3.0 indexes."""

    if TYPE_CHECKING:  # provided by TaskRoutes, a later base of FakeTwelveLabs
        task_statuses: tuple[str, ...]

    @property
    def indexed(self) -> dict[str, IndexedAssetRec]:
        store = self.__dict__.get("_indexed")
        if store is None:
            store = self.__dict__["_indexed"] = {}
        return store

    # ------------------------------------------------------------------ hooks of the other mixins
    def indexed_assets_of(self, asset_id: str) -> list[str]:
        return [r.id for r in self.indexed.values() if r.asset_id == asset_id and r.id in self.videos]

    def video_summary(self, v: VideoRec) -> dict[str, Any]:
        out = super().video_summary(v)
        rec = self.indexed.get(v.id)
        if rec is not None:
            out["asset_id"] = rec.asset_id
        return out

    # ------------------------------------------------------------------ helpers
    def _step_indexed(self, rec: IndexedAssetRec) -> None:
        if rec.status in ("ready", "failed"):
            return
        rec.step += 1
        v = self.videos.get(rec.id)
        if v is not None:
            v.updated_at = self.now()
            if rec.status == "ready" and not v.ready:
                v.ready, v.indexed_at = True, self.now()

    def _ia_index(self, index_id: str, status: int = 404) -> Any:
        ix = self.indexes.get(index_id)
        if ix is None:
            raise ApiError(status, "resource_not_exist", f"Index with id {index_id} does not exist.")
        return ix

    def _ia_rec(self, req: Req) -> tuple[VideoRec, IndexedAssetRec]:
        ix = self._ia_index(req.params["index_id"])
        iid = req.params["indexed_asset_id"]
        rec, v = self.indexed.get(iid), self.videos.get(iid)
        if rec is None or v is None or v.index_id != ix.id:
            raise ApiError(404, "resource_not_exist", f"Indexed asset with id {iid} does not exist in index {ix.id}.")
        return v, rec

    def indexed_asset_json(self, v: VideoRec, detail: bool = False, origin: str | None = None) -> dict[str, Any]:
        out = self.video_summary(v)
        rec = self.indexed[v.id]
        out["status"] = rec.status
        if not detail:
            out.pop("user_metadata", None)
        elif v.stream and origin is not None:
            hls = self.hls_json(v.id, origin)
            hls["status"] = {"ready": "COMPLETE", "failed": "ERROR"}.get(rec.status, "PROCESSING")
            out["hls"] = hls
        return out

    # ------------------------------------------------------------------ routes
    def create_indexed_asset(self, req: Req) -> Resp:
        ix = self._ia_index(req.params["index_id"])
        marengo = ix.marengo()
        if marengo is None or marengo["model_name"] != "marengo3.0":
            names = ", ".join(m["model_name"] for m in ix.models)
            raise bad(f"Index {ix.id} uses {names}; indexed assets need an index with marengo3.0. Create one with "
                      "models=[{\"model_name\": \"marengo3.0\", \"model_options\": [\"visual\", \"audio\"]}].",
                      "index_not_supported")
        body = req.require_json("POST /indexes/{index_id}/indexed-assets")
        asset_id = body.get("asset_id")
        if not asset_id:
            raise missing("asset_id")
        media = self.asset_media(asset_id)
        if media.info.kind not in ("video", "audio"):
            raise bad(f"Asset {asset_id} is {media.info.kind or 'not a video'}; only video assets can be indexed.",
                      "unsupported_media_type")
        meta = body.get("user_metadata") or {}
        if not isinstance(meta, dict):
            raise bad("`user_metadata` must be a JSON object.")
        stream = parse_bool(str(body.get("enable_video_stream", False)).lower(), "enable_video_stream", False)
        now = self.now()
        v = VideoRec(self.new_id("video"), ix.id, "", media, {k: x for k, x in meta.items() if x is not None},
                     bool(stream), now, now, self.next_seq(), asset_id=asset_id)
        rec = IndexedAssetRec(v.id, asset_id, tuple(self.task_statuses))
        failures = getattr(self, "_task_failures", None)
        if failures:
            rec.fail = failures.pop(0)
        self.videos[v.id] = v
        self.indexed[v.id] = rec
        if rec.status == "ready":
            v.ready, v.indexed_at = True, now
        return Resp(202, {"_id": v.id, "asset_id": asset_id},
                    {"Location": f"/indexes/{ix.id}/indexed-assets/{v.id}"})

    def list_indexed_assets(self, req: Req) -> Resp:
        ix = self._ia_index(req.params["index_id"], status=400)
        items = [v for v in self.videos.values() if v.index_id == ix.id and v.id in self.indexed]
        statuses = [s for value in req.q_all("status") for s in value.split(",") if s]
        for s in statuses:
            if s not in _STATUSES:
                raise bad(f"Unknown indexed-asset status {s!r}; use one of {', '.join(_STATUSES)}.")
        if statuses:
            items = [v for v in items if self.indexed[v.id].status in statuses]
        if filename := req.q("filename"):
            items = [v for v in items if filename.lower() in (v.media.filename or "").lower()]
        items = [v for v in items if date_filter(req, "created_at", v.created_at)
                 and date_filter(req, "updated_at", v.updated_at)]
        for key in _RANGE_KEYS:
            lo, hi = parse_num(req.q(f"{key}[gte]"), f"{key}[gte]"), parse_num(req.q(f"{key}[lte]"), f"{key}[lte]")
            if lo is None and hi is None:
                continue
            items = [v for v in items if _between(self.video_summary(v)["system_metadata"].get(key), lo, hi)]
        for key, value in req.query:
            if key.startswith("user_metadata[") and key.endswith("]"):
                name = key[len("user_metadata["):-1]
                items = [v for v in items if name in v.user_metadata and _same(v.user_metadata[name], value)]
        page = paginate(req, items, self.indexed_asset_json)
        for v in items:
            self._step_indexed(self.indexed[v.id])
        return Resp(200, page)

    def get_indexed_asset(self, req: Req) -> Resp:
        v, rec = self._ia_rec(req)
        ix = self.indexes[v.index_id]
        out = self.indexed_asset_json(v, detail=True, origin=req.origin)
        options = ["visual" if o == "visual-text" else o for o in req.q_all("embedding_option")]
        if options:
            marengo = ix.marengo()
            assert marengo is not None  # create_indexed_asset only indexes into marengo3.0 indexes
            allowed = embedding_options(marengo["model_name"])
            for o in options:
                if o not in allowed:
                    raise bad(f"embedding_option {o!r} is not valid for marengo3.0; use one of {', '.join(allowed)}.")
            if rec.status == "ready":
                key = tuple(options)
                if key not in v.segment_cache:
                    v.segment_cache[key] = self.video_segments(v.media, "marengo3.0", options)
                out["embedding"] = {"model_name": "marengo3.0", "video_embedding": {"segments": v.segment_cache[key]}}
        if parse_bool(req.q("transcription"), "transcription", False) and rec.status == "ready":
            out["transcription"] = [{"start": s.start, "end": s.end, "value": s.speech}
                                    for s in v.media.scene_list() if s.speech]
        self._step_indexed(rec)
        return Resp(200, out)

    def update_indexed_asset(self, req: Req) -> Resp:
        v, _ = self._ia_rec(req)
        body = req.require_json("PATCH /indexes/{index_id}/indexed-assets/{indexed_asset_id}")
        meta = body.get("user_metadata")
        if meta is None:
            return Resp(204)
        if not isinstance(meta, dict):
            raise bad("`user_metadata` must be a JSON object of key -> string/number/boolean/list of strings.")
        for key, value in meta.items():
            if value is None:
                v.user_metadata.pop(key, None)
            elif isinstance(value, (str, int, float, bool)) or (
                    isinstance(value, list) and all(isinstance(x, str) for x in value)):
                v.user_metadata[key] = value
            else:
                raise bad(f"user_metadata[{key!r}] must be a string, number, boolean or list of strings.")
        v.updated_at = self.now()
        return Resp(204)

    def delete_indexed_asset(self, req: Req) -> Resp:
        v, _ = self._ia_rec(req)
        del self.videos[v.id]
        del self.indexed[v.id]
        return Resp(204)

    def list_asset_indexes(self, req: Req) -> Resp:
        asset_id = req.params["asset_id"]
        if asset_id not in self.assets:
            raise bad(f"Asset with id {asset_id} does not exist.", "resource_not_exist")
        items = [self.videos[i] for i in self.indexed_assets_of(asset_id)]
        return Resp(200, paginate(req, items, lambda v: {
            "_id": v.id, "index": {"_id": v.index_id, "name": self.indexes[v.index_id].name}}, sortable=False))


def _between(value: Any, lo: float | None, hi: float | None) -> bool:
    if value is None:
        return False
    return not ((lo is not None and float(value) < lo) or (hi is not None and float(value) > hi))


def _same(stored: Any, wanted: str) -> bool:
    if isinstance(stored, bool):
        return wanted.lower() == str(stored).lower()
    if isinstance(stored, (int, float)):
        try:
            return float(wanted) == float(stored)
        except ValueError:
            return False
    if isinstance(stored, list):
        return wanted in stored
    return str(stored) == wanted
