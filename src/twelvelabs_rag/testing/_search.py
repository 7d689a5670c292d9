"""Routes for ``POST /search`` and ``GET /search/{page_token}``.

Clips are the script scenes of each ready video (or 6 s windows for videos without a script);
they are ranked by cosine between the query vector and each clip's vector for the requested
``search_options``; ``operator=or`` takes the best option, ``and`` the weakest.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np

from .. import _limits
from ..models import find_model
from ._core import Media, VideoRec
from ._encoder import dimension_for, encode_bytes, encode_text, tokens
from ._http import ApiError, Req, Resp, bad, missing, parse_bool, parse_num, part_data
from ._tasks import TaskRoutes

__all__ = ["SearchRoutes", "THRESHOLDS"]

#: Cosine cut-offs of the classic ``threshold`` levels (Marengo 3.0 always uses ``low``).
THRESHOLDS = {"high": 0.45, "medium": 0.25, "low": 0.1, "none": -2.0}
_SYSTEM_FILTER = ("duration", "width", "height", "size", "fps")


def _is_classic(model: str) -> bool:
    """Marengo 2.7 indexes (the registry's classic surface) answer score and confidence; 3.0 answers rank only."""
    spec = find_model(model)
    return spec is not None and spec.surface == "classic"


def _confidence(score: float) -> str:
    for level in ("high", "medium", "low"):
        if score >= THRESHOLDS[level]:
            return level
    return "extremely low"


class SearchRoutes(TaskRoutes):
    """Search over the ready videos of an index."""

    def _init_search(self) -> None:
        self._search_pages: dict[str, tuple[str, int]] = {}
        self._search_sessions: dict[str, dict[str, Any]] = {}

    def _clips(self, v: VideoRec) -> list[tuple[float, float, str]]:
        scenes = v.media.scene_list()
        if scenes:
            return [(s.start, s.end, s.speech) for s in scenes]
        d = v.media.duration or 6.0
        out, t = [], 0.0
        while t < d - 1e-9:
            out.append((t, min(t + 6.0, d), ""))
            t += 6.0
        return out

    def _clip_matrix(self, v: VideoRec, option: str, model: str) -> np.ndarray:
        key = (option, model)
        if key not in v.clip_cache:
            dim = dimension_for(model)
            emb_option = "visual-text" if option == "visual" and _is_classic(model) else option
            v.clip_cache[key] = np.stack([self.clip_vector(v.media, a, b, emb_option, dim)
                                     for a, b, _ in self._clips(v)])
        return v.clip_cache[key]

    def _option_scores(self, v: VideoRec, option: str, model: str, qvec: np.ndarray,
                       lexical: set[str] | None = None) -> np.ndarray:
        """Cosine of each clip with the query for one search option (``lexical``: the query's words)."""
        scores: np.ndarray = self._clip_matrix(v, option, model) @ qvec
        if option == "transcription":  # spoken words only: a clip where nothing is said never matches
            silent = np.array([not speech or (lexical is not None and not lexical & set(tokens(speech)))
                               for _, _, speech in self._clips(v)])
            muted: np.ndarray = np.where(silent, -1.0, scores)
            return muted
        return scores

    def _query_vector(self, req: Req, dim: int) -> np.ndarray:
        text = req.f("query_text")
        media_type = req.f("query_media_type")
        urls = req.f_all("query_media_url")
        files = req.files.get("query_media_file", [])
        parts: list[np.ndarray] = []
        if urls or files:
            if media_type != "image":
                raise bad("Set `query_media_type` to 'image' when you send query_media_url or query_media_file.")
            if len(urls) + len(files) > 10:
                raise bad("At most 10 query media items are allowed.")
            medias: list[Media] = [self.media_from_url(u, "query_media_url", "image") for u in urls]
            if not urls:  # the URL wins when both are given
                medias = [self.media_from_bytes(part_data(f), f.filename) for f in files]
            for m in medias:
                violation = _limits.api_problem(m.info, "image")
                if violation:
                    raise bad(violation[1], violation[0])
                parts.append(encode_text(m.text, dim) if m.text else encode_bytes(m.digest, dim))
        elif media_type:
            raise bad("`query_media_type` was set but no query_media_url or query_media_file was sent.")
        if text:
            if not text.strip():
                raise bad("`query_text` is empty.")
            expand = getattr(self, "expand_entity_mentions", None)  # entity search: <@entity_id> (testing/_entities.py)
            parts.append(encode_text(expand(text) if expand else text, dim))
        if not parts:
            raise ApiError(400, "parameter_not_provided",
                           "Provide `query_text`, or `query_media_type=image` with query_media_url/query_media_file.")
        v = np.sum(parts, axis=0)
        unit: np.ndarray = v / (np.linalg.norm(v) or 1.0)
        return unit

    def _filter_ok(self, v: VideoRec, flt: dict[str, Any]) -> bool:
        summary = self.video_summary(v)["system_metadata"]
        for key, cond in flt.items():
            if key == "id":
                ids = cond if isinstance(cond, list) else [cond]
                if v.id not in ids:
                    return False
                continue
            if key in _SYSTEM_FILTER or key == "filename":
                value: Any = summary.get(key)
            elif key in v.user_metadata:
                value = v.user_metadata[key]
            else:
                return False
            if isinstance(cond, dict):
                if not isinstance(value, (int, float)) or isinstance(value, bool):
                    return False
                if "gte" in cond and value < cond["gte"] or "lte" in cond and value > cond["lte"]:
                    return False
                if "gt" in cond and value <= cond["gt"] or "lt" in cond and value >= cond["lt"]:
                    return False
            elif isinstance(cond, list):
                if value not in cond and not (isinstance(value, list) and set(value) & set(cond)):
                    return False
            elif isinstance(value, list):
                if cond not in value:
                    return False
            elif value != cond:
                return False
        return True

    def search(self, req: Req) -> Resp:
        req.require_form("POST /search")
        ix = self.get_index_rec(req.f("index_id"))
        marengo = ix.marengo()
        if marengo is None:
            raise bad(f"Index {ix.id} has no Marengo model, so it cannot be searched.",
                      "index_not_supported_for_search")
        model = marengo["model_name"]
        options = list(dict.fromkeys(req.f_all("search_options")))
        if not options:
            raise missing("search_options")
        allowed = set(marengo["model_options"])
        if "audio" in allowed and not _is_classic(model):  # 3.0: spoken words are their own option
            allowed.add("transcription")
        for o in options:
            if o in ("conversation", "text_in_video", "logo"):
                raise bad(f"The search option {o!r} was removed in v1.3; use visual, audio or transcription.")
            if o not in allowed:
                raise bad(f"The search option {o!r} is not enabled for index {ix.id} "
                          f"(model options: {', '.join(sorted(allowed))}).")
        group_by = req.f("group_by") or "clip"
        if group_by not in ("clip", "video"):
            raise bad(f"`group_by` must be clip or video, got {group_by!r}.")
        operator = req.f("operator") or "or"
        if operator not in ("or", "and"):
            raise bad(f"`operator` must be or or and, got {operator!r}.")
        limit = parse_num(req.f("page_limit"), "page_limit", integer=True, lo=1, hi=50, default=10)
        threshold = req.f("threshold") or "low"
        if threshold not in THRESHOLDS:
            raise bad(f"`threshold` must be high, medium, low or none, got {threshold!r}.")
        if not _is_classic(model):  # 3.0 ignores the classic relevance levels
            threshold = "low"
        sort_option = req.f("sort_option") or "score"
        if sort_option not in ("score", "clip_count"):
            raise bad(f"`sort_option` must be score or clip_count, got {sort_option!r}.")
        transcription_modes = set(req.f_all("transcription_options"))
        for t in transcription_modes:
            if t not in ("lexical", "semantic"):
                raise bad(f"`transcription_options` must be lexical or semantic, got {t!r}.")
        if transcription_modes and "transcription" not in options:
            raise bad("`transcription_options` apply to the transcription search option; add transcription to "
                      "search_options or remove them.")
        # lexical only: a spoken-words clip matches only when it says one of the query's words
        lexical = set(tokens(req.f("query_text") or "")) if transcription_modes == {"lexical"} else None
        flt: dict[str, Any] = {}
        if raw := req.f("filter"):
            try:
                flt = json.loads(raw)
            except ValueError:
                raise bad("`filter` must be a JSON object encoded as a string, e.g. '{\"id\": [\"...\"]}'.") from None
            if not isinstance(flt, dict):
                raise bad("`filter` must be a JSON object.")
        include_meta = parse_bool(req.f("include_user_metadata"), "include_user_metadata", False)
        qvec = self._query_vector(req, dimension_for(model))
        cut = THRESHOLDS[threshold]
        classic = _is_classic(model)
        videos = [v for v in self.videos.values() if v.index_id == ix.id and v.ready]
        pool_duration = sum(v.media.duration for v in videos)
        clips = []
        for v in videos:
            if flt and not self._filter_ok(v, flt):
                continue
            per_option = [self._option_scores(v, o, model, qvec, lexical) for o in options]
            combined = np.max(per_option, axis=0) if operator == "or" else np.min(per_option, axis=0)
            for (a, b, speech), score in zip(self._clips(v), combined, strict=True):
                if score >= cut:
                    clips.append((float(score), v, a, b, speech))
        clips.sort(key=lambda c: (-c[0], c[1].seq, c[2]))
        items = []
        for rank, (score, v, a, b, speech) in enumerate(clips, 1):
            item: dict[str, Any] = {"video_id": v.id, "start": a, "end": b, "rank": rank}
            if classic:
                item["score"], item["confidence"] = round(score * 100, 2), _confidence(score)
            if "thumbnail" in ix.addons:
                item["thumbnail_url"] = f"{req.origin}/thumbnails/{v.id}/{int(a)}.png"
            if "transcription" in options and speech:
                item["transcription"] = speech
            item["_meta"] = v.id
            items.append(item)
        inner = len(items)
        if group_by == "video":
            groups: dict[str, dict[str, Any]] = {}
            for item in items:
                groups.setdefault(item["video_id"], {"id": item["video_id"], "clips": [], "_meta": item["video_id"]})
                groups[item["video_id"]]["clips"].append(item)
            items = list(groups.values())
            if sort_option == "clip_count":
                items.sort(key=lambda g: -len(g["clips"]))
        session = self.new_id("search")
        self._search_sessions[session] = {
            "items": items, "limit": limit, "include_meta": include_meta, "index_id": ix.id,
            "pool": {"total_count": len(videos), "total_duration": round(pool_duration, 3), "index_id": ix.id},
            "inner": inner if group_by == "video" else None, "expires": self.now(3600)}
        return Resp(200, self._search_page(session, 1, include_meta))

    def _token(self, session: str, page: int) -> str:
        token = hashlib.sha256(f"{self.seed}:{session}:{page}".encode()).hexdigest()[:32]
        token = f"{token[:8]}-{token[8:12]}-{token[12:16]}-{token[16:20]}-{token[20:32]}"
        self._search_pages[token] = (session, page)
        return token

    def _search_page(self, session: str, page: int, include_meta: bool) -> dict[str, Any]:
        s = self._search_sessions[session]
        limit, items = s["limit"], s["items"]
        chunk = items[(page - 1) * limit: page * limit]
        data = [self._strip(item, include_meta) for item in chunk]
        info: dict[str, Any] = {"limit_per_page": limit, "total_results": len(items), "page_expires_at": s["expires"]}
        if page * limit < len(items):
            info["next_page_token"] = self._token(session, page + 1)
        if page > 1:
            info["prev_page_token"] = self._token(session, page - 1)
        if s["inner"] is not None:
            info["total_inner_matches"] = s["inner"]
        return {"data": data, "page_info": info, "search_pool": s["pool"]}

    def _strip(self, item: dict[str, Any], include_meta: bool) -> dict[str, Any]:
        out = {k: v for k, v in item.items() if k != "_meta"}
        if "clips" in out:
            out["clips"] = [self._strip(c, include_meta) for c in out["clips"]]
        if include_meta:
            video = self.videos.get(item["_meta"])
            out["user_metadata"] = dict(video.user_metadata) if video else {}
        return out

    def search_page(self, req: Req) -> Resp:
        token = req.params["page_token"]
        found = self._search_pages.get(token)
        if found is None or found[0] not in self._search_sessions:
            raise bad(f"The page token {token!r} is invalid or has expired; run the search again.",
                      "search_page_token_expired")
        session, page = found
        include_meta = parse_bool(req.q("include_user_metadata"), "include_user_metadata", None)
        if include_meta is None:
            include_meta = self._search_sessions[session]["include_meta"]
        return Resp(200, self._search_page(session, page, include_meta))
