"""The wait-loop decision shared by ``wait_until_done`` and ``await_until_done``."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from twelvelabs_rag._exceptions import TaskFailedError, WaitTimeoutError
from twelvelabs_rag._polling import _Waiter


def _clock(*times: float):
    it = iter(times)
    return lambda: next(it)


def test_ready_returns_none_without_reading_the_clock() -> None:
    waiter = _Waiter("t1", "task", 10.0, 2.0, _clock(0.0))  # only the start time is available
    assert waiter.after(SimpleNamespace(status="ready")) is None


@pytest.mark.parametrize(("now", "timeout", "expected"), [(1.0, None, 2.0), (1.0, 10.0, 2.0), (9.5, 10.0, 0.5)])
def test_pending_sleeps_the_interval_cut_to_the_deadline(now, timeout, expected) -> None:
    waiter = _Waiter("t1", "task", timeout, 2.0, _clock(0.0, now))
    assert waiter.after(SimpleNamespace(status="indexing")) == expected


def test_failed_raises_with_the_server_reason() -> None:
    waiter = _Waiter("e1", "embed", None, 1.0, _clock(0.0))
    item = SimpleNamespace(status="failed", model_extra={"error": {"message": "bad codec"}})
    with pytest.raises(TaskFailedError, match=r"Embedding task e1 failed: bad codec") as info:
        waiter.after(item)
    assert info.value.task is item


def test_deadline_raises_with_the_last_status() -> None:
    waiter = _Waiter("t2", "task", 5.0, 1.0, _clock(0.0, 5.0))
    with pytest.raises(WaitTimeoutError, match=r"Task t2 is still 'pending' after 5 s") as info:
        waiter.after(SimpleNamespace(status="pending"))
    assert info.value.last_status == "pending"
