"""Tables for the pure decisions of a multipart upload: chunking, URL/report batches, chunk retries,
which session to resume, and the size rules shared with the emulator."""

from __future__ import annotations

from types import SimpleNamespace as NS

import pytest

from twelvelabs_rag._limits import GB, MB, asset_limits, asset_upload_method
from twelvelabs_rag.resources._multipart_plan import (
    FINGERPRINT_KEY,
    MAX_BATCH,
    SESSION_KEY,
    Chunk,
    UploadState,
    chunk_plan,
    decide_chunk,
    pick_resume,
    url_batches,
)


@pytest.mark.parametrize(("total", "size", "expected"), [
    (1, 5, [(1, 0, 1)]),
    (5, 5, [(1, 0, 5)]),
    (6, 5, [(1, 0, 5), (2, 5, 1)]),
    (10, 4, [(1, 0, 4), (2, 4, 4), (3, 8, 2)]),
    (12, 4, [(1, 0, 4), (2, 4, 4), (3, 8, 4)]),
])
def test_chunk_plan_cuts_at_exactly_chunk_size(total: int, size: int, expected: list[tuple[int, int, int]]) -> None:
    chunks = chunk_plan(total, size)
    assert [(c.index, c.offset, c.length) for c in chunks] == expected
    assert sum(c.length for c in chunks) == total


@pytest.mark.parametrize(("total", "size"), [(0, 5), (5, 0), (-1, 5)])
def test_chunk_plan_rejects_nonsense(total: int, size: int) -> None:
    with pytest.raises(ValueError, match="must be positive"):
        chunk_plan(total, size)


@pytest.mark.parametrize(("indexes", "expected"), [
    ([], []),
    ([3], [(3, 1)]),
    ([1, 2, 3], [(1, 3)]),
    ([3, 1, 2, 2], [(1, 3)]),
    ([1, 2, 5, 6, 9], [(1, 2), (5, 2), (9, 1)]),
    (list(range(1, 121)), [(1, 50), (51, 50), (101, 20)]),
])
def test_url_batches_are_contiguous_and_at_most_50(indexes: list[int], expected: list[tuple[int, int]]) -> None:
    assert url_batches(indexes) == expected
    assert all(count <= MAX_BATCH for _, count in expected)


@pytest.mark.parametrize(("attempt", "status", "failure", "etag", "kind"), [
    (0, 200, None, True, "done"),
    (3, 200, None, True, "done"),
    (0, 200, None, False, "raise"),   # S3 always sends an ETag: without it there is no proof to report
    (0, 500, None, False, "retry"),
    (0, 503, None, False, "retry"),
    (1, 429, None, False, "retry"),
    (0, 408, None, False, "retry"),
    (0, None, "dropped", False, "retry"),
    (0, None, "timeout", False, "retry"),   # a PUT of the same bytes is idempotent: safe to repeat
    (0, None, "connect", False, "retry"),
    (0, 403, None, False, "refresh"),  # expired presigned URL
    (2, 403, None, False, "raise"),
    (2, 500, None, False, "raise"),
    (2, None, "dropped", False, "raise"),
    (0, 400, None, False, "raise"),
    (0, 404, None, False, "raise"),
])
def test_decide_chunk(attempt: int, status: int | None, failure: str | None, etag: bool, kind: str) -> None:
    action = decide_chunk(attempt, 2, status=status, failure=failure, has_etag=etag)
    assert action.kind == kind
    if kind == "retry":
        assert 0 < action.delay <= 8.0
    if kind == "raise":
        assert action.reason


def test_retry_delay_backs_off() -> None:
    delays = [decide_chunk(a, 10, status=500, failure=None, has_etag=False).delay for a in range(6)]
    assert delays == sorted(delays) and delays[0] < delays[-1] and delays[-1] <= 8.0


def _session(uid: str, size: int, status: str = "active") -> NS:
    return NS(upload_id=uid, total_size=size, status=status, chunk_size=5, total_chunks=2)


def _asset(aid: str, fp: str | None, session: str | None) -> NS:
    meta = {k: v for k, v in ((FINGERPRINT_KEY, fp), (SESSION_KEY, session)) if v is not None}
    return NS(id=aid, user_metadata=meta)


