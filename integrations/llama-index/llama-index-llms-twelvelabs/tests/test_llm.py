"""TwelveLabsPegasus against the emulator: complete, stream, async, chat, structured output, errors."""

from __future__ import annotations

import asyncio

import pytest
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.llms.custom import CustomLLM
from llama_index.core.prompts import PromptTemplate
from llama_index.llms.twelvelabs import PROMPT_TOKEN_LIMIT, TwelveLabsPegasus
from pydantic import BaseModel

from twelvelabs_rag import ConfigurationError, NotFoundError
from twelvelabs_rag.testing import FakeTwelveLabs


class Scene(BaseModel):
    start: float
    end: float
    description: str


class Scenes(BaseModel):
    scenes: list[Scene]


@pytest.fixture
def llm(library, client, aclient) -> TwelveLabsPegasus:
    return TwelveLabsPegasus(library["wildlife.mp4"], client=client, async_client=aclient)


def test_is_a_custom_llm_with_honest_metadata(llm, client) -> None:
    assert CustomLLM in TwelveLabsPegasus.__mro__
    meta = llm.metadata
    assert meta.is_chat_model is False and meta.is_function_calling_model is False
    assert meta.model_name == "pegasus1.2"
    assert meta.num_output == 4096
    assert meta.context_window - meta.num_output == PROMPT_TOKEN_LIMIT
    small = TwelveLabsPegasus(llm.video_id, client=client, max_tokens=300)
    assert (small.metadata.num_output, small.metadata.context_window) == (300, PROMPT_TOKEN_LIMIT + 300)


def test_complete(llm, fake) -> None:
    out = llm.complete("Which animal is fishing?")
    assert "bear" in out.text
    assert out.additional_kwargs["finish_reason"] == "stop"
    assert out.additional_kwargs["usage"]["output_tokens"] > 0
    body = fake.calls("POST /analyze")[-1].json
    assert body["video_id"] == llm.video_id and body["stream"] is False
    assert body["model_name"] == "pegasus1.2" and body["prompt"] == "Which animal is fishing?"


def test_completion_to_prompt_applies_unless_formatted(library, client, fake) -> None:
    llm = TwelveLabsPegasus(library["wildlife.mp4"], client=client, completion_to_prompt=lambda p: f"Q: {p}")
    llm.complete("fox?")
    llm.complete("fox?", formatted=True)
    prompts = [r.json["prompt"] for r in fake.calls("POST /analyze")]
    assert prompts == ["Q: fox?", "fox?"]


def test_stream_complete_accumulates_text_and_deltas(llm, fake) -> None:
    full = llm.complete("Describe the video.").text
    chunks = list(llm.stream_complete("Describe the video."))
    deltas = [c.delta for c in chunks]
    assert len(chunks) > 3 and all(d is not None for d in deltas)
    assert "".join(deltas) == chunks[-1].text == full
    assert all(chunks[i].text == "".join(deltas[: i + 1]) for i in range(len(chunks)))
    assert chunks[-1].additional_kwargs["finish_reason"] == "stop"
    assert fake.calls("POST /analyze")[-1].json["stream"] is True


async def test_async_complete_and_stream(llm) -> None:
    sync = llm.complete("Which animal is fishing?").text
    assert (await llm.acomplete("Which animal is fishing?")).text == sync
    deltas = [c.delta async for c in await llm.astream_complete("Which animal is fishing?")]
    assert "".join(deltas) == sync


async def test_async_does_not_block_the_loop(llm, fake, loop_free) -> None:
    fake.add_latency("POST /analyze", 0.1)
    _, free = await loop_free(llm.acomplete("a"))
    assert free
    await asyncio.gather(llm.acomplete("a"), llm.acomplete("b"))
    calls = fake.calls("POST /analyze")
    assert calls[-1].started_at < calls[-2].ended_at  # the two calls overlapped


def test_chat_goes_through_messages_to_prompt(llm) -> None:
    reply = llm.chat([ChatMessage(role="user", content="Which animal is fishing?")])
    assert "bear" in reply.message.content


async def test_achat_and_astream_chat(llm) -> None:
    msgs = [ChatMessage(role="user", content="Which animal is fishing?")]
    reply = await llm.achat(msgs)
    streamed = [c.delta async for c in await llm.astream_chat(msgs)]
    assert "".join(streamed) == reply.message.content


def test_structured_predict_uses_json_schema(llm, fake) -> None:
    out = llm.structured_predict(Scenes, PromptTemplate("List the scenes about {topic}."), topic="animals")
    assert isinstance(out, Scenes) and out.scenes
    assert any("bear" in s.description for s in out.scenes)
    body = fake.calls("POST /analyze")[-1].json
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["properties"]["scenes"]["type"] == "array"
    assert body["prompt"] == "List the scenes about animals."


