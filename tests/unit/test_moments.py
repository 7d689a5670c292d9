"""twelvelabs_rag.moments: timestamps, clip ids, timestamped descriptions, transcripts, indexed-file lookup."""

from __future__ import annotations

import asyncio
import hashlib
import re
import textwrap
from pathlib import Path

import pytest

from twelvelabs_rag import moments
from twelvelabs_rag.moments import (
    HASH_KEY,
    URL_KEY,
    AsyncTranscriptCache,
    TranscriptCache,
    VideoTranscript,
    afind_indexed,
    clip_id,
    dedupe_metadata,
    file_sha256,
    find_indexed,
    format_timestamp,
    format_transcript,
    parse_timestamped,
    transcript_text,
)
from twelvelabs_rag.testing import FakeTwelveLabs
from twelvelabs_rag.testing.samples import make_clip
from twelvelabs_rag.types import TranscriptionLine

MARENGO = {"model_name": "marengo3.0", "model_options": ["visual", "audio"]}
SCRIPT = '[0-4] a red fox runs through snow | "look at the fox"\n[4-8] an eagle flies | "and the eagle"'


def L(start: float, end: float, value: str) -> TranscriptionLine:
    return TranscriptionLine(start=start, end=end, value=value)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "00:00"), (12.4, "00:12"), (72.6, "01:13"), (3599.4, "59:59"), (3725, "1:02:05"), (None, "00:00"),
     (-3, "00:00")],
)
def test_format_timestamp(seconds: float | None, text: str) -> None:
    assert format_timestamp(seconds) == text


def test_clip_id_is_stable_per_range() -> None:
    assert clip_id("v1", 8, 12.5) == "v1@8.000-12.500"
    assert clip_id("v1", 8.0004, 12.5) == clip_id("v1", 8, 12.5)
    assert clip_id("v1", 8, 12.6) != clip_id("v1", 8, 12.5)


def test_parse_timestamped_line_shapes() -> None:
    text = "Intro line\n[00:00-00:04] a fox\n- 0:04 - 0:08: an eagle\n(1:02:03 to 1:02:09) the end\n8s-12s: bear"
    assert parse_timestamped(text) == [
        (0.0, 4.0, "a fox"), (4.0, 8.0, "an eagle"), (3723.0, 3729.0, "the end"), (8.0, 12.0, "bear")]
    assert parse_timestamped("[0-4] a fox\n  in snow\n[00:04 - 00:09] an owl\n- 0:09 to 0:12: end") == [
        (0.0, 4.0, "a fox in snow"), (4.0, 9.0, "an owl"), (9.0, 12.0, "end")]
    assert parse_timestamped("[0:4-0:9]. a bird\n* [1.5-2.5] — decimals") == [
        (4.0, 9.0, "a bird"), (1.5, 2.5, "decimals")]


def test_parse_timestamped_skips_empty_and_backwards_ranges() -> None:
    assert parse_timestamped("") == [] and parse_timestamped(None) == []
    assert parse_timestamped("no times here\njust prose") == []
    assert parse_timestamped("[4-4] nothing\n[9-5] backwards") == []
    assert parse_timestamped("[0-4]\na fox on its own line") == [(0.0, 4.0, "a fox on its own line")]


def test_parse_timestamped_inline_prose() -> None:
    prose = "The video shows: from 0s to 4s, a fox; from 4s to 8s, an owl."
    assert parse_timestamped(prose) == [(0.0, 4.0, "a fox"), (4.0, 8.0, "an owl")]
    # the emulator's Pegasus answer: the most relevant scene first, then every scene (last mention wins)
    answer = "Most relevant: from 4s to 8s, an eagle. The video shows: from 0s to 4s, a fox; from 4s to 8s, an eagle."
    assert parse_timestamped(answer) == [(0.0, 4.0, "a fox"), (4.0, 8.0, "an eagle")]
    assert parse_timestamped("from 0:00 - 0:04: a fox\nfrom 4s – 8s an owl") == [
        (0.0, 4.0, "a fox"), (4.0, 8.0, "an owl")]


