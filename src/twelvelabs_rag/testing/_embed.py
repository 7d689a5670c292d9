"""Routes for ``POST /embed`` (text/image/audio) and ``/embed/tasks`` (video embedding tasks)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import _limits
from ..models import models_for
from ._core import EmbedTaskRec, Media, embedding_options, paginate
from ._encoder import dimension_for, encode_bytes, encode_text, tokens
from ._http import ApiError, Req, Resp, bad, missing, not_found, parse_num, part_data
from ._search import SearchRoutes

__all__ = ["EmbedRoutes", "EMBED_MODELS"]

#: The names POST /embed accepts, and their text token limits (from the core model registry).
EMBED_MODELS = tuple(m.embed_name for m in models_for("embed") if m.embed_name)
_TOKEN_LIMIT = {m.embed_name: m.text_token_limit for m in models_for("embed")
                if m.embed_name and m.text_token_limit is not None}


def _vec(v: Iterable[float]) -> list[float]:
    return [round(float(x), 7) for x in v]


class EmbedRoutes(SearchRoutes):
    """Text/image/audio embeddings and video embedding tasks."""

    embed_task_statuses: tuple[str, ...] = ("processing", "ready")

    def _model(self, req: Req) -> str:
        name = req.f("model_name")
        if not name:
            raise missing("model_name")
        if name not in EMBED_MODELS:
            raise bad(f"Unknown model_name {name!r} for embeddings; use Marengo-retrieval-2.7 or marengo3.0.")
        return name

    def _media_input(self, req: Req, url_field: str, file_field: str, kind: str) -> Media | None:
        url, part = req.f(url_field), req.file(file_field)
        if url:
            media = self.media_from_url(url, url_field, kind)
        elif part is not None:
            media = self.media_from_bytes(part_data(part), part.filename)
        else:
            return None
        violation = _limits.api_problem(media.info, "image" if kind == "image" else "audio")
        if violation:
            raise bad(violation[1], violation[0])
        return media

    def embed(self, req: Req) -> Resp:
        req.require_form("POST /embed")
        model = self._model(req)
        dim = dimension_for(model)
        out: dict[str, Any] = {"model_name": model}
        text = req.f("text")
        if text is not None:
            truncate = req.f("text_truncate") or "end"
            if truncate not in ("start", "end", "none"):
                raise bad(f"`text_truncate` must be start, end or none, got {truncate!r}.")
            words = text.split()
            limit = _TOKEN_LIMIT[model]
            if len(words) > limit:
                if truncate == "none" and "2.7" in model:
                    raise bad(f"The text has {len(words)} tokens; {model} accepts at most {limit}. "
                              "Shorten it or set text_truncate to start or end.", "token_limit_exceeded")
                words = words[-limit:] if truncate == "start" else words[:limit]
            if not tokens(" ".join(words)) and not text.strip():
                raise bad("`text` is empty.")
            out["text_embedding"] = {"segments": [{"float": _vec(encode_text(" ".join(words), dim))}]}
        image = self._media_input(req, "image_url", "image_file", "image")
        if image is not None:
            vec = encode_text(image.text, dim) if image.text else encode_bytes(image.digest, dim)
            out["image_embedding"] = {"segments": [{"float": _vec(vec)}],
                                      "metadata": _input_meta(image)}
        audio = self._media_input(req, "audio_url", "audio_file", "audio")
        if audio is not None:
            start = parse_num(req.f("audio_start_offset_sec"), "audio_start_offset_sec", lo=0, default=0.0)
            end = max(audio.duration, start)
            vec = self.clip_vector(audio, start, end, "audio", dim) if audio.scene_list() else (
                encode_text(audio.text, dim) if audio.text else encode_bytes(audio.digest, dim, salt="audio"))
            out["audio_embedding"] = {"segments": [{"float": _vec(vec), "start_offset_sec": start,
                                                    "end_offset_sec": round(end, 3)}],
                                      "metadata": _input_meta(audio)}
        if len(out) == 1:
            raise ApiError(400, "parameter_not_provided",
                           "Provide at least one input: text, image_url/image_file or audio_url/audio_file.")
        return Resp(200, out)

    # ------------------------------------------------------------------ embed tasks
    def create_embed_task(self, req: Req) -> Resp:
        req.require_form("POST /embed/tasks")
        model = self._model(req)
        media = self.video_media(req, "video_file", "video_url")
        violation = _limits.api_problem(media.info, "video")
        if violation:
            raise bad(violation[1], violation[0])
        start_raw, end_raw = req.f("video_start_offset_sec"), req.f("video_end_offset_sec")
        start = parse_num(start_raw, "video_start_offset_sec", lo=0, default=0.0)
        end = parse_num(end_raw, "video_end_offset_sec", lo=0, default=None)
        if end is not None:
            if end <= start:
                raise bad("`video_end_offset_sec` must be greater than video_start_offset_sec.")
            if end > media.duration + 1e-6:
                raise bad(f"`video_end_offset_sec` ({end}) is past the end of the video ({media.duration:.2f} s).")
        else:
            end = media.duration
        if start >= media.duration:
            raise bad(f"`video_start_offset_sec` ({start}) is past the end of the video ({media.duration:.2f} s).")
        clip = parse_num(req.f("video_clip_length"), "video_clip_length", lo=2, hi=10, default=6.0)
        scopes = list(dict.fromkeys(req.f_all("video_embedding_scope"))) or ["clip"]
        for s in scopes:
            if s not in ("clip", "video"):
                raise bad(f"`video_embedding_scope` must be clip or video, got {s!r}.")
        now = self.now()
        task = EmbedTaskRec(self.new_id("embed"), model, media, float(clip), scopes, float(start), float(end),
                            tuple(self.embed_task_statuses), now, now, self.next_seq())
        if self._task_failures:
            task.fail = self._task_failures.pop(0)
        self.embed_tasks[task.id] = task
        return Resp(200, {"_id": task.id})

    def step_embed_task(self, task: EmbedTaskRec) -> None:
        if task.status in ("ready", "failed"):
            return
        task.step += 1
        task.updated_at = self.now()

    def _embed_meta(self, t: EmbedTaskRec, options: list[str] | None = None) -> dict[str, Any]:
        meta = _input_meta(t.media)
        meta.update({"video_clip_length": t.clip_length, "video_embedding_scope": t.scopes,
                     "duration": round(t.end - t.start, 3)})
        if options is not None:
            meta["video_embedding_option"] = options
        return meta

    def embed_task_json(self, t: EmbedTaskRec) -> dict[str, Any]:
        return {"_id": t.id, "model_name": t.model_name, "status": t.status, "created_at": t.created_at,
                "updated_at": t.updated_at, "video_embedding": {"metadata": self._embed_meta(t)}}

    def _get_embed_task(self, req: Req) -> EmbedTaskRec:
        task = self.embed_tasks.get(req.params["task_id"])
        if task is None:
            raise not_found("Embedding task", req.params["task_id"])
        return task

    def list_embed_tasks(self, req: Req) -> Resp:
        items = list(self.embed_tasks.values())
        if status := req.q("status"):
            if status not in ("processing", "ready", "failed"):
                raise bad(f"`status` must be processing, ready or failed, got {status!r}.")
            items = [t for t in items if t.status == status]
        if started := req.q("started_at"):
            items = [t for t in items if t.created_at >= started[:19]]
        if ended := req.q("ended_at"):
            items = [t for t in items if t.created_at <= ended[:19] + "Z"]
        return Resp(200, paginate(req, items, self.embed_task_json, sortable=False))

    def embed_task_status(self, req: Req) -> Resp:
        task = self._get_embed_task(req)
        out = {"_id": task.id, "status": task.status, "model_name": task.model_name,
               "video_embedding": {"metadata": self._embed_meta(task)}}
        self.step_embed_task(task)  # the next poll shows the next status
        return Resp(200, out)

    def get_embed_task(self, req: Req) -> Resp:
        task = self._get_embed_task(req)
        allowed = embedding_options(task.model_name)
        options = req.q_all("embedding_option") or list(allowed)
        for o in options:
            if o not in allowed:
                raise bad(f"embedding_option {o!r} is not valid for {task.model_name}; "
                          f"use one of {', '.join(allowed)}.")
        out = self.embed_task_json(task)
        out["video_embedding"]["metadata"] = self._embed_meta(task, options)
        if task.status == "ready":
            out["video_embedding"]["segments"] = self.video_segments(
                task.media, task.model_name, options, clip_length=task.clip_length, start=task.start,
                end=task.end, scopes=task.scopes)
        self.step_embed_task(task)
        return Resp(200, out)


def _input_meta(media: Media) -> dict[str, Any]:
    return {"input_url": media.url} if media.url else {"input_filename": media.filename or "upload"}
