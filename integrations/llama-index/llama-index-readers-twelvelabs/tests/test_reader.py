"""TwelveLabsVideoReader against the emulator: uploads, de-duplication, content modes, async, errors."""

from __future__ import annotations

import shutil

import pytest
from llama_index.core.readers.base import BasePydanticReader
from llama_index.readers.twelvelabs import TwelveLabsVideoReader, parse_timestamped

from twelvelabs_rag import ConfigurationError, PreflightError, WaitTimeoutError
from twelvelabs_rag.testing import FakeTwelveLabs
from twelvelabs_rag.testing.samples import DEMO_SCRIPTS, make_clip

MARENGO = {"model_name": "marengo2.7", "model_options": ["visual", "audio"]}
PEGASUS = {"model_name": "pegasus1.2", "model_options": ["visual", "audio"]}


@pytest.fixture
def index_id(client) -> str:
    return client.indexes.create(
        index_name="reader", models=[MARENGO, PEGASUS]).id


def reader_for(index_id, client, aclient=None, **kw) -> TwelveLabsVideoReader:
    kw.setdefault("show_progress", False)
    return TwelveLabsVideoReader(index_id, client=client, async_client=aclient, **kw)


def test_is_a_pydantic_reader(index_id, client) -> None:
    reader = reader_for(index_id, client)
    assert BasePydanticReader in TwelveLabsVideoReader.__mro__ and reader.is_remote is True
    assert "tlk_test" not in reader.to_json()


def test_new_files_are_indexed_and_read(index_id, client, media, fake) -> None:
    docs = reader_for(index_id, client).load_data([media["wildlife.mp4"], str(media["kitchen.mp4"])])
    assert len(docs) == 2 and len(fake.calls("POST /tasks")) == 2
    wildlife = next(d for d in docs if d.metadata["filename"] == "wildlife.mp4")
    assert set(wildlife.metadata) == {"video_id", "index_id", "filename", "duration", "width", "height", "source"}
    assert wildlife.metadata["width"] == 640 and wildlife.metadata["height"] == 360
    assert wildlife.metadata["duration"] == pytest.approx(12, abs=0.5)
    assert wildlife.metadata["source"] == str(media["wildlife.mp4"])
    assert wildlife.id_ == wildlife.metadata["video_id"]
    # content="both": the Pegasus description, then the transcript with timestamps.
    assert "bear" in wildlife.text and "\n\nTranscript:\n[00:00-00:04] " in wildlife.text
    assert wildlife.text.endswith("\n[00:08-00:12] the bear is fishing")
    prompt = fake.calls("POST /analyze")[0].json["prompt"]
    assert "time range" in prompt


def test_already_indexed_files_are_not_uploaded_again(index_id, client, media, fake, tmp_path) -> None:
    first = reader_for(index_id, client).load_data([media["city.mp4"]])
    again = reader_for(index_id, client).load_data([media["city.mp4"]])
    renamed = tmp_path / "renamed-copy.mp4"
    shutil.copy(media["city.mp4"], renamed)
    by_hash = reader_for(index_id, client, content="transcript").load_data([renamed])
    assert len(fake.calls("POST /tasks")) == 1
    assert first[0].metadata["video_id"] == again[0].metadata["video_id"] == by_hash[0].metadata["video_id"]
    assert by_hash[0].metadata["source"] == str(renamed)
    # Duplicates within one call collapse too.
    assert len(reader_for(index_id, client).load_data([media["city.mp4"], media["city.mp4"]])) == 1


def test_existing_video_ids_and_content_modes(library, client, fake) -> None:
    vid = library["kitchen.mp4"]
    uploads = len(fake.calls("POST /tasks"))
    only_transcript = reader_for(library["index_id"], client, content="transcript").load_data(video_ids=[vid])
    assert only_transcript[0].text.splitlines()[-1] == "[00:08-00:12] dinner is served"
    assert not fake.calls("POST /analyze") and len(fake.calls("POST /tasks")) == uploads
    analysis = reader_for(library["index_id"], client, content="analyze", prompt="What is cooked?").load_data(
        video_ids=vid
    )
    assert "spaghetti" in analysis[0].text and "Transcript" not in analysis[0].text
    assert fake.calls("POST /analyze")[-1].json["prompt"] == "What is cooked?"
    assert analysis[0].metadata["source"] == "video_id"


