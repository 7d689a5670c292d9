"""The API's media limits and the one set of rules that checks them (pure, no I/O).

Both the client's preflight (before any upload byte is sent) and the emulator (on upload) call
these, so a file the preflight lets through is one the emulator accepts, with the same error code.
A ``facts`` argument is anything with ``kind``, ``format``, ``width``, ``height``, ``duration`` and
``size`` attributes (a :class:`~twelvelabs_rag._media.MediaInfo`; ``None`` when unknown, and unknown
measurements pass).

:func:`media_problem` is the one entry point: it looks up what the expected kind accepts in
:data:`KIND_RULES` (which probed kinds and formats, whether an unrecognised file passes) and then
measures. :func:`api_problem` is the same check worded as the API answers (a full sentence).

```python
from twelvelabs_rag._limits import media_problem
from twelvelabs_rag._media import MediaInfo
assert media_problem(MediaInfo("video", "mp4", 640, 360, 10.0, 1000), "video") is None
assert media_problem(MediaInfo("video", "mp4", 320, 240, 10.0, 1000), "video")[0] == "video_resolution_too_low"
assert media_problem(MediaInfo("image", "png", 63, 100), "image")[0] == "image_resolution_too_low"
assert media_problem(MediaInfo("audio", "wav", size=10), "image")[0] == "unsupported_media_type"
```
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["GB", "MB", "LIMITS", "Problem", "KindRule", "KIND_RULES", "media_problem", "api_problem", "video_limits",
           "image_limits", "audio_limits", "asset_limits", "asset_upload_method"]

GB = 1024**3
MB = 1024**2

#: Spec §3.1, §5.1: resolutions in pixels (either orientation), durations in seconds, sizes in bytes.
LIMITS: dict[str, float] = {
    "video_min_side": 360,
    "video_max_long_side": 3840,
    "video_max_short_side": 2160,
    "video_max_aspect": 2.4,
    "video_min_duration": 4.0,
    "video_max_duration": 7200.0,
    "video_max_duration_pegasus": 3600.0,
    "video_max_size": 2 * GB,
    "image_min_side": 64,
    "image_max_size": 5 * MB,
    "audio_max_size": 2 * GB,
    # the current surface (twelvelabs-api-current.md §1, §1.1): assets and multipart sessions
    "asset_direct_max_size": 200 * MB,
    "asset_multipart_max_size": 10 * GB,
    "asset_image_max_size": 32 * MB,
}

#: ``(api_error_code, message naming the fix)``, or None when the file is within the limits.
Problem = tuple[str, str] | None


def video_limits(f: Any, *, pegasus_only: bool = False) -> Problem:
    """Size, resolution, aspect ratio and duration of a video (Pegasus-only indexes: 1 h)."""
    if f.size is not None and f.size > LIMITS["video_max_size"]:
        return "video_filesize_too_large", f"the video is {f.size / GB:.2f} GB; the limit is 2 GB. Compress or split it"
    w, h = f.width, f.height
    if w and h:
        if min(w, h) < LIMITS["video_min_side"]:
            return "video_resolution_too_low", (f"the resolution {w}x{h} is below 360x360; "
                                                "upscale or re-encode the video")
        if max(w, h) > LIMITS["video_max_long_side"] or min(w, h) > LIMITS["video_max_short_side"]:
            return "video_resolution_too_high", f"the resolution {w}x{h} is above 3840x2160; downscale the video"
        if max(w, h) / min(w, h) > LIMITS["video_max_aspect"] + 1e-9:
            return "video_aspect_ratio_invalid", (f"the aspect ratio {w}:{h} is outside 1:2.4..2.4:1; "
                                                  "crop or pad the video")
    if f.duration is not None:
        if f.duration < LIMITS["video_min_duration"]:
            return "video_duration_too_short", (f"the video lasts {f.duration:.2f} s; the minimum is 4 s; "
                                                "use a longer video")
        limit = LIMITS["video_max_duration_pegasus" if pegasus_only else "video_max_duration"]
        if f.duration > limit:
            return "video_duration_too_long", (f"the video lasts {f.duration:.0f} s; the limit is {limit:.0f} s here. "
                                               "Split it")
    return None


def image_limits(f: Any) -> Problem:
    """Size (<= 5 MB) and resolution (>= 64x64) of an image."""
    if f.size is not None and f.size > LIMITS["image_max_size"]:
        return "media_filesize_too_large", (f"the image is {f.size / MB:.1f} MB; the limit is 5 MB. "
                                            "Compress or downscale it")
    if f.width is not None and f.height is not None and min(f.width, f.height) < LIMITS["image_min_side"]:
        return "image_resolution_too_low", f"the image is {f.width}x{f.height}; it must be at least 64x64"
    return None


def audio_limits(f: Any) -> Problem:
    """Size of an audio file (<= 2 GB)."""
    if f.size is not None and f.size > LIMITS["audio_max_size"]:
        return "audio_filesize_too_large", f"the audio is {f.size / GB:.2f} GB; the limit is 2 GB"
    return None


def asset_upload_method(size: int) -> str:
    """``"direct"`` for a local file up to 200 MB (one ``POST /assets``), else ``"multipart"``."""
    return "direct" if size <= LIMITS["asset_direct_max_size"] else "multipart"


def asset_limits(size: int | None, kind: str | None, *, method: str) -> Problem:
    """Size of a local asset upload (``method`` ``direct`` or ``multipart``): direct <= 200 MB,
    multipart <= 10 GB, images <= 32 MB either way. Unknown sizes pass."""
    if size is None:
        return None
    if size <= 0:
        return "parameter_invalid", "the file is empty; upload a file with content"
    if kind == "image" and size > LIMITS["asset_image_max_size"]:
        return "asset_filesize_too_large", (f"the image is {size / MB:.1f} MB; the limit is 32 MB. "
                                            "Compress or downscale it")
    if method == "direct" and size > LIMITS["asset_direct_max_size"]:
        return ("asset_filesize_too_large", f"the file is {size / MB:.1f} MB; a direct upload takes at most 200 MB. "
                "Use a multipart upload (client.assets.upload picks it by size)")
    if size > LIMITS["asset_multipart_max_size"]:
        return "asset_filesize_too_large", f"the file is {size / GB:.2f} GB; the limit is 10 GB. Compress or split it"
    return None


@dataclass(frozen=True)
class KindRule:
    """What an upload that expects one kind of media accepts, and how it is measured."""

    kinds: tuple[str, ...]  #: probed kinds accepted
    formats: tuple[str, ...] | None  #: probed formats accepted (None: any)
    unknown_ok: bool  #: whether a file the probes did not recognise (``kind=None``) passes
    measure: Callable[..., Problem]  #: the size/resolution/duration rule
    instead: str  #: what to upload instead, for the message


#: One row per expected kind; the preflight and the emulator both check through this table.
KIND_RULES: dict[str, KindRule] = {
    "video": KindRule(("video",), None, True, video_limits, "upload an MP4/MOV/WebM video"),
    "image": KindRule(("image",), ("png", "jpeg", "jpg"), False, image_limits, "upload a JPEG or PNG image"),
    "audio": KindRule(("audio",), None, True, audio_limits, "upload WAV/MP3/M4A/FLAC audio"),
}


def media_problem(f: Any, expect: str, *, pegasus_only: bool = False) -> Problem:
    """``(code, clause)`` when ``f`` cannot be uploaded where ``expect`` (video, image, audio) is
    expected, else None: empty file, wrong kind or format, then the limits of :data:`KIND_RULES`."""
    rule = KIND_RULES[expect]
    if f.size == 0:
        return "parameter_invalid", f"the {expect} file is empty"
    fmt = (f.format or "").lower()
    if f.kind is None:
        if not rule.unknown_ok:
            return "unsupported_media_type", f"the file is not a recognised {expect} file; {rule.instead}"
    elif f.kind not in rule.kinds or (rule.formats is not None and fmt not in rule.formats):
        what = f"{fmt} {f.kind}" if fmt else str(f.kind)
        return "unsupported_media_type", f"the file is {what}, not a supported {expect} file; {rule.instead}"
    if expect == "video":
        return rule.measure(f, pegasus_only=pegasus_only)
    return rule.measure(f)


def api_problem(f: Any, expect: str, *, pegasus_only: bool = False) -> Problem:
    """:func:`media_problem` worded as the API answers: a full sentence (the preflight embeds the clause)."""
    problem = media_problem(f, expect, pegasus_only=pegasus_only)
    if problem is None:
        return None
    code, clause = problem
    return code, clause[:1].upper() + clause[1:] + "."
