"""Pure helpers: citations, timestamps, stop handling, prompt flattening, video binding, segment parsing."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from langchain_twelvelabs import format_citation
from langchain_twelvelabs._pegasus import StopScanner, truncate_at_stop, video_object
from langchain_twelvelabs.chat_models import messages_to_prompt
from langchain_twelvelabs.document_loaders import parse_timestamped_lines
from langchain_twelvelabs.retrievers import _looks_like_image
from twelvelabs_rag.media_inputs import is_url, media_arg
from twelvelabs_rag.moments import format_timestamp


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "00:00"), (12.4, "00:12"), (72.6, "01:13"), (3725, "1:02:05"), (None, "00:00")]
)
def test_format_timestamp(seconds: float | None, text: str) -> None:
    assert format_timestamp(seconds) == text


def test_format_citation_prefers_filename_then_video_id() -> None:
    doc = Document("x", metadata={"video_id": "v1", "filename": "fox.mp4", "start": 12.0, "end": 18.0})
    assert format_citation(doc) == "[fox.mp4 00:12-00:18]"
    doc = Document("x", metadata={"video_id": "v1", "filename": None, "start": 0, "end": 4})
    assert format_citation(doc) == "[v1 00:00-00:04]"


def test_truncate_at_stop_cuts_at_the_earliest_stop() -> None:
    assert truncate_at_stop("one two three", ["three", "two"]) == ("one ", True)
    assert truncate_at_stop("one", ["x"]) == ("one", False)
    assert truncate_at_stop("one", None) == ("one", False)


@pytest.mark.parametrize("pieces", [["hello wor", "ld STOP after"], ["hello world S", "TOP", " after"], ["hello world STOP after"]])
def test_stop_scanner_never_emits_a_stop_string_split_over_fragments(pieces: list[str]) -> None:
    scan = StopScanner(["STOP"])
    out = "".join(scan.feed(p) for p in pieces) + scan.flush()
    assert out == "hello world "
    assert scan.stopped


def test_stop_scanner_without_stops_passes_through_and_flushes_tail() -> None:
    scan = StopScanner(["zzz"])
    out = "".join(scan.feed(p) for p in ["ab", "c", "d"]) + scan.flush()
    assert out == "abcd" and not scan.stopped
    assert StopScanner(None).feed("x") == "x"


def test_video_object_forms() -> None:
    assert video_object("https://h/v.mp4") == {"type": "url", "url": "https://h/v.mp4"}
    assert video_object("asset-1") == {"type": "asset_id", "asset_id": "asset-1"}
    assert video_object({"type": "base64_string", "base64_string": "AA=="})["type"] == "base64_string"
    with pytest.raises(ValueError, match="type"):
        video_object({"url": "x"})
    with pytest.raises(ValueError, match="empty"):
        video_object("  ")


def test_messages_to_prompt_single_question_and_conversation() -> None:
    assert messages_to_prompt([HumanMessage("What happens?")]) == ("What happens?", None)
    prompt, video = messages_to_prompt(
        [SystemMessage("Be brief."), HumanMessage("hello"), AIMessage("hi"), HumanMessage("what animal?")]
    )
    assert video is None
    assert prompt.startswith("Be brief.")
    assert "User: hello\nAssistant: hi\nUser: what animal?\nAssistant:" in prompt


def test_messages_to_prompt_reads_video_content_blocks() -> None:
    msg = HumanMessage(content=[{"type": "text", "text": "Describe"}, {"type": "video", "url": "https://h/v.mp4"}])
    assert messages_to_prompt([msg]) == ("Describe", {"type": "url", "url": "https://h/v.mp4"})
    msg = HumanMessage(content=[{"type": "text", "text": "Describe"}, {"type": "video", "file_id": "asset-9"}])
    assert messages_to_prompt([msg])[1] == {"type": "asset_id", "asset_id": "asset-9"}


def test_parse_timestamped_lines_accepts_common_shapes() -> None:
    text = "Intro line\n[00:00-00:04] a fox\n- 0:04 - 0:08: an eagle\n(1:02:03 to 1:02:09) the end\n8s-12s: bear"
    assert parse_timestamped_lines(text) == [
        (0.0, 4.0, "a fox"), (4.0, 8.0, "an eagle"), (3723.0, 3729.0, "the end"), (8.0, 12.0, "bear")]


def test_media_arg_and_image_detection(tmp_path) -> None:
    img = tmp_path / "q.png"
    img.write_bytes(b"\x89PNG")
    assert media_arg("https://h/a.png", "image") == {"image_url": "https://h/a.png"}
    assert media_arg(img, "image") == {"image_file": img}
    with pytest.raises(FileNotFoundError, match="not found"):
        media_arg(tmp_path / "missing.png", "image")
    assert is_url("HTTP://x") and not is_url("x.png")
    assert _looks_like_image(str(img))
    assert _looks_like_image("https://h/a.JPG?sig=1")
    assert not _looks_like_image("a red fox.png in the snow that does not exist")
    assert not _looks_like_image("a red fox")
