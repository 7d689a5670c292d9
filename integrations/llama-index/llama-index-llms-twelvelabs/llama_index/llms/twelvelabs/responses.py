"""``TwelveLabsResponses``: TwelveLabs Responses (hosted RAG over a knowledge store) as a LlamaIndex chat LLM.

Every answer carries ``additional_kwargs["citations"]`` (item, time range, the quoted words) and
``additional_kwargs["session_id"]``; a chat history holding such an answer continues that session,
sending only the newer user turns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseAsyncGen,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseAsyncGen,
    CompletionResponseGen,
    LLMMetadata,
    MessageRole,
)
from llama_index.core.bridge.pydantic import Field, PrivateAttr, SecretStr
from llama_index.core.callbacks import CallbackManager
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.custom import CustomLLM

from twelvelabs_rag import (
    AsyncResponseStream,
    AsyncTwelveLabs,
    ConfigurationError,
    LazyClients,
    ResponseStream,
    TwelveLabs,
)
from twelvelabs_rag.hosted_rag import MODEL_NAME, ResponseFailedError, check_answer, responses_request
from twelvelabs_rag.hosted_rag import citations as citations_of

__all__ = ["TwelveLabsResponses", "ResponseFailedError", "citations_of"]

_CALL_KEYS = ("session_id", "selections", "instructions", "include", "text")
_ROLES = {MessageRole.SYSTEM: "system", MessageRole.USER: "user", MessageRole.ASSISTANT: "assistant"}


def _turns(messages: Sequence[ChatMessage]) -> list[tuple[str, str, str | None]]:
    """Messages as ``(role, text, session_id)`` turns (the session of an answer that has one)."""
    out = []
    for m in messages:
        role = _ROLES.get(m.role)
        if role is None:
            raise ConfigurationError(f"TwelveLabsResponses takes system, user and assistant messages, got a "
                                     f"{m.role.value!r} message; Responses has no tool turns, so drop or rephrase it")
        out.append((role, m.content or "", m.additional_kwargs.get("session_id") if role == "assistant" else None))
    return out


class TwelveLabsResponses(CustomLLM):
    """Answers from a TwelveLabs knowledge store (``client.responses``) with citations and sessions.

    A chat LLM (``is_chat_model=True``): ``chat``/``stream_chat`` and their async twins call the
    service directly (no prompt flattening); ``complete`` asks one question. Citations are in the
    response's and the message's ``additional_kwargs["citations"]``. Query engines call ``complete``
    with a prompt that already holds retrieved context: the service retrieves by itself, so use this
    LLM in a chat engine (``SimpleChatEngine.from_defaults(llm=...)``) or directly.

    Example:
        ```python
        llm = TwelveLabsResponses("ks_123", selections=["ksic_lectures"])
        reply = llm.chat([ChatMessage(role="user", content="Where does the bear fish?")])
        reply.message.additional_kwargs["citations"][0]   # {'item_id': 'ksi_…', 'start': 8.0, 'end': 12.0, …}
        for part in llm.stream_chat([...]):
            print(part.delta, end="")
        ```
    """

    knowledge_store_id: str = Field(description="The knowledge store the answers come from (ks_…).")
    session_id: str | None = Field(default=None, description="Continue this session (else taken from the chat).")
    selections: list[Any] | None = Field(default=None, description="Items/collections to answer from.")
    instructions: str | None = None
    include: list[str] | None = None
    api_key: SecretStr | None = Field(default=None, exclude=True, repr=False)
    base_url: str | None = Field(default=None)

    _clients: LazyClients = PrivateAttr()

    def __init__(self, knowledge_store_id: str, *, session_id: str | None = None,
                 selections: Sequence[Any] | None = None, instructions: str | None = None,
                 include: Sequence[str] | None = None, api_key: str | None = None, base_url: str | None = None,
                 client: TwelveLabs | None = None, async_client: AsyncTwelveLabs | None = None,
                 timeout: float | None = None, max_retries: int | None = None,
                 callback_manager: CallbackManager | None = None, **kwargs: Any) -> None:
        if not knowledge_store_id or not isinstance(knowledge_store_id, str):
            raise ConfigurationError("TwelveLabsResponses needs the id of a knowledge store "
                                     "(knowledge_store_id='ks_…', from client.knowledge_stores.create)")
        holder = LazyClients.for_component("TwelveLabsResponses", api_key=api_key, base_url=base_url, client=client,
                              async_client=async_client, timeout=timeout, max_retries=max_retries)
        super().__init__(knowledge_store_id=knowledge_store_id, session_id=session_id,
                         selections=list(selections) if selections is not None else None, instructions=instructions,
                         include=list(include) if include is not None else None, api_key=holder.api_key,
                         base_url=holder.base_url, callback_manager=callback_manager, **kwargs)
        self._clients = holder

    @classmethod
    def class_name(cls) -> str:
        return "TwelveLabsResponses"

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(context_window=10_000, num_output=1024, is_chat_model=True,
                           is_function_calling_model=False, model_name=MODEL_NAME)

    def close(self) -> None:
        """Close the sync client this object built from the key (clients you passed in stay open)."""
        self._clients.close()

    async def aclose(self) -> None:
        """Close the async client this object built for the running loop."""
        await self._clients.aclose()

    # ------------------------------------------------------------------ request and answer
    def _request(self, messages: Sequence[ChatMessage], kwargs: dict[str, Any], stream: bool) -> dict[str, Any]:
        unknown = set(kwargs) - set(_CALL_KEYS) - {"formatted"}
        if unknown:
            raise ConfigurationError(f"TwelveLabsResponses got unknown arguments {sorted(unknown)}; "
                                     f"it takes {', '.join(_CALL_KEYS)} per call")
        return responses_request(
            self.knowledge_store_id, _turns(messages), stream=stream, session_id=kwargs.get("session_id"),
            default_session_id=self.session_id, instructions=kwargs.get("instructions", self.instructions),
            include=kwargs.get("include", self.include), selections=kwargs.get("selections", self.selections),
            text=kwargs.get("text"))

    @staticmethod
    def _extra(response: Any, text: str) -> dict[str, Any]:
        return {"session_id": response.session_id, "response_id": response.id,
                "citations": citations_of(text, response.annotations, response.knowledge_store_id),
                "usage": response.usage.model_dump() if response.usage is not None else None,
                "status": response.status}

    def _chat_response(self, response: Any) -> ChatResponse:
        text = check_answer(response).output_text
        extra = self._extra(response, text)
        message = ChatMessage(role=MessageRole.ASSISTANT, content=text, additional_kwargs=extra)
        return ChatResponse(message=message, raw=response.model_dump(mode="json"), additional_kwargs=extra)

    def _stream_part(self, event: Any, text: str) -> ChatResponse | None:
        if event.type == "response.output_text.delta" and getattr(event, "delta", None):
            return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text + event.delta),
                                delta=event.delta)
        if event.type in ("response.completed", "response.failed"):
            extra = self._extra(check_answer(event.response), text)
            return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text, additional_kwargs=extra),
                                delta="", additional_kwargs=extra, raw=event.response.model_dump(mode="json"))
        return None

    # ------------------------------------------------------------------ chat
    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        return self._chat_response(self._clients.sync.responses.create(**self._request(messages, kwargs, False)))

    @llm_chat_callback()
    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        request = self._request(messages, kwargs, False)
        return self._chat_response(await self._clients.aio.responses.create(**request))

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        request = self._request(messages, kwargs, True)
        stream = self._clients.sync.responses.create(**request)
        if not isinstance(stream, ResponseStream):  # create(stream=True) answers with a stream
            raise TypeError(f"responses.create(stream=True) returned {type(stream).__name__}, not a stream")

        def gen() -> ChatResponseGen:
            text = ""
            try:
                for event in stream:
                    part = self._stream_part(event, text)
                    if part is not None:
                        text = part.message.content or ""
                        yield part
            finally:
                stream.close()

        return gen()

    @llm_chat_callback()
    async def astream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseAsyncGen:
        request = self._request(messages, kwargs, True)
        stream = await self._clients.aio.responses.create(**request)
        if not isinstance(stream, AsyncResponseStream):  # create(stream=True) answers with a stream
            raise TypeError(f"responses.create(stream=True) returned {type(stream).__name__}, not a stream")

        async def gen() -> ChatResponseAsyncGen:
            text = ""
            try:
                async for event in stream:
                    part = self._stream_part(event, text)
                    if part is not None:
                        text = part.message.content or ""
                        yield part
            finally:
                await stream.close()

        return gen()

    # ------------------------------------------------------------------ completion: one question
    @staticmethod
    def _completion(chat: ChatResponse) -> CompletionResponse:
        return CompletionResponse(text=chat.message.content or "", delta=chat.delta,
                                  additional_kwargs=dict(chat.additional_kwargs), raw=chat.raw)

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return self._completion(self.chat([ChatMessage(role=MessageRole.USER, content=prompt)], **kwargs))

    @llm_completion_callback()
    async def acomplete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return self._completion(await self.achat([ChatMessage(role=MessageRole.USER, content=prompt)], **kwargs))

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        parts = self.stream_chat([ChatMessage(role=MessageRole.USER, content=prompt)], **kwargs)
        return (self._completion(p) for p in parts)

    @llm_completion_callback()
    async def astream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseAsyncGen:
        parts = await self.astream_chat([ChatMessage(role=MessageRole.USER, content=prompt)], **kwargs)

        async def gen() -> CompletionResponseAsyncGen:
            async for p in parts:
                yield self._completion(p)

        return gen()
