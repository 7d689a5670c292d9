"""TwelveLabs Responses (hosted RAG over a knowledge store) as a LangChain chat model, with citations."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LangSmithParams
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, SystemMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, Field

from twelvelabs_rag import ConfigurationError
from twelvelabs_rag.hosted_rag import MODEL_NAME, ResponseFailedError, check_answer, citations, responses_request

from ._pegasus import StopScanner, aclose_stream, close_stream, truncate_at_stop
from ._utils import TwelveLabsClientMixin

__all__ = ["ChatTwelveLabsResponses", "ResponseFailedError"]

_CALL_KEYS = ("knowledge_store_id", "session_id", "selections", "instructions", "include", "text")


def _turns(messages: list[BaseMessage]) -> list[tuple[str, str, str | None]]:
    out = []
    for m in messages:
        if isinstance(m, SystemMessage):
            role = "system"
        elif isinstance(m, AIMessage):
            role = "assistant"
        elif isinstance(m, HumanMessage):
            role = "user"
        else:
            raise ConfigurationError(f"ChatTwelveLabsResponses takes system, human and AI messages, got a "
                                     f"{m.type!r} message; Responses has no tool turns, so drop or rephrase it")
        out.append((role, str(m.text), (m.response_metadata or {}).get("session_id") if role == "assistant" else None))
    return out


def _usage(usage: Any) -> dict[str, int]:
    i = int(getattr(usage, "input_tokens", None) or 0)
    o = int(getattr(usage, "output_tokens", None) or 0)
    return {"input_tokens": i, "output_tokens": o, "total_tokens": i + o}


class ChatTwelveLabsResponses(TwelveLabsClientMixin, BaseChatModel):
    """Answers from a TwelveLabs knowledge store (``client.responses``), with citations and sessions.

    Sessions: every answer carries ``response_metadata["session_id"]``. When the messages you pass
    include such an answer, only the newer user turns are sent, with that session, so the service
    keeps the conversation (a ``session_id`` field or call argument forces one). A failed answer
    raises ``ResponseFailedError`` (a ``TwelveLabsError``), never an empty message. Citations: the
    answer's annotations as dicts in ``response_metadata["citations"]`` (``item_id``,
    ``collection_id``, ``start``/``end`` seconds, ``quote`` = the cited words, ``start_index``/
    ``end_index`` into the text); ``format_citation(c)`` renders one. Streaming is token by token
    over SSE; the last chunk carries the citations, the session and the usage.

    Setup:
        ```bash
        pip install -U langchain-twelvelabs
        export TWELVELABS_API_KEY="tlk_..."
        ```

    Instantiate:
        ```python
        from langchain_twelvelabs import ChatTwelveLabsResponses

        chat = ChatTwelveLabsResponses(knowledge_store_id="ks_123", selections=["ksic_lectures"])
        ```

    Invoke:
        ```python
        first = chat.invoke("Where does the bear fish?")
        first.response_metadata["citations"][0]  # {'item_id': 'ksi_…', 'start': 8.0, 'end': 12.0, 'quote': …}
        follow = chat.invoke([HumanMessage("Where does the bear fish?"), first, HumanMessage("And after that?")])
        for chunk in chat.stream("Tell me about the fox"):
            print(chunk.text, end="")
        ```
    """

    @classmethod
    def is_lc_serializable(cls) -> bool:
        """``dumpd``/``loads`` round-trip the settings; the key is dumped as a secret reference only."""
        return True

    model_config = ConfigDict(extra="forbid", populate_by_name=True, arbitrary_types_allowed=True)

    knowledge_store_id: str = Field(description="The knowledge store the answers come from (ks_…).")
    session_id: str | None = Field(default=None, description="Continue this session (otherwise taken from history).")
    selections: list[str | dict[str, Any]] | None = Field(
        default=None, description="Items / item collections to answer from (ksi_… / ksic_… ids).")
    instructions: str | None = None
    include: list[str] | None = None
    text_format: dict[str, Any] | None = Field(default=None, description="The Responses `text` option (format).")
    stop: list[str] | None = Field(default=None, description="Stop sequences, applied client-side.")
    streaming: bool = False
    model_name: str = Field(default=MODEL_NAME, alias="model",
                            description="A label for tracing only: Responses has no model choice.")

    @property
    def _llm_type(self) -> str:
        return "twelvelabs-responses"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"knowledge_store_id": self.knowledge_store_id, "model_name": self.model_name}

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params: LangSmithParams = {"ls_provider": "twelvelabs", "ls_model_type": "chat",
                                  "ls_model_name": kwargs.get("model") or self.model_name}
        if stop := (stop or self.stop):
            params["ls_stop"] = stop
        return params

    # --- request ----------------------------------------------------------------------------
    def _request(self, messages: list[BaseMessage], kwargs: dict[str, Any], stream: bool) -> dict[str, Any]:
        call = {k: kwargs.pop(k) for k in _CALL_KEYS if k in kwargs}
        kwargs.pop("model", None)
        if kwargs:
            raise ConfigurationError(f"Unknown arguments {sorted(kwargs)}: ChatTwelveLabsResponses takes "
                                     f"{', '.join(_CALL_KEYS)} per call")
        return responses_request(
            call.get("knowledge_store_id", self.knowledge_store_id), _turns(messages), stream=stream,
            session_id=call.get("session_id"), default_session_id=self.session_id,
            instructions=call.get("instructions", self.instructions), include=call.get("include", self.include),
            selections=call.get("selections", self.selections), text=call.get("text", self.text_format),
        )

    def _metadata(self, response: Any, text: str, cut: bool) -> dict[str, Any]:
        return {
            "model_name": self.model_name, "id": response.id, "session_id": response.session_id,
            "knowledge_store_id": response.knowledge_store_id,
            "finish_reason": "stop" if cut else (response.status or "completed"),
            "citations": citations(text, response.annotations, response.knowledge_store_id),
        }

    def _result(self, response: Any, stop: list[str] | None) -> ChatResult:
        text, cut = truncate_at_stop(check_answer(response).output_text, stop or self.stop)
        message = AIMessage(content=text, response_metadata=self._metadata(response, text, cut),
                            usage_metadata=_usage(response.usage), id=response.id)
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        request = self._request(messages, dict(kwargs), stream=False)
        return self._result(self._sync_client().responses.create(**request), stop)

    async def _agenerate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                         run_manager: AsyncCallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        request = self._request(messages, dict(kwargs), stream=False)
        return self._result(await self._async_client().responses.create(**request), stop)

    # --- streaming ----------------------------------------------------------------------------
    def _chunks(self, event: Any, scanner: StopScanner, sent: list[str]) -> list[ChatGenerationChunk]:
        if event.type == "response.output_text.delta" and getattr(event, "delta", None):
            if scanner.stopped:
                return []
            piece = scanner.feed(event.delta)
            sent.append(piece)
            return [ChatGenerationChunk(message=AIMessageChunk(content=piece))] if piece else []
        if event.type not in ("response.completed", "response.failed"):
            return []
        response = check_answer(event.response)  # response.failed: raised after the tokens already yielded
        out = []
        if tail := scanner.flush():
            sent.append(tail)
            out.append(ChatGenerationChunk(message=AIMessageChunk(content=tail)))
        metadata = self._metadata(response, "".join(sent), scanner.stopped)
        last = AIMessageChunk(content="", response_metadata=metadata, usage_metadata=_usage(response.usage),
                              chunk_position="last")
        out.append(ChatGenerationChunk(message=last))
        return out

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        request = self._request(messages, dict(kwargs), stream=True)
        scanner, sent = StopScanner(stop or self.stop), list[str]()
        stream = self._sync_client().responses.create(**request)
        try:
            for event in stream:
                for chunk in self._chunks(event, scanner, sent):
                    if run_manager and chunk.text:
                        run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                    yield chunk
        finally:
            close_stream(stream)

    async def _astream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                       run_manager: AsyncCallbackManagerForLLMRun | None = None,
                       **kwargs: Any) -> AsyncIterator[ChatGenerationChunk]:
        request = self._request(messages, dict(kwargs), stream=True)
        scanner, sent = StopScanner(stop or self.stop), list[str]()
        stream = await self._async_client().responses.create(**request)
        try:
            async for event in stream:
                for chunk in self._chunks(event, scanner, sent):
                    if run_manager and chunk.text:
                        await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                    yield chunk
        finally:
            await aclose_stream(stream)
