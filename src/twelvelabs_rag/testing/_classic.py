"""Classic generative routes (SDK <= 1.2.x): ``POST /gist``, ``/summarize`` and ``/generate``.

All three take a ``video_id`` of an indexed video in a Pegasus index and answer from its script.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ._analyze import AnalyzeRoutes, _answer
from ._core import Media
from ._encoder import tokens
from ._http import Req, Resp, bad, missing

__all__ = ["ClassicRoutes"]


class ClassicRoutes(AnalyzeRoutes):
    """Gist (title/topics/hashtags), summarize (summary/chapter/highlight) and generate (analyze alias)."""

    def _classic_media(self, req: Req, what: str) -> tuple[dict[str, Any], Media]:
        body = req.require_json(what)
        if not body.get("video_id"):
            raise missing("video_id")
        return body, self._analyze_media(body, "pegasus1.2")

    def gist(self, req: Req) -> Resp:
        body, media = self._classic_media(req, "POST /gist")
        types = body.get("types")
        if not types:
            raise missing("types")
        if not isinstance(types, list) or not set(types) <= {"title", "topic", "hashtag"}:
            raise bad(f"`types` must be a list of title, topic and hashtag, got {types!r}.")
        scenes = media.scene_list()
        words = list(dict.fromkeys(t for s in scenes for t in tokens(s.visual)))
        out: dict[str, Any] = {"id": self.new_id("gist"), "usage": {"output_tokens": 0}}
        if "title" in types:
            out["title"] = scenes[0].visual.capitalize() if scenes else "Untitled video"
        if "topic" in types:
            out["topics"] = [s.visual for s in scenes[:3]]
        if "hashtag" in types:
            out["hashtags"] = words[:10]
        out["usage"]["output_tokens"] = sum(len(str(v).split()) for k, v in out.items() if k in (
            "title", "topics", "hashtags"))
        return Resp(200, out)

    def summarize(self, req: Req) -> Resp:
        body, media = self._classic_media(req, "POST /summarize")
        kind = body.get("type")
        if not kind:
            raise missing("type")
        if kind not in ("summary", "chapter", "highlight"):
            raise bad(f"`type` must be summary, chapter or highlight, got {kind!r}.")
        if body.get("response_format") is not None and kind != "summary":
            raise bad("`response_format` is only supported with type=summary.")
        scenes = media.scene_list()
        out: dict[str, Any] = {"summarize_type": kind, "id": self.new_id("summary")}
        if kind == "summary":
            out["summary"] = _answer(body.get("prompt") or "summary", scenes, media)
            count = len(out["summary"].split())
        elif kind == "chapter":
            out["chapters"] = [{"chapter_number": i, "start": int(s.start), "end": int(s.end), "start_sec": s.start,
                                "end_sec": s.end, "chapter_title": " ".join(s.visual.split()[:5]).capitalize(),
                                "chapter_summary": s.text} for i, s in enumerate(scenes)]
            count = sum(len(c["chapter_summary"].split()) for c in out["chapters"])
        else:
            prompt = set(tokens(body.get("prompt") or ""))
            picked = [s for s in scenes if prompt & set(tokens(s.text))] or scenes[:1]
            out["highlights"] = [{"start": int(s.start), "end": int(s.end), "start_sec": s.start, "end_sec": s.end,
                                  "highlight": s.visual, "highlight_summary": s.text} for s in picked]
            count = sum(len(h["highlight_summary"].split()) for h in out["highlights"])
        out["usage"] = {"output_tokens": count}
        return Resp(200, out)

    def generate(self, req: Req) -> Resp:
        body = req.require_json("POST /generate")
        if not body.get("video_id"):
            raise missing("video_id")
        allowed = {k: body[k] for k in ("video_id", "prompt", "temperature", "stream") if k in body}
        return self.analyze(replace(req, json={**allowed, "model_name": "pegasus1.2"}))