async def test_astructured_predict(llm) -> None:
    out = await llm.astructured_predict(Scenes, PromptTemplate("List the scenes."))
    assert isinstance(out, Scenes) and len(out.scenes) == 3


def test_truncated_structured_output_says_so(library, client) -> None:
    llm = TwelveLabsPegasus(library["wildlife.mp4"], client=client, max_tokens=2)
    with pytest.raises(ValueError, match="max_tokens"):
        llm.structured_predict(Scenes, PromptTemplate("List the scenes."))


def test_per_call_video_override(llm, library, fake) -> None:
    out = llm.complete("What is served?", video_id=library["kitchen.mp4"])
    assert "spaghetti" in out.text
    assert fake.calls("POST /analyze")[-1].json["video_id"] == library["kitchen.mp4"]


def test_bad_input_and_errors(library, client, fake) -> None:
    with pytest.raises(ValueError, match="video_id"):
        TwelveLabsPegasus(client=client)
    with pytest.raises(ValueError, match="not both"):
        TwelveLabsPegasus("v", video_url="https://x/y.mp4", client=client)
    llm = TwelveLabsPegasus(library["wildlife.mp4"], client=client)
    with pytest.raises(TypeError, match="unexpected keyword"):
        llm.complete("x", top_p=0.3)
    with pytest.raises(NotFoundError):
        TwelveLabsPegasus("0" * 24, client=client).complete("hi")
    with pytest.raises(NotFoundError):  # a stream fails at the call, not at the first chunk
        TwelveLabsPegasus("0" * 24, client=client).stream_complete("hi")
    with pytest.raises(ConfigurationError, match="TWELVELABS_API_KEY"):
        TwelveLabsPegasus("v")
    assert "tlk_test" not in repr(llm) and "tlk_test" not in llm.to_json()


def test_video_url_uses_the_current_video_object(client, fake, media) -> None:
    fake.add_media("https://example.com/wildlife.mp4", media["wildlife.mp4"])
    llm = TwelveLabsPegasus(video_url="https://example.com/wildlife.mp4", client=client)
    assert llm.metadata.model_name == "pegasus1.5"
    out = llm.complete("Which animal is fishing?")
    body = fake.calls("POST /analyze")[-1].json
    assert body["video"] == {"type": "url", "url": "https://example.com/wildlife.mp4"} and "video_id" not in body
    assert body["model_name"] == "pegasus1.5" and "bear" in out.text


def test_streaming_over_loopback_http_with_key_built_clients(monkeypatch, media) -> None:
    from twelvelabs_rag.testing import serve

    fake = FakeTwelveLabs(task_statuses=("ready",))
    with serve(fake) as base_url:
        monkeypatch.setenv("TWELVELABS_API_KEY", "tlk_test")
        monkeypatch.setenv("TWELVELABS_BASE_URL", base_url)
        with fake.client() as setup:
            idx = setup.indexes.create(index_name="loop", models=[
                {"model_name": "marengo2.7", "model_options": ["visual", "audio"]},
                {"model_name": "pegasus1.2", "model_options": ["visual", "audio"]}])
            vid = setup.tasks.create_and_wait(index_id=idx.id, file=media["wildlife.mp4"]).video_id
        llm = TwelveLabsPegasus(vid)
        sync_text = "".join(c.delta for c in llm.stream_complete("Which animal is fishing?"))

        async def run() -> str:
            gen = await llm.astream_complete("Which animal is fishing?")
            text = "".join([c.delta async for c in gen])
            await llm.aclose()
            return text

        assert asyncio.run(run()) == sync_text and "bear" in sync_text
        llm.close()


async def test_async_task_runs_long_videos_through_analyze_tasks(current_library, client, aclient, fake) -> None:
    polls: list[str] = []
    asset = current_library["asset:kitchen.mp4"]
    llm = TwelveLabsPegasus(asset_id=asset, async_task=True, on_progress=lambda t: polls.append(t.status),
                            client=client, async_client=aclient)
    answer = llm.complete("What is served for dinner?")
    assert "spaghetti" in answer.text and polls and polls[-1] == "ready"
    assert fake.calls("POST /analyze/tasks")[-1].json["video"] == {"type": "asset_id", "asset_id": asset}
    assert (await llm.acomplete("What is served for dinner?")).text == answer.text
    [chunk] = list(llm.stream_complete("What is served for dinner?"))
    assert chunk.text == answer.text
    assert [c.text async for c in await llm.astream_complete("What is served for dinner?")] == [answer.text]
    with pytest.raises(ValueError, match="bind asset_id"):
        TwelveLabsPegasus("v1", async_task=True, client=client).complete("x")
