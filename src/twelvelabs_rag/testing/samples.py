"""Small sample media whose meaning the emulator can read (the emulator does not understand pixels).

- :func:`make_clip` writes a real H.264 MP4 (needs PyAV: ``pip install 'twelvelabs-rag[media]'``)
  whose ``comment`` metadata tag holds a script (``[0-4] a red fox runs through snow``).
- :func:`make_image` writes a PNG with a ``tEXt`` ``Description`` chunk (pure python).
- :func:`make_audio` writes a WAV with a ``LIST/INFO/ICMT`` comment (pure python).

Example:
    ```python
    from twelvelabs_rag.testing.samples import make_image, make_audio
    make_image("fox.png", "a red fox in the snow")
    make_audio("talk.wav", "a narrator talks about foxes", seconds=5)
    ```
"""

from __future__ import annotations

import hashlib
import math
import os
import struct
import tempfile
import threading
import zlib
from pathlib import Path

from ._script import ScriptLike, coerce_script, format_script

__all__ = ["make_clip", "make_image", "make_audio", "DEMO_SCRIPTS", "new_file_mode"]

#: A few ready-made scripts used by the demo and the tests. Every scene has a short voice-over
#: (the part after ``|``), so transcripts and cited moments carry text; a scene without one is silent.
DEMO_SCRIPTS = {
    "wildlife.mp4": "[0-4] a red fox runs through deep snow in a forest | \"a red fox hunts at the forest's edge\"\n"
                    "[4-8] an eagle flies over a frozen mountain lake | \"high above, an eagle circles the lake\"\n"
                    "[8-12] a brown bear catches salmon in a river | \"the bear is fishing\"",
    "city.mp4": "[0-4] a busy city street at night with neon signs | \"the city comes alive after dark\"\n"
                "[4-8] a yellow taxi drives through the rain | \"a taxi splashes through the evening rain\"\n"
                "[8-12] people eat noodles at a crowded night market | \"welcome to the night market\"",
    "kitchen.mp4": "[0-4] a chef chops onions on a wooden board | \"first, the onions are finely chopped\"\n"
                   "[4-8] pasta boils in a large pot on the stove | \"the pasta cooks in salted water\"\n"
                   "[8-12] the chef plates spaghetti with tomato sauce | \"dinner is served\"",
}


_UMASK_LOCK = threading.Lock()


def new_file_mode() -> int:
    """The mode ``open()`` would give a new file (``0o666`` minus the umask, usually ``0o644``).

    ``tempfile.mkstemp`` creates files ``0o600``; files written through a temporary name (atomically)
    are set to this mode before they are renamed into place, so they look like any other new file.
    """
    try:  # Linux reports the umask without changing it
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    with _UMASK_LOCK:  # elsewhere: set and restore (the lock keeps our own threads from racing)
        mask = os.umask(0o022)
        os.umask(mask)
    return 0o666 & ~mask


def _atomic_write(path: str | os.PathLike[str], data: bytes) -> Path:
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, new_file_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _colour(text: str) -> tuple[int, int, int]:
    h = hashlib.sha256(text.encode()).digest()
    return 40 + h[0] % 180, 40 + h[1] % 180, 40 + h[2] % 180


def make_clip(path: str | os.PathLike[str], script: ScriptLike, *, width: int = 640, height: int = 360,
              fps: int = 12, seconds: float | None = None) -> Path:
    """Write a small H.264 MP4 whose ``comment`` tag carries ``script``; returns the path.

    Each scene gets its own background colour with a moving square, so files stay tiny.
    ``seconds`` defaults to the end of the last scene (at least 4 s, the API's minimum).

    Example:
        ```python
        make_clip("fox.mp4", "[0-4] a red fox runs through snow\\n[4-8] an eagle flies")
        ```
    """
    try:
        import av
        import numpy as np
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("make_clip needs PyAV: install the media extra, pip install 'twelvelabs-rag[media]'") from exc
    scenes = coerce_script(script)
    text = format_script(scenes) if not isinstance(script, str) else script
    total = seconds if seconds is not None else max([s.end for s in scenes] + [4.0])
    n_frames = max(1, int(round(total * fps)))
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.", suffix=".mp4")
    os.close(fd)
    try:
        with av.open(tmp, "w", format="mp4") as container:
            container.metadata["comment"] = text
            stream = container.add_stream("libx264", rate=fps)
            stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
            stream.options = {"preset": "ultrafast", "crf": "35", "tune": "zerolatency"}
            side = max(8, min(width, height) // 6)
            for i in range(n_frames):
                t = i / fps
                scene = next((s for s in scenes if s.start <= t < s.end), None)
                frame = np.empty((height, width, 3), dtype=np.uint8)
                frame[:] = _colour(scene.visual if scene else "")
                x = int((width - side) * (0.5 + 0.5 * math.sin(t * 1.7)))
                y = int((height - side) * (0.5 + 0.5 * math.cos(t * 1.3)))
                frame[y:y + side, x:x + side] = (250, 250, 250)
                vf = av.VideoFrame.from_ndarray(frame, format="rgb24")
                for packet in stream.encode(vf):
                    container.mux(packet)
            for packet in stream.encode():
                container.mux(packet)
        os.chmod(tmp, new_file_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _png_chunk(typ: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + typ + data + struct.pack(">I", zlib.crc32(typ + data) & 0xFFFFFFFF)


def png_bytes(text: str, *, width: int = 256, height: int = 256) -> bytes:
    """The bytes of an RGB PNG with a ``tEXt`` ``Description`` chunk holding ``text``."""
    r, g, b = _colour(text)
    row = b"\x00" + bytes((r, g, b)) * width
    raw = row * height
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    desc = b"Description\x00" + text.encode("latin-1", "replace")
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"tEXt", desc)
            + _png_chunk(b"IDAT", zlib.compress(raw, 9)) + _png_chunk(b"IEND", b""))


def make_image(path: str | os.PathLike[str], text: str, *, width: int = 256, height: int = 256) -> Path:
    """Write a PNG whose ``tEXt`` ``Description`` is ``text``; returns the path.

    Example:
        ```python
        make_image("fox.png", "a red fox in the snow")
        ```
    """
    return _atomic_write(path, png_bytes(text, width=width, height=height))


def wav_bytes(text: str, *, seconds: float = 5, rate: int = 8000) -> bytes:
    """The bytes of a mono 16-bit WAV (a quiet tone) with ``LIST/INFO/ICMT`` = ``text``."""
    n = int(seconds * rate)
    freq = 220 + int(hashlib.sha256(text.encode()).digest()[0]) * 2
    samples = b"".join(struct.pack("<h", int(3000 * math.sin(2 * math.pi * freq * i / rate))) for i in range(n))
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate * 2, 2, 16)
    comment = text.encode("utf-8") + b"\x00"
    if len(comment) % 2:
        comment += b"\x00"
    info = b"INFO" + b"ICMT" + struct.pack("<I", len(comment)) + comment
    body = (b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
            + b"LIST" + struct.pack("<I", len(info)) + info
            + b"data" + struct.pack("<I", len(samples)) + samples)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def make_audio(path: str | os.PathLike[str], text: str, *, seconds: float = 5) -> Path:
    """Write a WAV whose ``LIST/INFO/ICMT`` comment is ``text``; returns the path.

    Example:
        ```python
        make_audio("talk.wav", "a narrator talks about foxes")
        ```
    """
    return _atomic_write(path, wav_bytes(text, seconds=seconds))