def test_segments_mode(library, client) -> None:
    reader = reader_for(library["index_id"], client, mode="segments")
    docs = reader.load_data(video_ids=[library["wildlife.mp4"]])
    described = [d for d in docs if d.metadata["kind"] == "description"]
    spoken = [d for d in docs if d.metadata["kind"] == "transcript"]
    assert [(d.metadata["start"], d.metadata["end"]) for d in described] == [(0.0, 4.0), (4.0, 8.0), (8.0, 12.0)]
    assert "fox" in described[0].text and "salmon" in described[2].text
    assert spoken and spoken[-1].text == "the bear is fishing"
    assert len({d.id_ for d in docs}) == len(docs)


def test_lazy_load_is_lazy(library, client, fake) -> None:
    gen = reader_for(library["index_id"], client, content="analyze").lazy_load_data(
        video_ids=[library["wildlife.mp4"], library["city.mp4"]]
    )
    first = next(iter(gen))
    assert first.metadata["video_id"] == library["wildlife.mp4"]
    assert len(fake.calls("POST /analyze")) == 1  # the second video is analysed only when asked for


async def test_aload_data_matches_load_data(index_id, client, aclient, media, fake, peak) -> None:
    fake.add_latency("POST /tasks", 0.05)
    paths = [media[name] for name in DEMO_SCRIPTS]
    docs = await reader_for(index_id, client, aclient, max_concurrency=2).aload_data(paths)
    assert len(docs) == 3 and len(fake.calls("POST /tasks")) == 3
    assert peak(fake.calls("POST /tasks")) == 2
    sync_docs = reader_for(index_id, client).load_data(paths)  # everything is indexed now
    assert len(fake.calls("POST /tasks")) == 3
    assert sorted(d.text for d in docs) == sorted(d.text for d in sync_docs)
    streamed = [d async for d in reader_for(index_id, client, aclient).alazy_load_data(paths[:1])]
    assert streamed[0].text == next(d.text for d in docs if d.metadata["source"] == str(paths[0]))


def test_sync_uploads_are_bounded_and_carry_user_metadata(index_id, client, media, fake, peak) -> None:
    fake.add_latency("POST /tasks", 0.05)
    paths = [media[name] for name in DEMO_SCRIPTS]
    reader = reader_for(index_id, client, max_concurrency=2, user_metadata={"team": "wildlife"}, content="transcript")
    docs = reader.load_data(paths)
    assert len(docs) == 3 and peak(fake.calls("POST /tasks")) == 2
    import json

    sent = [json.loads(r.form["user_metadata"][0]) for r in fake.calls("POST /tasks")]
    assert all(m["team"] == "wildlife" and len(m["tlrag_sha256"]) == 64 for m in sent)


