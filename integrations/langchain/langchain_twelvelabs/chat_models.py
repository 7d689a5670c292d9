"""Pegasus (TwelveLabs ``analyze``) as a LangChain chat model bound to a video."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from operator import itemgetter
from typing import Any, Literal

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LangSmithParams, LanguageModelInput
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, SystemMessage
from langchain_core.output_parsers import JsonOutputParser, PydanticOutputParser
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough
from langchain_core.utils.function_calling import convert_to_json_schema
from langchain_core.utils.pydantic import is_basemodel_subclass
from pydantic import ConfigDict

from ._pegasus import (
    PegasusParams,
    StopScanner,
    aclose_stream,
    close_stream,
    task_kwargs,
    task_response,
    truncate_at_stop,
    usage_dict,
)
from ._utils import TwelveLabsClientMixin

__all__ = ["ChatTwelveLabsPegasus", "messages_to_prompt"]


def _video_from_block(block: dict[str, Any]) -> dict[str, Any] | None:
    """An analyze ``video`` object from a LangChain video content block (url or file_id)."""
    if block.get("type") != "video":
        return None
    url = block.get("url") or (block.get("source_type") == "url" and block.get("data"))
    if url:
        return {"type": "url", "url": url}
    file_id = block.get("file_id") or block.get("id") if block.get("source_type") != "base64" else None
    if file_id:
        return {"type": "asset_id", "asset_id": file_id}
    data = block.get("base64") or block.get("data")
    if data:
        return {"type": "base64_string", "base64_string": data}
    return None


def messages_to_prompt(messages: Sequence[BaseMessage]) -> tuple[str, dict[str, Any] | None]:
    """Flatten chat messages into one analyze prompt; return it with any video found in the content.

    A single question stays as is; a conversation becomes a labelled transcript ending with the
    latest user turn. System messages lead the prompt as instructions.

    ```python
    from langchain_core.messages import HumanMessage
    assert messages_to_prompt([HumanMessage("What happens?")]) == ("What happens?", None)
    ```
    """
    video: dict[str, Any] | None = None
    system: list[str] = []
    turns: list[tuple[str, str]] = []
    for message in messages:
        if isinstance(message.content, list):
            for block in message.content:
                if isinstance(block, dict) and block.get("type") == "video":
                    video = _video_from_block(block) or video
        text = message.text.strip()
        if not text:
            continue
        if isinstance(message, SystemMessage):
            system.append(text)
        elif isinstance(message, HumanMessage):
            turns.append(("User", text))
        elif isinstance(message, AIMessage):
            turns.append(("Assistant", text))
        else:
            turns.append((message.type.capitalize(), text))
    head = "\n\n".join(system)
    if len(turns) == 1 and turns[0][0] == "User":
        body = turns[0][1]
    else:
        body = "\n".join(f"{role}: {text}" for role, text in turns)
        if turns:
            body += "\nAssistant:"
    prompt = f"{head}\n\n{body}".strip() if head else body
    return prompt, video


def _whole(result: ChatResult) -> ChatGenerationChunk:
    message = result.generations[0].message
    return ChatGenerationChunk(message=AIMessageChunk(
        content=message.content, response_metadata=message.response_metadata,
        usage_metadata=getattr(message, "usage_metadata", None), id=message.id, chunk_position="last"))


class ChatTwelveLabsPegasus(TwelveLabsClientMixin, PegasusParams, BaseChatModel):
    """TwelveLabs Pegasus as a chat model: ask questions about one video, stream the answer.

    Setup:
        ```bash
        pip install -U langchain-twelvelabs
        export TWELVELABS_API_KEY="tlk_..."
        ```

    Key init args:
        asset_id: an asset (current ``pegasus1.5``, the default), or
        video: a URL / asset id / analyze ``video`` dict (``{"type": "base64_string", ...}`` for a clip), or
        image: Pegasus 1.6 images ``[{"name": "logo", "url": ...}]``, or
        video_id: an indexed video (classic ``pegasus1.2``; or ``api_shape="classic"``).
        start_time / end_time: analyze only this window (e.g. a retrieved moment).
        async_task: go through ``client.analyze.tasks`` (long videos) with ``on_progress`` per poll.
        model: ``"pegasus1.5"``, ``"pegasus1.6"`` or ``"pegasus1.2"``; by default chosen from the binding.
        temperature, max_tokens, stop: generation settings (``stop`` is applied client-side).
        streaming: stream inside ``invoke`` too (for callback handlers).

    Instantiate:
        ```python
        from langchain_twelvelabs import ChatTwelveLabsPegasus

        chat = ChatTwelveLabsPegasus(asset_id="asset_123", temperature=0.2)
        # a retrieved moment: doc.metadata carries asset_id, start and end
        moment = chat.bind(asset_id=doc.metadata["asset_id"], start_time=doc.metadata["start"],
                           end_time=doc.metadata["end"])
        classic = ChatTwelveLabsPegasus(video_id="vid_123", api_shape="classic")
        ```

    Invoke:
        ```python
        chat.invoke("What is the fox doing?").content
        chat.invoke("Summarise it", asset_id="another_asset")   # per-call video
        for chunk in chat.stream("Describe the scenes"):          # NDJSON stream
            print(chunk.text, end="")
        ```

    Structured output:
        ```python
        from pydantic import BaseModel

        class Scene(BaseModel):
            animal: str
            setting: str

        chat.with_structured_output(Scene).invoke("Which animal, where?")  # Scene(...)
        ```

    Async:
        ```python
        msg = await chat.ainvoke("What happens?")
        async for chunk in chat.astream("What happens?"):
            ...
        ```
    """

    @classmethod
    def is_lc_serializable(cls) -> bool:
        """``dumpd``/``loads`` round-trip the settings; the key is dumped as a secret reference only."""
        return True

    model_config = ConfigDict(extra="forbid", populate_by_name=True, arbitrary_types_allowed=True)

    streaming: bool = False

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params: LangSmithParams = {
            "ls_provider": "twelvelabs",
            "ls_model_name": kwargs.get("model") or self.resolved_model(),
            "ls_model_type": "chat",
        }
        if (temperature := kwargs.get("temperature", self.temperature)) is not None:
            params["ls_temperature"] = temperature
        if (max_tokens := kwargs.get("max_tokens", self.max_tokens)) is not None:
            params["ls_max_tokens"] = max_tokens
        if stop := (stop or self.stop):
            params["ls_stop"] = stop
        return params

    # --- request ----------------------------------------------------------------------------
    def _request(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> dict[str, Any]:
        prompt, block_video = messages_to_prompt(messages)
        call = dict(kwargs)
        if block_video is not None and "video" not in call and "video_id" not in call:
            call["video"] = block_video
        return self.analyze_kwargs(prompt, call)

    def _result(self, response: Any, request: dict[str, Any], stop: list[str] | None) -> ChatResult:
        text, cut = truncate_at_stop(response.data or "", stop or self.stop)
        metadata: dict[str, Any] = {
            "model_name": request["model_name"],
            "finish_reason": "stop" if cut else response.finish_reason,
            "generation_id": response.id,
        }
        if response.error is not None:
            metadata["warning"] = response.error.message
        message = AIMessage(
            content=text, response_metadata=metadata, usage_metadata=usage_dict(response.usage), id=response.id
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        request = self._request(messages, kwargs)
        if self.async_task:
            task = self._sync_client().analyze.tasks.create_and_wait(**task_kwargs(request, self.on_progress))
            return self._result(task_response(task), request, stop)
        response = self._sync_client().analyze(**request, stream=False)
        return self._result(response, request, stop)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        request = self._request(messages, kwargs)
        if self.async_task:
            client = self._async_client()
            task = await client.analyze.tasks.create_and_wait(**task_kwargs(request, self.on_progress))
            return self._result(task_response(task), request, stop)
        response = await self._async_client().analyze(**request, stream=False)
        return self._result(response, request, stop)

    # --- streaming ----------------------------------------------------------------------------
    def _chunks(self, event: Any, scanner: StopScanner, request: dict[str, Any]) -> list[ChatGenerationChunk]:
        kind = getattr(event, "event_type", None)
        if kind == "text_generation":
            text = scanner.feed(event.text or "")
            return [ChatGenerationChunk(message=AIMessageChunk(content=text))] if text else []
        if kind == "stream_end":
            out = []
            tail = scanner.flush()
            if tail:
                out.append(ChatGenerationChunk(message=AIMessageChunk(content=tail)))
            metadata: dict[str, Any] = {
                "model_name": request["model_name"],
                "finish_reason": "stop" if scanner.stopped else event.finish_reason,
            }
            if event.metadata is not None and event.metadata.generation_id:
                metadata["generation_id"] = event.metadata.generation_id
            if event.error is not None:
                metadata["warning"] = event.error.message
            usage = usage_dict(event.usage) or {"input_tokens": 0, "output_tokens": 0, "total_tokens": 0}
            last = AIMessageChunk(
                content="", usage_metadata=usage, response_metadata=metadata, chunk_position="last"
            )
            out.append(ChatGenerationChunk(message=last))
            return out
        return []

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        if self.async_task:  # an analyze task answers once: one chunk
            yield _whole(self._generate(messages, stop, run_manager, **kwargs))
            return
        request = self._request(messages, kwargs)
        scanner = StopScanner(stop or self.stop)
        stream = self._sync_client().analyze(**request, stream=True)
        try:
            for event in stream:
                for chunk in self._chunks(event, scanner, request):
                    if run_manager and chunk.text:
                        run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                    yield chunk
        finally:
            close_stream(stream)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        if self.async_task:
            yield _whole(await self._agenerate(messages, stop, run_manager, **kwargs))
            return
        request = self._request(messages, kwargs)
        scanner = StopScanner(stop or self.stop)
        stream = await self._async_client().analyze(**request, stream=True)
        try:
            async for event in stream:
                for chunk in self._chunks(event, scanner, request):
                    if run_manager and chunk.text:
                        await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                    yield chunk
        finally:
            await aclose_stream(stream)

    # --- structured output ---------------------------------------------------------------------
    def with_structured_output(
        self,
        schema: dict[str, Any] | type,
        *,
        method: Literal["json_schema", "function_calling", "json_mode"] = "json_schema",
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, Any]:
        """Answer as JSON matching ``schema`` (a pydantic model, TypedDict or JSON schema dict).

        The schema is sent as the analyze ``response_format`` (``json_schema``); Pegasus has no tool
        calling, so every ``method`` maps to that. Returns pydantic objects for a pydantic schema,
        dicts otherwise; with ``include_raw=True`` a dict ``{"raw", "parsed", "parsing_error"}``.
        """
        if kwargs:
            raise ValueError(f"Unexpected keyword arguments: {sorted(kwargs)}")
        if method not in ("json_schema", "function_calling", "json_mode"):
            raise ValueError(f"method must be 'json_schema', 'function_calling' or 'json_mode' (got {method!r})")
        json_schema = convert_to_json_schema(schema)
        api_schema = {k: v for k, v in json_schema.items() if k not in ("title", "description")}
        bound = self.bind(
            response_format={"type": "json_schema", "json_schema": api_schema},
            ls_structured_output_format={"kwargs": {"method": method, "strict": strict}, "schema": json_schema},
        )
        is_model = isinstance(schema, type) and is_basemodel_subclass(schema)
        parser = PydanticOutputParser(pydantic_object=schema) if is_model else JsonOutputParser()
        if not include_raw:
            return bound | parser
        parser_with_fallback = RunnablePassthrough.assign(
            parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
        ).with_fallbacks([RunnablePassthrough.assign(parsed=lambda _: None)], exception_key="parsing_error")
        return RunnableMap(raw=bound) | parser_with_fallback
