"""ChatTwelveLabsPegasus and TwelveLabsPegasusLLM beyond the standard suite: streaming, structured output, errors."""

from __future__ import annotations

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import HumanMessage
from pydantic import BaseModel, Field

from langchain_twelvelabs import ChatTwelveLabsPegasus, TwelveLabsPegasusLLM
from twelvelabs_rag import BadRequestError, NotFoundError


class Tokens(BaseCallbackHandler):
    def __init__(self) -> None:
        self.tokens: list[str] = []

    def on_llm_new_token(self, token: str, **kwargs) -> None:
        self.tokens.append(token)


class Animal(BaseModel):
    """An animal seen in the video."""

    name: str = Field(description="the animal")
    place: str = Field(description="where it is")


def _chat(world, **kw) -> ChatTwelveLabsPegasus:
    return ChatTwelveLabsPegasus(video_id=world.fox_video, **world.clients_kw(), **kw)


def test_answer_mentions_the_video_and_streams_in_pieces(world) -> None:
    chat = _chat(world)
    answer = chat.invoke("What is the red fox doing?")
    assert "fox" in answer.text
    assert answer.response_metadata["model_name"] == "pegasus1.2"
    chunks = list(chat.stream("What is the red fox doing?"))
    assert len(chunks) > 3
    assert "".join(c.text for c in chunks) == answer.text
    assert chunks[-1].usage_metadata["output_tokens"] == answer.usage_metadata["output_tokens"]


async def test_astream_uses_the_async_client(world) -> None:
    chat = _chat(world)
    before = len(world.fake.requests)
    text = "".join([c.text async for c in chat.astream("What does the eagle do?")])
    assert "eagle" in text
    assert len(world.fake.requests) == before + 1


def test_stop_is_applied_to_invoke_and_stream(world) -> None:
    chat = _chat(world, stop=["eagle"])
    full = _chat(world).invoke("Describe the video").text
    cut = full[: full.index("eagle")]
    assert chat.invoke("Describe the video").text == cut
    assert "".join(c.text for c in chat.stream("Describe the video")) == cut


def test_structured_output_returns_pydantic_objects_and_raw(world) -> None:
    result = _chat(world).with_structured_output(Animal).invoke("Which animal is in the snow, and where?")
    assert isinstance(result, Animal) and result.name
    raw = _chat(world).with_structured_output(Animal, include_raw=True).invoke("Which animal?")
    assert isinstance(raw["parsed"], Animal) and raw["parsing_error"] is None
    sent = world.fake.requests[-1]
    assert sent.json["response_format"]["type"] == "json_schema"
    assert set(sent.json["response_format"]["json_schema"]["properties"]) == {"name", "place"}


def test_schema_the_api_rejects_is_a_typed_error(world) -> None:
    class Short(BaseModel):
        name: str = Field(min_length=2)

    with pytest.raises(BadRequestError, match="minLength"):
        _chat(world).with_structured_output(Short).invoke("Which animal?")


def test_video_not_ready_and_unknown_video_are_typed_errors(world) -> None:
    client = world.client()
    task = client.tasks.create(index_id=world.index_id, file=world.media_dir / "kitchen.mp4")
    with pytest.raises(NotFoundError, match="not ready"):
        ChatTwelveLabsPegasus(video_id=task.video_id, **world.clients_kw()).invoke("What happens?")
    with pytest.raises(NotFoundError):
        ChatTwelveLabsPegasus(video_id="f" * 24, **world.clients_kw()).invoke("What happens?")


def test_no_video_and_empty_prompt_fail_before_any_request(world) -> None:
    before = len(world.fake.requests)
    with pytest.raises(ValueError, match="No video bound"):
        ChatTwelveLabsPegasus(**world.clients_kw()).invoke("What happens?")
    with pytest.raises(ValueError, match="Empty prompt"):
        _chat(world).invoke(" ")
    assert len(world.fake.requests) == before


def test_per_call_video_and_video_content_block(world, current_world) -> None:
    chat = ChatTwelveLabsPegasus(**world.clients_kw())
    city = chat.invoke("What drives through the rain?", video_id=world.videos["city.mp4"]).text
    assert "taxi" in city
    # A video content block names an asset (the current flow): Pegasus 1.5 analyzes it directly.
    chat = ChatTwelveLabsPegasus(**current_world.clients_kw())
    block = {"type": "video", "file_id": current_world.assets["kitchen.mp4"]}
    msg = HumanMessage(content=[{"type": "text", "text": "What does the chef cook?"}, block])
    answer = chat.invoke([msg])
    assert "spaghetti" in answer.text or "pasta" in answer.text
    assert answer.response_metadata["model_name"] == "pegasus1.5"


