"""The multipart body round-trips any fields and bytes, and streams exactly what it announces."""

from __future__ import annotations

import asyncio
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from twelvelabs_rag._multipart import MultipartBody, prepare_file

names = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters='"\\%'),
                min_size=1, max_size=12)
values = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=40)


def _parse(body: MultipartBody, data: bytes) -> list[tuple[str, str | None, bytes]]:
    msg = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + body.content_type.encode() + b"\r\n\r\n" + data)
    return [(p.get_param("name", header="content-disposition"), p.get_filename(), p.get_payload(decode=True))
            for p in msg.iter_parts()]


@settings(max_examples=60, deadline=None)
@given(fields=st.lists(st.tuples(names, values), max_size=6), blob=st.binary(max_size=300), fname=names)
def test_round_trip(fields: list[tuple[str, str]], blob: bytes, fname: str) -> None:
    body = MultipartBody(fields, [prepare_file("video_file", (fname + ".mp4", blob), default_filename="x")])
    data = body.to_bytes()
    assert len(data) == body.content_length == len(b"".join(body.iter_chunks()))
    got = _parse(body, data)
    assert [(n, v.encode()) for n, v in fields] == [(n, p) for n, _, p in got[:-1]]
    assert got[-1] == ("video_file", fname + ".mp4", blob)


def test_path_parts_stream_fresh_each_time(tmp_path: Path) -> None:
    f = tmp_path / "big.bin"
    f.write_bytes(bytes(range(256)) * 9000)  # 2.3 MB: three 1 MiB read chunks
    body = MultipartBody([("index_id", "i1")], [prepare_file("video_file", f, default_filename="x")])
    first = b"".join(body.iter_chunks())
    second = b"".join(body.iter_chunks())

    async def collect() -> bytes:
        return b"".join([c async for c in body.aiter_chunks()])

    third = asyncio.run(collect())
    assert first == second == third and len(first) == body.content_length
    assert _parse(body, first)[-1][2] == f.read_bytes()
