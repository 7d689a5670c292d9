"""Base classes of the resources, the response parsers they share, and the plan drivers.

A *plan* is a generator holding the body of a method that both twins share. Where it needs I/O it
calls the resource (``res._client._request(spec)``, ``res.wait(...)``, ``res._offload(fn)``,
``res._prepare_file(...)``) and yields what that returns: on a sync resource that is already the
result, which :func:`run_plan` sends straight back; on an async resource it is an awaitable, which
:func:`arun_plan` awaits and sends back (or throws its exception into the plan at the ``yield``). So
each twin method is one line, ``return self._run(plan(self, ...))`` / ``return await self._run(...)``.

```python
def _plan(res, x):
    a = yield res.double(x)
    return a + 1

class Res(SyncResource):
    def double(self, x): return 2 * x
assert run_plan(_plan(Res(None), 3)) == 7
```
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Generator
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
import httpx
from pydantic import BaseModel, ValidationError

from .._bulk import arun_bounded, run_bounded
from .._config import check_poll_interval, check_wait_timeout
from .._exceptions import APIResponseValidationError, TwelveLabsError, safe_cause
from .._multipart import aprepare_file, prepare_file
from .._pagination import AsyncPage, SyncPage
from .._policy import next_page_params
from .._polling import await_until_done, wait_until_done
from .._request import RequestSpec, query_params
from ..types._base import ListPage

if TYPE_CHECKING:
    from .._client import AsyncTwelveLabs, TwelveLabs

__all__ = ["SyncResource", "AsyncResource", "parse_json", "parse_model", "validate", "check_id", "list_pager",
           "Plan", "run_plan", "arun_plan", "call_args"]

M = TypeVar("M", bound=BaseModel)
R = TypeVar("R")

#: A shared method body: yields what the resource's calls return, gets their results back.
Plan = Generator[Any, Any, R]


def run_plan(plan: Plan[R]) -> R:
    """Drive a plan on a sync resource: every yielded value already is the result."""
    try:
        value = next(plan)
        while True:
            value = plan.send(value)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]


async def arun_plan(plan: Plan[R]) -> R:
    """Drive a plan on an async resource: await every yielded awaitable, send back its result."""
    try:
        step = next(plan)
        while True:
            failure: BaseException | None = None
            try:
                value = await step
            except BaseException as exc:  # the plan sees the error where it yielded, like the sync twin
                failure = exc
            if failure is None:
                step = plan.send(value)
            else:  # thrown outside the except block, so errors the plan raises later are not chained to it
                step, failure = plan.throw(failure), None
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]


def parse_json(response: httpx.Response) -> Any:
    """The JSON body of a 2xx response (None for an empty body)."""
    content = response.content
    if not content:
        return None
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise APIResponseValidationError(
            f"{response.request.method} {response.request.url.path} answered {response.status_code} with a body "
            f"that is not JSON: {content[:80]!r}",
            response=response,
            body=content[:500],
        ) from safe_cause(exc, response)


def validate(model: type[M], data: Any, response: httpx.Response | None = None) -> M:
    """Validate parsed JSON into ``model``; shape errors become APIResponseValidationError."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        where = f"{response.request.method} {response.request.url.path} " if response is not None else ""
        raise APIResponseValidationError(
            f"{where}answered with a body that does not match {model.__name__}: {exc}", response=response, body=data
        ) from safe_cause(exc, response)


def parse_model(model: type[M], response: httpx.Response) -> M:
    """Parse a 2xx JSON response into ``model``."""
    return validate(model, parse_json(response), response)


def check_id(name: str, value: str) -> str:
    """Path ids must be non-empty strings (checked before any I/O)."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"Expected a non-empty string for `{name}`, got {value!r}")
    return value


def call_args(names: dict[str, Any]) -> dict[str, Any]:
    """A method's arguments from its ``locals()`` taken first thing (``self`` left out)."""
    return {k: v for k, v in names.items() if k != "self"}


class _Resource:
    _client: Any

    def _wait_args(self, task_id: str, kind: str, timeout: float | None, poll_interval: float | None,
                   on_progress: Any) -> dict[str, Any]:
        check_id("task_id", task_id)
        timeout = check_wait_timeout(timeout)  # bad values fail here, before the first poll
        interval = self._client.poll_interval if poll_interval is None else check_poll_interval(poll_interval)
        return {"task_id": task_id, "kind": kind, "timeout": timeout, "interval": interval, "on_progress": on_progress,
                "sleep": self._client._sleep, "clock": self._client._clock}

    def _use_preflight(self, preflight: bool | None) -> bool:
        """A call's ``preflight=`` wins; None means the client's setting."""
        return self._client.preflight if preflight is None else preflight


