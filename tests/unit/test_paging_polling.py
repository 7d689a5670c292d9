"""Paging and polling decisions, and the wire encoding helpers."""

from __future__ import annotations

import pytest

from twelvelabs_rag._policy import is_terminal, next_page_params, poll_delay
from twelvelabs_rag._request import form_fields, query_params


@pytest.mark.parametrize(
    ("params", "info", "n", "expected"),
    [
        ({}, {"page": 1, "total_page": 3}, 10, {"page": 2}),
        ({"page": 2, "page_limit": 5}, {"page": 2, "total_page": 3}, 5, {"page": 3, "page_limit": 5}),
        ({"page": 3}, {"page": 3, "total_page": 3}, 5, None),  # last page by total_page: no extra request
        ({"page": 4}, {"page": 4, "total_page": 3}, 0, None),
        ({}, {"page": 1, "total_page": 0}, 10, {"page": 2}),  # unknown total: keep going until empty
        ({"page": 7}, {}, 10, {"page": 8}),  # the page we asked for wins over a missing page_info
        ({"page": 2}, {"page": 1}, 10, {"page": 3}),
        ({}, {"page": 1, "total_page": 9}, 0, None),  # empty page ends the walk
    ],
)
def test_next_page_params(params: dict, info: dict, n: int, expected: dict | None) -> None:
    assert next_page_params(params, info, n) == expected


@pytest.mark.parametrize(
    ("status", "kind", "expected"),
    [
        ("ready", "task", True), ("failed", "task", True), ("indexing", "task", False), ("validating", "task", False),
        ("pending", "task", False), ("queued", "task", False), (None, "task", False),
        ("ready", "embed", True), ("failed", "embed", True), ("processing", "embed", False),
    ],
)
def test_is_terminal(status: str | None, kind: str, expected: bool) -> None:
    assert is_terminal(status, kind=kind) is expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("interval", "elapsed", "timeout", "expected"),
    [
        (5.0, 0.0, None, 5.0),
        (5.0, 100.0, None, 5.0),
        (5.0, 0.0, 60.0, 5.0),
        (5.0, 58.0, 60.0, 2.0),  # the last sleep lands on the deadline
        (5.0, 60.0, 60.0, None),
        (5.0, 61.0, 60.0, None),
        (0.0, 1.0, 60.0, 0.0),
        (-1.0, 0.0, None, 0.0),
        (5.0, 0.0, 0.0, None),
    ],
)
def test_poll_delay(interval: float, elapsed: float, timeout: float | None, expected: float | None) -> None:
    assert poll_delay(interval=interval, elapsed=elapsed, timeout=timeout) == expected


def test_form_fields_encoding() -> None:
    got = form_fields([("index_id", "i1"), ("video_url", None), ("enable_video_stream", False),
                       ("search_options", ["visual", "audio"]), ("page_limit", 5), ("threshold", 0.5),
                       ("user_metadata", {"a": 1, "b": None}), ("include_user_metadata", True)])
    assert got == [("index_id", "i1"), ("enable_video_stream", "false"), ("search_options", "visual"),
                   ("search_options", "audio"), ("page_limit", "5"), ("threshold", "0.5"),
                   ("user_metadata", '{"a":1,"b":null}'), ("include_user_metadata", "true")]


def test_query_params_encoding() -> None:
    got = query_params({"status": ["ready", "indexing"], "transcription": True, "page": None,
                        "duration": {"gte": 1, "lte": 100}, "filename": "a b.mp4"})
    assert got == [("status", "ready"), ("status", "indexing"), ("transcription", "true"),
                   ("duration[gte]", "1"), ("duration[lte]", "100"), ("filename", "a b.mp4")]