def test_transcript_text_and_format() -> None:
    lines = [L(0, 4, "hello"), L(4, 8, " the bear "), L(8, 9, "   "), L(9, 12, "bye")]
    assert transcript_text(lines, 3, 8) == "hello the bear"
    assert transcript_text(lines, 4, 8) == "the bear"  # touching ranges do not overlap
    assert transcript_text(lines, 8, 9) == ""
    assert transcript_text(None, 0, 10) == ""
    assert format_transcript(lines) == "[00:00-00:04] hello\n[00:04-00:08] the bear\n[00:09-00:12] bye"
    assert format_transcript([]) == ""


def _indexed_video(fake: FakeTwelveLabs, client, tmp_path: Path, name: str = "fox.mp4", **kw):
    index = client.indexes.create(index_name="m", models=[MARENGO])
    clip = make_clip(tmp_path / name, SCRIPT)
    task = client.tasks.create_and_wait(index_id=index.id, file=clip, **kw)
    return index.id, task.video_id, Path(clip)


def test_transcript_cache_fetches_each_video_once(tmp_path: Path) -> None:
    fake = FakeTwelveLabs(task_statuses=("ready",))
    client = fake.client(poll_interval=0)
    index_id, video_id, _ = _indexed_video(fake, client, tmp_path)
    cache = TranscriptCache()
    got = cache.fetch(client, index_id, [video_id, video_id])
    assert list(got) == [video_id] and got[video_id].filename == "fox.mp4"
    assert got[video_id].text(0, 4) == "look at the fox"
    assert got[video_id].text(0, 8) == "look at the fox and the eagle"
    cache.fetch(client, index_id, [video_id])
    assert len(fake.calls("GET /indexes/{index_id}/videos/{video_id}")) == 1
    assert fake.calls("GET /indexes/{index_id}/videos/{video_id}")[0].query.count(("transcription", "true")) == 1
    cache.clear()
    assert cache.get(index_id, video_id) is None
    cache.fetch(client, index_id, [video_id])
    assert len(fake.calls("GET /indexes/{index_id}/videos/{video_id}")) == 2


def test_transcript_cache_evicts_oldest_beyond_maxsize() -> None:
    cache = TranscriptCache(maxsize=2)
    for v in ("a", "b", "c"):
        cache.put("i", VideoTranscript(v))
    assert [cache.get("i", v) is not None for v in "abc"] == [False, True, True]
    assert cache.missing("i", ["a", "b", "a"]) == ["a"]
    with pytest.raises(ValueError, match="maxsize"):
        TranscriptCache(maxsize=0)


async def test_async_transcript_cache_shares_entries_and_bounds_concurrency(tmp_path: Path) -> None:
    fake = FakeTwelveLabs(task_statuses=("ready",))
    client = fake.client(poll_interval=0)
    index = client.indexes.create(index_name="m", models=[MARENGO])
    ids = []
    for i in range(4):
        clip = make_clip(tmp_path / f"c{i}.mp4", f'[0-4] scene {i} | "line {i}"')
        ids.append(client.tasks.create_and_wait(index_id=index.id, file=clip).video_id)
    sync_cache = TranscriptCache()
    sync_cache.fetch(client, index.id, ids[:1])
    cache = AsyncTranscriptCache(share=sync_cache, max_concurrency=2)
    fake.add_latency("GET /indexes/{index_id}/videos/{video_id}", 0.05)
    async with fake.async_client() as aclient:
        got = await cache.fetch(aclient, index.id, ids)
    assert [got[v].text(0, 4) for v in ids] == [f"line {i}" for i in range(4)]
    calls = fake.calls("GET /indexes/{index_id}/videos/{video_id}")
    assert len(calls) == 4  # one sync + three async: the shared entry was not fetched again
    assert len(sync_cache) == 4
    events = sorted([(r.started_at, 1) for r in calls[1:]] + [(r.ended_at, -1) for r in calls[1:]])
    peak = now = 0
    for _, delta in events:
        now += delta
        peak = max(peak, now)
    assert peak == 2


