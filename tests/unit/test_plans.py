"""The plan drivers that let a sync and an async resource share one method body."""

from __future__ import annotations

from typing import Any

import pytest

from twelvelabs_rag.resources._resource import AsyncResource, SyncResource, arun_plan, call_args, run_plan


class Boom(Exception):
    pass


class _Sync(SyncResource):
    def double(self, x: int) -> int:
        if x < 0:
            raise Boom(x)
        return 2 * x


class _Async(AsyncResource):
    async def double(self, x: int) -> int:
        if x < 0:
            raise Boom(x)
        return 2 * x


def _plan(res: Any, xs: list[int]) -> Any:
    seen = []
    for x in xs:
        try:
            seen.append((yield res.double(x)))
        except Boom as exc:
            seen.append(f"caught {exc.args[0]}")
    return seen


def _uncaught(res: Any) -> Any:
    yield res.double(1)
    yield res.double(-7)
    return "not reached"


def test_sync_driver_sends_results_and_errors_surface_at_the_call() -> None:
    res = _Sync(None)  # type: ignore[arg-type]
    assert run_plan(_plan(res, [1, -2, 3])) == [2, "caught -2", 6]
    assert res._run(_plan(res, [])) == []
    with pytest.raises(Boom):
        run_plan(_uncaught(res))


async def test_async_driver_awaits_and_throws_errors_in_at_the_yield() -> None:
    res = _Async(None)  # type: ignore[arg-type]
    assert await arun_plan(_plan(res, [1, -2, 3])) == [2, "caught -2", 6]
    assert await res._run(_plan(res, [5])) == [10]
    with pytest.raises(Boom):
        await arun_plan(_uncaught(res))


async def test_offload_runs_in_place_or_in_a_thread() -> None:
    import threading

    main = threading.get_ident()
    assert _Sync(None)._offload(threading.get_ident) == main  # type: ignore[arg-type]
    assert await _Async(None)._offload(threading.get_ident) != main  # type: ignore[arg-type]


def test_call_args_drops_self() -> None:
    def method(self: object, a: int, *, b: int = 2) -> dict[str, Any]:
        return call_args(locals())

    assert method(object(), 1) == {"a": 1, "b": 2}


def _recovers_then_fails(res: Any) -> Any:
    try:
        yield res.double(-1)
    except Boom:
        pass
    raise ValueError("later")


async def test_a_later_error_is_not_chained_to_one_the_plan_handled() -> None:
    with pytest.raises(ValueError) as sync_info:
        run_plan(_recovers_then_fails(_Sync(None)))  # type: ignore[arg-type]
    with pytest.raises(ValueError) as async_info:
        await arun_plan(_recovers_then_fails(_Async(None)))  # type: ignore[arg-type]
    assert sync_info.value.__context__ is None and async_info.value.__context__ is None
