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
        assert len(embeddings.embed_query("a fox")) == 1024
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
