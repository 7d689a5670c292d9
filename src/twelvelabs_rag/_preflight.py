"""Check media against the API's limits before any upload byte is sent.

Limits (spec §3.1, §5.1): video 360x360 to 3840x2160 (either orientation), aspect ratio between
1:2.4 and 2.4:1, 4 s to 2 h (1 h for Pegasus-only indexes), at most 2 GB; images JPEG/PNG, at
least 64x64, at most 5 MB; audio at most 2 GB. Probing uses PyAV when it is installed and the
pure-python header probes of ``twelvelabs_rag._media`` otherwise (a warning says what was
skipped). Turn it off with ``preflight=False`` on the client or on the call.

```python
from twelvelabs_rag._preflight import MediaInfo, media_problem
problem = media_problem(MediaInfo("video", width=320, height=240, duration=10, size=1), "video")
assert problem[0] == "video_resolution_too_low"
```
"""

from __future__ import annotations

import io
import logging
import mimetypes
import threading
from dataclasses import replace
from pathlib import Path

from ._exceptions import PreflightError
from ._limits import LIMITS, asset_limits, asset_upload_method, media_problem
from ._media import SNIFF_BYTES, MediaInfo, probe, sniff
from ._multipart import FilePart

__all__ = [
    "LIMITS", "MediaInfo", "MediaFacts", "media_problem", "probe_media", "check_media", "preflight", "check_asset_size",
]

_OTHER_KINDS = ("image", "audio", "video", "text")
_EXPECTED = {"video": "MP4, MOV, WebM, MKV, AVI, ...", "audio": "WAV, MP3, M4A, FLAC, OGG, ...", "image": "JPEG or PNG"}


#: The public name of the record :func:`preflight` returns (the same class as ``MediaInfo``).
MediaFacts = MediaInfo


# ---------------------------------------------------------------------------------------------
# Probing (I/O; the async client calls probe_media in a worker thread)


def _kind_from_name(name: str | None) -> str | None:
    if not name:
        return None
    mime = mimetypes.guess_type(name)[0] or ""
    major = mime.split("/", 1)[0]
    return major if major in _OTHER_KINDS else None


def _probe_av(source: Path | bytes) -> MediaInfo | None:
    try:
        import av
    except ImportError:
        return None
    try:
        container = av.open(str(source) if isinstance(source, Path) else io.BytesIO(source), mode="r")
    except (av.FFmpegError, OSError, ValueError):
        return MediaInfo(kind="unknown")
    with container:
        video = container.streams.video[0] if container.streams.video else None
        audio = container.streams.audio[0] if container.streams.audio else None
        duration = container.duration / 1_000_000 if container.duration else None
        if video is not None:
            if duration is None and video.duration is not None and video.time_base is not None:
                duration = float(video.duration * video.time_base)
            fmt = container.format.name.split(",")[0]
            kind = "image" if fmt in ("png_pipe", "jpeg_pipe", "image2") else "video"
            return MediaInfo(kind=kind, format=fmt, width=video.codec_context.width, height=video.codec_context.height,
                              duration=duration)
        if audio is not None:
            return MediaInfo(kind="audio", format=container.format.name, duration=duration)
    return MediaInfo(kind="unknown")


def _probe_headers(source: Path | bytes) -> MediaInfo | None:
    info = probe(source)
    return None if info.kind is None else info


class _OnceNotice:
    """A warning logged once per process (a CLI run or a notebook must not repeat it for every file)."""

    def __init__(self, message: str) -> None:
        self.message = message
        self.emitted = False
        self._lock = threading.Lock()

    def emit(self) -> None:
        with self._lock:
            if self.emitted:
                return
            self.emitted = True
        # A logger, not warnings.warn: no source line echoed under the message, and no
        # per-call-site repetition. Unconfigured logging prints it on stderr as it is.
        logger.warning(self.message)


logger = logging.getLogger("twelvelabs_rag.preflight")
NO_PYAV_NOTICE = _OnceNotice(
    "PyAV is not installed: preflight checks size, name and container headers only, not the decoded "
    "resolution and duration (pip install 'twelvelabs-rag[media]' for full checks)"
)


def _head(source: Path | bytes) -> bytes:
    if isinstance(source, bytes):
        return source[:SNIFF_BYTES]
    with source.open("rb") as f:
        return f.read(SNIFF_BYTES)


