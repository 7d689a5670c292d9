"""Media probes on the sample generators' output (and cross-checked with PyAV), plus limit checks."""

from __future__ import annotations

import struct
from pathlib import Path

import av
import pytest

from twelvelabs_rag._limits import api_problem
from twelvelabs_rag._media import MediaInfo, probe
from twelvelabs_rag.testing import parse_script
from twelvelabs_rag.testing.samples import DEMO_SCRIPTS, make_audio, make_clip, make_image, png_bytes


def test_clip_probe_reads_size_duration_fps_and_script(clips: dict[str, Path]) -> None:
    path = clips["wildlife.mp4"]
    info = probe(path)
    assert (info.kind, info.format, info.width, info.height) == ("video", "mp4", 640, 360)
    assert info.duration == pytest.approx(12.0, abs=0.1)
    assert info.fps == pytest.approx(12.0, abs=0.01)
    assert info.size == path.stat().st_size
    assert info.text == DEMO_SCRIPTS["wildlife.mp4"]
    assert len(parse_script(info.text)) == 3
    assert probe(path.read_bytes()) == info  # bytes and path agree
    assert 1_000 < info.size < 200_000  # tiny files


def test_clip_is_real_h264_with_comment_tag_per_pyav(clips: dict[str, Path]) -> None:
    with av.open(str(clips["city.mp4"])) as container:
        assert container.metadata["comment"] == DEMO_SCRIPTS["city.mp4"]
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert (stream.width, stream.height) == (640, 360)
        frames = sum(1 for _ in container.decode(stream))
    assert frames == 12 * 12


def test_make_clip_options(tmp_path: Path) -> None:
    path = make_clip(tmp_path / "p.mp4", [(0, 5, "a portrait scene", "hello there")], width=360, height=640,
                     fps=8, seconds=6)
    info = probe(path)
    assert (info.width, info.height, info.fps) == (360, 640, 8.0)
    assert info.duration == pytest.approx(6.0, abs=0.15)
    scene = parse_script(info.text)[0]
    assert (scene.start, scene.end, scene.visual, scene.speech) == (0, 5, "a portrait scene", "hello there")
    assert not list(tmp_path.glob(".*tmp*"))  # atomic write left nothing behind


def test_png_and_wav(tmp_path: Path) -> None:
    img = probe(make_image(tmp_path / "a.png", "a red fox in the snow", width=80, height=70))
    assert (img.kind, img.format, img.width, img.height, img.text) == ("image", "png", 80, 70, "a red fox in the snow")
    wav = probe(make_audio(tmp_path / "a.wav", "a narrator talks about foxes", seconds=3))
    assert (wav.kind, wav.format, wav.text) == ("audio", "wav", "a narrator talks about foxes")
    assert wav.duration == pytest.approx(3.0)


def _jpeg(width: int, height: int, comment: bytes) -> bytes:
    com = b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + b"\xff\xe0" + struct.pack(">H", 4) + b"JF" + com + sof + b"\xff\xda\x00\x02" + b"\xff\xd9"


def test_jpeg_sof_and_com() -> None:
    info = probe(_jpeg(320, 200, b"a lighthouse at dusk"))
    assert (info.kind, info.format, info.width, info.height, info.text) == ("image", "jpeg", 320, 200,
                                                                             "a lighthouse at dusk")


@pytest.mark.parametrize("data", [b"", b"hello world", b"\x00" * 64, b"\x89PNG\r\n\x1a\n\x00\x00", b"RIFF\x00"])
def test_unknown_or_broken_files_never_raise(data: bytes) -> None:
    info = probe(data)
    assert info.size == len(data)
    assert info.kind in (None, "image")


def test_truncated_mp4_still_probes(clips: dict[str, Path]) -> None:
    data = clips["kitchen.mp4"].read_bytes()
    info = probe(data[: len(data) // 2])
    assert info.format == "mp4"


@pytest.mark.parametrize(("info", "code"), [
    (MediaInfo("video", "mp4", 640, 360, 10.0, 1000), None),
    (MediaInfo("video", "mp4", 320, 240, 10.0, 1000), "video_resolution_too_low"),
    (MediaInfo("video", "mp4", 7680, 4320, 10.0, 1000), "video_resolution_too_high"),
    (MediaInfo("video", "mp4", 2000, 400, 10.0, 1000), "video_aspect_ratio_invalid"),
    (MediaInfo("video", "mp4", 640, 360, 3.0, 1000), "video_duration_too_short"),
    (MediaInfo("video", "mp4", 640, 360, 7300.0, 1000), "video_duration_too_long"),
    (MediaInfo("video", "mp4", 640, 360, 10.0, 3 * 1024**3), "video_filesize_too_large"),
    (MediaInfo("image", "png", 64, 64, None, 10), "unsupported_media_type"),
])
def test_video_limits(info: MediaInfo, code: str | None) -> None:
    found = api_problem(info, "video")
    assert (found[0] if found else None) == code
    if found:
        assert found[1].endswith(".")  # a full, actionable sentence


def test_pegasus_duration_limit_is_one_hour() -> None:
    info = MediaInfo("video", "mp4", 640, 360, 4000.0, 1000)
    assert api_problem(info, "video") is None
    assert api_problem(info, "video", pegasus_only=True)[0] == "video_duration_too_long"


def test_image_limits() -> None:
    assert api_problem(probe(png_bytes("x", width=64, height=64)), "image") is None
    assert api_problem(probe(png_bytes("x", width=63, height=100)), "image")[0] == "image_resolution_too_low"
    assert api_problem(MediaInfo("image", "png", 100, 100, None, 6 * 1024**2), "image")[0] == "media_filesize_too_large"
    assert api_problem(MediaInfo("audio", "wav"), "image")[0] == "unsupported_media_type"


def test_make_clip_without_pyav_names_the_media_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(__import__("sys").modules, "av", None)  # what an environment without PyAV looks like
    with pytest.raises(ImportError, match=r"twelvelabs-rag\[media\]"):
        make_clip(tmp_path / "x.mp4", "[0-4] x")
    assert not list(tmp_path.iterdir())
