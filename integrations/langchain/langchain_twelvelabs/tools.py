"""TwelveLabs as tools for LangChain agents: search moments, ask Pegasus, search a local segment store, index.

Every tool has a pydantic argument schema whose descriptions a tool-calling model can follow, runs
sync (``TwelveLabs``) and async (``AsyncTwelveLabs``, never blocking the loop), and returns its
errors as the tool message (``handle_tool_error=True``): a bad argument or an API failure becomes
a ``ToolMessage`` with ``status="error"`` and a message that says what to change, never a traceback.
What the tools say and do is shared with the LlamaIndex tool spec (``twelvelabs_rag.agent_tools``).

```python
from langchain_twelvelabs.tools import TwelveLabsToolkit
tools = TwelveLabsToolkit(api_key="tlk_...", index_id="idx_123").get_tools()
assert [t.name for t in tools] == ["twelvelabs_search", "twelvelabs_analyze", "twelvelabs_ingest"]
```
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from langchain_core.documents import Document
from langchain_core.tools import BaseTool, BaseToolkit, ToolException
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from twelvelabs_rag.agent_tools import (
    ANALYZE_DESCRIPTION,
    ANALYZE_NAME,
    INGEST_DESCRIPTION,
    INGEST_NAME,
    SEARCH_DESCRIPTION,
    SEARCH_NAME,
    AnalyzeArgs,
    AnalyzeTargets,
    IngestArgs,
    Ingester,
    SearchArgs,
    SegmentSearchArgs,
    analysis_output,
    analyze_request,
    format_moments,
    moment_line,
)
from twelvelabs_rag.store import SegmentIndex

from ._tool_base import TwelveLabsSegmentSearchTool, TwelveLabsToolBase, as_tool_errors
from ._utils import TwelveLabsClientMixin
from .retrievers import TwelveLabsSearchRetriever, format_citation

__all__ = [
    "TwelveLabsSearchTool", "TwelveLabsAnalyzeTool", "TwelveLabsSegmentSearchTool", "TwelveLabsIngestTool",
    "TwelveLabsToolkit", "SearchArgs", "AnalyzeArgs", "SegmentSearchArgs", "IngestArgs",
]


# --- search -------------------------------------------------------------------------------------
def _document_hit(doc: Document) -> dict[str, Any]:
    return {"id": doc.id, "citation": format_citation(doc), "text": doc.page_content, **doc.metadata}


class TwelveLabsSearchTool(TwelveLabsToolBase):
    """Find moments in a TwelveLabs index for a text or an image; returns cited moments plus the hits.

    The content is one line per moment (citation, ``video_id``, ``start``/``end`` seconds, on a current
    index the ``asset_id`` to analyze it by, what is said); the artifact is the list of hits as dicts
    (``video_id``, ``asset_id``, ``start``, ``end``, ``score`` or ``rank``, ``filename``, ``citation``,
    ``text``, ...). Searching is done by :class:`TwelveLabsSearchRetriever` (the index's models decide
    the flow, or ``api_shape``).

    Setup:
        ```bash
        pip install -U langchain-twelvelabs
        export TWELVELABS_API_KEY="tlk_..."
        ```

    Key init args:
        index_id: the index to search. k: moments per call (default 5; the model may ask for more).
        search_options: modalities, default ``["visual", "audio"]``. api_shape: ``"current"`` or
        ``"classic"`` (default: the index decides).

    Instantiate:
        ```python
        from langchain_twelvelabs.tools import TwelveLabsSearchTool
        tool = TwelveLabsSearchTool(index_id="idx_123")
        ```

    Invoke:
        ```python
        msg = tool.invoke({"type": "tool_call", "id": "1", "name": tool.name, "args": {"query": "a fox"}})
        msg.content, msg.artifact[0]["video_id"]
        ```
    """

    name: str = SEARCH_NAME
    description: str = SEARCH_DESCRIPTION
    args_schema: type[BaseModel] = SearchArgs
    index_id: str
    k: int = Field(default=5, ge=1, le=50)
    search_options: list[str] = Field(default_factory=lambda: ["visual", "audio"])
    api_shape: Literal["current", "classic"] | None = None

    _retriever: TwelveLabsSearchRetriever | None = PrivateAttr(default=None)

    def _get_retriever(self) -> TwelveLabsSearchRetriever:
        if self._retriever is None or self._retriever.index_id != self.index_id:
            self._retriever = TwelveLabsSearchRetriever(
                index_id=self.index_id, k=self.k, search_options=self.search_options, api_shape=self.api_shape,
                api_key=self.api_key,
                base_url=self.base_url, timeout=self.timeout, max_retries=self.max_retries, client=self.client,
                async_client=self.async_client,
            )
        return self._retriever

    def _call_args(self, query: str | None, image: str | None, k: int | None) -> tuple[str, dict[str, Any], str]:
        if not (query or "").strip() and not (image or "").strip():
            raise ToolException("Give `query` (what to look for, in words) or `image` (an image path or URL).")
        kwargs: dict[str, Any] = {"k": k or self.k}
        if image:
            kwargs["image"] = image
        what = " and ".join(x for x in (f"{query!r}" if query else "", f"image {image}" if image else "") if x)
        return (query or "").strip(), kwargs, what

    @staticmethod
    def _output(docs: list[Document], what: str) -> tuple[str, list[dict[str, Any]]]:
        lines = [
            moment_line(i + 1, format_citation(d), d.metadata["video_id"], d.metadata["start"], d.metadata["end"],
                        d.page_content, asset_id=d.metadata.get("asset_id"), score=d.metadata.get("score"))
            for i, d in enumerate(docs)
        ]
        return format_moments(lines, what=what), [_document_hit(d) for d in docs]

    def _run(self, query: str | None = None, image: str | None = None, k: int | None = None,
             run_manager: Any = None) -> tuple[str, list[dict[str, Any]]]:
        text, kwargs, what = self._call_args(query, image, k)
        with as_tool_errors():
            docs = self._get_retriever().invoke(text, **kwargs)
        return self._output(docs, what)

    async def _arun(self, query: str | None = None, image: str | None = None, k: int | None = None,
                    run_manager: Any = None) -> tuple[str, list[dict[str, Any]]]:
        text, kwargs, what = self._call_args(query, image, k)
        with as_tool_errors():
            docs = await self._get_retriever().ainvoke(text, **kwargs)
        return self._output(docs, what)

    def close(self) -> None:
        """Close the clients this tool (and its retriever) built; given clients stay yours."""
        if self._retriever is not None:
            self._retriever.close()
        super().close()

    async def aclose(self) -> None:
        """Async :meth:`close` for the running event loop."""
        if self._retriever is not None:
            await self._retriever.aclose()
        await super().aclose()


# --- analyze ------------------------------------------------------------------------------------
class TwelveLabsAnalyzeTool(TwelveLabsToolBase):
    """Ask Pegasus about a video, an asset or a URL, optionally about one moment, optionally as JSON.

    ``asset_id`` / ``url`` run on ``pegasus1.5``, ``video_id`` (a classic index) on ``pegasus1.2``
    (``model_name`` overrides). A moment's window (``start``/``end``) is sent as ``start_time``/
    ``end_time`` on the ``video`` object (asset or URL); classic ``video_id`` has none, so there it is
    stated in the prompt. With ``index_id`` (the toolkit sets it) a ``video_id`` of a current index is
    asked about as its asset (``twelvelabs_rag.agent_tools.AnalyzeTargets``), window included. The
    artifact holds the answer, its parsed JSON (with ``json_schema``), the model, the finish reason
    and the generation id.

    Setup:
        ```bash
        pip install -U langchain-twelvelabs
        export TWELVELABS_API_KEY="tlk_..."
        ```

    Key init args:
        model_name: the Pegasus model (default: from the video binding). temperature, max_tokens.
        index_id / api_shape: the index whose ``video_id``s the model may pass (default: none; the index
        decides the flow unless ``api_shape`` says).

    Instantiate:
        ```python
        from langchain_twelvelabs.tools import TwelveLabsAnalyzeTool
        tool = TwelveLabsAnalyzeTool(temperature=0.2)
        ```

    Invoke:
        ```python
        tool.invoke({"prompt": "What happens here?", "asset_id": "asset_1", "start": 4, "end": 8})
        ```
    """

    name: str = ANALYZE_NAME
    description: str = ANALYZE_DESCRIPTION
    args_schema: type[BaseModel] = AnalyzeArgs
    model_name: str | None = None
    temperature: float | None = Field(default=None, ge=0, le=1)
    max_tokens: int | None = Field(default=None, ge=2)
    index_id: str | None = None
    api_shape: Literal["current", "classic"] | None = None

    _targets: AnalyzeTargets | None = PrivateAttr(default=None)

    def _get_targets(self) -> AnalyzeTargets:
        if self._targets is None or self._targets.api_shape != self.api_shape:
            self._targets = AnalyzeTargets(self.api_shape)
        return self._targets

    def _request(self, client: Any, args: dict[str, Any]) -> dict[str, Any]:
        return analyze_request(**args, model_name=self.model_name, temperature=self.temperature,
                               max_tokens=self.max_tokens)

    def _run(self, prompt: str, video_id: str | None = None, asset_id: str | None = None, url: str | None = None,
             start: float | None = None, end: float | None = None, json_schema: dict[str, Any] | None = None,
             run_manager: Any = None) -> tuple[str, dict[str, Any]]:
        args: dict[str, Any] = {"prompt": prompt, "video_id": video_id, "asset_id": asset_id, "url": url, "start": start,
                "end": end, "json_schema": json_schema}
        with as_tool_errors():
            analyze_request(**args)  # bad arguments fail before any request
            client = self._sync_client()
            request = self._request(client, self._get_targets().resolve(client, self.index_id, args))
            return analysis_output(client.analyze(**request, stream=False), request)

    async def _arun(self, prompt: str, video_id: str | None = None, asset_id: str | None = None,
                    url: str | None = None, start: float | None = None, end: float | None = None,
                    json_schema: dict[str, Any] | None = None, run_manager: Any = None) -> tuple[str, dict[str, Any]]:
        args: dict[str, Any] = {"prompt": prompt, "video_id": video_id, "asset_id": asset_id, "url": url, "start": start,
                "end": end, "json_schema": json_schema}
        with as_tool_errors():
            analyze_request(**args)  # bad arguments fail before any request
            client = self._async_client()
            request = self._request(client, await self._get_targets().aresolve(client, self.index_id, args))
            return analysis_output(await client.analyze(**request, stream=False), request)


# --- ingest --------------------------------------------------------------------------------------------
class TwelveLabsIngestTool(TwelveLabsToolBase):
    """Index a video file or URL; returns when it is ready, or after ``wait_timeout`` with the ids so far.

    The index decides the flow (``twelvelabs_rag.flow.choose_flow``; ``api_shape`` to insist): on a
    current index (Marengo 3.0/3.5) the source becomes an asset (multipart with resume for large
    files; ``on_progress`` gets the upload progress) and then an indexed asset; on a classic index it
    goes through ``/tasks``. A source already ingested (same file content, same name and size, or
    same URL; an asset or task still processing counts) is not uploaded again, it is waited for. The
    artifact is ``{"status", "asset_id", "video_id", "task_id", "index_id", "source", "already_indexed",
    "resumed", "api_shape"}``: ``asset_id`` is what the analyze tool takes, ``video_id`` what search
    answers; ``task_id`` only on a classic index.

    Setup:
        ```bash
        pip install -U langchain-twelvelabs
        export TWELVELABS_API_KEY="tlk_..."
        ```

    Key init args:
        index_id: the index to add videos to. wait_timeout: seconds each wait lasts (default 600; on the
        current flow the asset's processing, then its indexing). user_metadata: added to every upload.
        api_shape: ``"current"`` or ``"classic"`` (default: the index decides). on_progress: upload
        progress of local files on the current flow (may be called from worker threads).

    Instantiate:
        ```python
        from langchain_twelvelabs.tools import TwelveLabsIngestTool
        tool = TwelveLabsIngestTool(index_id="idx_123", wait_timeout=300)
        ```

    Invoke:
        ```python
        tool.invoke({"source": "talks/keynote.mp4"})
        ```
    """

    name: str = INGEST_NAME
    description: str = INGEST_DESCRIPTION
    args_schema: type[BaseModel] = IngestArgs
    index_id: str
    wait_timeout: float | None = Field(default=600.0, ge=0)
    user_metadata: dict[str, Any] | None = None
    api_shape: Literal["current", "classic"] | None = None
    on_progress: Callable[[Any], Any] | None = Field(default=None, exclude=True, repr=False)

    _ingester: Ingester | None = PrivateAttr(default=None)

    def _get_ingester(self) -> Ingester:
        if self._ingester is None or self._ingester.api_shape != self.api_shape:
            self._ingester = Ingester(self.api_shape)
        return self._ingester

    def _run(self, source: str, run_manager: Any = None) -> tuple[str, dict[str, Any]]:
        with as_tool_errors():
            result = self._get_ingester().ingest(
                self._sync_client(), index_id=self.index_id, source=source, timeout=self.wait_timeout,
                user_metadata=self.user_metadata, on_progress=self.on_progress)
        return result.text(), result.to_dict()

    async def _arun(self, source: str, run_manager: Any = None) -> tuple[str, dict[str, Any]]:
        with as_tool_errors():
            result = await self._get_ingester().aingest(
                self._async_client(), index_id=self.index_id, source=source, timeout=self.wait_timeout,
                user_metadata=self.user_metadata, on_progress=self.on_progress)
        return result.text(), result.to_dict()


# --- toolkit ----------------------------------------------------------------------------------------------
class TwelveLabsToolkit(TwelveLabsClientMixin, BaseToolkit):
    """The TwelveLabs tools built from one client (or one key): search, analyze, segment search, ingest.

    Search and ingest need ``index_id``; the segment-search tool needs ``store`` (a ``SegmentStore`` or a
    ``MilvusSegmentStore``); analyze is always
    there. Pass ``client=`` / ``async_client=`` to share ready clients (they stay yours to close).

    Setup:
        ```bash
        pip install -U langchain-twelvelabs
        export TWELVELABS_API_KEY="tlk_..."
        ```

    Key init args:
        index_id, store, k, search_options, analyze_model, wait_timeout, api_shape (default: the index decides
        the flow of search and ingest).

    Instantiate:
        ```python
        from langchain_twelvelabs.tools import TwelveLabsToolkit
        toolkit = TwelveLabsToolkit(index_id="idx_123")
        tools = toolkit.get_tools()
        ```
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True, arbitrary_types_allowed=True)

    index_id: str | None = None
    store: SegmentIndex | None = Field(default=None, exclude=True, repr=False,
                                       description="A SegmentStore or MilvusSegmentStore for the segment-search tool.")
    k: int = Field(default=5, ge=1, le=50)
    search_options: list[str] = Field(default_factory=lambda: ["visual", "audio"])
    analyze_model: str | None = None
    wait_timeout: float | None = Field(default=600.0, ge=0)
    api_shape: Literal["current", "classic"] | None = None

    def get_tools(self) -> list[BaseTool]:
        """The tools this configuration supports, in the order search, analyze, segment search, ingest."""
        conn = {"api_key": self.api_key, "base_url": self.base_url, "timeout": self.timeout,
                "max_retries": self.max_retries, "client": self.client, "async_client": self.async_client}
        tools: list[BaseTool] = []
        if self.index_id:
            tools.append(TwelveLabsSearchTool(index_id=self.index_id, k=self.k, search_options=self.search_options,
                                              api_shape=self.api_shape, **conn))
        tools.append(TwelveLabsAnalyzeTool(model_name=self.analyze_model, index_id=self.index_id,
                                           api_shape=self.api_shape, **conn))
        if self.store is not None:
            tools.append(TwelveLabsSegmentSearchTool(store=self.store, k=self.k, **conn))
        if self.index_id:
            tools.append(TwelveLabsIngestTool(index_id=self.index_id, wait_timeout=self.wait_timeout,
                                              api_shape=self.api_shape, **conn))
        return tools
