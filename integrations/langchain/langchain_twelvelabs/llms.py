"""Pegasus (TwelveLabs ``analyze``) as a string-in/string-out LangChain LLM bound to a video."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import LLM, LangSmithParams
from langchain_core.outputs import GenerationChunk
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

__all__ = ["TwelveLabsPegasusLLM"]


class TwelveLabsPegasusLLM(TwelveLabsClientMixin, PegasusParams, LLM):
    """TwelveLabs Pegasus as a plain LLM: a prompt about one video in, text out.

    Setup:
        ```bash
        pip install -U langchain-twelvelabs
        export TWELVELABS_API_KEY="tlk_..."
        ```

    Key init args:
        video_id: an indexed video (classic ``pegasus1.2``), or
        video: a URL / asset id / analyze ``video`` dict (current ``pegasus1.5``).
        model: ``"pegasus1.2"`` or ``"pegasus1.5"``; by default chosen from the video binding.
        temperature, max_tokens, stop: generation settings (``stop`` is applied client-side).

    Instantiate:
        ```python
        from langchain_twelvelabs import TwelveLabsPegasusLLM

        llm = TwelveLabsPegasusLLM(video_id="vid_123")
        ```

    Invoke:
        ```python
        llm.invoke("List the animals you see.")
        llm.invoke("Summarise", video_id="another_video")   # per call, or llm.bind(video_id=...)
        for token in llm.stream("Describe the scenes"):      # fires on_llm_new_token per fragment
            print(token, end="")
        ```

    Async:
        ```python
        text = await llm.ainvoke("What happens?")
        ```
    """

    @classmethod
    def is_lc_serializable(cls) -> bool:
        """``dumpd``/``loads`` round-trip the settings; the key is dumped as a secret reference only."""
        return True

    model_config = ConfigDict(extra="forbid", populate_by_name=True, arbitrary_types_allowed=True)

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = super()._get_ls_params(stop=stop, **kwargs)
        params["ls_provider"] = "twelvelabs"
        params["ls_model_name"] = kwargs.get("model") or self.resolved_model()
        return params

    def _call(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> str:
        request = self.analyze_kwargs(prompt, kwargs)
        if self.async_task:  # long videos: client.analyze.tasks, on_progress per poll
            task = self._sync_client().analyze.tasks.create_and_wait(**task_kwargs(request, self.on_progress))
            response = task_response(task)
        else:
            response = self._sync_client().analyze(**request, stream=False)
        return truncate_at_stop(response.data or "", stop or self.stop)[0]

    async def _acall(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> str:
        request = self.analyze_kwargs(prompt, kwargs)
        if self.async_task:
            client = self._async_client()
            response = task_response(await client.analyze.tasks.create_and_wait(**task_kwargs(request, self.on_progress)))
        else:
            response = await self._async_client().analyze(**request, stream=False)
        return truncate_at_stop(response.data or "", stop or self.stop)[0]

    @staticmethod
    def _chunk(event: Any, scanner: StopScanner, model_name: str) -> GenerationChunk | None:
        kind = getattr(event, "event_type", None)
        if kind == "text_generation":
            text = scanner.feed(event.text or "")
            return GenerationChunk(text=text) if text else None
        if kind == "stream_end":
            info: dict[str, Any] = {
                "finish_reason": "stop" if scanner.stopped else event.finish_reason,
                "model_name": model_name,
                "usage": usage_dict(event.usage),
            }
            if event.metadata is not None and event.metadata.generation_id:
                info["generation_id"] = event.metadata.generation_id
            return GenerationChunk(text=scanner.flush(), generation_info=info)
        return None

    def _stream(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[GenerationChunk]:
        if self.async_task:  # an analyze task answers once: one chunk
            yield GenerationChunk(text=self._call(prompt, stop, run_manager, **kwargs))
            return
        request = self.analyze_kwargs(prompt, kwargs)
        scanner = StopScanner(stop or self.stop)
        stream = self._sync_client().analyze(**request, stream=True)
        try:
            for event in stream:
                chunk = self._chunk(event, scanner, request["model_name"])
                if chunk is None:
                    continue
                if run_manager and chunk.text:
                    run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                yield chunk
        finally:
            close_stream(stream)

    async def _astream(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[GenerationChunk]:
        if self.async_task:
            yield GenerationChunk(text=await self._acall(prompt, stop, run_manager, **kwargs))
            return
        request = self.analyze_kwargs(prompt, kwargs)
        scanner = StopScanner(stop or self.stop)
        stream = await self._async_client().analyze(**request, stream=True)
        try:
            async for event in stream:
                chunk = self._chunk(event, scanner, request["model_name"])
                if chunk is None:
                    continue
                if run_manager and chunk.text:
                    await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                yield chunk
        finally:
            await aclose_stream(stream)
