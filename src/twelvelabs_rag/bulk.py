"""Public bounded-concurrency helpers for code outside the client (framework packages).

``map_bounded(client, items, fn)`` runs ``fn`` over ``items`` with at most ``max_concurrency`` in
flight, in input order, through the same helper the client's own ``create_many`` uses
(:mod:`twelvelabs_rag._bulk`): a 429 that outlives the client's retries pauses *every* worker until
``Retry-After`` has passed, then the call is repeated, so a batch of embeddings backs off together
instead of hammering the API. ``amap_bounded`` is the async twin.

```python
from twelvelabs_rag.bulk import map_bounded
from twelvelabs_rag.testing import FakeTwelveLabs
client = FakeTwelveLabs().client()
assert map_bounded(client, [1, 2, 3], lambda x: x * 2, max_concurrency=2) == [2, 4, 6]
```
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from ._bulk import arun_bounded, run_bounded

__all__ = ["map_bounded", "amap_bounded"]

T = TypeVar("T")
R = TypeVar("R")


def map_bounded(client: Any, items: Sequence[T], fn: Callable[[T], R], *, max_concurrency: int = 8) -> list[R]:
    """``[fn(x) for x in items]`` on at most ``max_concurrency`` threads; the client's 429 pause is shared."""
    return run_bounded(list(items), fn, max_concurrency=max_concurrency, sleep=client._sleep)


async def amap_bounded(aclient: Any, items: Sequence[T], fn: Callable[[T], Awaitable[R]], *,
                       max_concurrency: int = 8) -> list[R]:
    """Async twin of :func:`map_bounded` (``aclient`` is an ``AsyncTwelveLabs``)."""
    return await arun_bounded(list(items), fn, max_concurrency=max_concurrency, sleep=aclient._sleep)
