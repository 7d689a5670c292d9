"""Bounded-concurrency helpers: run many calls with at most N in flight, backing off on 429.

Results keep the input order. When a call still gets a 429 after the client's own retries, every
worker pauses until the server's ``Retry-After`` (or a backoff) has passed, then the call is
repeated (up to ``rate_limit_retries`` times). The first other error stops the batch and is
raised, unless ``return_exceptions=True`` (then errors take the place of results).

```python
vectors = await client.embed.create_many(texts=["a fox", "a dog"], model_name="marengo3.0", max_concurrency=8)
```
"""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import Any, TypeVar

import anyio

from ._exceptions import RateLimitError, TwelveLabsError
from ._policy import retry_delay

__all__ = ["run_bounded", "arun_bounded"]

T = TypeVar("T")
R = TypeVar("R")

RATE_LIMIT_RETRIES = 6


def _pause_for(exc: RateLimitError, attempt: int) -> float:
    if exc.retry_after is not None:
        return exc.retry_after
    return retry_delay(attempt, None, time.time())


def _rate_limit_pause(exc: TwelveLabsError, attempt: int, rate_limit_retries: int) -> float | None:
    """After an item failed with ``exc``: seconds to hold every worker back before retrying it (a 429 with
    retries left), or None when the item has failed for good."""
    if isinstance(exc, RateLimitError) and attempt < rate_limit_retries:
        return _pause_for(exc, attempt)
    return None


def _check(max_concurrency: int) -> None:
    if isinstance(max_concurrency, bool) or not isinstance(max_concurrency, int) or max_concurrency < 1:
        raise ValueError(f"max_concurrency must be an int >= 1, got {max_concurrency!r:.40}; "
                         "pass e.g. max_concurrency=4")


def run_bounded(
    items: Sequence[T],
    fn: Callable[[T], R],
    *,
    max_concurrency: int,
    sleep: Callable[[float], Any],
    return_exceptions: bool = False,
    rate_limit_retries: int = RATE_LIMIT_RETRIES,
) -> list[Any]:
    """Call ``fn`` on every item from at most ``max_concurrency`` threads; results in input order."""
    _check(max_concurrency)
    results: list[Any] = [None] * len(items)
    lock = threading.Lock()
    resume_at = [0.0]
    stop = threading.Event()

    def one(i: int) -> None:
        attempt = 0
        while not stop.is_set():
            with lock:
                pause = resume_at[0] - time.monotonic()
            if pause > 0:
                sleep(pause)
            try:
                results[i] = fn(items[i])
                return
            except TwelveLabsError as exc:
                hold = _rate_limit_pause(exc, attempt, rate_limit_retries)
                if hold is not None:
                    with lock:
                        resume_at[0] = max(resume_at[0], time.monotonic() + hold)
                    attempt += 1
                    continue
                results[i] = exc
                if not return_exceptions:
                    stop.set()
                    raise
                return

    if not items:
        return []
    with ThreadPoolExecutor(max_workers=min(max_concurrency, len(items)), thread_name_prefix="tlrag-bulk") as pool:
        futures = [pool.submit(one, i) for i in range(len(items))]
        done, _ = wait(futures, return_when=FIRST_EXCEPTION)
        for fut in futures:
            if fut.done() and fut.exception() is not None:
                stop.set()
                for other in futures:
                    other.cancel()
                raise fut.exception()  # type: ignore[misc]
    return results


async def arun_bounded(
    items: Sequence[T],
    fn: Callable[[T], Awaitable[R]],
    *,
    max_concurrency: int,
    sleep: Callable[[float], Awaitable[Any]],
    return_exceptions: bool = False,
    rate_limit_retries: int = RATE_LIMIT_RETRIES,
) -> list[Any]:
    """Await ``fn`` on every item with at most ``max_concurrency`` in flight; results in input order."""
    _check(max_concurrency)
    results: list[Any] = [None] * len(items)
    limiter = anyio.Semaphore(max_concurrency)
    resume_at = [0.0]
    failure: list[BaseException] = []

    async def one(i: int, scope: anyio.CancelScope) -> None:
        attempt = 0
        async with limiter:
            while True:
                pause = resume_at[0] - time.monotonic()
                if pause > 0:
                    await sleep(pause)
                try:
                    results[i] = await fn(items[i])
                    return
                except TwelveLabsError as exc:
                    hold = _rate_limit_pause(exc, attempt, rate_limit_retries)
                    if hold is not None:
                        resume_at[0] = max(resume_at[0], time.monotonic() + hold)
                        attempt += 1
                        continue
                    results[i] = exc
                    if not return_exceptions:
                        failure.append(exc)
                        scope.cancel()
                    return
                except Exception as exc:  # not an API error: raised as is, like the sync twin (no ExceptionGroup)
                    failure.append(exc)
                    scope.cancel()
                    return

    async with anyio.create_task_group() as tg:
        for i in range(len(items)):
            tg.start_soon(one, i, tg.cancel_scope)
    if failure:
        raise failure[0]
    return results
