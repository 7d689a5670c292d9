"""Run the oracle's code strings (written for the sync client) on our *async* client.

``blocking(async_client, run)`` wraps the client so that ``client.assets.list(...)``,
``client.analyze(..., stream=True)`` and the like behave like the sync twin: coroutines are run to
completion by ``run`` (one event loop's ``run_until_complete``), async pagers, streams and iterators
are drained by ``iter()``/``list()``/``next()``. It only forwards: every request is made by the async
resource itself, so the oracle compares what the async twin sends.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["blocking"]

_PLAIN = (str, bytes, int, float, bool, type(None), list, tuple, dict)


class _Blocking:
    def __init__(self, target: Any, run: Callable[[Any], Any]) -> None:
        self._target, self._run = target, run

    def __getattr__(self, name: str) -> Any:
        return _wrap(getattr(self._target, name), self._run)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        result = self._target(*args, **kwargs)
        if inspect.isawaitable(result) and not hasattr(result, "__aiter__"):
            result = self._run(result)
        return _wrap(result, self._run)

    def __iter__(self) -> Iterator[Any]:
        if not hasattr(self._target, "__aiter__"):
            yield from self._target
            return
        it = self._target.__aiter__()
        while True:
            try:
                yield self._run(it.__anext__())
            except StopAsyncIteration:
                return


def _wrap(value: Any, run: Callable[[Any], Any]) -> Any:
    if isinstance(value, _PLAIN) or not (callable(value) or hasattr(value, "__aiter__") or _is_resource(value)):
        return value
    return _Blocking(value, run)


def _is_resource(value: Any) -> bool:
    return type(value).__module__.startswith("twelvelabs_rag.resources")


def blocking(async_client: Any, run: Callable[[Any], Any]) -> Any:
    """The async client behind the sync client's call shapes (see the module docstring)."""
    return _Blocking(async_client, run)
