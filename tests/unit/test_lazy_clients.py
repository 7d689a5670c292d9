"""LazyClients: given clients pass through, missing ones are built on first use (one async per loop)."""

from __future__ import annotations

import asyncio
import gc
import threading
import warnings

import pytest
from pydantic import SecretStr

from twelvelabs_rag import AsyncTwelveLabs, ConfigurationError, InternalServerError, LazyClients, TwelveLabs
from twelvelabs_rag.testing import FakeTwelveLabs, serve

KEY = "tlk_SUPERSECRET_lazy_0123"
URL = "http://emulator/v1.3"


@pytest.fixture(autouse=True)
def no_ambient_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TWELVELABS_API_KEY", "TWELVE_LABS_API_KEY", "TWELVELABS_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake() -> FakeTwelveLabs:
    return FakeTwelveLabs(api_keys=[KEY])


def lazy(fake: FakeTwelveLabs, *, async_side: bool = False, **kw) -> LazyClients:
    kw.setdefault("api_key", KEY)
    kw.setdefault("base_url", URL)
    transport = fake.async_transport() if async_side else fake.transport()
    return LazyClients(transport=transport, poll_interval=0, **kw)


def test_nothing_is_built_or_sent_before_first_use(fake: FakeTwelveLabs) -> None:
    clients = lazy(fake)
    assert fake.requests == [] and "client=lazy" in repr(clients)
    assert list(clients.sync.indexes.list()) == []
    assert [r.route for r in fake.requests] == ["GET /indexes"] and "client=built" in repr(clients)
    assert clients.sync is clients.sync
    clients.close()


def test_given_clients_are_used_as_is_and_stay_open(fake: FakeTwelveLabs) -> None:
    given = fake.client(api_key=KEY)
    given_async = fake.async_client(api_key=KEY)
    clients = LazyClients(client=given, async_client=given_async)
    assert clients.sync is given and clients.aio is given_async
    clients.close()
    assert list(given.indexes.list()) == []  # still open: it is the caller's to close
    given.close()


def test_key_and_base_url_come_from_argument_then_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWELVE_LABS_API_KEY", "tlk_alt")
    assert LazyClients().api_key == "tlk_alt"
    monkeypatch.setenv("TWELVELABS_API_KEY", "tlk_env")
    monkeypatch.setenv("TWELVELABS_BASE_URL", "http://127.0.0.1:9/v1.3")
    assert (LazyClients().api_key, LazyClients().base_url) == ("tlk_env", "http://127.0.0.1:9/v1.3")
    explicit = LazyClients(SecretStr("tlk_arg"), base_url="http://other/v1.3")
    assert (explicit.api_key, explicit.base_url) == ("tlk_arg", "http://other/v1.3")


def test_settings_are_read_once_at_construction(fake: FakeTwelveLabs, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWELVELABS_API_KEY", KEY)
    clients = LazyClients(base_url=URL, transport=fake.transport())
    monkeypatch.setenv("TWELVELABS_API_KEY", "tlk_changed_later")
    assert list(clients.sync.indexes.list()) == []  # the emulator accepts only KEY
    clients.close()


def test_missing_key_fails_on_first_use_with_the_clients_message() -> None:
    clients = LazyClients(base_url=URL)  # constructing never fails
    assert clients.api_key is None and not clients.can_build
    with pytest.raises(ConfigurationError, match="TWELVELABS_API_KEY"):
        _ = clients.sync  # the property access is what fails
    with pytest.raises(ConfigurationError, match="TWELVELABS_API_KEY"):
        asyncio.run(_aio(clients))


async def _aio(clients: LazyClients) -> AsyncTwelveLabs:
    return clients.aio


def test_the_key_never_appears_in_repr(fake: FakeTwelveLabs) -> None:
    clients = lazy(fake)
    _ = clients.sync  # builds the client, so its repr is the built one
    text = repr(clients)
    assert KEY not in text and "SUPERSECRET" not in text
    assert "base_url='http://emulator/v1.3'" in text
    clients.close()


def test_one_async_client_per_running_loop(fake: FakeTwelveLabs) -> None:
    clients = lazy(fake, async_side=True)

    async def use() -> AsyncTwelveLabs:
        first, second = clients.aio, clients.aio
        assert first is second
        assert [i async for i in first.indexes.list()] == []
        return first

    a, b = asyncio.run(use()), asyncio.run(use())
    assert a is not b and isinstance(a, AsyncTwelveLabs)


def test_tasks_of_one_loop_share_the_client(fake: FakeTwelveLabs) -> None:
    clients = lazy(fake, async_side=True)

    async def main() -> set[int]:
        async def one() -> int:
            await asyncio.sleep(0)
            return id(clients.aio)

        seen = set(await asyncio.gather(*(one() for _ in range(8))))
        assert "async_client=built" in repr(clients)
        await clients.aclose()
        return seen

    assert len(asyncio.run(main())) == 1


def test_threads_asking_at_once_get_one_sync_client(fake: FakeTwelveLabs) -> None:
    clients = lazy(fake)
    barrier, seen = threading.Barrier(8), []

    def ask() -> None:
        barrier.wait()
        seen.append(clients.sync)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(c) for c in seen}) == 1
    clients.close()


