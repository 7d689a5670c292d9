"""TwelveLabsVideoLoader against a fresh emulator: upload, dedupe, content, segments, preflight, async."""

from __future__ import annotations

import shutil

import pytest

from langchain_twelvelabs import TwelveLabsVideoLoader
from twelvelabs_rag import PreflightError


def _uploads(fake) -> int:
    return sum(1 for r in fake.requests if r.method == "POST" and r.path.endswith("/tasks"))


def _loader(fake, sources, **kw) -> TwelveLabsVideoLoader:
    kw.setdefault("show_progress", False)
    kw.setdefault("poll_interval", 0)
    return TwelveLabsVideoLoader(sources, client=fake.client(), async_client=fake.async_client(), **kw)


def test_uploads_creates_the_index_and_yields_one_document_per_video(fresh_fake, media_dir, index_models) -> None:
    paths = [media_dir / "wildlife.mp4", media_dir / "city.mp4"]
    loader = _loader(fresh_fake, paths, index_name="lc-loader", models=index_models)
    docs = loader.load()
    assert loader.index_id is not None
    assert [d.metadata["filename"] for d in docs] == ["wildlife.mp4", "city.mp4"]
    fox = docs[0]
    assert fox.metadata["index_id"] == loader.index_id
    assert fox.metadata["source"] == str(paths[0])
    assert fox.metadata["duration"] == pytest.approx(12, abs=0.5)
    assert (fox.metadata["width"], fox.metadata["height"]) == (640, 360)
    assert "fox" in fox.page_content  # from Pegasus
    assert "the bear is fishing" in fox.page_content  # from the transcript
    assert fox.id == fox.metadata["video_id"]
    assert _uploads(fresh_fake) == 2


def test_already_indexed_files_are_not_uploaded_again(fresh_fake, media_dir, tmp_path, index_models) -> None:
    first = _loader(fresh_fake, [media_dir / "wildlife.mp4"], models=index_models)
    [doc] = first.load()
    assert _uploads(fresh_fake) == 1
    # same name and size -> skipped
    [again] = _loader(fresh_fake, [media_dir / "wildlife.mp4"], index_id=first.index_id, content="transcript").load()
    assert again.metadata["video_id"] == doc.metadata["video_id"]
    # renamed copy: same content hash in user_metadata -> skipped
    renamed = tmp_path / "renamed.mp4"
    shutil.copy(media_dir / "wildlife.mp4", renamed)
    [copy] = _loader(fresh_fake, [renamed], index_id=first.index_id, content="transcript").load()
    assert copy.metadata["video_id"] == doc.metadata["video_id"]
    assert _uploads(fresh_fake) == 1


def test_urls_and_existing_video_ids(fresh_fake, media_dir, index_models) -> None:
    url = "https://media.example.com/kitchen.mp4"
    fresh_fake.add_media(url, media_dir / "kitchen.mp4")
    loader = _loader(fresh_fake, [url], models=index_models, content="analyze")
    [doc] = loader.load()
    assert doc.metadata["source"] == url and "chef" in doc.page_content
    [same] = _loader(fresh_fake, [url], index_id=loader.index_id, content="analyze").load()
    assert same.metadata["video_id"] == doc.metadata["video_id"] and _uploads(fresh_fake) == 1
    [by_id] = TwelveLabsVideoLoader(
        video_ids=[doc.metadata["video_id"]], index_id=loader.index_id, content="transcript",
        client=fresh_fake.client(), show_progress=False,
    ).load()
    assert by_id.metadata["source"] == doc.metadata["video_id"]
    assert "dinner is served" in by_id.page_content


