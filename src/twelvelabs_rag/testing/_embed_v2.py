"""Routes of ``/embed-v2`` (sync) and ``/embed-v2/tasks`` (Marengo 3.0 at 512-d, 3.5 with ``embedding_dimension``).

Vectors come from the same encoder as ``/embed`` and the indexes, so a text embedded here lands
near the clips whose script says the same thing, whichever endpoint embedded them. Marengo 3.5
vectors are Matryoshka: a shorter ``embedding_dimension`` is the prefix of the 512-d vector.
Errors use the nested body of this endpoint: ``{"error": {"code", "message", "details"}}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from .. import _limits
from ..models import embed_dimension, find_model, models_for
from ._core import CoreState, Media, paginate
from ._embed_v2_wire import NestedApiError, input_meta, nested_errors, segment_bounds, unit, vec_json
from ._encoder import encode_bytes, encode_text
from ._http import ApiError, Req, Resp, bad, missing
from ._sources import resolve_source

__all__ = ["EmbedV2Routes", "NestedApiError"]

_MB = 1024 * 1024
_V2_MODELS = tuple(m.name for m in models_for("embed_v2"))
_OPTIONS = {"video": ("visual", "audio", "transcription"), "audio": ("audio", "transcription")}
_REF = re.compile(r"<@([A-Za-z0-9_-]+)>")


@dataclass
class EmbedV2TaskRec:
    id: str
    model_name: str
    input_type: str
    body: dict[str, Any]
    statuses: tuple[str, ...]
    created_at: str
    updated_at: str
    seq: int
    step: int = 0
    fail: str | None = None
    result: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def status(self) -> str:
        if self.step >= len(self.statuses) - 1 and self.fail:
            return "failed"
        return self.statuses[min(self.step, len(self.statuses) - 1)]


class EmbedV2Routes(CoreState):
    """Mixin of FakeTwelveLabs: embed v2 sync and tasks (state created on first use)."""

    if TYPE_CHECKING:  # provided by EmbedRoutes, a later base of FakeTwelveLabs
        embed_task_statuses: tuple[str, ...]

    def _embed_v2_state(self) -> dict[str, EmbedV2TaskRec]:
        tasks = getattr(self, "_embed_v2_tasks", None)
        if tasks is None:
            tasks = {}
            self._embed_v2_tasks: dict[str, EmbedV2TaskRec] = tasks
            self._embed_v2_failures: list[str] = []
        return tasks

    def fail_embed_v2_task_next(self, message: str = "The media could not be decoded.") -> None:
        """Make the next embed-v2 task end ``failed`` with ``error.message``."""
        with self._lock:
            self._embed_v2_state()
            self._embed_v2_failures.append(message)

    # ------------------------------------------------------------------ request checks
    def _v2_model(self, body: dict[str, Any], *, tasks: bool) -> tuple[str, int]:
        model = body.get("model_name")
        if not model:
            raise missing("model_name")
        if model not in _V2_MODELS:
            raise bad(f"Unknown model_name {model!r}; use one of {', '.join(_V2_MODELS)}.")
        spec = find_model(model)
        assert spec is not None
        input_type = body.get("input_type")
        if not input_type:
            raise missing("input_type")
        allowed = spec.embed_v2_task_inputs if tasks else spec.embed_v2_inputs
        if input_type not in allowed:
            where = "/embed-v2/tasks" if tasks else "/embed-v2"
            raise bad(f"input_type {input_type!r} is not supported by {model} on {where}; use one of "
                      f"{', '.join(allowed)}.")
        for option in ("embedding_dimension", "embedding_uncertainty", "auto_truncate"):
            if body.get(option) is not None and option not in spec.options:
                raise bad(f"`{option}` is only supported with marengo3.5; remove it or switch model_name.")
        dim_raw = body.get("embedding_dimension")
        if dim_raw is not None and (isinstance(dim_raw, bool) or not isinstance(dim_raw, int)
                                    or not spec.accepts_dimension(dim_raw)):
            lo, hi = spec.dimension_range or (512, 512)
            raise bad(f"`embedding_dimension` must be an integer between {lo} and {hi}, got {dim_raw!r}.")
        if not isinstance(body.get(input_type), dict):
            raise missing(input_type)
        return model, embed_dimension(model, dim_raw)

    def _v2_text(self, text: Any, model: str, body: dict[str, Any], what: str) -> tuple[str, bool]:
        if not isinstance(text, str) or not text.strip():
            raise bad(f"`{what}` must be a non-empty string.")
        limit = find_model(model).text_token_limit or 500  # type: ignore[union-attr]
        words = text.split()
        if len(words) <= limit:
            return text, False
        if body.get("auto_truncate"):
            return " ".join(words[:limit]), True
        raise bad(f"`{what}` has {len(words)} tokens; {model} accepts at most {limit}. Shorten it"
                  + (" or set auto_truncate to true." if model == "marengo3.5" else "."), "token_limit_exceeded")

    def _v2_media(self, src: Any, what: str, kind: str, limit_mb: int) -> Media:
        return resolve_source(self, src, what, kind, b64_limit=limit_mb * _MB, b64_status=413)

    def _v2_image_vec(self, media: Media, dim: int) -> np.ndarray:
        violation = _limits.api_problem(media.info, "image") if media.info.kind is not None else None
        if violation and violation[0] == "unsupported_media_type":
            raise bad(violation[1], violation[0])
        return encode_text(media.text, dim) if media.text else encode_bytes(media.digest, dim)

    # ------------------------------------------------------------------ vectors
    def _v2_segments(self, media: Media, spec: dict[str, Any], kind: str, dim: int, model: str, *,
                     tasks: bool) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        start = float(spec.get("start_sec") or 0.0)
        end = spec.get("end_sec")
        end = media.duration if end is None else float(end)
        if start < 0 or end <= start or start >= max(media.duration, 1e-9):
            raise bad(f"`{kind}.start_sec`/`end_sec` must give a window inside the media (0-{media.duration:g} s).")
        end = min(end, media.duration)
        cap = 4 * 3600 if tasks else (600 if model == "marengo3.0" else 30)
        if end - start > cap:
            raise bad(f"The {kind} window is {end - start:g} s; {'tasks accept' if tasks else 'POST /embed-v2 accepts'}"
                      f" at most {cap} s with {model}." + ("" if tasks else " Use POST /embed-v2/tasks."),
                      "video_duration_too_long")
        default_options = ("visual", "audio") if model == "marengo3.5" and kind == "video" else _OPTIONS[kind]
        options = spec.get("embedding_option") or list(default_options)
        for o in options:
            if o not in _OPTIONS[kind]:
                raise bad(f"`{kind}.embedding_option` {o!r} is not valid; use {', '.join(_OPTIONS[kind])}.")
        scopes = spec.get("embedding_scope") or ["clip", "asset"]
        for s in scopes:
            if s not in (("clip", "asset", "local") if tasks else ("clip", "asset")):
                raise bad(f"`{kind}.embedding_scope` {s!r} is not valid; use clip or asset.")
        etype = spec.get("embedding_type") or ["separate_embedding"]
        etype = [etype] if isinstance(etype, str) else etype
        fused = "fused_embedding" in etype
        if fused and len(options) < 2:
            raise bad("`fused_embedding` needs at least two embedding options.")
        bounds = segment_bounds(media, start, end, spec.get("segmentation"), kind)
        out: list[dict[str, Any]] = []

        def vec(a: float, b: float, option: str) -> np.ndarray:
            return self.clip_vector(media, a, b, option, 512)[:dim]

        def emit(a: float, b: float, scope: str) -> None:
            if fused:
                total = cast(np.ndarray, sum(vec(a, b, o) for o in options))  # (options is never empty)
                out.append({"embedding": vec_json(unit(total)[:dim]),
                            "embedding_option": "fused", "embedding_scope": scope, "start_sec": round(a, 3),
                            "end_sec": round(b, 3)})
                return
            for o in options:
                out.append({"embedding": vec_json(vec(a, b, o)), "embedding_option": o, "embedding_scope": scope,
                            "start_sec": round(a, 3), "end_sec": round(b, 3)})

        if "clip" in scopes or "local" in scopes:
            for a, b in bounds:
                emit(a, b, "clip")
        if "asset" in scopes:
            emit(start, end, "asset")
        meta = input_meta(media, kind)
        meta.update({"embedding_options": list(options), "embedding_scopes": list(scopes),
                     "duration": round(end - start, 3), "start_offset_sec": round(start, 3),
                     "end_offset_sec": round(end, 3)})
        if kind == "video" and bounds:
            meta["clip_length"] = round(bounds[0][1] - bounds[0][0], 3)
        return out, meta

    def _v2_vectors(self, body: dict[str, Any], model: str, dim: int, *, tasks: bool) -> dict[str, Any]:
        """The ``{data, metadata?, usage?}`` answer for a validated body."""
        kind = body["input_type"]
        spec = body[kind]
        truncated = False
        tokens: dict[str, int] = {}
        meta: dict[str, Any] | None = None
        if kind == "text":
            text, truncated = self._v2_text(spec.get("input_text"), model, body, "text.input_text")
            tokens["text"] = len(text.split())
            data = [{"embedding": vec_json(encode_text(text, 512)[:dim]), "embedding_option": "text"}]
        elif kind in ("image", "text_image"):
            media = self._v2_media(spec.get("media_source"), f"{kind}.media_source", "image", 32)
            vec = self._v2_image_vec(media, 512)
            if kind == "text_image":
                text, truncated = self._v2_text(spec.get("input_text"), model, body, "text_image.input_text")
                tokens["text"] = len(text.split())
                vec = unit(vec + encode_text(text, 512))
            tokens["image"] = 1
            data = [{"embedding": vec_json(vec[:dim]), "embedding_option": "visual" if kind == "image" else "fused",
                     "embedding_scope": "asset"}]
            meta = {"input_type": kind, **input_meta(media, kind)}
        elif kind in ("audio", "video"):
            media = self._v2_media(spec.get("media_source"), f"{kind}.media_source", kind, 36)
            if media.info.kind == "image":
                raise bad(f"`{kind}.media_source` is an image, not {kind}.", "unsupported_media_type")
            data, meta = self._v2_segments(media, spec, kind, dim, model, tasks=tasks)
            meta["input_type"] = kind
            tokens[kind] = max(1, round(media.duration))
        elif kind == "multi_input":
            data, truncated, tokens = self._v2_multi(spec, model, body, dim)
            meta = {"input_type": "multi_input"}
        elif kind == "document":
            data, meta = self._v2_document(spec, dim)
            tokens["document"] = len(data)
        else:  # image task (3.5)
            media = self._v2_media(spec.get("media_source"), "image.media_source", "image", 32)
            data = [{"embedding": vec_json(self._v2_image_vec(media, 512)[:dim]), "embedding_option": "visual",
                     "embedding_scope": "asset"}]
            meta = {"input_type": "image", **input_meta(media, "image")}
        if body.get("embedding_uncertainty"):
            for item in data:
                seed = np.asarray(item["embedding"], dtype=np.float32)
                item["embedding_uncertainty"] = vec_json(0.05 + 0.1 * np.abs(seed))
        out: dict[str, Any] = {"data": data}
        if meta is not None:
            if model == "marengo3.5":
                meta["embedding_dimension"] = dim
            out["metadata"] = meta
        if model == "marengo3.5":
            out["usage"] = {"input_tokens": tokens, "truncated": truncated}
            if truncated:
                out["usage"]["truncation_reason"] = "model_context_window"
        return out

    def _v2_multi(self, spec: dict[str, Any], model: str, body: dict[str, Any],
                  dim: int) -> tuple[list[dict[str, Any]], bool, dict[str, Any]]:
        sources = spec.get("media_sources") or []
        if not isinstance(sources, list) or len(sources) > 10:
            raise bad("`multi_input.media_sources` must be a list of at most 10 items.")
        text = spec.get("input_text")
        if not sources and not text:
            raise missing("multi_input.input_text")
        vec = np.zeros(512, dtype=np.float64)
        tokens: dict[str, int] = {}
        for i, src in enumerate(sources):
            what = f"multi_input.media_sources[{i}]"
            if not isinstance(src, dict) or not src.get("media_type"):
                raise missing(f"{what}.media_type")
            mtype = src["media_type"]
            if model == "marengo3.0" and mtype != "image":
                raise bad(f"`{what}.media_type` must be image with marengo3.0 (use marengo3.5 for {mtype}).")
            if mtype not in ("image", "video", "audio", "document"):
                raise bad(f"`{what}.media_type` must be image, video, audio or document.")
            media = self._v2_media(src, what, "image" if mtype == "image" else mtype, 32)
            if mtype in ("video", "audio") and media.duration > 30:
                raise bad(f"`{what}` lasts {media.duration:g} s; multi_input audio/video is limited to 30 s.",
                          "video_duration_too_long")
            if mtype == "image":
                vec += self._v2_image_vec(media, 512)
            elif media.scene_list():
                vec += self.clip_vector(media, 0.0, media.duration, "visual" if mtype == "video" else "audio", 512)
            else:
                vec += encode_bytes(media.digest, 512, salt=mtype)
            tokens[mtype] = tokens.get(mtype, 0) + 1
        truncated = False
        if text:
            clean, truncated = self._v2_text(_REF.sub(" ", text) if _REF.search(text) else text, model, body,
                                             "multi_input.input_text")
            if clean.strip():
                vec += encode_text(clean, 512)
                tokens["text"] = len(clean.split())
        return [{"embedding": vec_json(unit(vec)[:dim])}], truncated, tokens

    def _v2_document(self, spec: dict[str, Any], dim: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        media = self._v2_media(spec.get("media_source"), "document.media_source", "document", 512)
        text = media.text or ""
        if not text:
            return ([{"embedding": vec_json(encode_bytes(media.digest, 512, salt="document")[:dim]),
                      "embedding_option": "text", "embedding_scope": "asset"}], input_meta(media, "document"))
        seq = (spec.get("segmentation") or {}).get("sequential") or {}
        per = int(seq.get("max_sentences") or 3)
        sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]
        chunks = [" ".join(sentences[i:i + per]) for i in range(0, len(sentences), max(1, per))]
        data = [{"embedding": vec_json(encode_text(c, 512)[:dim]), "embedding_option": "text",
                 "embedding_scope": "chunk", "chunk_index": i} for i, c in enumerate(chunks)]
        return data, {"input_type": "document", **input_meta(media, "document")}

    # ------------------------------------------------------------------ handlers
    @nested_errors
    def embed_v2(self, req: Req) -> Resp:
        body = req.require_json("POST /embed-v2")
        model, dim = self._v2_model(body, tasks=False)
        return Resp(200, self._v2_vectors(body, model, dim, tasks=False))

    @nested_errors
    def create_embed_v2_task(self, req: Req) -> Resp:
        body = req.require_json("POST /embed-v2/tasks")
        model, dim = self._v2_model(body, tasks=True)
        kind = body["input_type"]
        if kind in ("audio", "video", "image", "document"):  # creation checks the media is there and playable
            src = body[kind].get("media_source")
            media = self._v2_media(src, f"{kind}.media_source", kind, 512)
            if kind == "video":
                violation = _limits.api_problem(media.info, "video")
                if violation and violation[0] != "unsupported_media_type":
                    raise bad(violation[1], violation[0])
        tasks = self._embed_v2_state()
        now = self.now()
        task = EmbedV2TaskRec(self.new_id("embed-v2"), model, kind, body,
                              tuple(self.embed_task_statuses), now, now, self.next_seq())
        if self._embed_v2_failures:
            task.fail = self._embed_v2_failures.pop(0)
        tasks[task.id] = task
        out: dict[str, Any] = {"_id": task.id, "status": "processing"}
        if model == "marengo3.5":
            out["metadata"] = {"embedding_dimension": dim}
        return Resp(202, out)

    def step_embed_v2_tasks(self) -> None:
        """Every unfinished embed-v2 task moves one status forward (called on any read of the tasks)."""
        for t in self._embed_v2_state().values():
            if t.status not in ("ready", "failed"):
                t.step += 1
                t.updated_at = self.now()

    def _embed_v2_json(self, t: EmbedV2TaskRec) -> dict[str, Any]:
        out: dict[str, Any] = {"_id": t.id, "status": t.status, "created_at": t.created_at, "updated_at": t.updated_at}
        if t.status == "failed":
            out["error"] = {"message": t.fail}
            out["data"] = None
            return out
        if t.status != "ready":
            out["data"] = None
            return out
        if t.result is None:
            dim = embed_dimension(t.model_name, t.body.get("embedding_dimension"))
            t.result = self._v2_vectors(t.body, t.model_name, dim, tasks=True)
        out.update(t.result)
        return out

    @nested_errors
    def get_embed_v2_task(self, req: Req) -> Resp:
        task = self._embed_v2_state().get(req.params["task_id"])
        if task is None:
            raise ApiError(404, "resource_not_exist", f"Embedding task with id {req.params['task_id']} does not exist.")
        out = self._embed_v2_json(task)
        self.step_embed_v2_tasks()
        return Resp(200, out)

    @nested_errors
    def list_embed_v2_tasks(self, req: Req) -> Resp:
        items = list(self._embed_v2_state().values())
        if status := req.q("status"):
            if status not in ("processing", "ready", "failed"):
                raise bad(f"`status` must be processing, ready or failed, got {status!r}.")
            items = [t for t in items if t.status == status]
        if started := req.q("started_at"):
            items = [t for t in items if t.created_at >= started[:19]]
        if ended := req.q("ended_at"):
            items = [t for t in items if t.created_at <= ended[:19] + "Z"]
        out = paginate(req, items, self._summary, sortable=False)
        self.step_embed_v2_tasks()
        return Resp(200, out)

    def _summary(self, t: EmbedV2TaskRec) -> dict[str, Any]:
        src = (t.body.get(t.input_type) or {}).get("media_source") or {}
        meta = {k: src[k] for k in ("url", "asset_id") if src.get(k)}
        if src.get("url"):
            meta = {"input_url": src["url"]}
        return {"_id": t.id, "model_name": t.model_name, "status": t.status, "created_at": t.created_at,
                "updated_at": t.updated_at, f"{t.input_type}_embedding": {"metadata": meta}}


