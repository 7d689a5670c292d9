"""Wire helpers of the emulator's embed v2: the nested error body, vector rounding, clip boundaries."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from ._core import Media
from ._http import ApiError, Req, Resp, bad

__all__ = ["NestedApiError", "nested_errors", "vec_json", "unit", "input_meta", "segment_bounds"]


class NestedApiError(ApiError):
    """An error of embed v2: the body nests ``code``/``message`` under ``error``."""

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message}}


def nested_errors(handler: Callable[..., Resp]) -> Callable[..., Resp]:
    """Re-raise a handler's flat ApiError as the nested embed-v2 shape (status and headers kept)."""

    @functools.wraps(handler)
    def wrapper(self: Any, req: Req) -> Resp:
        try:
            return handler(self, req)
        except NestedApiError:
            raise
        except ApiError as exc:
            raise NestedApiError(exc.status, exc.code, exc.message, exc.headers) from None

    wrapper.nested_error_body = True  # type: ignore[attr-defined]  # strict mode answers in this shape too
    return wrapper


def vec_json(v: np.ndarray) -> list[float]:
    return [round(float(x), 7) for x in v]


def unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return (v / n).astype(np.float32) if n else v.astype(np.float32)


def input_meta(media: Media, kind: str) -> dict[str, Any]:
    return {"input_url": media.url} if media.url else {"input_filename": media.filename or f"{kind}-input"}


def segment_bounds(media: Media, start: float, end: float, seg: Any, kind: str) -> list[tuple[float, float]]:
    """Clip boundaries: fixed ``duration_sec`` (2-10, default 6) or dynamic scene cuts.

    Dynamic clips last at least ``min_duration_sec``.
    """
    seg = seg or {}
    if not isinstance(seg, dict):
        raise bad(f"`{kind}.segmentation` must be an object.")
    if "temporal" in seg:  # 3.5 async form
        seg = seg["temporal"] or {}
    strategy = seg.get("strategy") or "fixed"
    if strategy == "dynamic":
        if kind == "audio":
            raise bad("Audio supports only fixed segmentation.")
        low = float((seg.get("dynamic") or {}).get("min_duration_sec") or 4)
        if not 2 <= low <= 5:
            raise bad("`segmentation.dynamic.min_duration_sec` must be between 2 and 5.")
        cuts = sorted({s.end for s in media.scene_list() if start < s.end < end} | {end})
        bounds, a = [], start
        for c in cuts:
            if c - a >= low or c == end:
                bounds.append((a, c))
                a = c
        return bounds
    if strategy != "fixed":
        raise bad(f"`segmentation.strategy` must be fixed or dynamic, got {strategy!r}.")
    length = float((seg.get("fixed") or {}).get("duration_sec") or 6)
    if not 2 <= length <= 10:
        raise bad("`segmentation.fixed.duration_sec` must be between 2 and 10.")
    bounds, t = [], start
    while t < end - 1e-9:
        b = min(t + length, end)
        bounds.append((t, b))
        t = b
    return bounds