def test_llm_streams_tokens_to_callbacks(world) -> None:
    llm = TwelveLabsPegasusLLM(video_id=world.fox_video, **world.clients_kw())
    handler = Tokens()
    pieces = list(llm.stream("What is the bear doing?", config={"callbacks": [handler]}))
    assert len(pieces) > 3 and handler.tokens == [p for p in pieces if p]
    assert "bear" in llm.invoke("What is the bear doing?")
    full = llm.invoke("Describe the video")
    assert llm.invoke("Describe the video", stop=["eagle"]) == full[: full.index("eagle")]


async def test_llm_async_twins(world) -> None:
    llm = TwelveLabsPegasusLLM(video_id=world.fox_video, **world.clients_kw())
    handler = Tokens()
    text = await llm.ainvoke("What is the bear doing?")
    pieces = [p async for p in llm.astream("What is the bear doing?", config={"callbacks": [handler]})]
    assert "".join(pieces) == text and handler.tokens


def test_video_by_url_uses_the_current_model(world) -> None:
    url = "https://media.example.com/city.mp4"
    world.fake.add_media(url, world.media_dir / "city.mp4")
    chat = ChatTwelveLabsPegasus(video=url, **world.clients_kw())
    answer = chat.invoke("What drives through the rain?")
    assert "taxi" in answer.text and answer.response_metadata["model_name"] == "pegasus1.5"
    assert world.fake.requests[-1].json["video"] == {"type": "url", "url": url}


def test_bound_to_an_asset_with_a_window_defaults_to_pegasus_1_5(current_world) -> None:
    asset = current_world.assets["wildlife.mp4"]
    chat = ChatTwelveLabsPegasus(asset_id=asset, start_time=8, end_time=12, **current_world.clients_kw())
    answer = chat.invoke("What is the bear catching?")
    body = current_world.fake.calls("POST /analyze")[-1].json
    assert body["video"] == {"type": "asset_id", "asset_id": asset} and body["model_name"] == "pegasus1.5"
    assert (body["start_time"], body["end_time"]) == (8, 12)
    assert "salmon" in answer.text and "fox" not in answer.text  # only the window was analyzed


def test_classic_shape_refuses_nothing_but_current_shape_refuses_a_video_id(world) -> None:
    classic = ChatTwelveLabsPegasus(api_shape="classic", video_id=world.fox_video, **world.clients_kw())
    assert classic.resolved_model() == "pegasus1.2" and "bear" in classic.invoke("What is the bear doing?").text
    current = ChatTwelveLabsPegasus(api_shape="current", video_id=world.fox_video, **world.clients_kw())
    with pytest.raises(ValueError, match="bind asset_id"):
        current.invoke("What is the bear doing?")


def test_async_task_goes_through_analyze_tasks_with_progress(current_world) -> None:
    seen: list[str] = []
    chat = ChatTwelveLabsPegasus(asset_id=current_world.assets["city.mp4"], async_task=True,
                                 on_progress=lambda task: seen.append(task.status), **current_world.clients_kw())
    answer = chat.invoke("What drives through the rain?")
    assert "taxi" in answer.text and seen and seen[-1] == "ready"
    assert current_world.fake.calls("POST /analyze/tasks") and answer.response_metadata["model_name"] == "pegasus1.5"
    [chunk] = list(chat.stream("What drives through the rain?"))
    assert chunk.text == answer.text


async def test_async_task_async_twin(current_world) -> None:
    chat = ChatTwelveLabsPegasus(asset_id=current_world.assets["city.mp4"], async_task=True,
                                 **current_world.clients_kw())
    answer = await chat.ainvoke("What drives through the rain?")
    assert "taxi" in answer.text


def test_images_go_to_pegasus_1_6(current_world) -> None:
    client = current_world.client()
    fox = client.assets.upload(current_world.media_dir / "fox.png")
    chat = ChatTwelveLabsPegasus(image=[{"name": "fox", "asset_id": fox.id}], **current_world.clients_kw())
    assert chat.resolved_model() == "pegasus1.6"  # images need Pegasus 1.6
    answer = chat.invoke("What animal is in <@fox>?")
    body = current_world.fake.calls("POST /analyze")[-1].json
    assert body["image"] == [{"name": "fox", "asset_id": fox.id}] and "video" not in body
    assert body["model_name"] == "pegasus1.6" and "fox" in answer.text


async def test_llm_binds_an_asset_and_runs_async_tasks(current_world) -> None:
    asset = current_world.assets["kitchen.mp4"]
    llm = TwelveLabsPegasusLLM(asset_id=asset, async_task=True, **current_world.clients_kw())
    text = llm.invoke("What does the chef cook?")
    assert "spaghetti" in text or "pasta" in text
    assert current_world.fake.calls("POST /analyze/tasks")[-1].json["video"] == {"type": "asset_id", "asset_id": asset}
    assert await llm.ainvoke("What does the chef cook?") == text
    assert "".join(llm.stream("What does the chef cook?")) == text