def test_segments_mode_yields_timestamped_chunks(fresh_fake, media_dir, index_models) -> None:
    docs = _loader(fresh_fake, [media_dir / "wildlife.mp4"], models=index_models, mode="segments").load()
    analysis = [d for d in docs if d.metadata["kind"] == "analysis"]
    assert [(d.metadata["start"], d.metadata["end"]) for d in analysis] == [(0, 4), (4, 8), (8, 12)]
    assert "eagle" in analysis[1].page_content
    spoken = [d for d in docs if d.metadata["kind"] == "transcript"]
    assert [(d.metadata["start"], d.metadata["end"]) for d in spoken] == [(0, 4), (4, 8), (8, 12)]
    assert spoken[-1].page_content == "the bear is fishing"
    assert len({d.id for d in docs}) == len(docs)
    assert docs == sorted(docs, key=lambda d: (d.metadata["start"], d.metadata["end"]))


def test_media_that_fails_preflight_stops_before_any_upload(fresh_fake, media_dir, index_models) -> None:
    loader = _loader(fresh_fake, [media_dir / "wildlife.mp4", media_dir / "tiny.mp4"], models=index_models)
    with pytest.raises(PreflightError, match="tiny.mp4"):
        loader.load()
    assert _uploads(fresh_fake) == 0


def test_missing_file_and_bad_options_are_clear(fresh_fake, media_dir, index_models) -> None:
    with pytest.raises(FileNotFoundError, match="nope.mp4"):
        _loader(fresh_fake, [media_dir / "nope.mp4"], models=index_models).load()
    with pytest.raises(ValueError, match="mode"):
        _loader(fresh_fake, [media_dir / "wildlife.mp4"], mode="frames")
    with pytest.raises(ValueError, match="Nothing to load"):
        _loader(fresh_fake, [])