def test_progress_bar_can_be_shown_or_silenced(index_id, client, media, capsys, monkeypatch) -> None:
    import importlib.util
    import sys

    # tqdm.auto warns "IProgress not found" on import in a Jupyter kernel without ipywidgets.
    for name in ("tqdm.auto", "tqdm.autonotebook"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    reader_for(index_id, client, show_progress=False).load_data([media["city.mp4"]])
    assert "tqdm.autonotebook" not in sys.modules  # a silenced bar does not even import tqdm.auto
    reader_for(index_id, client, show_progress=True).load_data([media["wildlife.mp4"]])
    assert "Indexing videos" in capsys.readouterr().err
    assert ("tqdm.autonotebook" in sys.modules) == (importlib.util.find_spec("ipywidgets") is not None)
    reader_for(index_id, client, show_progress=True).load_data([media["wildlife.mp4"]])  # nothing to upload
    reader_for(index_id, client, show_progress=False).load_data([media["city.mp4"]])
    assert "Indexing videos" not in capsys.readouterr().err


def test_preflight_fails_before_any_upload(index_id, client, media, fake, tmp_path) -> None:
    tiny = make_clip(tmp_path / "tiny.mp4", "[0-4] a small clip", width=160, height=120)
    with pytest.raises(PreflightError) as info:
        reader_for(index_id, client).load_data([media["wildlife.mp4"], tiny])
    assert "tiny.mp4" in str(info.value) and info.value.code == "video_resolution_too_low"
    assert not fake.calls("POST /tasks")


def test_timeout_is_a_typed_error(client, media) -> None:
    slow = FakeTwelveLabs(task_statuses=("validating", "pending", "indexing", "indexing", "indexing", "ready"))
    with slow.client(poll_interval=0.05) as c:
        idx = c.indexes.create(index_name="slow", models=[MARENGO, PEGASUS]).id
        with pytest.raises(WaitTimeoutError):
            TwelveLabsVideoReader(idx, client=c, show_progress=False, timeout=0.01).load_data([media["city.mp4"]])


def test_bad_input_gives_clear_errors(index_id, client, tmp_path) -> None:
    reader = reader_for(index_id, client)
    with pytest.raises(FileNotFoundError, match="video file not found"):
        reader.load_data([tmp_path / "missing.mp4"])
    with pytest.raises(ValueError, match="nothing to load"):
        reader.load_data()
    with pytest.raises(TypeError, match="video source"):
        reader.load_data([42])
    with pytest.raises(ValueError, match="index_id"):
        TwelveLabsVideoReader("", client=client)
    with pytest.raises(ValueError):
        TwelveLabsVideoReader(index_id, client=client, content="summary")
    with pytest.raises(ConfigurationError, match="TWELVELABS_API_KEY"):
        TwelveLabsVideoReader(index_id)


def test_parse_timestamped_formats() -> None:
    assert parse_timestamped("[0-4] a fox\n  in snow\n[00:04 - 00:09] an owl\n- 0:09 to 0:12: end") == [
        (0.0, 4.0, "a fox in snow"), (4.0, 9.0, "an owl"), (9.0, 12.0, "end")]
    prose = "The video shows: from 0s to 4s, a fox; from 4s to 8s, an owl."
    assert parse_timestamped(prose) == [(0.0, 4.0, "a fox"), (4.0, 8.0, "an owl")]


def test_urls_are_indexed_once(index_id, client, media, fake) -> None:
    url = "https://cdn.example.com/videos/kitchen.mp4"
    fake.add_media(url, media["kitchen.mp4"])
    first = reader_for(index_id, client, content="transcript").load_data([url])
    again = reader_for(index_id, client, content="transcript").load_data(url)
    assert len(fake.calls("POST /tasks")) == 1
    assert fake.calls("POST /tasks")[0].form["video_url"] == [url]
    assert first[0].metadata["video_id"] == again[0].metadata["video_id"]
    assert first[0].metadata["source"] == url and "dinner is served" in first[0].text


# A task that stays "pending" far longer than a short timeout (issue 9, item 20).
SLOW_STATUSES = ("validating",) + ("pending",) * 50_000 + ("indexing", "ready")


def _to_indexing(fake: FakeTwelveLabs) -> None:
    (task_id,) = list(fake.tasks)
    while fake.tasks[task_id].status != "indexing":
        fake.advance(task_id)


def test_a_rerun_waits_for_the_task_still_indexing_instead_of_uploading_again(media) -> None:
    fake = FakeTwelveLabs(task_statuses=SLOW_STATUSES)
    with fake.client(poll_interval=0) as client:
        index = client.indexes.create(index_name="slow", models=[MARENGO, PEGASUS]).id
        with pytest.raises(WaitTimeoutError):
            reader_for(index, client, timeout=0.2).load_data([media["city.mp4"]])
        with pytest.raises(WaitTimeoutError):
            reader_for(index, client, timeout=0.2).load_data([media["city.mp4"]])
        assert len(fake.calls("POST /tasks")) == 1
        _to_indexing(fake)
        [doc] = reader_for(index, client, content="transcript").load_data([media["city.mp4"]])
    assert len(fake.calls("POST /tasks")) == 1
    assert doc.metadata["video_id"] == next(iter(fake.tasks.values())).video_id


async def test_async_rerun_waits_for_the_task_still_indexing(media) -> None:
    fake = FakeTwelveLabs(task_statuses=SLOW_STATUSES)
    async with fake.async_client(poll_interval=0) as aclient:
        with fake.client(poll_interval=0) as client:
            index = client.indexes.create(index_name="slow", models=[MARENGO, PEGASUS]).id
            with pytest.raises(WaitTimeoutError):
                await reader_for(index, client, aclient, timeout=0.2).aload_data([media["city.mp4"]])
            assert len(fake.calls("POST /tasks")) == 1
            _to_indexing(fake)
            [doc] = await reader_for(index, client, aclient, content="transcript").aload_data([media["city.mp4"]])
    assert len(fake.calls("POST /tasks")) == 1
    assert doc.metadata["video_id"] == next(iter(fake.tasks.values())).video_id
