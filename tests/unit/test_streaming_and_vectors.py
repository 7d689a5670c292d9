"""NDJSON decoding and the float32 fast path."""

from __future__ import annotations

import numpy as np
import pytest

from twelvelabs_rag import APIResponseValidationError
from twelvelabs_rag._streaming import NDJSONDecoder, parse_event
from twelvelabs_rag.types import StreamEnd, StreamStart, TextGeneration
from twelvelabs_rag.types._fast import embedding_task_from_json, take_matrix, vectors_to_arrays


def test_decoder_splits_across_chunks() -> None:
    dec = NDJSONDecoder()
    assert dec.feed(b'{"a":1}\r\n{"b"') == [b'{"a":1}']
    assert dec.feed(b":2}") == []
    assert dec.feed(b"\n\n") == [b'{"b":2}', b""]
    assert dec.feed(b'{"c":3}') == [] and dec.flush() == [b'{"c":3}'] and dec.flush() == []


@pytest.mark.parametrize(
    ("line", "cls"),
    [
        (b'{"event_type":"stream_start","metadata":{"generation_id":"g"}}', StreamStart),
        (b'{"event_type":"text_generation","text":"hi"}', TextGeneration),
        (b'data: {"event_type":"text_generation","text":"hi"}', TextGeneration),
        (b'{"event_type":"stream_end","finish_reason":"stop","metadata":{"usage":{"output_tokens":3}}}', StreamEnd),
        (b'{"event_type":"future_event","x":1}', type(None)),
        (b"   ", type(None)),
    ],
)
def test_parse_event_types(line: bytes, cls: type) -> None:
    assert type(parse_event(line, lineno=1)) is cls


def test_stream_end_usage() -> None:
    ev = parse_event(b'{"event_type":"stream_end","metadata":{"usage":{"output_tokens":3,"input_tokens":9}}}', lineno=1)
    assert isinstance(ev, StreamEnd) and ev.usage is not None and ev.usage.output_tokens == 3


@pytest.mark.parametrize("line", [b"{not json", b"[1,2]", b'{"event_type":"stream_end","metadata":{"usage":{}}}'])
def test_bad_lines_raise_clear_errors(line: bytes) -> None:
    with pytest.raises(APIResponseValidationError, match="line 7"):
        parse_event(line, lineno=7)


def test_take_matrix_rows_are_views() -> None:
    segs = [{"float": [1.0, 2.0]}, {"float": [3.0, 4.0]}]
    m = take_matrix(segs)
    assert m is not None and m.dtype == np.float32 and m.shape == (2, 2)
    assert segs[1]["float"].base is m


def test_take_matrix_falls_back_on_ragged() -> None:
    segs = [{"float": [1.0]}, {"float": [3.0, 4.0]}]
    assert take_matrix(segs) is None and segs[0]["float"] == [1.0]
    assert take_matrix([]) is None


def test_embedding_task_matrix_is_shared() -> None:
    raw = {"_id": "t", "status": "ready", "created_at": "2026-01-01T00:00:00Z",
           "video_embedding": {"segments": [{"float": [0.5] * 4, "start_offset_sec": i, "end_offset_sec": i + 1,
                                             "embedding_scope": "clip"} for i in range(3)]}}
    task = embedding_task_from_json(raw)
    ve = task.video_embedding
    assert ve is not None and ve.matrix.shape == (3, 4)
    assert ve.segments[2].embedding.base is ve.matrix and ve.segments[2].start_offset_sec == 2


def test_vectors_to_arrays_for_embed_responses() -> None:
    raw = {"model_name": "m", "text_embedding": {"segments": [{"float": [1, 2, 3]}]}}
    vectors_to_arrays(raw)
    assert isinstance(raw["text_embedding"]["segments"][0]["float"], np.ndarray)
