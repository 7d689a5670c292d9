"""The request bodies of POST /analyze and /analyze/tasks, checked before any I/O (pure, no I/O).

```python
from twelvelabs_rag.resources._analyze_body import analyze_body
body = analyze_body(prompt="Summarise", prompt_v2=None, video_id=None, video={"asset_id": "a1"}, image=None,
                    model_name="pegasus1.5", temperature=None, max_tokens=None, response_format=None,
                    start_time=10, end_time=70)
assert body == {"prompt": "Summarise", "video": {"type": "asset_id", "asset_id": "a1"}, "model_name": "pegasus1.5",
                "start_time": 10, "end_time": 70}
```
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from .._exceptions import InvalidRequestError
from ..models import find_model, get_model

__all__ = ["response_format_body", "analyze_body"]


def response_format_body(response_format: Any) -> dict[str, Any] | None:
    """Normalise ``response_format`` to the wire shape ``{"type": "json_schema", "json_schema": {...}}``.

    A full object is sent as given (``{"type": "json_schema", "json_schema": ...}`` or, for async
    tasks, ``{"type": "segment_definitions", "segment_definitions": [...]}``).
    """
    if response_format is None:
        return None
    if isinstance(response_format, type) and issubclass(response_format, BaseModel):
        return {"type": "json_schema", "json_schema": response_format.model_json_schema()}
    if isinstance(response_format, Mapping):
        kind = response_format.get("type")
        if (kind == "json_schema" and "json_schema" in response_format) or kind == "segment_definitions":
            return dict(response_format)
        return {"type": "json_schema", "json_schema": dict(response_format)}
    raise TypeError("response_format must be a JSON schema dict or a pydantic model class")


_VIDEO_TYPES = ("url", "asset_id", "base64_string")
_IMAGE_NAME = re.compile(r"^[A-Za-z0-9_]+$")
_REF = re.compile(r"<@([A-Za-z0-9_-]+)>")


def _check_video(video: Any) -> dict[str, Any]:
    if not isinstance(video, Mapping):
        raise InvalidRequestError('video must be a dict like {"type": "asset_id", "asset_id": "..."} '
                                  '(type url, asset_id or base64_string)')
    kind = video.get("type")
    if kind is None:  # {"asset_id": ...} alone: infer the discriminator
        keys = [k for k in _VIDEO_TYPES if video.get(k)]
        if len(keys) == 1:
            return {"type": keys[0], **video}
    if kind not in _VIDEO_TYPES:
        raise InvalidRequestError(f"video.type must be url, asset_id or base64_string, got {kind!r}")
    if not video.get(kind):
        raise InvalidRequestError(f'video of type {kind!r} needs {kind}=..., e.g. {{"type": "{kind}", "{kind}": ...}}')
    return dict(video)


def _check_images(image: Any, model: Any) -> list[dict[str, Any]]:
    if isinstance(image, (str, bytes)) or not isinstance(image, Sequence) or not 1 <= len(image) <= 20:
        raise InvalidRequestError("image must be a list of 1 to 20 dicts {name, url | asset_id | base64_string}")
    names = []
    for i, item in enumerate(image):
        if not isinstance(item, Mapping) or not _IMAGE_NAME.match(str(item.get("name") or "")):
            raise InvalidRequestError(f"image[{i}] needs a name of letters, digits or _ "
                                      "(the prompt cites it as <@name>)")
        if len([k for k in _VIDEO_TYPES if item.get(k)]) != 1:
            raise InvalidRequestError(f"image[{i}] needs exactly one of url, asset_id or base64_string")
        names.append(item["name"])
    if len(set(names)) != len(names):
        raise InvalidRequestError(f"image names must be unique, got {names}")
    if model is not None and "image" not in model.options:
        raise InvalidRequestError(f"image inputs need model_name='pegasus1.6', not {model.name!r}")
    return [dict(i) for i in image]


def _check_image_refs(prompt: str, images: list[dict[str, Any]]) -> None:
    """The prompt cites every image as ``<@name>`` or none of them (the API answers 400 otherwise)."""
    refs = set(_REF.findall(prompt))
    names = {i["name"] for i in images}
    if refs and refs != names:
        raise InvalidRequestError(f"the prompt must cite every image as <@name> or none; it cites {sorted(refs)}, "
                                  f"the images are {sorted(names)}")


def analyze_body(*, prompt: str | None, prompt_v2: Mapping[str, Any] | None, video_id: str | None,
                 video: Mapping[str, Any] | None, image: Sequence[Mapping[str, Any]] | None, model_name: str | None,
                 temperature: float | None, max_tokens: int | str | None, response_format: Any,
                 start_time: float | None, end_time: float | None, endpoint: str = "analyze",
                 **extra: Any) -> dict[str, Any]:
    """The JSON body of POST /analyze (``endpoint="analyze"``) or /analyze/tasks, checked before any I/O.

    Known model names are checked against the registry (endpoint, ``image`` needs pegasus1.6,
    ``max_tokens="unlimited"`` needs pegasus1.6 with ``analysis_mode="time_based_metadata"``).
    """
    segmenting = extra.get("analysis_mode") == "time_based_metadata"  # segment definitions instruct
    if (prompt is not None and prompt_v2 is not None) or (prompt is not None and not str(prompt).strip()) or (
            prompt is None and prompt_v2 is None and not segmenting):
        raise InvalidRequestError("analyze needs a non-empty prompt=... or prompt_v2={'input_text': ...}, not both")
    sources = [n for n, v in (("video_id", video_id), ("video", video), ("image", image)) if v is not None]
    if len(sources) != 1:
        raise InvalidRequestError('analyze needs exactly one of video={"type": "asset_id", "asset_id": ...}, '
                                  f"image=[...] (pegasus1.6) or the classic video_id=...; got {sources or 'none'}")
    if video_id is not None and endpoint != "analyze":
        raise InvalidRequestError('analyze tasks take video={"type": ...}, not the classic video_id')
    model = find_model(model_name) if model_name is not None else None
    if model is not None and not model.accepts(endpoint):
        get_model(model.name, endpoint=endpoint)  # raises, naming the models that fit
    body: dict[str, Any] = {}
    if prompt is not None:
        body["prompt"] = prompt
    elif prompt_v2 is not None:
        body["prompt_v2"] = dict(prompt_v2)
    if video_id is not None:
        body["video_id"] = video_id
    elif video is not None:
        body["video"] = _check_video(video)
    else:
        if prompt_v2 is not None:
            raise InvalidRequestError("image=[...] cannot be combined with prompt_v2; use prompt with <@name> refs")
        body["image"] = _check_images(image, model)
        if prompt is None:
            raise InvalidRequestError("image=[...] needs prompt=... (cite the images as <@name>, or none of them)")
        _check_image_refs(str(prompt), body["image"])
    if max_tokens == "unlimited":
        if endpoint != "analyze_tasks" or extra.get("analysis_mode") != "time_based_metadata" or (
                model is None or "max_tokens_unlimited" not in model.options):
            raise InvalidRequestError('max_tokens="unlimited" needs analyze.tasks with model_name="pegasus1.6" and '
                                      'analysis_mode="time_based_metadata"; pass a number otherwise')
    elif max_tokens is not None and (isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1):
        raise InvalidRequestError('max_tokens must be a positive integer (or "unlimited" where allowed), '
                                  f'got {max_tokens!r}')
    for name, value in (("start_time", start_time), ("end_time", end_time)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0):
            raise InvalidRequestError(f"{name} must be a number of seconds >= 0, got {value!r}")
    if start_time is not None and end_time is not None and end_time - start_time < 1:
        raise InvalidRequestError(f"end_time must be at least 1 s after start_time (got {start_time}-{end_time})")
    for key, value in (("temperature", temperature), ("max_tokens", max_tokens), ("model_name", model_name),
                       ("response_format", response_format_body(response_format)), ("start_time", start_time),
                       ("end_time", end_time), *extra.items()):
        if value is not None:
            body[key] = value
    return body
