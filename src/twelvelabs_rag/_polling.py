"""Poll a task until it is ``ready`` (or ``failed``, or the timeout runs out).

The loops only fetch, call back, decide (``_policy.is_terminal`` / ``_policy.poll_delay``) and sleep
through the client's sleep seam. ``on_progress`` is called for every poll, the first included.

```python
task = client.tasks.wait(task_id, timeout=600, on_progress=lambda t: print(t.status))
```
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Literal, TypeVar

from ._exceptions import TaskFailedError, WaitTimeoutError
from ._policy import FAILED_STATUSES, is_terminal, poll_delay

__all__ = ["wait_until_done", "await_until_done"]

T = TypeVar("T")


def _failure_detail(item: Any) -> str:
    extra = getattr(item, "model_extra", None) or {}
    for key in ("error", "error_message", "message", "reason"):
        value = extra.get(key) or getattr(item, key, None)
        if value is not None and not isinstance(value, (str, dict)):
            value = value.model_dump() if hasattr(value, "model_dump") else str(value)
        if value:
            if isinstance(value, dict):
                value = value.get("message") or value
            return f": {value}"
    return ""


def _failed(item: Any, task_id: str, what: str) -> TaskFailedError:
    if getattr(item, "status", None) == "canceled":
        return TaskFailedError(f"{what} {task_id} was canceled{_failure_detail(item)}; create a new task to run it "
                               "again.", task_id=task_id, task=item)
    return TaskFailedError(
        f"{what} {task_id} failed{_failure_detail(item)}. Check the media against the API limits "
        "(resolution, duration, size, format) and create a new task.",
        task_id=task_id,
        task=item,
    )


def _timed_out(task_id: str, what: str, timeout: float | None, status: str | None) -> WaitTimeoutError:
    return WaitTimeoutError(
        f"{what} {task_id} is still {status!r} after {timeout:g} s; it keeps running on the server. "
        "Call wait() again or pass a larger timeout=...",
        task_id=task_id,
        last_status=status,
    )


class _Waiter:
    """The wait-loop decisions shared by both twins: after each poll, return, raise or sleep how long."""

    __slots__ = ("task_id", "kind", "what", "timeout", "interval", "clock", "start")

    def __init__(self, task_id: str, kind: Literal["task", "embed", "analyze"], timeout: float | None,
                 interval: float, clock: Callable[[], float]) -> None:
        self.task_id, self.kind, self.timeout, self.interval, self.clock = task_id, kind, timeout, interval, clock
        self.what = {"task": "Task", "embed": "Embedding task", "analyze": "Analyze task"}[kind]
        self.start = clock()

    def after(self, item: Any) -> float | None:
        """None when ``item`` is ready; else seconds to sleep. Raises TaskFailedError / WaitTimeoutError."""
        status = getattr(item, "status", None)
        if is_terminal(status, kind=self.kind):
            if status in FAILED_STATUSES:
                raise _failed(item, self.task_id, self.what)
            return None
        delay = poll_delay(interval=self.interval, elapsed=self.clock() - self.start, timeout=self.timeout)
        if delay is None:
            raise _timed_out(self.task_id, self.what, self.timeout, status)
        return delay


def wait_until_done(
    fetch: Callable[[], T],
    *,
    task_id: str,
    kind: Literal["task", "embed", "analyze"],
    timeout: float | None,
    interval: float,
    on_progress: Callable[[T], Any] | None,
    sleep: Callable[[float], Any],
    clock: Callable[[], float],
) -> T:
    """Fetch until terminal; return the ready item or raise TaskFailedError / WaitTimeoutError."""
    waiter = _Waiter(task_id, kind, timeout, interval, clock)
    while True:
        item = fetch()
        if on_progress is not None:
            on_progress(item)
        delay = waiter.after(item)
        if delay is None:
            return item
        sleep(delay)


async def await_until_done(
    fetch: Callable[[], Awaitable[T]],
    *,
    task_id: str,
    kind: Literal["task", "embed", "analyze"],
    timeout: float | None,
    interval: float,
    on_progress: Callable[[T], Any] | None,
    sleep: Callable[[float], Awaitable[Any]],
    clock: Callable[[], float],
) -> T:
    """Async twin of :func:`wait_until_done`; ``on_progress`` may be sync or async."""
    waiter = _Waiter(task_id, kind, timeout, interval, clock)
    while True:
        item = await fetch()
        if on_progress is not None:
            result = on_progress(item)
            if isinstance(result, Awaitable):
                await result
        delay = waiter.after(item)
        if delay is None:
            return item
        await sleep(delay)