def probe_media(source: Path | bytes, *, name: str | None, expect: str) -> MediaInfo:
    """Probe a file (path or bytes) with the best available tool.

    Without PyAV, a file whose first bytes match no known container probes as
    ``kind="unrecognised"`` (a text file named ``.mp4`` is not a video, whatever its name).
    """
    size = source.stat().st_size if isinstance(source, Path) else len(source)
    facts = _probe_headers(source)
    if facts is not None and facts.kind == "image" and expect == "image":
        return replace(facts, size=size)
    pyav_failed = False
    if expect != "image":
        via_av = _probe_av(source)
        if via_av is None:
            NO_PYAV_NOTICE.emit()
        elif via_av.kind != "unknown":
            return replace(via_av, size=size)
        else:
            pyav_failed = True
    if facts is not None:
        return replace(facts, size=size)
    if size == 0:
        return MediaInfo(kind=_kind_from_name(name), size=0)  # the limit checks say "empty"
    if pyav_failed and expect == "video":
        return MediaInfo(kind="unreadable", format=None, size=size)
    sniffed = sniff(_head(source))
    if sniffed is None:
        return MediaInfo(kind="unrecognised", size=size)
    return MediaInfo(kind=sniffed[0], format=sniffed[1], size=size)


def check_media(source: Path | str | bytes, *, name: str | None, expect: str, pegasus_only: bool = False) -> MediaInfo:
    """Probe and check; raises :class:`PreflightError` with the API's code on a violation."""
    if isinstance(source, (bytearray, memoryview)):
        source = bytes(source)
    elif not isinstance(source, bytes):
        source = Path(source)
    facts = probe_media(source, name=name, expect=expect)
    label = name or (str(source) if isinstance(source, Path) else f"<{len(source)} bytes>")
    if facts.kind == "unrecognised":
        raise PreflightError(
            f"{label}: not a{'n' if expect[0] in 'aeiou' else ''} {expect} file: its first bytes match no known "
            f"media container ({_EXPECTED[expect]}). Upload a real {expect} file, or pass preflight=False to skip "
            "local checks.",
            code="unsupported_media_type",
            path=str(source) if isinstance(source, Path) else None,
        )
    if facts.kind == "unreadable":
        raise PreflightError(
            f"{label}: not a readable video (PyAV could not open it). Upload a real MP4/MOV/WebM file, "
            "or pass preflight=False to skip local checks.",
            code="unsupported_media_type",
            path=str(source) if isinstance(source, Path) else None,
        )
    problem = media_problem(facts, expect, pegasus_only=pegasus_only)
    if problem is not None:
        code, message = problem
        raise PreflightError(
            f"{label}: {message} (API code {code}; nothing was uploaded; pass preflight=False to skip local checks).",
            code=code,
            path=str(source) if isinstance(source, Path) else None,
        )
    return facts


def preflight(source: Path | str | bytes, *, kind: str = "video", pegasus_only: bool = False) -> MediaInfo:
    """Check a local file (or bytes) against the API's limits for ``kind`` (video, image, audio).

    Returns what was found; raises :class:`PreflightError` (with the API's error code) when the
    media would be rejected. The same check runs inside every upload unless ``preflight=False``.

    ```python
    from twelvelabs_rag import PreflightError, preflight
    try:
        preflight("clip.mp4")
    except PreflightError as e:
        print(e.code)  # e.g. video_duration_too_short
    ```
    """
    if kind not in ("video", "image", "audio"):
        raise ValueError(f"kind must be 'video', 'image' or 'audio' (got {kind!r})")
    name = None if isinstance(source, (bytes, bytearray, memoryview)) else Path(source).name
    return check_media(source, name=name, expect=kind, pegasus_only=pegasus_only)


def needs_index_check(facts: MediaInfo) -> bool:
    """Whether the video is long enough that a Pegasus-only index would reject it (1 h limit)."""
    return facts.duration is not None and facts.duration > LIMITS["video_max_duration_pegasus"]


def source_of(part: FilePart) -> Path | bytes:
    """The probe source of a prepared :class:`~twelvelabs_rag._multipart.FilePart`."""
    if part.path is not None:
        return part.path
    return part.data if part.data is not None else b""



def check_asset_size(size: int, name: str, *, method: str = "auto") -> str:
    """The current surface's asset rules (direct <= 200 MB, multipart <= 10 GB, images <= 32 MB):
    returns the upload method (``direct``/``multipart``; ``auto`` picks by size) or raises
    :class:`PreflightError` with the API's code. Pure: the size is all it looks at."""
    chosen = asset_upload_method(size) if method == "auto" else method
    kind = _kind_from_name(name) or "video"
    problem = asset_limits(size, kind, method=chosen)
    if problem is not None:
        code, message = problem
        raise PreflightError(f"{name}: {message} (API code {code}; nothing was uploaded; pass preflight=False to "
                             "skip local checks).", code=code)
    return chosen
