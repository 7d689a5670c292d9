"""Pieces shared by the Pegasus chat model and LLM: video binding, request kwargs, stop handling,
identity for tracing, stream closing.

```python
from langchain_twelvelabs._pegasus import StopScanner
scan = StopScanner(["END"])
out = scan.feed("hello E") + scan.feed("ND and more") + scan.flush()
assert out == "hello " and scan.stopped
```
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from twelvelabs_rag.flow import choose_flow
from twelvelabs_rag.media_inputs import is_url

__all__ = [
    "PegasusParams",
    "StopScanner",
    "video_object",
    "truncate_at_stop",
    "close_stream",
    "aclose_stream",
    "CLASSIC_MODEL",
    "CURRENT_MODEL",
]

CLASSIC_MODEL = "pegasus1.2"
CURRENT_MODEL = "pegasus1.5"
IMAGE_MODEL = "pegasus1.6"  # the first Pegasus that takes image inputs


def video_object(video: str | dict[str, Any]) -> dict[str, Any]:
    """The analyze ``video`` object for a URL, an asset id or a ready dict.

    ```python
    assert video_object("https://x/y.mp4") == {"type": "url", "url": "https://x/y.mp4"}
    assert video_object("asset_1") == {"type": "asset_id", "asset_id": "asset_1"}
    ```
    """
    if isinstance(video, dict):
        if "type" not in video:
            raise ValueError("video dict needs a 'type' ('url', 'asset_id' or 'base64_string')")
        return dict(video)
    text = str(video).strip()
    if not text:
        raise ValueError("video is empty: pass a URL, an asset id, or {'type': ..., ...}")
    if is_url(text):
        return {"type": "url", "url": text}
    return {"type": "asset_id", "asset_id": text}


def truncate_at_stop(text: str, stop: list[str] | None) -> tuple[str, bool]:
    """Cut ``text`` at the first occurrence of any stop string; return (text, was_cut)."""
    cut = len(text)
    for s in stop or []:
        if s:
            pos = text.find(s)
            if pos != -1:
                cut = min(cut, pos)
    return text[:cut], cut < len(text)


class StopScanner:
    """Streams text through, holding back just enough to never emit part of a stop string."""

    def __init__(self, stop: list[str] | None) -> None:
        self.stop = [s for s in (stop or []) if s]
        self.hold = max((len(s) for s in self.stop), default=1) - 1
        self.buffer = ""
        self.stopped = False

    def feed(self, fragment: str) -> str:
        """Return the text that is safe to emit after adding ``fragment``."""
        if self.stopped:
            return ""
        if not self.stop:
            return fragment
        self.buffer += fragment
        head, cut = truncate_at_stop(self.buffer, self.stop)
        if cut:
            self.stopped = True
            self.buffer = ""
            return head
        safe = len(self.buffer) - self.hold
        if safe <= 0:
            return ""
        out, self.buffer = self.buffer[:safe], self.buffer[safe:]
        return out

    def flush(self) -> str:
        """The held-back tail once the stream has ended."""
        out, self.buffer = ("" if self.stopped else self.buffer), ""
        return out


def close_stream(stream: Any) -> None:
    """Close an analyze stream (its HTTP response) once the caller stops reading it."""
    close = getattr(stream, "close", None)
    if close is not None:
        close()


async def aclose_stream(stream: Any) -> None:
    """Async twin of :func:`close_stream` (``aclose()``, else ``close()``, awaited when it returns an awaitable)."""
    closer = getattr(stream, "aclose", None) or getattr(stream, "close", None)
    if closer is not None:
        result = closer()
        if hasattr(result, "__await__"):
            await result


class PegasusParams(BaseModel):
    """Fields and LangChain identity shared by :class:`ChatTwelveLabsPegasus` and :class:`TwelveLabsPegasusLLM`."""

    model_config = ConfigDict(populate_by_name=True, protected_namespaces=())

    model_name: str | None = Field(
        default=None,
        alias="model",
        description="pegasus1.5 (current, default), pegasus1.6 (images too) or pegasus1.2 (classic, video_id); "
        "default: pegasus1.2 when only `video_id` is bound or api_shape='classic', else pegasus1.5.",
    )
    api_shape: Literal["current", "classic"] | None = Field(
        default=None, description="'classic' analyzes by video_id on a pegasus1.2 index; default: current."
    )
    asset_id: str | None = Field(default=None, description="An asset (current shape): Pegasus analyzes it directly.")
    video_id: str | None = Field(default=None, description="An indexed video (classic, pegasus1.2).")
    video: str | dict[str, Any] | None = Field(
        default=None, description="Current-shape video: a URL, an asset id, or an analyze `video` dict."
    )
    image: list[dict[str, Any]] | None = Field(
        default=None, description="Pegasus 1.6 images: [{'name': ..., 'url'|'asset_id'|'base64_string': ...}]."
    )
    start_time: float | None = Field(default=None, ge=0.0, description="Analyze only from this second on.")
    end_time: float | None = Field(default=None, gt=0.0, description="Analyze only up to this second.")
    async_task: bool = Field(
        default=False, description="Run through client.analyze.tasks (long videos); on_progress sees each poll."
    )
    on_progress: Callable[[Any], Any] | None = Field(default=None, exclude=True)
    temperature: float | None = Field(default=None, ge=0.0, le=1.0)
    max_tokens: int | None = Field(default=None, ge=1)
    stop: list[str] | None = Field(default=None, description="Stop strings (applied client-side).")

    @model_validator(mode="after")
    def _set_twelvelabs_version(self) -> Any:
        """Record this package's version in ``metadata["lc_versions"]`` for tracing (langchain-core >= 1.x)."""
        add_version = getattr(self, "_add_version", None)
        if add_version is not None:
            from . import __version__

            add_version("langchain-twelvelabs", __version__)
        return self

    @property
    def _llm_type(self) -> str:
        return "twelvelabs-pegasus"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model_name": self.resolved_model(),
            "video_id": self.video_id,
            "video": self.video,
            "asset_id": self.asset_id,
            "start_time": self.start_time,
            "end_time": self.end_time,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
        }

    def resolved_model(self, override: str | None = None, *, video: Any = None, video_id: str | None = None) -> str:
        """The Pegasus model to call: the override, the field, or the one that fits the video binding."""
        if override:
            return override
        if self.model_name:
            return self.model_name
        if self.api_shape is not None:
            return choose_flow(self.api_shape).pegasus
        if video is None and video_id is not None:
            return CLASSIC_MODEL
        bound = video if video is not None else (self.video or self.asset_id or self.image)
        if bound is None and self.video_id is not None:
            return CLASSIC_MODEL
        return IMAGE_MODEL if isinstance(bound, list) else CURRENT_MODEL

    def analyze_kwargs(self, prompt: str, call_kwargs: dict[str, Any]) -> dict[str, Any]:
        """Keyword arguments for ``client.analyze`` from the fields and per-call overrides."""
        if not prompt or not prompt.strip():
            raise ValueError("Empty prompt: Pegasus needs a non-empty question or instruction about the video")
        kwargs = dict(call_kwargs)
        video_id = kwargs.pop("video_id", None)
        video = kwargs.pop("video", None)
        asset_id = kwargs.pop("asset_id", None)
        if asset_id is not None:
            if video is not None:
                raise ValueError("Pass asset_id=... or video=..., not both")
            video = {"type": "asset_id", "asset_id": asset_id}
        image = kwargs.pop("image", None)
        if video_id is None and video is None and image is None:
            video_id, video, image = self.video_id, self.video, self.image
            if video is None and self.asset_id is not None:
                video = {"type": "asset_id", "asset_id": self.asset_id}
        if video_id is None and video is None and image is None:
            raise ValueError(
                "No video bound: pass asset_id=... (an asset), video=... (URL, asset id or analyze video dict), "
                "image=[...] (pegasus1.6) or video_id=... (classic index) to the constructor, to invoke(), "
                "or via .bind(asset_id=...)"
            )
        if video_id is not None and self.api_shape == "current":
            raise ValueError("video_id is the classic binding; on api_shape='current' bind asset_id=... "
                             "(a retriever Document's metadata['asset_id']) instead")
        out: dict[str, Any] = {
            "prompt": prompt,
            "model_name": self.resolved_model(kwargs.pop("model", None) or kwargs.pop("model_name", None),
                                              video=video if video is not None else image, video_id=video_id),
        }
        if video_id is not None:
            out["video_id"] = video_id
        elif video is not None:
            out["video"] = video_object(video)
        if image is not None:
            out["image"] = [dict(i) for i in image]
        temperature = kwargs.pop("temperature", self.temperature)
        max_tokens = kwargs.pop("max_tokens", self.max_tokens)
        if temperature is not None:
            out["temperature"] = temperature
        if max_tokens is not None:
            out["max_tokens"] = max_tokens
        response_format = kwargs.pop("response_format", None)
        if response_format is not None:
            out["response_format"] = response_format
        for extra in ("start_time", "end_time"):
            value = kwargs.pop(extra, getattr(self, extra))
            if value is not None:
                out[extra] = value
        return out


def task_response(task: Any) -> Any:
    """An ``AnalyzeResponse``-shaped view of a ready ``client.analyze.tasks`` task (the core's rule)."""
    from twelvelabs_rag.analyze_answer import task_answer

    return task_answer(task)


def task_kwargs(request: dict[str, Any], on_progress: Any) -> dict[str, Any]:
    """``client.analyze.tasks.create_and_wait`` arguments for an analyze request (current shape only)."""
    if "video_id" in request:
        raise ValueError("async_task=True runs on assets/URLs (client.analyze.tasks); "
                         "bind asset_id=... or video=... instead of video_id")
    return {**request, "on_progress": on_progress}


def usage_dict(usage: Any) -> dict[str, int] | None:
    """LangChain ``UsageMetadata`` from the API's ``usage`` (input tokens 0 when not reported)."""
    if usage is None:
        return None
    output_tokens = int(getattr(usage, "output_tokens", 0) or 0)
    input_tokens = int(getattr(usage, "input_tokens", 0) or 0)
    return {"input_tokens": input_tokens, "output_tokens": output_tokens, "total_tokens": input_tokens + output_tokens}