class SyncResource(_Resource):
    """A resource bound to a :class:`~twelvelabs_rag.TwelveLabs` client."""

    def __init__(self, client: TwelveLabs) -> None:
        self._client = client

    _prepare_file = staticmethod(prepare_file)

    def _run(self, plan: Plan[R]) -> R:
        return run_plan(plan)

    def _offload(self, fn: Callable[[], R]) -> R:
        """Run blocking work (media probes) right here."""
        return fn()

    def _list(self, path: str, params: dict[str, Any], item: type[BaseModel]) -> SyncPage[Any]:
        return list_pager(self, SyncPage, path, params, item)  # type: ignore[no-any-return]

    def _wait(self, fetch: Callable[[], R], task_id: str, kind: str, timeout: float | None,
              poll_interval: float | None, on_progress: Any) -> R:
        try:
            done: R = wait_until_done(fetch, **self._wait_args(task_id, kind, timeout, poll_interval, on_progress))
            return done
        except TwelveLabsError as exc:  # TaskFailedError quotes the server's failure text
            raise self._client._redact(exc) from exc.__cause__

    def _bounded(self, jobs: list[Any], fn: Callable[[Any], Any], max_concurrency: int,
                 return_exceptions: bool) -> list[Any]:
        return run_bounded(jobs, fn, max_concurrency=max_concurrency, sleep=self._client._sleep,
                           return_exceptions=return_exceptions)


class AsyncResource(_Resource):
    """A resource bound to an :class:`~twelvelabs_rag.AsyncTwelveLabs` client."""

    def __init__(self, client: AsyncTwelveLabs) -> None:
        self._client = client

    _prepare_file = staticmethod(aprepare_file)

    def _run(self, plan: Plan[R]) -> Awaitable[R]:
        return arun_plan(plan)

    def _offload(self, fn: Callable[[], R]) -> Awaitable[R]:
        """Run blocking work (media probes) in a worker thread, off the event loop."""
        return anyio.to_thread.run_sync(fn)

    def _list(self, path: str, params: dict[str, Any], item: type[BaseModel]) -> AsyncPage[Any]:
        return list_pager(self, AsyncPage, path, params, item)  # type: ignore[no-any-return]

    def _wait(self, fetch: Callable[[], Awaitable[R]], task_id: str, kind: str, timeout: float | None,
              poll_interval: float | None, on_progress: Any) -> Awaitable[R]:
        return _redacting(self._client, await_until_done(fetch, **self._wait_args(task_id, kind, timeout, poll_interval,
                                                                             on_progress)))

    def _bounded(self, jobs: list[Any], fn: Callable[[Any], Awaitable[Any]], max_concurrency: int,
                 return_exceptions: bool) -> Awaitable[list[Any]]:
        return arun_bounded(jobs, fn, max_concurrency=max_concurrency, sleep=self._client._sleep,
                            return_exceptions=return_exceptions)


async def _redacting(client: Any, waiting: Awaitable[R]) -> R:
    try:
        return await waiting
    except TwelveLabsError as exc:  # TaskFailedError quotes the server's failure text
        raise client._redact(exc) from exc.__cause__


def _page_params(params: dict[str, Any]) -> dict[str, Any]:
    # page=1 is sent explicitly, as the official SDK does (the wire oracle compares them).
    return {"page": 1, **{k: v for k, v in params.items() if v is not None}}


def list_pager(res: Any, page_cls: type, path: str, params: dict[str, Any], item: type[BaseModel]) -> Any:
    """A lazy ``SyncPage``/``AsyncPage`` (``page_cls``) over a ``page``-paged list endpoint of ``res``'s client."""
    page_model = ListPage[item]  # type: ignore[valid-type]

    def fetch(p: dict[str, Any]) -> Plan[Any]:
        page = parse_model(page_model, (yield res._client._request(RequestSpec("GET", path, params=query_params(p)))))
        return page.fetched_with(p)  # the page carries its own query, for the next page

    def following(page: Any) -> Plan[Any]:
        nxt = next_page_params(page.request_params, page.page_info.model_dump(), len(page.data))
        return None if nxt is None else (yield from fetch(nxt))

    return page_cls(lambda: res._run(fetch(_page_params(params))), lambda page: res._run(following(page)))
