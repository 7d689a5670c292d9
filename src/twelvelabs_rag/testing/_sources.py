"""Media inputs of the current API (``{url}``, ``{base64_string}``, ``{asset_id}``), resolved to a :class:`Media`.

Shared by embed v2, index-free analyze and async analyze. ``asset_id`` goes through the assets
emulator's ``asset_media`` when it is present; until then a ready classic video's id stands in for an
asset id (the seed emulator's behaviour), so the current calls can be tried on indexed videos.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from ._core import Media
from ._entities import asset_media_of
from ._http import ApiError, bad

__all__ = ["resolve_source", "decode_base64"]

_KEYS = ("url", "base64_string", "asset_id")


def decode_base64(raw: Any, field_name: str, limit: int, *, status: int = 400) -> bytes:
    """Decode a ``base64_string``; a decoded size over ``limit`` bytes is ``status`` (400 or 413)."""
    if not isinstance(raw, str) or not raw:
        raise bad(f"`{field_name}` must be a non-empty base64 string.")
    if len(raw) * 3 // 4 > limit + 3:
        raise ApiError(status, "media_too_large" if status == 413 else "media_filesize_too_large",
                       f"`{field_name}` decodes to more than {limit // (1024 * 1024)} MB; upload the file as an "
                       "asset and pass its asset_id instead.")
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise bad(f"`{field_name}` is not valid base64.") from None


def resolve_source(state: Any, src: Any, field_name: str, kind: str = "video", *, b64_limit: int = 36 * 1024 * 1024,
                   b64_status: int = 400, keys: tuple[str, ...] = _KEYS) -> Media:
    """The media of a source object holding exactly one of ``keys``."""
    if not isinstance(src, dict):
        raise bad(f"`{field_name}` must be an object with one of {', '.join(keys)}.")
    given = [k for k in keys if src.get(k)]
    if len(given) != 1:
        raise bad(f"`{field_name}` must have exactly one of {', '.join(keys)}; got "
                  f"{', '.join(given) if given else 'none'}.")
    key = given[0]
    if key == "url":
        from_url: Media = state.media_from_url(src["url"], f"{field_name}.url", kind)
        return from_url
    if key == "base64_string":
        data = decode_base64(src["base64_string"], f"{field_name}.base64_string", b64_limit, status=b64_status)
        from_bytes: Media = state.media_from_bytes(data)
        return from_bytes
    return asset_media_of(state, src["asset_id"], f"{field_name}.asset_id")
