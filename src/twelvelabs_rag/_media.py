"""Pure-python media probes (no dependencies): what a file is, how big, how long, and its text.

Reads only headers and metadata, seeking over payloads, so probing a 2 GB video costs a few
kilobytes of I/O. Shared by the client's preflight checks and the emulator.

- ISO-BMFF / MP4 / MOV: ``mvhd`` duration, the video track's ``tkhd`` width/height and frame
  rate (``mdhd`` + ``stsz``), and the ``udta/meta/ilst`` ``\\xa9cmt`` comment text.
- PNG: ``IHDR`` size and ``tEXt``/``zTXt``/``iTXt`` text (key ``Description`` preferred).
- JPEG: ``SOFn`` size and ``COM`` text.
- WAV: ``fmt``/``data`` duration and the ``LIST/INFO/ICMT`` comment.

Anything else probes as ``kind=None``.

Example:
    ```python
    from twelvelabs_rag._media import probe
    info = probe(b"\\x89PNG\\r\\n\\x1a\\n" + b"\\x00" * 8)
    assert info.format == "png"
    ```

:class:`MediaInfo` is the one record of what a file is, for the probes here, the preflight (which
adds PyAV's findings) and the emulator; the rules that judge it are ``_limits.media_problem``.
"""

from __future__ import annotations

import io
import os
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, Literal

__all__ = ["MediaInfo", "MediaKind", "probe", "sniff"]

#: The kinds the probes recognise.
MediaKind = Literal["video", "image", "audio"]


@dataclass(frozen=True)
class MediaInfo:
    """What probing found. Unknown fields are ``None``.

    ``kind`` is ``video``, ``image`` or ``audio``, ``None`` for a format the probes do not know;
    the preflight also reports ``unrecognised`` (no known container) and ``unreadable`` (PyAV
    could not open it).
    """

    kind: str | None = None
    format: str | None = None
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    size: int | None = None
    text: str | None = None
    fps: float | None = None


class _Src:
    """Random access over a file object or bytes."""

    def __init__(self, f: BinaryIO, size: int) -> None:
        self.f, self.size = f, size

    def read(self, offset: int, n: int) -> bytes:
        if offset < 0 or offset >= self.size or n <= 0:
            return b""
        self.f.seek(offset)
        return self.f.read(min(n, self.size - offset))


