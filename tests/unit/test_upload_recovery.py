"""Pure parts of the no-duplicate-upload rule (docs/retries.md)."""

from __future__ import annotations

import pytest

from twelvelabs_rag import APIConnectionError
from twelvelabs_rag.resources.embed_tasks import pick_embed_task
from twelvelabs_rag.resources.tasks import lookup_since, pick_recovered_task, recent_candidates
from twelvelabs_rag.types import EmbeddingTask, Task

T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z


def task(tid: str, created: str, filename: str = "fox.mp4", status: str = "validating") -> Task:
    return Task.model_validate({"_id": tid, "status": status, "created_at": created, "video_id": "v" + tid,
                                "system_metadata": {"filename": filename}})


def test_lookup_since_uses_server_date_and_elapsed() -> None:
    assert lookup_since("Thu, 01 Jan 2026 00:01:00 GMT", elapsed=10.0) == pytest.approx(T0 + 60 - 10 - 5)
    assert lookup_since(None, elapsed=1.0) is None
    assert lookup_since("garbage", elapsed=1.0) is None


def test_recent_candidates_filters_by_filename_only() -> None:
    tasks = [task("a", "2026-01-01T00:00:58Z"), task("b", "2026-01-01T00:00:10Z"),
             task("c", "2026-01-01T00:00:59Z", filename="other.mp4"), task("d", "")]
    assert [t.id for t in recent_candidates(tasks, filename="fox.mp4")] == ["a", "b", "d"]
    assert [t.id for t in recent_candidates(tasks, filename=None)] == ["a", "b", "c", "d"]
    assert len(recent_candidates([task(str(i), "") for i in range(20)], filename=None)) == 5


def test_pick_recovered_task() -> None:
    a, b = task("a", "2026-01-01T00:00:58Z"), task("b", "2026-01-01T00:00:10Z")
    since = T0 + 45
    assert pick_recovered_task([(a, False), (b, True)], since=None, by_filename=False).id == "b"  # a token match wins
    assert pick_recovered_task([(a, False)], since=since, by_filename=True) is None  # verified mismatch: upload again
    assert pick_recovered_task([], since=since, by_filename=True) is None
    assert pick_recovered_task([(a, None)], since=since, by_filename=True).id == "a"  # lone, recent, same name
    assert pick_recovered_task([(a, False), (b, None)], since=since, by_filename=True) is None  # b predates the upload
    with pytest.raises(APIConnectionError, match="not uploading again"):
        pick_recovered_task([(a, None)], since=None, by_filename=True)  # no clock: cannot tell
    with pytest.raises(APIConnectionError):
        pick_recovered_task([(a, None)], since=since, by_filename=False)  # URL uploads need the token
    with pytest.raises(APIConnectionError):
        pick_recovered_task([(a, None), (task("c", "2026-01-01T00:00:59Z"), None)], since=since, by_filename=True)


def etask(tid: str, url: str | None = None, name: str | None = None,
          created: str = "2026-01-01T00:01:00Z") -> EmbeddingTask:
    return EmbeddingTask.model_validate({"_id": tid, "status": "processing", "created_at": created,
                                         "video_embedding": {"metadata": {"input_url": url, "input_filename": name}}})


def test_pick_embed_task() -> None:
    tasks = [etask("a", url="http://x/1.mp4"), etask("b", name="fox.mp4"),
             etask("c", name="fox.mp4", created="2025-01-01T00:00:00Z")]
    since = T0 + 30
    assert pick_embed_task(tasks, filename=None, url="http://x/1.mp4", since=since).id == "a"
    assert pick_embed_task(tasks, filename="fox.mp4", url=None, since=since).id == "b"
    assert pick_embed_task(tasks, filename="dog.mp4", url=None, since=since) is None
    assert pick_embed_task(tasks, filename="dog.mp4", url=None, since=None) is None
    with pytest.raises(APIConnectionError):
        pick_embed_task(tasks + [etask("d", name="fox.mp4")], filename="fox.mp4", url=None, since=since)
    with pytest.raises(APIConnectionError):  # a match whose time cannot be checked is not trusted
        pick_embed_task(tasks, filename="fox.mp4", url=None, since=None)
