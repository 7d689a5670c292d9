"""Pure helpers of the emulator's async analyze: ``max_tokens`` ranges and the segmentation answer."""

from __future__ import annotations

from typing import Any

from ..models import get_model
from ._encoder import tokens
from ._http import bad
from ._script import Scene

__all__ = ["check_tokens", "segments"]


def check_tokens(body: dict[str, Any], model: str, mode: str) -> None:
    value = body.get("max_tokens")
    if value is None:
        return
    if value == "unlimited":
        if mode != "time_based_metadata" or "max_tokens_unlimited" not in get_model(model).options:
            raise bad('`max_tokens` "unlimited" needs pegasus1.6 and analysis_mode time_based_metadata.')
        return
    lo = 2048 if mode == "time_based_metadata" else 512
    hi = get_model(model).max_tokens[1]  # type: ignore[index]
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise bad(f"`max_tokens` must be an integer between {lo} and {hi} for {mode} analysis, got {value!r}.")


def segments(fmt: dict[str, Any], scenes: list[Scene], body: dict[str, Any]) -> dict[str, Any]:
    """The time_based_metadata answer: per definition id, one segment per scene (or per given time range)."""
    out = {}
    for d in fmt["segment_definitions"]:
        ranges = d.get("time_ranges")
        spans = [(float(r["start_time"]), float(r["end_time"])) for r in ranges] if ranges else [
            (s.start, s.end) for s in scenes]
        segs = []
        for a, b in spans:
            inside = [s for s in scenes if s.end > a and s.start < b]
            text = "; ".join(s.visual for s in inside) or "no readable content"
            meta = {f["name"]: _field_value(f, text, a, d["description"]) for f in d.get("fields") or []
                    if isinstance(f, dict) and f.get("name")}
            segs.append({"start_time": round(a, 3), "end_time": round(b, 3), "metadata": meta})
        out[d["id"]] = segs
    return out


def _field_value(f: dict[str, Any], text: str, start: float, description: str) -> Any:
    kind = f.get("type")
    if kind == "boolean":
        return bool(set(tokens(f.get("description") or description)) & set(tokens(text)))
    if kind in ("number", "integer"):
        return int(start) if kind == "integer" else round(start, 3)
    if kind == "timestamp":
        return round(start, 3)
    if kind in ("array", "time_array"):
        return [round(start, 3)] if kind == "time_array" else [text]
    if f.get("enum"):
        return f["enum"][0]
    return text