@pytest.mark.parametrize(("sessions", "assets", "expected"), [
    ([_session("u1", 10)], [_asset("a1", "fp", "u1")], ("u1", "a1")),
    ([_session("u1", 10)], [_asset("a1", "other", "u1")], None),          # another file
    ([_session("u1", 11)], [_asset("a1", "fp", "u1")], None),             # another size
    ([_session("u1", 10, "expired")], [_asset("a1", "fp", "u1")], None),  # not resumable
    ([_session("u1", 10)], [_asset("a1", "fp", None)], None),             # never linked to a session
    ([_session("u1", 10), _session("u2", 10)], [_asset("a0", "fp", "gone"), _asset("a2", "fp", "u2")], ("u2", "a2")),
    ([], [_asset("a1", "fp", "u1")], None),
])
def test_pick_resume(sessions: list[NS], assets: list[NS], expected: tuple[str, str] | None) -> None:
    got = pick_resume(sessions, assets, total_size=10, fingerprint="fp")
    assert (None if got is None else (got[0].upload_id, got[1].id)) == expected


def test_state_reports_in_batches_and_tracks_confirmed() -> None:
    state = UploadState("u", total_size=23, chunk_size=5, report_every=2)
    assert [c.index for c in state.missing()] == [1, 2, 3, 4, 5]
    assert state.chunk_sent(Chunk(1, 0, 5), '"e1"') is None
    batch = state.chunk_sent(Chunk(3, 10, 5), "e3")
    assert batch == [{"chunk_index": 1, "proof": "e1", "proof_type": "etag", "chunk_size": 5},
                     {"chunk_index": 3, "proof": "e3", "proof_type": "etag", "chunk_size": 5}]
    state.reported(batch, NS(asset_id="a", url=None))
    assert [c.index for c in state.missing()] == [2, 4, 5] and not state.complete
    state.chunk_sent(Chunk(5, 20, 3), "e5")
    assert state.take_all() == [[{"chunk_index": 5, "proof": "e5", "proof_type": "etag", "chunk_size": 3}]]
    assert state.take_all() == [] and state.sent_bytes == 13


def test_state_final_reports_are_split_at_50() -> None:
    state = UploadState("u", total_size=120, chunk_size=1, report_every=1000)
    for c in state.chunks:
        assert state.chunk_sent(c, "e") is None
    assert [len(b) for b in state.take_all()] == [50, 50, 20]


@pytest.mark.parametrize(("size", "kind", "method", "code"), [
    (200 * MB, "video", "direct", None),
    (200 * MB + 1, "video", "direct", "asset_filesize_too_large"),
    (200 * MB + 1, "video", "multipart", None),
    (10 * GB, "video", "multipart", None),
    (10 * GB + 1, "audio", "multipart", "asset_filesize_too_large"),
    (32 * MB, "image", "direct", None),
    (32 * MB + 1, "image", "multipart", "asset_filesize_too_large"),
    (0, "video", "direct", "parameter_invalid"),
    (None, "video", "direct", None),
])
def test_asset_limits(size: int | None, kind: str, method: str, code: str | None) -> None:
    problem = asset_limits(size, kind, method=method)
    assert (problem[0] if problem else None) == code
    if problem:
        assert any(w in problem[1] for w in ("MB", "GB", "empty"))  # names the size or the problem


@pytest.mark.parametrize(("size", "method"), [(1, "direct"), (200 * MB, "direct"), (200 * MB + 1, "multipart"),
                                              (5 * GB, "multipart")])
def test_upload_method_by_size(size: int, method: str) -> None:
    assert asset_upload_method(size) == method


@pytest.mark.parametrize(("size", "name", "method", "chosen"), [
    (10, "a.mp4", "auto", "direct"), (300 * MB, "a.mp4", "auto", "multipart"), (10, "a.mp4", "multipart", "multipart")])
def test_check_asset_size_picks_the_method(size: int, name: str, method: str, chosen: str) -> None:
    from twelvelabs_rag._preflight import check_asset_size

    assert check_asset_size(size, name, method=method) == chosen


def test_check_asset_size_reads_the_kind_from_the_name() -> None:
    from twelvelabs_rag import PreflightError
    from twelvelabs_rag._preflight import check_asset_size

    assert check_asset_size(40 * MB, "clip.mp4") == "direct"
    with pytest.raises(PreflightError, match="32 MB") as refused:
        check_asset_size(40 * MB, "photo.png")
    assert refused.value.code == "asset_filesize_too_large" and "preflight=False" in str(refused.value)