def test_close_closes_only_what_it_built(fake: FakeTwelveLabs) -> None:
    clients = lazy(fake)
    built = clients.sync
    clients.close()
    with pytest.raises(RuntimeError, match="closed"):
        list(built.indexes.list())
    again = clients.sync  # a closed holder builds afresh on the next use
    assert again is not built and list(again.indexes.list()) == []
    clients.close()


def test_aclose_closes_the_running_loops_client(fake: FakeTwelveLabs) -> None:
    clients = lazy(fake, async_side=True)

    async def main() -> None:
        built = clients.aio
        await clients.aclose()
        with pytest.raises(RuntimeError, match="closed"):
            [i async for i in built.indexes.list()]
        assert clients.aio is not built
        await clients.aclose()

    asyncio.run(main())


def test_a_loops_client_is_closed_when_that_loop_shuts_down(fake: FakeTwelveLabs) -> None:
    clients = lazy(fake, async_side=True)

    async def use() -> AsyncTwelveLabs:
        built = clients.aio
        assert [i async for i in built.indexes.list()] == []
        return built

    first = asyncio.run(use())  # asyncio.run finalises async generators before closing its loop
    with pytest.raises(RuntimeError, match="closed"):
        asyncio.run(_list(first))
    second = asyncio.run(use())
    assert second is not first and "async_client=built" in repr(clients)


async def _list(client: AsyncTwelveLabs) -> list:
    return [i async for i in client.indexes.list()]


def test_sockets_of_finished_loops_and_dropped_holders_are_closed_not_left_to_the_gc() -> None:
    fake = FakeTwelveLabs(api_keys=[KEY])
    with serve(fake) as base_url, warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        clients = LazyClients(KEY, base_url=base_url)
        for _ in range(3):  # a fresh loop per call, as frameworks do for sync paths
            assert asyncio.run(_list_with(clients)) == []
        assert list(clients.sync.indexes.list()) == []
        del clients  # dropped without close(), like a model built per call: its sync client closes too
        gc.collect()  # nothing left open: an unclosed socket would warn (an error here)


async def _list_with(clients: LazyClients) -> list:
    return await _list(clients.aio)


def test_build_missing_false_refuses_the_other_side(fake: FakeTwelveLabs) -> None:
    only_sync = LazyClients(KEY, client=fake.client(), build_missing=False, owner="MyRetriever")
    with pytest.raises(ConfigurationError, match="MyRetriever was given only a sync client"):
        asyncio.run(_aio(only_sync))
    only_async = LazyClients(KEY, async_client=fake.async_client(), build_missing=False, owner="MyReader")
    with pytest.raises(ConfigurationError, match="MyReader was given only an async_client"):
        _ = only_async.sync  # the property access is what fails
    assert not only_sync.can_build and not only_async.can_build


def test_build_missing_true_builds_the_other_side_from_the_key(fake: FakeTwelveLabs) -> None:
    given = fake.client(api_key=KEY)
    clients = LazyClients(KEY, base_url=URL, client=given, transport=fake.async_transport())
    assert clients.can_build

    async def main() -> AsyncTwelveLabs:
        built = clients.aio
        assert [i async for i in built.indexes.list()] == []
        await clients.aclose()
        return built

    assert isinstance(asyncio.run(main()), AsyncTwelveLabs) and clients.sync is given
    given.close()


def test_client_settings_reach_every_built_client(fake: FakeTwelveLabs) -> None:
    fake.fail_next("GET /indexes", 500)
    patient = lazy(fake, max_retries=None)  # None: the client's default (retries)
    assert list(patient.sync.indexes.list()) == []
    fake.fail_next("GET /indexes", 500)
    impatient = lazy(fake, max_retries=0)
    with pytest.raises(InternalServerError):
        list(impatient.sync.indexes.list())
    assert isinstance(patient.sync, TwelveLabs)
    patient.close()
    impatient.close()


def test_a_key_that_is_not_a_string_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="api_key must be a string"):
        LazyClients(12345)


@pytest.mark.parametrize("obj", ["module", "class"])
def test_docstring_examples_run(obj: str) -> None:
    import re
    import textwrap

    from twelvelabs_rag import _lazy

    doc = (_lazy if obj == "module" else _lazy.LazyClients).__doc__ or ""
    blocks = re.findall(r"```python\n(.*?)```", doc, re.S)
    assert blocks
    for block in blocks:
        exec(textwrap.dedent(block), {})  # our own docstring
