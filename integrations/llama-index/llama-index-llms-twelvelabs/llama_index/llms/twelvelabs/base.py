"""``TwelveLabsPegasus``: Pegasus (``/analyze``) as a LlamaIndex ``CustomLLM`` bound to one video.

Example (offline, against the bundled emulator)::

    import tempfile, pathlib
    from twelvelabs_rag.testing import FakeTwelveLabs
    from twelvelabs_rag.testing.samples import make_clip
    from llama_index.llms.twelvelabs import TwelveLabsPegasus

    fake = FakeTwelveLabs()
    clip = make_clip(pathlib.Path(tempfile.mkdtemp()) / "fox.mp4", "[0-4] a red fox runs through snow")
    fake.add_media("https://example.com/fox.mp4", clip)  # the emulator serves this URL to Pegasus
    llm = TwelveLabsPegasus(video_url="https://example.com/fox.mp4", client=fake.client())  # pegasus1.5
    print(llm.complete("What animal appears?").text)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from llama_index.core.base.llms.generic_utils import (
    astream_completion_response_to_chat_response,
    completion_response_to_chat_response,
)
from llama_index.core.base.llms.generic_utils import (
    messages_to_prompt as default_messages_to_prompt,
)
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseAsyncGen,
    CompletionResponse,
    CompletionResponseAsyncGen,
    CompletionResponseGen,
    LLMMetadata,
)
from llama_index.core.bridge.pydantic import BaseModel, Field, PrivateAttr, SecretStr, model_validator
from llama_index.core.callbacks import CallbackManager
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.custom import CustomLLM
from llama_index.core.prompts import PromptTemplate

from twelvelabs_rag import AsyncStream, AsyncTwelveLabs, LazyClients, Stream, TwelveLabs
from twelvelabs_rag.analyze_answer import task_answer, whole_answer
from twelvelabs_rag.types import AnalyzeResponse

__all__ = ["TwelveLabsPegasus", "PROMPT_TOKEN_LIMIT"]

#: Pegasus accepts a prompt of at most this many tokens (separate from the output budget).
PROMPT_TOKEN_LIMIT = 2000
_DEFAULT_MAX_TOKENS = 4096
_PASS_THROUGH = ("temperature", "max_tokens", "response_format", "model_name", "start_time", "end_time")
#: The ways to name the video, one per call: classic ``video_id``, or a current ``video`` object.
_BINDINGS = ("asset_id", "video_url", "video_id")


def json_schema_for(output_cls: type[BaseModel]) -> dict[str, Any]:
    """The pydantic model's JSON schema minus the keywords Pegasus rejects (string length limits).

    Example:
        ```python
        from pydantic import BaseModel, Field
        class Title(BaseModel):
            title: str = Field(min_length=3)
        assert "minLength" not in str(json_schema_for(Title))
        ```
    """

    def clean(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: clean(v) for k, v in node.items() if k not in ("minLength", "maxLength")}
        if isinstance(node, list):
            return [clean(v) for v in node]
        return node

    return clean(output_cls.model_json_schema())


class TwelveLabsPegasus(CustomLLM):
    """Pegasus video-language model as a completion LLM bound to one video.

    Query engines pass only a prompt, so the video is a field: ``asset_id`` (an asset, the current
    flow; default model ``pegasus1.5``), ``video_url`` (a direct media URL; ``pegasus1.5``) or
    ``video_id`` (a video in a classic index with Pegasus; ``pegasus1.2``). ``start_time``/``end_time``
    narrow the analysis to a window, e.g. a retrieved moment. A call may override any of them with
    ``complete(prompt, asset_id=..., start_time=..., end_time=...)``.

    ``metadata`` is honest about Pegasus: the prompt may hold at most ``PROMPT_TOKEN_LIMIT`` (2,000)
    tokens and the output budget is separate, so ``context_window`` = 2,000 + ``num_output`` and
    LlamaIndex's prompt packing leaves exactly 2,000 tokens for the prompt. ``is_chat_model`` is
    False (chat goes through ``messages_to_prompt``). With ``response_mode="compact"`` or
    ``"refine"`` a query engine may call Pegasus several times; ``"simple_summarize"`` calls it once.

    ``structured_predict`` sends the output class's JSON schema as ``response_format`` (type
    ``json_schema``) and validates the returned JSON; it does not rely on prompt-and-parse.

    Example:
        ```python
        llm = TwelveLabsPegasus(video_id="<video id>", temperature=0.2)
        print(llm.complete("Summarise this video in one sentence.").text)
        for chunk in llm.stream_complete("List the scenes."):
            print(chunk.delta, end="")
        ```
    """

    video_id: str | None = Field(default=None, description="Indexed video to talk about (classic, pegasus1.2).")
    video_url: str | None = Field(default=None, description="Direct video URL (pegasus1.5 video object).")
    asset_id: str | None = Field(default=None, description="An asset (current flow, pegasus1.5 video object).")
    async_task: bool = Field(default=False, description="Run through client.analyze.tasks (long videos).")
    on_progress: Callable[[Any], Any] | None = Field(default=None, exclude=True, description="Sees each task poll.")
    start_time: float | None = Field(default=None, ge=0.0, description="Analyze only from this second on.")
    end_time: float | None = Field(default=None, gt=0.0, description="Analyze only up to this second.")
    model_name: str | None = Field(
        default=None, description="pegasus1.2 (video_id) or pegasus1.5 (asset_id / video_url), pegasus1.6."
    )
    temperature: float | None = Field(default=None, ge=0.0, le=1.0)
    max_tokens: int | None = Field(default=None, gt=0, description="Output token budget (server default 4096).")
    prompt_token_limit: int = Field(default=PROMPT_TOKEN_LIMIT, gt=0)
    api_key: SecretStr | None = Field(default=None, exclude=True, repr=False)
    base_url: str | None = Field(default=None)

    _clients: LazyClients = PrivateAttr()

    def __init__(
        self,
        video_id: str | None = None,
        *,
        video_url: str | None = None,
        asset_id: str | None = None,
        start_time: float | None = None,
        end_time: float | None = None,
        model_name: str | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        api_key: str | None = None,
        base_url: str | None = None,
        client: TwelveLabs | None = None,
        async_client: AsyncTwelveLabs | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        callback_manager: CallbackManager | None = None,
        **kwargs: Any,
    ) -> None:
        holder = LazyClients.for_component(
            "TwelveLabsPegasus",
            api_key=api_key,
            base_url=base_url,
            client=client,
            async_client=async_client,
            timeout=timeout,
            max_retries=max_retries,
        )
        super().__init__(
            video_id=video_id,
            video_url=video_url,
            asset_id=asset_id,
            start_time=start_time,
            end_time=end_time,
            model_name=model_name,
            temperature=temperature,
            max_tokens=max_tokens,
            api_key=holder.api_key,
            base_url=holder.base_url,
            callback_manager=callback_manager,
            **kwargs,
        )
        self._clients = holder

    @model_validator(mode="after")
    def _check_video(self) -> TwelveLabsPegasus:
        bound = [name for name in _BINDINGS if getattr(self, name)]
        if not bound:
            raise ValueError(
                "TwelveLabsPegasus is bound to one video: pass asset_id=<asset id> (current flow), "
                "video_url=<direct media URL> or video_id=<id of an indexed video> (classic flow)"
            )
        if len(bound) > 1:
            raise ValueError(f"pass one of asset_id, video_url or video_id, not both (got {' and '.join(bound)})")
        if self.model_name is None:
            self.model_name = "pegasus1.2" if self.video_id else "pegasus1.5"
        return self

    @classmethod
    def class_name(cls) -> str:
        return "TwelveLabsPegasus"

    @property
    def metadata(self) -> LLMMetadata:
        num_output = self.max_tokens or _DEFAULT_MAX_TOKENS
        return LLMMetadata(
            context_window=self.prompt_token_limit + num_output,
            num_output=num_output,
            is_chat_model=False,
            is_function_calling_model=False,
            model_name=self.model_name or "pegasus",
        )

    def close(self) -> None:
        """Close the sync client this object built from the key (clients you passed in stay open)."""
        self._clients.close()

    async def aclose(self) -> None:
        """Close the async client this object built for the running loop."""
        await self._clients.aclose()

    # ------------------------------------------------------------------ request shape
    def _request(self, prompt: str, formatted: bool, stream: bool, kwargs: dict[str, Any]) -> dict[str, Any]:
        if not formatted and self.completion_to_prompt is not None:  # LLM's validator fills the default
            prompt = self.completion_to_prompt(prompt)
        unknown = set(kwargs) - set(_PASS_THROUGH) - set(_BINDINGS)
        if unknown:
            raise TypeError(f"TwelveLabsPegasus got unexpected keyword arguments: {sorted(unknown)}")
        per_call = [name for name in _BINDINGS if kwargs.get(name)]
        if len(per_call) > 1:
            raise ValueError(f"pass one of asset_id, video_url or video_id per call, not both (got {' and '.join(per_call)})")
        kind = per_call[0] if per_call else next(name for name in _BINDINGS if getattr(self, name))
        value = kwargs[kind] if per_call else getattr(self, kind)
        request: dict[str, Any] = {"prompt": prompt, "stream": stream}
        if kind == "video_id":
            request["video_id"] = value
        elif kind == "asset_id":
            request["video"] = {"type": "asset_id", "asset_id": value}
        else:
            request["video"] = {"type": "url", "url": value}
        same_kind = getattr(self, kind) is not None
        request["model_name"] = kwargs.get("model_name") or (self.model_name if same_kind else None) or (
            "pegasus1.2" if kind == "video_id" else "pegasus1.5")
        for name in ("temperature", "max_tokens", "start_time", "end_time"):
            value = kwargs.get(name, getattr(self, name))
            if value is not None:
                request[name] = value
        if kwargs.get("response_format") is not None:
            request["response_format"] = kwargs["response_format"]
        return request

    @staticmethod
    def _response(result: AnalyzeResponse) -> CompletionResponse:
        extra: dict[str, Any] = {"finish_reason": result.finish_reason, "generation_id": result.id}
        if result.usage is not None:
            extra["usage"] = result.usage.model_dump(exclude_none=True)
        if result.error is not None:
            extra["warning"] = result.error.message
        return CompletionResponse(text=result.data, raw=result.model_dump(mode="json"), additional_kwargs=extra)

    @staticmethod
    def _end_extra(event: Any) -> dict[str, Any]:
        extra: dict[str, Any] = {"finish_reason": getattr(event, "finish_reason", None)}
        usage = getattr(event, "usage", None)
        if usage is not None:
            extra["usage"] = usage.model_dump(exclude_none=True)
        error = getattr(event, "error", None)
        if error is not None:
            extra["warning"] = error.message
        return extra

    def _stream_step(self, event: Any, text: str) -> tuple[str, CompletionResponse | None]:
        """The text so far and the response to yield (if any) for one analyze stream event."""
        kind = getattr(event, "event_type", None)
        if kind == "text_generation" and event.text:
            text += event.text
            return text, CompletionResponse(text=text, delta=event.text)
        if kind == "stream_end":
            return text, CompletionResponse(text=text, delta="", additional_kwargs=self._end_extra(event))
        return text, None

    # ------------------------------------------------------------------ sync
    def _task_request(self, request: dict[str, Any]) -> dict[str, Any]:
        if "video_id" in request:
            raise ValueError("async_task=True runs on assets and URLs (client.analyze.tasks): bind asset_id=... "
                             "or video_url=... instead of video_id")
        return {**{k: v for k, v in request.items() if k != "stream"}, "on_progress": self.on_progress}

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        request = self._request(prompt, formatted, False, kwargs)
        if self.async_task:  # long videos: an analyze task, polled until ready
            return self._response(task_answer(self._clients.sync.analyze.tasks.create_and_wait(
                **self._task_request(request))))
        return self._response(whole_answer(self._clients.sync.analyze(**request)))

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        if self.async_task:  # an analyze task answers once: one chunk
            whole = self.complete(prompt, formatted=formatted, **kwargs)

            def once() -> CompletionResponseGen:
                yield CompletionResponse(text=whole.text, delta=whole.text, additional_kwargs=whole.additional_kwargs)

            return once()
        # Opened eagerly so that a bad video id or key fails at the call, not at the first chunk.
        stream = self._clients.sync.analyze(**self._request(prompt, formatted, True, kwargs))
        if not isinstance(stream, Stream):
            raise TypeError(f"analyze(stream=True) returned {type(stream).__name__}, not a stream")

        def gen() -> CompletionResponseGen:
            text = ""
            try:
                for event in stream:
                    text, response = self._stream_step(event, text)
                    if response is not None:
                        yield response
            finally:
                close = getattr(stream, "close", None)
                if close is not None:
                    close()

        return gen()

    # ------------------------------------------------------------------ async
    @llm_completion_callback()
    async def acomplete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        request = self._request(prompt, formatted, False, kwargs)
        if self.async_task:
            task = await self._clients.aio.analyze.tasks.create_and_wait(**self._task_request(request))
            return self._response(task_answer(task))
        return self._response(whole_answer(await self._clients.aio.analyze(**request)))

    @llm_completion_callback()
    async def astream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseAsyncGen:
        if self.async_task:
            whole = await self.acomplete(prompt, formatted=formatted, **kwargs)

            async def once() -> CompletionResponseAsyncGen:
                yield CompletionResponse(text=whole.text, delta=whole.text, additional_kwargs=whole.additional_kwargs)

            return once()
        request = self._request(prompt, formatted, True, kwargs)
        client = self._clients.aio
        stream = await client.analyze(**request)
        if not isinstance(stream, AsyncStream):
            raise TypeError(f"analyze(stream=True) returned {type(stream).__name__}, not a stream")

        async def gen() -> CompletionResponseAsyncGen:
            text = ""
            try:
                async for event in stream:
                    text, response = self._stream_step(event, text)
                    if response is not None:
                        yield response
            finally:
                aclose = getattr(stream, "aclose", None)
                if aclose is not None:
                    await aclose()

        return gen()

    @llm_chat_callback()
    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        prompt = (self.messages_to_prompt or default_messages_to_prompt)(messages)
        return completion_response_to_chat_response(await self.acomplete(prompt, formatted=True, **kwargs))

    @llm_chat_callback()
    async def astream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseAsyncGen:
        prompt = (self.messages_to_prompt or default_messages_to_prompt)(messages)
        gen = await self.astream_complete(prompt, formatted=True, **kwargs)
        return astream_completion_response_to_chat_response(gen)

    # ------------------------------------------------------------------ structured output
    def _structured_request(
        self, output_cls: type[BaseModel], prompt: PromptTemplate, llm_kwargs: dict[str, Any] | None, prompt_args: dict
    ) -> tuple[str, dict[str, Any]]:
        text = prompt.format(llm=self, **prompt_args)
        kwargs = dict(llm_kwargs or {})
        kwargs["response_format"] = {"type": "json_schema", "json_schema": json_schema_for(output_cls)}
        return text, kwargs

    @staticmethod
    def _parse(output_cls: type[BaseModel], response: CompletionResponse) -> Any:
        if response.additional_kwargs.get("finish_reason") == "length":
            raise ValueError(
                f"Pegasus stopped at max_tokens before finishing the {output_cls.__name__} JSON; raise max_tokens"
            )
        try:
            return output_cls.model_validate_json(response.text)
        except ValueError as exc:
            raise ValueError(
                f"Pegasus returned text that is not a valid {output_cls.__name__}: {exc}; "
                f"text was {json.dumps(response.text[:200])}"
            ) from exc

    def structured_predict(
        self,
        output_cls: type[BaseModel],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Any:
        """Fill ``output_cls`` from Pegasus using ``response_format`` json_schema (validated)."""
        text, kwargs = self._structured_request(output_cls, prompt, llm_kwargs, prompt_args)
        return self._parse(output_cls, self.complete(text, formatted=True, **kwargs))

    async def astructured_predict(
        self,
        output_cls: type[BaseModel],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Any:
        """Async twin of :meth:`structured_predict`."""
        text, kwargs = self._structured_request(output_cls, prompt, llm_kwargs, prompt_args)
        return self._parse(output_cls, await self.acomplete(text, formatted=True, **kwargs))

