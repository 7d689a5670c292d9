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

from twelvelabs_rag import AsyncTwelveLabs, ConfigurationError, LazyClients, TwelveLabs, TwelveLabsError

__all__ = ["TwelveLabsResponses", "ResponseFailedError", "citations_of"]

_MODEL_NAME = "twelvelabs-responses"
_CALL_KEYS = ("session_id", "selections", "instructions", "include", "text")


class ResponseFailedError(TwelveLabsError):
    """The Responses service reported the answer as ``failed`` (``status``, or a ``response.failed`` event)."""


def _check(response: Any) -> Any:
    if response.status == "failed":
        details = response.incomplete_details or {}
        reason = details.get("reason") or details.get("message") or "no reason given"
        raise ResponseFailedError(f"The Responses answer {response.id or ''} failed ({reason}); ask again, with the "
                                  "same session_id to keep the conversation")
    return response


def citations_of(text: str, annotations: Sequence[Any], knowledge_store_id: str | None) -> list[dict[str, Any]]:
    """The annotations over ``text`` as dicts: ``item_id``, ``collection_id``, ``start``/``end`` (s), ``quote``.

    Annotations past the end of ``text`` are left out.

    Example:
        ```python
        from twelvelabs_rag.types.responses import Annotation
        ann = Annotation(type="video_citation", start_index=4, end_index=7, item_id="ksi_1", start_sec=8, end_sec=12)
        (c,) = citations_of("The bear fishes", [ann], "ks_1")
        assert (c["quote"], c["start"], c["end"]) == ("bear", 8, 12)
        ```
    """
    return [{"type": a.type, "item_id": a.item_id, "collection_id": a.collection_id, "start": a.start_sec,
             "end": a.end_sec, "title": a.title, "start_index": a.start_index, "end_index": a.end_index,
             "quote": text[a.start_index: a.end_index + 1], "knowledge_store_id": knowledge_store_id}
            for a in annotations if 0 <= a.start_index <= a.end_index < len(text)]


def _inputs(messages: Sequence[ChatMessage]) -> tuple[list[str], str | None, str | None]:
    """Messages -> (user inputs, session id from the latest answer that has one, system instructions)."""
    turns = [(m.role, m.content or "", m.additional_kwargs.get("session_id")) for m in messages]
    system = [t for r, t, _ in turns if r == MessageRole.SYSTEM and t.strip()]
    rest = [(r, t, s) for r, t, s in turns if r != MessageRole.SYSTEM and t.strip()]
    at = max((i for i, (r, _, s) in enumerate(rest) if r == MessageRole.ASSISTANT and s), default=None)
    session = rest[at][2] if at is not None else None
    tail = rest[at + 1:] if at is not None else rest
    if not any(r == MessageRole.USER for r, _, _ in tail):
        raise ConfigurationError("the chat must end with a user message after the last answer: "
                                 "append the next question as ChatMessage(role='user', content=...)")
    if all(r == MessageRole.USER for r, _, _ in tail):
        return [t for _, t, _ in tail], session, "\n\n".join(system) or None
    transcript = "\n".join(f"{'User' if r == MessageRole.USER else 'Assistant'}: {t}" for r, t, _ in tail)
    return [transcript], session, "\n\n".join(system) or None


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
                           is_function_calling_model=False, model_name=_MODEL_NAME)

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
        inputs, session, system = _inputs(messages)
        instructions = "\n\n".join(x for x in (kwargs.get("instructions", self.instructions), system) if x) or None
        return {"knowledge_store_id": self.knowledge_store_id, "input": inputs,
                "session_id": kwargs.get("session_id") or session or self.session_id, "instructions": instructions,
                "include": kwargs.get("include", self.include), "selections": kwargs.get("selections", self.selections),
                "text": kwargs.get("text"), "stream": stream}

    @staticmethod
    def _extra(response: Any, text: str) -> dict[str, Any]:
        return {"session_id": response.session_id, "response_id": response.id,
                "citations": citations_of(text, response.annotations, response.knowledge_store_id),
                "usage": response.usage.model_dump() if response.usage is not None else None,
                "status": response.status}

    def _chat_response(self, response: Any) -> ChatResponse:
        text = _check(response).output_text
        extra = self._extra(response, text)
        message = ChatMessage(role=MessageRole.ASSISTANT, content=text, additional_kwargs=extra)
        return ChatResponse(message=message, raw=response.model_dump(mode="json"), additional_kwargs=extra)

    def _stream_part(self, event: Any, text: str) -> ChatResponse | None:
        if event.type == "response.output_text.delta" and getattr(event, "delta", None):
            return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text + event.delta),
                                delta=event.delta)
        if event.type in ("response.completed", "response.failed"):
            extra = self._extra(_check(event.response), text)
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
