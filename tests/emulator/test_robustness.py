"""Property tests: the probes and the multipart parser never crash on arbitrary or mangled input."""

from __future__ import annotations

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twelvelabs_rag._media import probe
from twelvelabs_rag.testing._http import parse_multipart
from twelvelabs_rag.testing.samples import png_bytes, wav_bytes

SEEDS = [png_bytes("a fox"), wav_bytes("hello", seconds=0.2)]


@given(st.binary(max_size=512))
def test_probe_never_raises_on_random_bytes(data: bytes) -> None:
    assert probe(data).size == len(data)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([*SEEDS, "mp4"]), st.integers(0, 10_000), st.binary(min_size=1, max_size=8), st.booleans())
def test_probe_never_raises_on_mangled_media(clips, seed, pos: int, patch: bytes, truncate: bool) -> None:
    data = clips["wildlife.mp4"].read_bytes() if seed == "mp4" else seed
    pos %= len(data)
    data = data[:pos] if truncate else data[:pos] + patch + data[pos + len(patch):]
    info = probe(data)
    assert info.size == len(data)


@given(st.lists(st.tuples(st.text("abcxyz_", min_size=1, max_size=8), st.binary(max_size=64),
                          st.none() | st.text("abc.", min_size=1, max_size=8)), min_size=1, max_size=6))
def test_multipart_round_trips_httpx_encoding(parts) -> None:
    files = [(name, (filename, value, "application/octet-stream" if filename else None))
             for name, value, filename in parts]
    request = httpx.Request("POST", "http://e/", files=files)
    body = request.read()
    parsed = parse_multipart(request.headers["content-type"], body)
    assert [(n, v) for n, _, _, v in parsed] == [(n, v) for n, v, _ in parts]
