"""File names that are not valid UTF-8 upload without UnicodeEncodeError (issue 9, item 11).

``os.fsdecode`` turns such a name into lone surrogates, which the multipart encoder could not
encode. The name now goes out as its original bytes when they are UTF-8, else percent-encoded
(``%FF``), the same string in the multipart header and in the upload-recovery lookups.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import pytest

from twelvelabs_rag._multipart import MultipartBody, prepare_file, wire_filename
from twelvelabs_rag.cli import main
from twelvelabs_rag.testing import FakeTwelveLabs, serve
from twelvelabs_rag.testing.samples import make_clip

RAW_NAME = b"\xffclip \xe9t\xe9%1.mp4"  # latin-1 bytes: not UTF-8
WIRE_NAME = "%FFclip %E9t%E9%251.mp4"


@pytest.fixture(scope="module")
def odd_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("names")
    plain = make_clip(d / "plain.mp4", "[0-5] a red fox runs through snow")
    odd = Path(os.fsdecode(os.path.join(os.fsencode(d), RAW_NAME)))
    shutil.copyfile(plain, odd)
    return odd


@pytest.mark.parametrize(
    ("name", "wire"),
    [
        ("plain.mp4", "plain.mp4"),
        ("café 東京.mp4", "café 東京.mp4"),
        (os.fsdecode(b"caf\xc3\xa9.mp4"), "café.mp4"),
        (os.fsdecode(RAW_NAME), WIRE_NAME),
        ("\ud800lone.mp4", "%ED%A0%80lone.mp4"),
    ],
)
def test_wire_filename_is_encodable_and_lossless(name: str, wire: str) -> None:
    assert wire_filename(name) == wire
    wire.encode("utf-8")
    body = MultipartBody([("index_id", "i")], [prepare_file("video_file", (name, b"data"), default_filename="v.mp4")])
    assert f'filename="{wire}"'.encode() in body.to_bytes()


def test_percent_fallback_round_trips_to_the_original_bytes() -> None:
    from urllib.parse import unquote_to_bytes

    assert unquote_to_bytes(wire_filename(os.fsdecode(RAW_NAME))) == RAW_NAME


def fake_index(client: object) -> str:
    return next(iter(client.indexes.list())).id  # type: ignore[attr-defined]


def test_sync_upload_and_embed_task(odd_clip: Path) -> None:
    fake = FakeTwelveLabs()
    with fake.client(poll_interval=0) as client:
        index = client.indexes.create(index_name="odd", models=[{"model_name": "marengo3.0", "model_options": ["visual"]}])
        task = client.tasks.create_and_wait(index_id=index.id, file=odd_clip)
        assert task.status == "ready"
        video = client.indexes.videos.retrieve(index.id, task.video_id)
        assert video.system_metadata.filename == WIRE_NAME
        embed = client.embed.tasks.create(model_name="marengo3.0", video_file=odd_clip)
        assert embed.id


def test_async_upload_and_embed_task(odd_clip: Path) -> None:
    async def main_() -> str:
        fake = FakeTwelveLabs()
        async with fake.async_client(poll_interval=0) as client:
            index = await client.indexes.create(
                index_name="odd", models=[{"model_name": "marengo3.0", "model_options": ["visual"]}])
            task = await client.tasks.create_and_wait(index_id=index.id, file=odd_clip)
            await client.embed.tasks.create(model_name="marengo3.0", video_file=odd_clip)
            video = await client.indexes.videos.retrieve(index.id, task.video_id)
            return video.system_metadata.filename

    assert asyncio.run(main_()) == WIRE_NAME


def test_cli_upload_then_skip(odd_clip: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fake = FakeTwelveLabs()
    with serve(fake) as base_url:
        common = ["--api-key", "tlk_test", "--base-url", base_url]
        assert main([*common, "index", "create", "odd"]) == 0
        capsys.readouterr()
        with fake.client(poll_interval=0) as client:
            index_id = fake_index(client)
        upload = [*common, "upload", str(odd_clip), "--index", index_id, "--no-progress", "--poll-interval", "0"]
        assert main(upload) == 0, capsys.readouterr().err
        first = capsys.readouterr().out
        assert WIRE_NAME in first and "ready" in first
        assert main(upload) == 0, capsys.readouterr().err  # the second run finds it by its wire name
        assert "skipped (already indexed)" in capsys.readouterr().out


def test_find_indexed_matches_the_wire_name(odd_clip: Path) -> None:
    # the framework loaders look a local file up by its name before uploading it (no second upload)
    from twelvelabs_rag.moments import file_sha256, find_indexed

    fake = FakeTwelveLabs()
    with fake.client(poll_interval=0) as client:
        index = client.indexes.create(index_name="odd", models=[{"model_name": "marengo3.0", "model_options": ["visual"]}])
        task = client.tasks.create_and_wait(index_id=index.id, file=odd_clip)
        found = find_indexed(client, index.id, filename=odd_clip.name, size=odd_clip.stat().st_size,
                             sha256=file_sha256(odd_clip))
    assert found == task.video_id
