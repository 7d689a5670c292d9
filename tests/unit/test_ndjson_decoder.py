"""The NDJSON decoder is linear in line length and exact under any chunking (issue 9, item 6).

Before the fix a partial line was re-scanned and re-copied for every chunk: an 8 MB line fed in
1 KB chunks took 21 s (quadratic). The 16 MB case below is bounded by pytest-timeout, not by a
timing assertion; the speed itself is measured by benchmarks/ndjson_bench.py.
"""

from __future__ import annotations

import random

import pytest

from twelvelabs_rag import APIResponseValidationError
from twelvelabs_rag._streaming import NDJSONDecoder


def _decode(chunks: list[bytes], **kw: int) -> list[bytes]:
    dec = NDJSONDecoder(**kw)
    out: list[bytes] = []
    for chunk in chunks:
        out += dec.feed(chunk)
    return out + dec.flush()


@pytest.mark.timeout(20)
def test_a_16_mb_line_in_1_kb_chunks_decodes_in_linear_time() -> None:
    line = b'{"event_type":"text_generation","text":"' + b"x" * (16 * 1024 * 1024) + b'"}'
    data = b'{"event_type":"stream_start"}\r\n' + line + b"\n" + b'{"event_type":"stream_end"}\n'
    chunks = [data[i:i + 1024] for i in range(0, len(data), 1024)]
    assert _decode(chunks) == [b'{"event_type":"stream_start"}', line, b'{"event_type":"stream_end"}']


def test_every_chunking_gives_the_same_lines() -> None:
    data = b'{"a":1}\r\n\n{"b":"2\\n"}\n{"c":3}\r\n{"tail":true}'
    expected = [b'{"a":1}', b"", b'{"b":"2\\n"}', b'{"c":3}', b'{"tail":true}']
    rng = random.Random(9)
    for _ in range(300):
        cuts = sorted(rng.sample(range(1, len(data)), rng.randint(0, 12)))
        chunks = [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]
        assert _decode(chunks) == expected, chunks
    assert _decode([bytes([b]) for b in data]) == expected  # one byte at a time, CR and LF split


def test_a_line_without_end_is_refused_not_buffered_forever() -> None:
    dec = NDJSONDecoder(max_line=1000)
    dec.feed(b"x" * 600)
    with pytest.raises(APIResponseValidationError, match="longer than 1000 bytes"):
        dec.feed(b"x" * 600)
    with pytest.raises(APIResponseValidationError, match="longer than 10 bytes"):
        NDJSONDecoder(max_line=10).feed(b"y" * 11 + b"\nok\n")
    assert NDJSONDecoder(max_line=10).feed(b"y" * 10 + b"\nok\n") == [b"y" * 10, b"ok"]
