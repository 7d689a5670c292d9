"""Client construction: settings from env, nothing on the network until first use, loop-aware async clients."""

from __future__ import annotations

import asyncio
from contextlib import ExitStack, closing

from langchain_twelvelabs import ChatTwelveLabsPegasus, TwelveLabsEmbeddings, TwelveLabsSearchRetriever
from twelvelabs_rag.testing import FakeTwelveLabs, serve


def test_settings_from_env_and_lazy_clients_over_loopback(monkeypatch) -> None:
    fake = FakeTwelveLabs(api_keys=["tlk_secret_123"])
    with serve(fake) as base_url, ExitStack() as stack:
        monkeypatch.setenv("TWELVELABS_API_KEY", "tlk_secret_123")
        monkeypatch.setenv("TWELVELABS_BASE_URL", base_url)
        embeddings = stack.enter_context(closing(TwelveLabsEmbeddings()))  # closes the client it builds
        TwelveLabsSearchRetriever(index_id="x")
        ChatTwelveLabsPegasus(video_id="v")
        assert fake.requests == []  # constructors never touch the network
        assert "tlk_secret_123" not in repr(embeddings) and "tlk_secret_123" not in str(embeddings.model_dump())
        assert len(embeddings.embed_query("a fox")) == 512
        # the async client is rebuilt for each new event loop (a second asyncio.run must work)
        first = asyncio.run(embeddings.aembed_query("a fox"))
        second = asyncio.run(embeddings.aembed_query("a fox"))
        assert first == second == embeddings.embed_query("a fox")


def test_wrong_key_is_a_typed_error_without_the_key_in_it(monkeypatch) -> None:
    import pytest

    from twelvelabs_rag import AuthenticationError

    fake = FakeTwelveLabs(api_keys=["tlk_good"])
    with serve(fake) as base_url:
        embeddings = TwelveLabsEmbeddings(api_key="tlk_bad_987", base_url=base_url)
        with closing(embeddings), pytest.raises(AuthenticationError) as info:
            embeddings.embed_query("a fox")
        assert "tlk_bad_987" not in str(info.value)


def test_close_and_aclose_close_only_the_clients_the_object_built(world) -> None:
    import pytest

    from langchain_twelvelabs import TwelveLabsVideoLoader

    fake = FakeTwelveLabs(api_keys=["tlk_close"])
    with serve(fake) as base_url:
        embeddings = TwelveLabsEmbeddings(api_key="tlk_close", base_url=base_url)
        built = embeddings._sync_client()
        assert len(embeddings.embed_query("a fox")) == 512
        embeddings.close()
        with pytest.raises(RuntimeError, match="closed"):
            list(built.indexes.list())
        assert len(embeddings.embed_query("a fox")) == 512  # usable again: a fresh client is built
        assert embeddings._sync_client() is not built
        embeddings.close()

        async def use_then_aclose() -> None:
            assert len(await embeddings.aembed_query("a fox")) == 512
            await embeddings.aclose()

        asyncio.run(use_then_aclose())

    given = world.client()
    retriever = TwelveLabsSearchRetriever(index_id=world.index_id, client=given)
    assert retriever.invoke("a fox")
    retriever.close()  # a client passed in stays the caller's
    assert list(given.indexes.list())
    loader = TwelveLabsVideoLoader(video_ids=["v"], index_id=world.index_id, client=given)
    loader.close()
    assert list(given.indexes.list())
    given.close()
