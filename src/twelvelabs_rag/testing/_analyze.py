"""Route for ``POST /analyze`` (Pegasus): JSON answer or an NDJSON stream.

The "model" reads the video's script: the answer lists the scenes, leading with the ones whose
text is closest to the prompt. With ``response_format`` json_schema it builds a schema-valid JSON
document from the scenes. Temperature is accepted and ignored (answers are deterministic).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator
from typing import Any

from .. import _limits, _media
from ..models import get_model, models_for
from ._core import Media
from ._embed import EmbedRoutes
from ._encoder import encode_text, tokens
from ._entities import asset_media_of
from ._http import ApiError, Req, Resp, bad, missing
from ._schema import SchemaError, generate, unsupported_keyword
from ._script import Scene
from ._sources import resolve_source

__all__ = ["AnalyzeRoutes"]

ANALYZE_MODELS = tuple(m.name for m in models_for("analyze"))


def _fmt(x: float) -> str:
    return f"{x:g}"


class AnalyzeRoutes(EmbedRoutes):
    """Analyze (open-ended text generation over one video)."""

    def _analyze_media(self, body: dict[str, Any], model: str) -> Media:
        if body.get("video_id"):
            if model != "pegasus1.2":
                raise bad(f"`video_id` is not supported with {model}; pass video={{\"type\": \"url\", \"url\": ...}} "
                          "or {\"type\": \"asset_id\", ...}, or set model_name to pegasus1.2.")
            vid = body["video_id"]
            video = self.videos.get(vid)
            if video is None or not video.ready:
                raise ApiError(404, "resource_not_exist", f"Video with id {vid} does not exist or is not ready yet.")
            ix = self.indexes.get(video.index_id)
            if ix is None or ix.pegasus() is None:
                raise bad(f"Video {vid} is in an index without a Pegasus model; create the index with "
                          "pegasus1.2 to analyze its videos.", "index_not_supported_for_generate")
            return video.media
        video_obj = body.get("video")
        if video_obj is None:
            raise ApiError(400, "parameter_not_provided",
                           "Provide the video: `video` ({\"type\": \"url\"|\"asset_id\"|\"base64_string\", ...}) "
                           "or, for pegasus1.2, `video_id`.")
        if not isinstance(video_obj, dict):
            raise bad("`video` must be an object with a `type` of url, asset_id or base64_string.")
        kind = video_obj.get("type")
        if kind == "url":
            media = self.media_from_url(video_obj.get("url") or "", "video.url")
        elif kind == "asset_id":
            media = asset_media_of(self, str(video_obj.get("asset_id") or ""))
        elif kind == "base64_string":
            raw = video_obj.get("base64_string") or ""
            if len(raw) > 40 * 1024 * 1024:
                raise bad("`video.base64_string` is larger than 30 MB; upload the video and pass its URL instead.",
                          "media_filesize_too_large")
            try:
                data = base64.b64decode(raw, validate=True)
            except (binascii.Error, ValueError):
                raise bad("`video.base64_string` is not valid base64.") from None
            media = self.media_from_bytes(data)
        else:
            raise bad(f"`video.type` must be url, asset_id or base64_string, got {kind!r}.")
        if media.info.kind is None:
            media.info = _media.MediaInfo("video", None, 640, 360, 10.0, media.info.size)
        return media

    def _analyze_prompt(self, body: dict[str, Any]) -> str:
        prompt = body.get("prompt")
        if isinstance(body.get("prompt_v2"), dict):
            if prompt:
                raise bad("Send either `prompt` or `prompt_v2`, not both.")
            prompt = body["prompt_v2"].get("input_text")
        if not prompt:
            raise missing("prompt")
        if not isinstance(prompt, str):
            raise bad("`prompt` must be a string.")
        if len(prompt.split()) > 2000:
            raise bad("The prompt is longer than 2,000 tokens; shorten it.", "token_limit_exceeded")
        return prompt

    def _analyze_scenes(self, body: dict[str, Any], model: str) -> tuple[Media, list[Scene]]:
        """The media to analyze and its scenes in the requested window (``image[]`` inputs become scenes)."""
        images = body.get("image")
        if images is not None:
            if body.get("video") is not None or body.get("video_id") is not None:
                raise bad("Send either `video` or `image`, not both.")
            if model != "pegasus1.6":
                raise bad(f"`image` inputs need model_name pegasus1.6, not {model}.")
            if not isinstance(images, list) or not 1 <= len(images) <= 20:
                raise bad("`image` must be a list of 1 to 20 images.")
            names = [i.get("name") if isinstance(i, dict) else None for i in images]
            if any(not n for n in names) or len(set(names)) != len(names):
                raise bad("Every image needs a unique `name` (letters, digits, _).")
            if body.get("prompt_v2") is not None:
                raise bad("`image` cannot be combined with `prompt_v2`; use `prompt` with <@name> references.")
            refs = set(re.findall(r"<@([A-Za-z0-9_-]+)>", body.get("prompt") or ""))
            if refs and refs != set(names):
                raise bad("The prompt must reference every image with <@name>, or none of them.")
            scenes = []
            for i, (name, item) in enumerate(zip(names, images, strict=True)):
                media = resolve_source(self, item, f"image[{i}]", "image", b64_limit=20 * 1024 * 1024)
                text = media.text or f"an image named {name}"
                scenes.append(Scene(float(i), float(i + 1), f"image {name}: {text}", ""))
            return media, scenes
        media = self._analyze_media(body, model)
        violation = _limits.api_problem(media.info, "video", pegasus_only=True)
        if violation and violation[0] != "unsupported_media_type":
            raise bad(violation[1], violation[0])
        return media, _window(media.scene_list(), body.get("start_time"), body.get("end_time"))

    def generate_text(self, body: dict[str, Any], prompt: str, media: Media, scenes: list[Scene]) -> str:
        """The answer text: the scenes most relevant to the prompt, or a schema-valid JSON document."""
        fmt = body.get("response_format")
        if fmt is None:
            return _answer(prompt, scenes, media)
        if not isinstance(fmt, dict) or fmt.get("type") != "json_schema" \
                or not isinstance(fmt.get("json_schema"), dict):
            raise bad("`response_format` must be {\"type\": \"json_schema\", \"json_schema\": {...}}.")
        schema = fmt["json_schema"]
        keyword = unsupported_keyword(schema)
        if keyword:
            raise bad(f"String length constraints ({keyword}) are not supported.")
        fallback = media.text or f"A {media.duration:g}-second video."
        try:
            return json.dumps(generate(schema, scenes, fallback))
        except SchemaError as exc:
            raise bad(f"The response_format json_schema cannot be used: {exc}") from None

    def analyze(self, req: Req) -> Resp:
        body = req.require_json("POST /analyze")
        prompt = self._analyze_prompt(body)
        model = body.get("model_name") or ("pegasus1.2" if body.get("video_id") else "pegasus1.5")
        if model not in ANALYZE_MODELS:
            raise bad(f"Unknown model_name {model!r}; use one of {', '.join(ANALYZE_MODELS)}.")
        temperature = body.get("temperature", 0.2)
        if not isinstance(temperature, (int, float)) or not 0 <= temperature <= 1:
            raise bad(f"`temperature` must be a number between 0 and 1, got {temperature!r}.")
        cap = get_model(model).max_tokens[1]  # type: ignore[index]
        max_tokens = body.get("max_tokens", 4096)
        if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or not 2 <= max_tokens <= cap:
            raise bad(f"`max_tokens` must be an integer between 2 and {cap} for {model}, got {max_tokens!r}.")
        stream = body.get("stream", True)
        if not isinstance(stream, bool):
            raise bad("`stream` must be true or false.")
        media, scenes = self._analyze_scenes(body, model)
        text = self.generate_text(body, prompt, media, scenes)
        words, finish, usage, error = cap_tokens(text, max_tokens, prompt, scenes)
        gen_id = self.new_id("generation")
        if not stream:
            out = {"id": gen_id, "data": " ".join(words), "finish_reason": finish, "usage": usage}
            if error:
                out["error"] = error
            return Resp(200, out)
        return Resp(200, stream=_ndjson(gen_id, words, finish, usage, error), content_type="application/x-ndjson")


def cap_tokens(text: str, max_tokens: int | None, prompt: str,
               scenes: list[Scene]) -> tuple[list[str], str, dict[str, Any], dict[str, Any] | None]:
    """Cut ``text`` at ``max_tokens`` words: (words, finish_reason, usage, truncation warning or None)."""
    words = text.split(" ")
    finish = "stop"
    if max_tokens is not None and len(words) > max_tokens:
        words, finish = words[:max_tokens], "length"
    usage = {"output_tokens": len(words), "input_tokens": len(prompt.split()) + 10 * max(1, len(scenes))}
    error = ({"code": "max_tokens_reached",
              "message": "The answer was cut at max_tokens; raise max_tokens for a complete answer."}
             if finish == "length" else None)
    return words, finish, usage, error


def _window(scenes: list[Scene], start: float | None, end: float | None) -> list[Scene]:
    if start is None and end is None:
        return scenes
    if start is not None and end is not None and end - start < 1:
        raise bad("`end_time` must be at least 1 second after `start_time`.")
    lo = start or 0.0
    hi = end if end is not None else float("inf")
    return [s for s in scenes if s.end > lo and s.start < hi]


def _answer(prompt: str, scenes: list[Scene], media: Media) -> str:
    if not scenes:
        return (f"This {media.duration:g}-second video carries no script the emulator can read, "
                "so it cannot describe its content.")
    q = encode_text(prompt, 512)
    scored = sorted(scenes, key=lambda s: -float(encode_text(s.text, 512) @ q))
    relevant = [s for s in scored if set(tokens(prompt)) & set(tokens(s.text))]
    parts = []
    if relevant:
        best = relevant[0]
        parts.append(f"Most relevant to the prompt: from {_fmt(best.start)}s to {_fmt(best.end)}s, {best.visual}.")
    parts.append("The video shows:")
    for s in scenes:
        line = f"from {_fmt(s.start)}s to {_fmt(s.end)}s, {s.visual}"
        if s.speech:
            line += f' (someone says "{s.speech}")'
        parts.append(line + ";")
    return " ".join(parts).rstrip(";") + "."


def _ndjson(gen_id: str, words: list[str], finish: str, usage: dict[str, Any],
            error: dict[str, Any] | None) -> Iterator[bytes]:
    def line(obj: dict[str, Any]) -> bytes:
        return json.dumps(obj, separators=(",", ":")).encode() + b"\n"

    yield line({"event_type": "stream_start", "metadata": {"generation_id": gen_id}})
    for i in range(0, len(words), 4):
        chunk = " ".join(words[i:i + 4])
        if i + 4 < len(words):
            chunk += " "
        yield line({"event_type": "text_generation", "text": chunk})
    end = {"event_type": "stream_end", "finish_reason": finish,
           "metadata": {"generation_id": gen_id, "usage": usage}}
    if error:
        end["error"] = error
    yield line(end)