def test_dedupe_metadata_and_sha256(tmp_path: Path) -> None:
    path = tmp_path / "x.bin"
    path.write_bytes(b"x" * (3 << 20))
    assert file_sha256(path) == hashlib.sha256(b"x" * (3 << 20)).hexdigest()
    assert dedupe_metadata(sha256="ab") == {"tlrag_sha256": "ab"}
    assert dedupe_metadata(url="https://h/v.mp4") == {"tlrag_source_url": "https://h/v.mp4"}
    with pytest.raises(ValueError, match="exactly one"):
        dedupe_metadata()
    with pytest.raises(ValueError, match="exactly one"):
        dedupe_metadata(sha256="a", url="b")


def test_find_indexed_by_hash_by_name_and_size_and_by_url(tmp_path: Path) -> None:
    fake = FakeTwelveLabs(task_statuses=("ready",))
    client = fake.client(poll_interval=0)
    index_id, video_id, clip = _indexed_video(fake, client, tmp_path)  # uploaded without dedupe keys
    size, digest = clip.stat().st_size, file_sha256(clip)
    assert find_indexed(client, index_id, filename="fox.mp4", size=size, sha256=digest) == video_id
    assert find_indexed(client, index_id, filename="fox.mp4", size=size + 1, sha256=digest) is None
    renamed = tmp_path / "renamed.mp4"
    renamed.write_bytes(clip.read_bytes())
    assert find_indexed(client, index_id, filename=renamed.name, size=size, sha256=digest) is None
    marked = client.tasks.create_and_wait(index_id=index_id, file=renamed, user_metadata=dedupe_metadata(sha256=digest))
    other = tmp_path / "other.mp4"
    other.write_bytes(clip.read_bytes())
    assert find_indexed(client, index_id, filename="other.mp4", size=size, sha256=digest) == marked.video_id
    assert find_indexed(client, index_id, url="https://h/v.mp4") is None
    with pytest.raises(ValueError, match="sha256"):
        find_indexed(client, index_id, filename="fox.mp4")


async def test_afind_indexed_matches_the_sync_lookup(tmp_path: Path) -> None:
    fake = FakeTwelveLabs(task_statuses=("ready",))
    client = fake.client(poll_interval=0)
    index_id, video_id, clip = _indexed_video(fake, client, tmp_path)
    url = "https://cdn.example.com/remote.mp4"
    fake.add_media(url, clip)
    by_url = client.tasks.create_and_wait(index_id=index_id, url=url, user_metadata=dedupe_metadata(url=url))
    facts = {"filename": "fox.mp4", "size": clip.stat().st_size, "sha256": file_sha256(clip)}
    async with fake.async_client() as aclient:
        assert await afind_indexed(aclient, index_id, **facts) == video_id
        assert await afind_indexed(aclient, index_id, url=url) == by_url.video_id
        assert await afind_indexed(aclient, index_id, url=url + "?x") is None
    assert find_indexed(client, index_id, url=url) == by_url.video_id


def _examples():
    objects = [moments] + [getattr(moments, n) for n in moments.__all__]
    for obj in objects:
        for block in re.findall(r"```python\n(.*?)```", getattr(obj, "__doc__", None) or "", re.S):
            yield pytest.param(textwrap.dedent(block), id=getattr(obj, "__name__", "module"))


@pytest.mark.parametrize("code", list(_examples()))
def test_docstring_examples_run(code: str) -> None:
    exec(compile(code, "moments-example", "exec"), dict(vars(moments)))


def test_public_names_have_docstrings() -> None:
    for name in moments.__all__:
        obj = getattr(moments, name)
        if callable(obj):
            assert (obj.__doc__ or "").strip(), name
    assert HASH_KEY == "tlrag_sha256" and URL_KEY == "tlrag_source_url"
    assert asyncio.iscoroutinefunction(afind_indexed) and asyncio.iscoroutinefunction(AsyncTranscriptCache.fetch)
