"""POST /embed (text/image/audio) and /embed/tasks: dimensions, determinism, structure, segments, errors."""

from __future__ import annotations

import httpx
import numpy as np
import pytest
from _emulator_helpers import form

from twelvelabs_rag.testing import FakeTwelveLabs
from twelvelabs_rag.testing._encoder import tokens
from twelvelabs_rag.testing.samples import png_bytes, wav_bytes
from twelvelabs_rag.types import EmbeddingResponse, EmbeddingTask, EmbeddingTaskStatus, ListPage


def embed(http: httpx.Client, files=(), **fields) -> EmbeddingResponse:
    r = http.post("/embed", files=form(**fields) + list(files))
    assert r.status_code == 200, r.text
    return EmbeddingResponse.model_validate(r.json())


@pytest.mark.parametrize(("model", "dim"), [("Marengo-retrieval-2.7", 1024), ("marengo3.0", 512)])
def test_text_dimension_norm_and_determinism(http: httpx.Client, model: str, dim: int) -> None:
    a = embed(http, model_name=model, text="a red fox").text_embedding.vector
    b = embed(http, model_name=model, text="a red fox").text_embedding.vector
    assert a.shape == (dim,) and a.dtype == np.float32
    assert np.linalg.norm(a) == pytest.approx(1.0, abs=1e-5)
    assert np.array_equal(a, b)


def test_text_structure_similar_texts_are_close(http: httpx.Client) -> None:
    def vec(t: str) -> np.ndarray:
        return embed(http, model_name="marengo3.0", text=t).text_embedding.vector

    fox = vec("a red fox runs through the snow")
    assert fox @ vec("the fox is running in snow") > 0.6
    assert fox @ vec("a chef cooks pasta") < 0.2
    assert not np.array_equal(vec("fox"), vec("Fox!"))  # distinct inputs never identical
    assert vec("fox") @ vec("Fox!") > 0.95


def test_tokens_stem_and_drop_stop_words() -> None:
    assert tokens("The foxes are RUNNING through the cities") == ["fox", "run", "city"]


def test_image_and_audio_by_file_and_url(http: httpx.Client, fake: FakeTwelveLabs) -> None:
    fake.add_media("https://cdn.example.com/fox.png", png_bytes("a red fox in the snow"))
    res = embed(http, model_name="marengo3.0", text="red fox snow", image_url="https://cdn.example.com/fox.png",
                files=[("audio_file", ("talk.wav", wav_bytes("a red fox barks", seconds=3), "audio/wav"))],
                audio_start_offset_sec=1)
    text, image, audio = res.text_embedding.vector, res.image_embedding.vector, res.audio_embedding.vector
    assert text @ image > 0.9 and text @ audio > 0.4
    assert res.image_embedding.metadata == {"input_url": "https://cdn.example.com/fox.png"}
    assert res.audio_embedding.metadata == {"input_filename": "talk.wav"}
    seg = res.audio_embedding.segments[0]
    assert (seg.start_offset_sec, seg.end_offset_sec) == (1, 3)
    only_image = http.post("/embed", files=form(model_name="marengo3.0")
                           + [("image_file", ("x.png", png_bytes("x"), "image/png"))]).json()
    assert set(only_image) == {"model_name", "image_embedding"}


@pytest.mark.parametrize(("fields", "files", "code"), [
    ({"text": "x"}, [], "parameter_not_provided"),
    ({"model_name": "marengo9", "text": "x"}, [], "parameter_invalid"),
    ({"model_name": "marengo3.0"}, [], "parameter_not_provided"),
    ({"model_name": "Marengo-retrieval-2.7", "text": "w " * 80, "text_truncate": "none"}, [], "token_limit_exceeded"),
    ({"model_name": "marengo3.0"}, [("image_file", ("x.png", png_bytes("x", width=10, height=10), "image/png"))],
     "image_resolution_too_low"),
    ({"model_name": "marengo3.0"}, [("image_file", ("x.wav", wav_bytes("x", seconds=1), "audio/wav"))],
     "unsupported_media_type"),
])
def test_embed_validation(http: httpx.Client, fields, files, code) -> None:
    r = http.post("/embed", files=form(**fields) + files)
    assert (r.status_code, r.json()["code"]) == (400, code), r.text


def test_text_truncate_start_and_end_accept_long_text(http: httpx.Client) -> None:
    long = " ".join(f"w{i}" for i in range(100))
    for mode in ("start", "end"):
        assert embed(http, model_name="Marengo-retrieval-2.7", text=long, text_truncate=mode).text_embedding


def create_task(http, clips, **fields) -> str:
    files = form(**{"model_name": "marengo3.0", **fields})
    files.append(("video_file", ("wildlife.mp4", clips["wildlife.mp4"].read_bytes(), "video/mp4")))
    r = http.post("/embed/tasks", files=files)
    assert r.status_code == 200, r.text
    return r.json()["_id"]