def probe(source: str | os.PathLike[str] | bytes | bytearray | memoryview) -> MediaInfo:
    """Probe a media file (path or bytes). Never raises on malformed media: unknown parts are ``None``.

    Example:
        ```python
        info = probe("clip.mp4")
        print(info.kind, info.width, info.height, info.duration, info.text)
        ```
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        return _probe(_Src(io.BytesIO(data), len(data)))
    with open(source, "rb") as f:
        return _probe(_Src(f, os.fstat(f.fileno()).st_size))


def _probe(src: _Src) -> MediaInfo:
    head = src.read(0, 16)
    try:
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return _png(src)
        if head.startswith(b"\xff\xd8"):
            return _jpeg(src)
        if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
            return _wav(src)
        if head[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip"):
            return _mp4(src)
    except (struct.error, ValueError, zlib.error, IndexError):
        pass
    return MediaInfo(kind=None, format=None, size=src.size)


# ---------------------------------------------------------------- container magic bytes

#: ``(offset, magic, kind, format)``: the first bytes of the containers the API (or a user) may hand us.
#: Used without PyAV to tell a real media file from, say, a text file named ``.mp4``.
_MAGIC: tuple[tuple[int, bytes, MediaKind, str], ...] = (
    (4, b"ftyp", "video", "mp4"),  # MP4, MOV, M4V, 3GP (an M4A is told apart by probe())
    (4, b"moov", "video", "mov"),
    (4, b"mdat", "video", "mov"),
    (4, b"wide", "video", "mov"),
    (4, b"free", "video", "mov"),
    (4, b"skip", "video", "mov"),
    (0, b"\x1a\x45\xdf\xa3", "video", "matroska"),  # MKV and WebM (EBML)
    (0, b"\x30\x26\xb2\x75\x8e\x66\xcf\x11", "video", "asf"),  # WMV/WMA
    (0, b"FLV\x01", "video", "flv"),
    (0, b"\x00\x00\x01\xba", "video", "mpeg"),  # MPEG program stream
    (0, b"\x00\x00\x01\xb3", "video", "mpeg"),
    (0, b"fLaC", "audio", "flac"),
    (0, b"OggS", "audio", "ogg"),
    (0, b"ID3", "audio", "mp3"),
    (0, b"#!AMR", "audio", "amr"),
    (0, b"\x89PNG\r\n\x1a\n", "image", "png"),
    (0, b"\xff\xd8\xff", "image", "jpeg"),
    (0, b"GIF87a", "image", "gif"),
    (0, b"GIF89a", "image", "gif"),
    (0, b"BM", "image", "bmp"),
)


#: How many leading bytes :func:`sniff` looks at.
SNIFF_BYTES = 512


def sniff(head: bytes) -> tuple[MediaKind, str] | None:
    """``(kind, format)`` from a file's first bytes (pass :data:`SNIFF_BYTES` of them), or None.

    Pure and cheap: a text file, a PDF or random bytes give None, whatever their name.

    ```python
    assert sniff(b"\\x00\\x00\\x00\\x18ftypmp42") == ("video", "mp4")
    assert sniff(b"hello, I am a text file") is None
    ```
    """
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return "audio", "aiff"
    if head[:4] == b"RIFF":
        riff: dict[bytes, tuple[MediaKind, str]] = {b"WAVE": ("audio", "wav"), b"AVI ": ("video", "avi"),
                                                    b"WEBP": ("image", "webp")}
        return riff.get(head[8:12])
    for offset, magic, kind, fmt in _MAGIC:
        if head[offset:offset + len(magic)] == magic:
            return kind, fmt
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0:  # AAC in ADTS frames
        return "audio", "aac"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06:  # an MPEG audio frame
        return "audio", "mp3"
    if len(head) > 188 and head[0] == 0x47 and head[188] == 0x47:  # MPEG-TS: a sync byte every 188 bytes
        return "video", "mpegts"
    return None


# ---------------------------------------------------------------- MP4 / ISO-BMFF


def _boxes(src: _Src, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """Yield (type, payload_start, payload_end) for the boxes in [start, end)."""
    pos = start
    while pos + 8 <= end:
        hdr = src.read(pos, 16)
        if len(hdr) < 8:
            return
        size, typ = struct.unpack(">I4s", hdr[:8])
        body = pos + 8
        if size == 1:
            if len(hdr) < 16:
                return
            size = struct.unpack(">Q", hdr[8:16])[0]
            body = pos + 16
        elif size == 0:
            size = end - pos
        if size < body - pos or pos + size > end + 8:  # tolerate a truncated last box
            return
        yield typ, body, min(pos + size, end)
        pos += size


def _find(src: _Src, start: int, end: int, typ: bytes) -> tuple[int, int] | None:
    for t, a, b in _boxes(src, start, end):
        if t == typ:
            return a, b
    return None


def _mp4(src: _Src) -> MediaInfo:
    moov = _find(src, 0, src.size, b"moov")
    if moov is None:
        return MediaInfo(kind="video", format="mp4", size=src.size)
    duration = width = height = fps = None
    kinds: set[str] = set()
    text = None
    for typ, a, b in _boxes(src, *moov):
        if typ == b"mvhd":
            d = src.read(a, 32)
            if d[0] == 1:
                timescale, dur = struct.unpack(">IQ", d[20:32])
            else:
                timescale, dur = struct.unpack(">II", d[12:20])
            if timescale:
                duration = dur / timescale
        elif typ == b"trak":
            track = _track(src, a, b)
            if track["handler"] == b"vide":
                kinds.add("video")
                if width is None:
                    width, height, fps = track["width"], track["height"], track["fps"]
            elif track["handler"] == b"soun":
                kinds.add("audio")
        elif typ == b"udta":
            text = _udta_comment(src, a, b) or text
        elif typ == b"meta" and text is None:
            text = _meta_comment(src, a, b)
    kind: MediaKind = "video" if "video" in kinds or not kinds else "audio"
    return MediaInfo(kind=kind, format="mp4", width=width, height=height, duration=duration,
                     size=src.size, text=text, fps=fps)


def _track(src: _Src, a: int, b: int) -> dict[str, Any]:
    out: dict[str, Any] = {"handler": None, "width": None, "height": None, "fps": None}
    mdhd_scale = mdhd_dur = None
    samples = None
    for typ, x, y in _boxes(src, a, b):
        if typ == b"tkhd":
            d = src.read(x, 96)
            off = 88 if d[0] == 1 else 76
            w, h = struct.unpack(">II", d[off:off + 8])
            out["width"], out["height"] = w >> 16, h >> 16
        elif typ == b"mdia":
            for t2, x2, y2 in _boxes(src, x, y):
                if t2 == b"hdlr":
                    out["handler"] = src.read(x2 + 8, 4)
                elif t2 == b"mdhd":
                    d = src.read(x2, 32)
                    if d[0] == 1:
                        mdhd_scale, mdhd_dur = struct.unpack(">IQ", d[20:32])
                    else:
                        mdhd_scale, mdhd_dur = struct.unpack(">II", d[12:20])
                elif t2 == b"minf":
                    stbl = _find(src, x2, y2, b"stbl")
                    stsz = _find(src, *stbl, b"stsz") if stbl else None
                    if stsz:
                        samples = struct.unpack(">I", src.read(stsz[0] + 8, 4))[0]
    if samples and mdhd_scale and mdhd_dur:
        out["fps"] = round(samples / (mdhd_dur / mdhd_scale), 3)
    return out


def _udta_comment(src: _Src, a: int, b: int) -> str | None:
    for typ, x, y in _boxes(src, a, b):
        if typ == b"meta":
            found = _meta_comment(src, x, y)
            if found:
                return found
        elif typ == b"\xa9cmt":  # QuickTime-style udta text atom: u16 length, u16 language, text
            d = src.read(x, y - x)
            if len(d) >= 4:
                n = struct.unpack(">H", d[:2])[0]
                return d[4:4 + n].decode("utf-8", "replace")
    return None


def _meta_comment(src: _Src, a: int, b: int) -> str | None:
    # ISO 'meta' is a full box (4 bytes version/flags); QuickTime's is not. Detect by the next box type.
    if src.read(a + 4, 4) not in (b"hdlr", b"ilst", b"keys"):
        a += 4
    ilst = _find(src, a, b, b"ilst")
    if ilst is None:
        return None
    keys = _mdta_keys(src, a, b)
    for typ, x, y in _boxes(src, *ilst):
        name = typ
        if keys and typ[:2] == b"\x00\x00":
            name = keys.get(struct.unpack(">I", typ)[0], typ)
        if name in (b"\xa9cmt", b"comment", b"com.apple.quicktime.comment"):
            data = _find(src, x, y, b"data")
            if data:
                return src.read(data[0] + 8, data[1] - data[0] - 8).decode("utf-8", "replace")
    return None


def _mdta_keys(src: _Src, a: int, b: int) -> dict[int, bytes]:
    keys = _find(src, a, b, b"keys")
    if keys is None:
        return {}
    d = src.read(keys[0], keys[1] - keys[0])
    count = struct.unpack(">I", d[4:8])[0]
    out, pos = {}, 8
    for i in range(1, count + 1):
        size = struct.unpack(">I", d[pos:pos + 4])[0]
        out[i] = d[pos + 8:pos + size]
        pos += size
    return out


# ---------------------------------------------------------------- PNG / JPEG / WAV


def _png(src: _Src) -> MediaInfo:
    pos, width, height = 8, None, None
    texts: dict[str, str] = {}
    while pos + 8 <= src.size:
        n, typ = struct.unpack(">I4s", src.read(pos, 8))
        if typ == b"IHDR":
            width, height = struct.unpack(">II", src.read(pos + 8, 8))
        elif typ in (b"tEXt", b"zTXt", b"iTXt") and n < 10 * 1024 * 1024:
            key, _, rest = src.read(pos + 8, n).partition(b"\x00")
            if typ == b"tEXt":
                value = rest.decode("latin-1")
            elif typ == b"zTXt":
                value = zlib.decompress(rest[1:]).decode("latin-1")
            else:
                compressed = rest[0] == 1
                _lang, _, rest2 = rest[2:].partition(b"\x00")
                _trans, _, raw = rest2.partition(b"\x00")
                value = (zlib.decompress(raw) if compressed else raw).decode("utf-8", "replace")
            texts.setdefault(key.decode("latin-1"), value)
        elif typ == b"IEND":
            break
        pos += 12 + n
    text = texts.get("Description") or texts.get("Comment") or next(iter(texts.values()), None)
    return MediaInfo(kind="image", format="png", width=width, height=height, size=src.size, text=text)


def _jpeg(src: _Src) -> MediaInfo:
    pos, width, height, text = 2, None, None, None
    while pos + 4 <= src.size:
        marker = src.read(pos, 2)
        if marker[0] != 0xFF:
            break
        code = marker[1]
        if code == 0xFF:  # fill byte
            pos += 1
            continue
        if code in (0xD8, 0x01) or 0xD0 <= code <= 0xD7:
            pos += 2
            continue
        length = struct.unpack(">H", src.read(pos + 2, 2))[0]
        if code in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            height, width = struct.unpack(">HH", src.read(pos + 5, 4))
        elif code == 0xFE and text is None:
            text = src.read(pos + 4, length - 2).decode("utf-8", "replace").rstrip("\x00")
        elif code in (0xDA, 0xD9):
            break
        pos += 2 + length
    return MediaInfo(kind="image", format="jpeg", width=width, height=height, size=src.size, text=text)


def _wav(src: _Src) -> MediaInfo:
    pos, byte_rate, data_size, text = 12, None, None, None
    while pos + 8 <= src.size:
        typ, n = struct.unpack("<4sI", src.read(pos, 8))
        if typ == b"fmt ":
            byte_rate = struct.unpack("<I", src.read(pos + 16, 4))[0]
        elif typ == b"data":
            data_size = min(n, src.size - pos - 8)
        elif typ == b"LIST" and src.read(pos + 8, 4) == b"INFO":
            sub, end = pos + 12, pos + 8 + n
            while sub + 8 <= end:
                styp, sn = struct.unpack("<4sI", src.read(sub, 8))
                if styp == b"ICMT":
                    text = src.read(sub + 8, sn).decode("utf-8", "replace").rstrip("\x00")
                sub += 8 + sn + (sn & 1)
        pos += 8 + n + (n & 1)
    duration = data_size / byte_rate if byte_rate and data_size is not None else None
    return MediaInfo(kind="audio", format="wav", duration=duration, size=src.size, text=text)
