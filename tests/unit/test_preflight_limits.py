"""The preflight limits table, edge values included, and probing real sample files."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from twelvelabs_rag import PreflightError
from twelvelabs_rag._preflight import MediaInfo, check_media, media_problem

GB = 1024**3
MB = 1024**2


def V(**kw: object) -> MediaInfo:
    base = {"kind": "video", "format": "mp4", "width": 640, "height": 360, "duration": 10.0, "size": 1000}
    base.update(kw)
    return MediaInfo(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("facts", "pegasus_only", "code"),
    [
        (V(), False, None),
        (V(width=360, height=360), False, None),  # minimum edge
        (V(width=359, height=360), False, "video_resolution_too_low"),
        (V(width=640, height=359), False, "video_resolution_too_low"),
        (V(width=3840, height=2160), False, None),  # maximum edge
        (V(width=2160, height=3840), False, None),  # portrait is fine
        (V(width=3841, height=2160), False, "video_resolution_too_high"),
        (V(width=3840, height=2161), False, "video_resolution_too_high"),
        (V(width=864, height=360), False, None),  # exactly 2.4:1
        (V(width=360, height=864), False, None),  # exactly 1:2.4
        (V(width=865, height=360), False, "video_aspect_ratio_invalid"),
        (V(width=360, height=865), False, "video_aspect_ratio_invalid"),
        (V(duration=4.0), False, None),
        (V(duration=3.99), False, "video_duration_too_short"),
        (V(duration=7200.0), False, None),
        (V(duration=7200.5), False, "video_duration_too_long"),
        (V(duration=3600.0), True, None),
        (V(duration=3601.0), True, "video_duration_too_long"),
        (V(size=2 * GB), False, None),
        (V(size=2 * GB + 1), False, "video_filesize_too_large"),
        (V(size=0), False, "parameter_invalid"),
        (V(kind="image", format="png"), False, "unsupported_media_type"),
        (V(width=None, height=None, duration=None), False, None),  # unknown values pass
    ],
)
def test_video_limits(facts: MediaInfo, pegasus_only: bool, code: str | None) -> None:
    problem = media_problem(facts, "video", pegasus_only=pegasus_only)
    assert (problem[0] if problem else None) == code


def image_facts(**kw: object) -> MediaInfo:
    base = {"kind": "image", "format": "png", "width": 256, "height": 256, "size": 1000}
    base.update(kw)
    return MediaInfo(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("facts", "code"),
    [
        (image_facts(), None),
        (image_facts(format="jpeg"), None),
        (image_facts(width=64, height=64), None),
        (image_facts(width=63, height=64), "image_resolution_too_low"),
        (image_facts(width=64, height=63), "image_resolution_too_low"),
        (image_facts(size=5 * MB), None),
        (image_facts(size=5 * MB + 1), "media_filesize_too_large"),
        (image_facts(format="gif"), "unsupported_media_type"),
        (image_facts(kind="video", format="mp4"), "unsupported_media_type"),
    ],
)
def test_image_limits(facts: MediaInfo, code: str | None) -> None:
    problem = media_problem(facts, "image")
    assert (problem[0] if problem else None) == code


@pytest.mark.parametrize(
    ("facts", "code"),
    [
        (MediaInfo(kind="audio", size=10), None),
        (MediaInfo(kind="audio", size=2 * GB + 1), "audio_filesize_too_large"),
        (MediaInfo(kind="audio", size=0), "parameter_invalid"),
        (MediaInfo(kind="image", size=10), "unsupported_media_type"),
        (MediaInfo(kind=None, size=10), None),
    ],
)
def test_audio_limits(facts: MediaInfo, code: str | None) -> None:
    problem = media_problem(facts, "audio")
    assert (problem[0] if problem else None) == code


def test_real_files_are_probed(tmp_path: Path) -> None:
    from twelvelabs_rag.testing.samples import make_audio, make_clip, make_image

    ok = make_clip(tmp_path / "ok.mp4", "[0-5] a fox", width=640, height=360, seconds=5)
    facts = check_media(ok, name="ok.mp4", expect="video")
    assert (facts.width, facts.height) == (640, 360) and facts.duration == pytest.approx(5, abs=0.5)

    short = make_clip(tmp_path / "short.mp4", "[0-2] a fox", seconds=2)
    with pytest.raises(PreflightError) as info:
        check_media(short, name="short.mp4", expect="video")
    assert info.value.code == "video_duration_too_short" and "short.mp4" in str(info.value)

    low = make_clip(tmp_path / "low.mp4", "[0-5] a fox", width=320, height=240, seconds=5)
    with pytest.raises(PreflightError) as info:
        check_media(low, name="low.mp4", expect="video")
    assert info.value.code == "video_resolution_too_low"

    small = make_image(tmp_path / "tiny.png", "a fox", width=32, height=32)
    with pytest.raises(PreflightError) as info:
        check_media(small, name="tiny.png", expect="image")
    assert info.value.code == "image_resolution_too_low"

    assert check_media(make_image(tmp_path / "ok.png", "a fox"), name="ok.png", expect="image").width == 256
    assert check_media(make_audio(tmp_path / "a.wav", "birds"), name="a.wav", expect="audio").kind == "audio"

    with pytest.raises(PreflightError) as info:
        check_media(b"definitely not a video", name="x.mp4", expect="video")
    assert info.value.code == "unsupported_media_type"

    with pytest.raises(PreflightError) as info:
        check_media(make_image(tmp_path / "p.png", "x"), name="p.png", expect="video")
    assert info.value.code == "unsupported_media_type"


def test_without_pyav_header_probes_still_check_and_warn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from twelvelabs_rag.testing.samples import make_clip

    short = make_clip(tmp_path / "short.mp4", "[0-2] a fox", seconds=2)
    ok = make_clip(tmp_path / "ok.mp4", "[0-5] a fox", seconds=5)
    monkeypatch.setitem(sys.modules, "av", None)  # as if PyAV were not installed
    facts = check_media(ok, name="ok.mp4", expect="video")  # the notice: test_pyav_notice_once_per_process
    assert (facts.width, facts.height) == (640, 360)
    with pytest.raises(PreflightError) as info:
        check_media(short, name="short.mp4", expect="video")
    assert info.value.code == "video_duration_too_short"
    with pytest.raises(PreflightError) as info:  # images need no PyAV: no warning
        check_media(tmp_path / "ok.mp4", name="ok.mp4", expect="image")
    assert info.value.code == "unsupported_media_type"


def test_public_preflight_accepts_str_paths_and_bytes(tmp_path: Path) -> None:
    from twelvelabs_rag import preflight
    from twelvelabs_rag.testing.samples import make_clip, make_image

    clip = make_clip(tmp_path / "ok.mp4", "[0-5] a fox", seconds=5)
    assert preflight(str(clip)).width == 640
    assert preflight(clip.read_bytes()).duration == pytest.approx(5, abs=0.5)
    assert preflight(make_image(tmp_path / "i.png", "x"), kind="image").format == "png"
    with pytest.raises(PreflightError) as info:
        preflight(str(make_clip(tmp_path / "s.mp4", "[0-2] x", seconds=2)))
    assert info.value.code == "video_duration_too_short" and "s.mp4" in str(info.value)
    with pytest.raises(ValueError):
        preflight(clip, kind="pdf")


# -- issue 9, item 21: without PyAV, container magic bytes decide; the notice comes once --------


@pytest.mark.parametrize("pyav", [False, True])
@pytest.mark.parametrize(("name", "expect"), [("notes.mp4", "video"), ("notes.wav", "audio"), ("notes.png", "image"),
                                              ("notes.mov", "video"), ("notes.mp3", "audio")])
def test_a_text_file_with_a_media_name_fails_preflight(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       pyav: bool, name: str, expect: str) -> None:
    if not pyav:
        monkeypatch.setitem(sys.modules, "av", None)
    fake = tmp_path / name
    fake.write_text("this is a shopping list, not media\n" * 20)
    with pytest.raises(PreflightError) as info:
        check_media(fake, name=name, expect=expect)
    assert info.value.code == "unsupported_media_type"
    assert name in str(info.value) and "preflight=False" in str(info.value)


def test_known_containers_pass_the_magic_check_without_pyav(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from twelvelabs_rag._media import sniff

    monkeypatch.setitem(sys.modules, "av", None)
    webm = tmp_path / "clip.webm"
    webm.write_bytes(b"\x1a\x45\xdf\xa3" + b"\x00" * 2000)
    assert check_media(webm, name="clip.webm", expect="video").format == "matroska"
    mp3 = tmp_path / "a.mp3"
    mp3.write_bytes(b"ID3\x04" + b"\x00" * 2000)
    assert check_media(mp3, name="a.mp3", expect="audio").kind == "audio"
    assert sniff(b"RIFF\x00\x00\x00\x00AVI LIST") == ("video", "avi")
    assert sniff(b"GIF89a") == ("image", "gif")
    assert sniff(b"%PDF-1.7") is None


def test_pyav_notice_once_per_process_without_source_lines(tmp_path: Path) -> None:
    import subprocess

    from twelvelabs_rag.testing.samples import make_clip

    clip = make_clip(tmp_path / "ok.mp4", "[0-5] a fox", seconds=5)
    code = (
        "import sys; sys.modules['av'] = None\n"
        "from twelvelabs_rag import preflight\n"
        f"for _ in range(3): preflight({str(clip)!r})\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("PyAV is not installed")
    assert "pip install 'twelvelabs-rag[media]'" in lines[0]


def test_an_empty_image_is_rejected_like_an_empty_video() -> None:
    # The image rules once had no empty-file check, so b"" passed the image preflight; the one rule
    # table now checks emptiness first for every kind.
    for kind in ("video", "image", "audio"):
        with pytest.raises(PreflightError) as info:
            check_media(b"", name=None, expect=kind)
        assert info.value.code == "parameter_invalid" and "empty" in str(info.value)


def test_one_rule_table_for_preflight_and_emulator() -> None:
    from twelvelabs_rag._limits import api_problem

    cases = [(MediaInfo("audio", "wav", size=10), "image"), (MediaInfo(None, None, size=10), "image"),
             (MediaInfo("video", "mp4", 320, 240, 10.0, 10), "video"),
             (MediaInfo("image", "gif", 64, 64, size=9), "image")]
    for info, expect in cases:
        clause, sentence = media_problem(info, expect), api_problem(info, expect)
        assert clause is not None and sentence is not None and clause[0] == sentence[0]
        assert sentence[1].endswith(".") and sentence[1][0].isupper()