def test_embed_task_lifecycle(http: httpx.Client, clips) -> None:
    tid = create_task(http, clips, video_embedding_scope=["clip", "video"])
    listed = ListPage[EmbeddingTask].model_validate(http.get("/embed/tasks").json())
    assert listed.data[0].id == tid and listed.data[0].status == "processing"
    early = http.get(f"/embed/tasks/{tid}/status")
    assert EmbeddingTaskStatus.model_validate(early.json()).status == "processing"
    assert http.get(f"/embed/tasks/{tid}/status").json()["status"] == "ready"
    task = EmbeddingTask.model_validate(http.get(f"/embed/tasks/{tid}").json())
    segs = task.video_embedding.segments
    assert task.created_at.year == 2026 and task.model_name == "marengo3.0"
    assert task.video_embedding.matrix.shape == (3 * (2 + 1), 512)  # 3 options x (2 clips + 1 video)
    assert {s.embedding_option for s in segs} == {"visual", "audio", "transcription"}
    assert [(s.start_offset_sec, s.end_offset_sec, s.embedding_scope) for s in segs[:3]] == [
        (0, 6, "clip"), (6, 12, "clip"), (0, 12, "video")]
    meta = task.video_embedding.metadata
    assert (meta.video_clip_length, meta.video_embedding_scope, meta.duration) == (6, ["clip", "video"], 12)
    only_visual = EmbeddingTask.model_validate(
        http.get(f"/embed/tasks/{tid}", params={"embedding_option": "visual"}).json())
    assert len(only_visual.video_embedding.segments) == 3
    assert http.get("/embed/tasks", params={"page": 2}).json()["data"] == []
    assert http.get("/embed/tasks", params={"status": "ready"}).json()["data"][0]["_id"] == tid


def test_clip_length_offsets_and_short_last_segment_dropped(http: httpx.Client, clips) -> None:
    tid = create_task(http, clips, model_name="Marengo-retrieval-2.7", video_clip_length=5,
                      video_start_offset_sec=1, video_end_offset_sec=12)
    fake_ready(http, tid)
    task = EmbeddingTask.model_validate(http.get(f"/embed/tasks/{tid}").json())
    visual = [s for s in task.video_embedding.segments if s.embedding_option == "visual-text"]
    assert [(s.start_offset_sec, s.end_offset_sec) for s in visual] == [(1, 6), (6, 11)]  # [11, 12) < 2 s dropped
    assert task.video_embedding.matrix.shape[1] == 1024
    assert {s.embedding_option for s in task.video_embedding.segments} == {"visual-text", "audio"}


def fake_ready(http: httpx.Client, tid: str) -> None:
    statuses = [http.get(f"/embed/tasks/{tid}/status").json()["status"] for _ in range(2)]
    assert statuses == ["processing", "ready"]


def test_segments_match_scene_text(http: httpx.Client, clips) -> None:
    tid = create_task(http, clips, video_clip_length=4)
    fake_ready(http, tid)
    task = EmbeddingTask.model_validate(http.get(f"/embed/tasks/{tid}", params={"embedding_option": "visual"}).json())
    q = embed(http, model_name="marengo3.0", text="an eagle over a frozen lake").text_embedding.vector
    best = int(np.argmax(task.video_embedding.matrix @ q))
    assert task.video_embedding.segments[best].start_offset_sec == 4


@pytest.mark.parametrize("fields", [
    {"video_clip_length": 1}, {"video_clip_length": 11}, {"video_embedding_scope": "frame"},
    {"video_start_offset_sec": 5, "video_end_offset_sec": 3}, {"video_end_offset_sec": 30},
    {"video_start_offset_sec": 40},
])
def test_embed_task_validation(http: httpx.Client, clips, fields) -> None:
    files = form(model_name="marengo3.0", **fields) + [("video_file", ("w.mp4", clips["wildlife.mp4"].read_bytes()))]
    r = http.post("/embed/tasks", files=files)
    assert (r.status_code, r.json()["code"]) == (400, "parameter_invalid"), r.text


def test_embed_task_failure_and_unknown(http: httpx.Client, fake: FakeTwelveLabs, clips) -> None:
    fake.fail_task_next()
    tid = create_task(http, clips)
    assert http.get(f"/embed/tasks/{tid}/status").json()["status"] == "processing"
    assert http.get(f"/embed/tasks/{tid}/status").json()["status"] == "failed"
    assert "segments" not in http.get(f"/embed/tasks/{tid}").json()["video_embedding"]
    assert http.get(f"/embed/tasks/{'f' * 24}").json()["code"] == "resource_not_exist"
    bad = http.get(f"/embed/tasks/{tid}", params={"embedding_option": "visual-text"})
    assert bad.status_code == 400


def test_same_script_in_different_files_is_close_but_not_identical(http: httpx.Client, clips, tmp_path) -> None:
    from twelvelabs_rag.testing.samples import DEMO_SCRIPTS, make_clip

    other = make_clip(tmp_path / "again.mp4", DEMO_SCRIPTS["wildlife.mp4"], fps=6)
    mats = []
    for path in (clips["wildlife.mp4"], other, clips["wildlife.mp4"]):
        files = form(model_name="marengo3.0") + [("video_file", (path.name, path.read_bytes()))]
        r = http.post("/embed/tasks", files=files)
        fake_ready(http, r.json()["_id"])
        task = EmbeddingTask.model_validate(
            http.get(f"/embed/tasks/{r.json()['_id']}", params={"embedding_option": "visual"}).json())
        mats.append(task.video_embedding.matrix)
    assert np.array_equal(mats[0], mats[2])  # same bytes, same vectors
    assert not np.array_equal(mats[0], mats[1])
    assert np.all(np.sum(mats[0] * mats[1], axis=1) > 0.99)