def test_progress_bar_can_be_shown(fresh_fake, media_dir, capsys, index_models, monkeypatch) -> None:
    import importlib.util
    import sys

    # tqdm.auto warns "IProgress not found" on import in a Jupyter kernel without ipywidgets.
    for name in ("tqdm.auto", "tqdm.autonotebook"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    quiet = _loader(fresh_fake, [media_dir / "kitchen.mp4"], index_name="quiet", models=index_models)
    quiet.load()
    assert "tqdm.autonotebook" not in sys.modules and "Indexing videos" not in capsys.readouterr().err
    _loader(fresh_fake, [media_dir / "city.mp4"], models=index_models, content="transcript", show_progress=True).load()
    assert "Indexing videos" in capsys.readouterr().err
    assert ("tqdm.autonotebook" in sys.modules) == (importlib.util.find_spec("ipywidgets") is not None)


async def test_alazy_load_matches_lazy_load(fresh_fake, media_dir, index_models) -> None:
    paths = [media_dir / "wildlife.mp4", media_dir / "kitchen.mp4"]
    loader = _loader(fresh_fake, paths, models=index_models)
    docs = [d async for d in loader.alazy_load()]
    assert [d.metadata["filename"] for d in docs] == ["wildlife.mp4", "kitchen.mp4"]
    again = _loader(fresh_fake, paths, index_id=loader.index_id).load()
    assert [d.page_content for d in again] == [d.page_content for d in docs]
    assert _uploads(fresh_fake) == 2


def test_uploads_run_with_bounded_concurrency(media_dir, index_models) -> None:
    from twelvelabs_rag.testing import FakeTwelveLabs

    fake = FakeTwelveLabs(task_statuses=("ready",))
    fake.add_latency("POST /tasks", 0.05)
    paths = [media_dir / name for name in ("wildlife.mp4", "city.mp4", "kitchen.mp4")]
    docs = _loader(fake, paths, models=index_models, content="transcript", max_concurrency=2).load()
    assert [d.metadata["filename"] for d in docs] == ["wildlife.mp4", "city.mp4", "kitchen.mp4"]
    assert fake.max_in_flight == 2


def test_indexing_timeout_is_a_typed_error(media_dir, index_models) -> None:
    from twelvelabs_rag import WaitTimeoutError
    from twelvelabs_rag.testing import FakeTwelveLabs

    fake = FakeTwelveLabs(task_statuses=("validating",) * 50 + ("ready",))
    loader = _loader(fake, [media_dir / "city.mp4"], models=index_models, timeout=0.05, poll_interval=0.01)
    with pytest.raises(WaitTimeoutError):
        loader.load()


def test_unknown_index_is_a_typed_error(fresh_fake, media_dir) -> None:
    from twelvelabs_rag import APIStatusError

    with pytest.raises(APIStatusError) as info:
        _loader(fresh_fake, [media_dir / "city.mp4"], index_id="0" * 24).load()
    assert info.value.code == "resource_not_exist"
    assert _uploads(fresh_fake) == 0


def test_marengo_only_index_gets_transcripts_and_duplicates_upload_once(fresh_fake, media_dir) -> None:
    marengo_only = [{"model_name": "marengo2.7", "model_options": ["visual", "audio"]}]
    path = media_dir / "kitchen.mp4"
    docs = _loader(fresh_fake, [path, str(path)], models=marengo_only).load()
    assert len(docs) == 2 and docs[0].metadata["video_id"] == docs[1].metadata["video_id"]
    assert "dinner is served" in docs[0].page_content
    assert _uploads(fresh_fake) == 1
    assert not [r for r in fresh_fake.requests if r.path.endswith("/analyze")]
    with pytest.raises(ValueError, match="index_id"):
        TwelveLabsVideoLoader(video_ids=["v1"], client=fresh_fake.client())


def test_failed_indexing_task_is_a_typed_error(fresh_fake, media_dir, index_models) -> None:
    from twelvelabs_rag import TaskFailedError

    fresh_fake.fail_task_next()
    with pytest.raises(TaskFailedError):
        _loader(fresh_fake, [media_dir / "city.mp4"], models=index_models).load()


async def test_async_loader_reports_the_same_typed_errors(fresh_fake, media_dir, index_models) -> None:
    loader = _loader(fresh_fake, [media_dir / "tiny.mp4"], models=index_models)
    with pytest.raises(PreflightError):
        [d async for d in loader.alazy_load()]
    assert _uploads(fresh_fake) == 0


# A task that stays "pending" far longer than a short timeout (issue 9, item 20).
SLOW_STATUSES = ("validating",) + ("pending",) * 50_000 + ("indexing", "ready")


def _to_indexing(fake) -> None:
    (task_id,) = list(fake.tasks)
    while fake.tasks[task_id].status != "indexing":
        fake.advance(task_id)


def test_a_rerun_waits_for_the_task_still_indexing_instead_of_uploading_again(media_dir, index_models) -> None:
    from twelvelabs_rag import WaitTimeoutError
    from twelvelabs_rag.testing import FakeTwelveLabs

    fake = FakeTwelveLabs(task_statuses=SLOW_STATUSES)
    first = _loader(fake, [media_dir / "city.mp4"], models=index_models, timeout=0.2)
    with pytest.raises(WaitTimeoutError):
        first.load()
    with pytest.raises(WaitTimeoutError):
        _loader(fake, [media_dir / "city.mp4"], index_id=first.index_id, timeout=0.2).load()
    assert _uploads(fake) == 1
    _to_indexing(fake)
    [doc] = _loader(fake, [media_dir / "city.mp4"], index_id=first.index_id, content="transcript").load()
    assert _uploads(fake) == 1
    assert doc.metadata["video_id"] == next(iter(fake.tasks.values())).video_id


async def test_async_rerun_waits_for_the_task_still_indexing(media_dir, index_models) -> None:
    from twelvelabs_rag import WaitTimeoutError
    from twelvelabs_rag.testing import FakeTwelveLabs

    fake = FakeTwelveLabs(task_statuses=SLOW_STATUSES)
    first = _loader(fake, [media_dir / "city.mp4"], models=index_models, timeout=0.2)
    with pytest.raises(WaitTimeoutError):
        [d async for d in first.alazy_load()]
    assert _uploads(fake) == 1
    _to_indexing(fake)
    again = _loader(fake, [media_dir / "city.mp4"], index_id=first.index_id, content="transcript")
    docs = [d async for d in again.alazy_load()]
    assert _uploads(fake) == 1
    assert docs[0].metadata["video_id"] == next(iter(fake.tasks.values())).video_id
