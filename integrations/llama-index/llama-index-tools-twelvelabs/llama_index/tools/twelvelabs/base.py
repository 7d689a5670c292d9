"""``TwelveLabsToolSpec``: TwelveLabs search, Pegasus analyze, segment-store search and ingest as LlamaIndex tools.

Each tool has a sync and an async function (``to_tool_list()`` pairs them, so agents awaiting
``acall`` use ``AsyncTwelveLabs`` and never block the loop), a pydantic argument schema and the same
description as the LangChain tools (``twelvelabs_rag.agent_tools``). A function returns a
:class:`ToolAnswer`: its ``str()`` is the text the model reads, ``.data`` the structured result (the
``raw_output`` of the ``ToolOutput``). Bad arguments and API failures raise typed errors
(``ToolInputError``, ``TwelveLabsError``) whose message says what to change; agents such as
``FunctionAgent`` hand that message to the model as the tool's (error) output.

Example (offline, against the bundled emulator)::

    import tempfile, pathlib
    from twelvelabs_rag.testing import FakeTwelveLabs
    from twelvelabs_rag.testing.samples import DEMO_SCRIPTS, make_clip
    from llama_index.tools.twelvelabs import TwelveLabsToolSpec

    fake = FakeTwelveLabs()
    client = fake.client(poll_interval=0)
    index = client.indexes.create(index_name="tools", models=[
        {"model_name": "marengo3.0", "model_options": ["visual", "audio"]}])  # a current index: assets
    tools = {t.metadata.name: t for t in TwelveLabsToolSpec(index.id, client=client).to_tool_list()}
    clip = make_clip(pathlib.Path(tempfile.mkdtemp()) / "fox.mp4", DEMO_SCRIPTS["wildlife.mp4"])
    print(tools["twelvelabs_ingest"].call(source=str(clip)))          # ... is indexed: asset_id=... video_id=...
    found = tools["twelvelabs_search"].call(query="an eagle over a lake")
    top = found.raw_output.data[0]                                    # the structured hit
    print(found.content.splitlines()[1])                              # 1. [fox.mp4 00:04-00:08] video_id=... asset_id=...
    print(tools["twelvelabs_analyze"].call(prompt="What flies?", asset_id=top["asset_id"],
                                           start=top["start"], end=top["end"]))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from llama_index.core.schema import NodeWithScore, QueryBundle
from llama_index.core.tools import FunctionTool, ToolMetadata
from llama_index.core.tools.tool_spec.base import SPEC_FUNCTION_TYPE, BaseToolSpec
from llama_index.retrievers.twelvelabs import TwelveLabsRetriever
from pydantic import BaseModel, SecretStr

from twelvelabs_rag import ConfigurationError, LazyClients
from twelvelabs_rag.agent_tools import (
    ANALYZE_DESCRIPTION,
    ANALYZE_NAME,
    INGEST_DESCRIPTION,
    INGEST_NAME,
    SEARCH_DESCRIPTION,
    SEARCH_NAME,
    SEGMENT_SEARCH_DESCRIPTION,
    SEGMENT_SEARCH_NAME,
    AnalyzeArgs,
    AnalyzeTargets,
    IngestArgs,
    Ingester,
    SearchArgs,
    SegmentSearchArgs,
    ToolInputError,
    analysis_output,
    analyze_request,
    asegment_search,
    citation,
    format_moments,
    hit_dict,
    hit_line,
    moment_line,
    segment_search,
    validate_args,
)
from twelvelabs_rag.store import SegmentIndex

__all__ = ["TwelveLabsToolSpec", "ToolAnswer"]

_TOOLS: dict[str, tuple[str, type[BaseModel]]] = {
    SEARCH_NAME: (SEARCH_DESCRIPTION, SearchArgs),
    ANALYZE_NAME: (ANALYZE_DESCRIPTION, AnalyzeArgs),
    SEGMENT_SEARCH_NAME: (SEGMENT_SEARCH_DESCRIPTION, SegmentSearchArgs),
    INGEST_NAME: (INGEST_DESCRIPTION, IngestArgs),
}


@dataclass
class ToolAnswer:
    """A tool's result: ``text`` for the model (also its ``str()``), ``data`` for the program.

    Example:
        ```python
        answer = ToolAnswer("1 moment(s) ...", [{"video_id": "v1", "start": 4.0, "end": 8.0}])
        assert str(answer) == "1 moment(s) ..." and answer.data[0]["start"] == 4.0
        ```
    """

    text: str
    data: Any

    def __str__(self) -> str:
        return self.text


def _node_hit(hit: NodeWithScore) -> dict[str, Any]:
    meta = dict(hit.node.metadata)
    name = meta.get("filename") or meta["video_id"]
    return {"id": hit.node.node_id, "citation": citation(name, meta["start"], meta["end"]),
            "text": hit.node.get_content(), **meta}


class TwelveLabsToolSpec(BaseToolSpec):
    """TwelveLabs tools for LlamaIndex agents, built from one client (or one key).

    Args:
        index_id: the index searched and ingested into (search and ingest are left out without it).
        store: a ``twelvelabs_rag.store.SegmentIndex`` (``SegmentStore`` or ``MilvusSegmentStore``) for the
            segment-search tool (left out without it).
        api_key / base_url / client / async_client: connection, as for every component of this package.
            With only a ``store``, no key is needed: cached queries and ``like_segment_id`` work offline.
        k: moments per search (the model may ask for another ``k``). search_options: search modalities.
        analyze_model, temperature, max_tokens: Pegasus settings. wait_timeout: seconds each wait of an ingest
            call lasts (current flow: the asset's processing, then its indexing).
        api_shape: ``"current"`` or ``"classic"``; by default the index's models decide how search and ingest
            run (current: assets + indexed assets, hits carry ``asset_id``; classic: ``/tasks``, ``video_id``).
        on_progress: upload progress of local files ingested on the current flow (may run in worker threads).

    Example:
        ```python
        spec = TwelveLabsToolSpec("idx_123", client=client, async_client=aclient)
        agent = FunctionAgent(tools=spec.to_tool_list(), llm=llm)
        ```
    """

    spec_functions: list[SPEC_FUNCTION_TYPE] = [
        (SEARCH_NAME, f"a{SEARCH_NAME}"),
        (ANALYZE_NAME, f"a{ANALYZE_NAME}"),
        (SEGMENT_SEARCH_NAME, f"a{SEGMENT_SEARCH_NAME}"),
        (INGEST_NAME, f"a{INGEST_NAME}"),
    ]

    def __init__(
        self,
        index_id: str | None = None,
        *,
        store: SegmentIndex | None = None,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        client: Any = None,
        async_client: Any = None,
        k: int = 5,
        search_options: Sequence[str] = ("visual", "audio"),
        analyze_model: str | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        wait_timeout: float | None = 600.0,
        user_metadata: dict[str, Any] | None = None,
        api_shape: str | None = None,
        on_progress: Callable[[Any], Any] | None = None,
    ) -> None:
        if k < 1:
            raise ToolInputError(f"k must be >= 1, got {k}")
        if store is not None and not isinstance(store, SegmentIndex):
            raise ConfigurationError(f"store= must be a twelvelabs_rag.store.SegmentIndex (SegmentStore or "
                                     f"MilvusSegmentStore), got {type(store).__name__}")
        key = SecretStr(api_key) if isinstance(api_key, str) else api_key  # never in a repr of the spec's state
        self._conn = {"api_key": key, "base_url": base_url, "client": client, "async_client": async_client}
        try:
            self._clients: LazyClients | None = LazyClients.for_component("TwelveLabsToolSpec", **self._conn)
        except ConfigurationError:
            if store is None:
                raise
            self._clients = None  # a store alone works offline (cached queries, more-like-this)
        self.index_id, self.store, self.k = index_id, store, k
        self.search_options = tuple(search_options)
        self.analyze_model, self.temperature, self.max_tokens = analyze_model, temperature, max_tokens
        self.wait_timeout, self.user_metadata, self.on_progress = wait_timeout, user_metadata, on_progress
        self._ingester = Ingester(api_shape)  # checks api_shape
        self._targets = AnalyzeTargets(api_shape)  # a current index's video_id -> its asset, for analyze
        self.api_shape = api_shape
        self._retrievers: dict[int, TwelveLabsRetriever] = {}

    def __repr__(self) -> str:
        return f"TwelveLabsToolSpec(index_id={self.index_id!r}, store={self.store is not None}, k={self.k})"

    # --- LlamaIndex plumbing ------------------------------------------------------------------
    def get_metadata_from_fn_name(self, fn_name: str, spec_functions: Any = None) -> ToolMetadata | None:
        """Name, description and argument schema of a tool (shared with the LangChain tools)."""
        name = fn_name[1:] if fn_name.startswith("a") and fn_name[1:] in _TOOLS else fn_name
        if name not in _TOOLS:
            return None
        description, schema = _TOOLS[name]
        return ToolMetadata(name=name, description=description, fn_schema=schema)

    def to_tool_list(self, spec_functions: list[SPEC_FUNCTION_TYPE] | None = None,
                     func_to_metadata_mapping: dict[str, ToolMetadata] | None = None) -> list[FunctionTool]:
        """The tools this configuration supports: search and ingest with an index, segment search with a store."""
        if spec_functions is None:
            wanted = {ANALYZE_NAME} | ({SEARCH_NAME, INGEST_NAME} if self.index_id else set()) | (
                {SEGMENT_SEARCH_NAME} if self.store is not None else set())
            spec_functions = [f for f in self.spec_functions if (f[0] if isinstance(f, tuple) else f) in wanted]
        return super().to_tool_list(spec_functions, func_to_metadata_mapping)

    def _holder(self) -> LazyClients:
        if self._clients is None:
            raise ConfigurationError(
                "This tool needs the TwelveLabs API: pass api_key=... (or set TWELVELABS_API_KEY) or client=... "
                "to TwelveLabsToolSpec."
            )
        return self._clients

    def _need_index(self) -> str:
        if not self.index_id:
            raise ToolInputError("No index configured: create the TwelveLabsToolSpec with an index_id.")
        return self.index_id

    def _retriever(self, k: int) -> TwelveLabsRetriever:
        if k not in self._retrievers:
            self._retrievers[k] = TwelveLabsRetriever(self._need_index(), similarity_top_k=k,
                                                      search_options=self.search_options, api_shape=self.api_shape,
                                                      **self._conn)
        return self._retrievers[k]

    # --- search -----------------------------------------------------------------------------------
    def _search_query(self, kwargs: dict[str, Any]) -> tuple[int, QueryBundle, str]:
        args = validate_args(SearchArgs, kwargs)
        query, image = (args.query or "").strip(), (args.image or "").strip()
        if not query and not image:
            raise ToolInputError("Give `query` (what to look for, in words) or `image` (an image path or URL).")
        what = " and ".join(x for x in (f"{query!r}" if query else "", f"image {image}" if image else "") if x)
        return args.k or self.k, QueryBundle(query_str=query, image_path=image or None), what

    @staticmethod
    def _moments(hits: list[NodeWithScore], what: str) -> ToolAnswer:
        data = [_node_hit(h) for h in hits]
        lines = [moment_line(i + 1, d["citation"], d["video_id"], d["start"], d["end"], d["text"],
                             asset_id=d.get("asset_id"), score=d.get("score"))
                 for i, d in enumerate(data)]
        return ToolAnswer(format_moments(lines, what=what), data)

    def twelvelabs_search(self, **kwargs: Any) -> ToolAnswer:
        """Find moments in the index for a text or an image."""
        k, bundle, what = self._search_query(kwargs)
        return self._moments(self._retriever(k).retrieve(bundle), what)

    async def atwelvelabs_search(self, **kwargs: Any) -> ToolAnswer:
        """Async :meth:`twelvelabs_search`."""
        k, bundle, what = self._search_query(kwargs)
        return self._moments(await self._retriever(k).aretrieve(bundle), what)

    # --- analyze ---------------------------------------------------------------------------------
    def _analyze_args(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        args = validate_args(AnalyzeArgs, kwargs).model_dump()
        analyze_request(**args)  # bad arguments fail before any request
        return args

    def _analyze_request(self, args: dict[str, Any]) -> dict[str, Any]:
        return analyze_request(**args, model_name=self.analyze_model, temperature=self.temperature,
                               max_tokens=self.max_tokens)

    @staticmethod
    def _analysis(response: Any, request: dict[str, Any]) -> ToolAnswer:
        return ToolAnswer(*analysis_output(response, request))

    def twelvelabs_analyze(self, **kwargs: Any) -> ToolAnswer:
        """Ask Pegasus about a video, an asset or a URL (optionally one moment, optionally as JSON)."""
        args, client = self._analyze_args(kwargs), self._holder().sync
        request = self._analyze_request(self._targets.resolve(client, self.index_id, args))
        return self._analysis(client.analyze(**request, stream=False), request)

    async def atwelvelabs_analyze(self, **kwargs: Any) -> ToolAnswer:
        """Async :meth:`twelvelabs_analyze`."""
        args, client = self._analyze_args(kwargs), self._holder().aio
        request = self._analyze_request(await self._targets.aresolve(client, self.index_id, args))
        return self._analysis(await client.analyze(**request, stream=False), request)

    # --- segment store -----------------------------------------------------------------------------
    def _segment_args(self, kwargs: dict[str, Any]) -> tuple[dict[str, Any], str]:
        if self.store is None:
            raise ToolInputError("No segment store configured: create the TwelveLabsToolSpec with store=SegmentStore(...) or MilvusSegmentStore(...).")
        args = validate_args(SegmentSearchArgs, kwargs)
        what = (f"{args.query!r}" if args.query else f"image {args.image}" if args.image
                else f"moments like segment {args.like_segment_id}")
        return {"query": args.query, "image": args.image, "like_segment_id": args.like_segment_id,
                "k": args.k or self.k}, what

    @staticmethod
    def _segments(hits: list[Any], what: str) -> ToolAnswer:
        return ToolAnswer(format_moments([hit_line(i + 1, h) for i, h in enumerate(hits)], what=what),
                          [hit_dict(h) for h in hits])

    def twelvelabs_segment_search(self, **kwargs: Any) -> ToolAnswer:
        """Search the segment store (local or Milvus): text, image, or more like a segment."""
        args, what = self._segment_args(kwargs)
        client = self._clients.sync if self._clients is not None else None
        return self._segments(segment_search(self.store, client, **args), what)

    async def atwelvelabs_segment_search(self, **kwargs: Any) -> ToolAnswer:
        """Async :meth:`twelvelabs_segment_search`."""
        args, what = self._segment_args(kwargs)
        client = self._clients.aio if self._clients is not None else None
        return self._segments(await asegment_search(self.store, client, **args), what)

    # --- ingest --------------------------------------------------------------------------------------
    def twelvelabs_ingest(self, **kwargs: Any) -> ToolAnswer:
        """Index a file or URL; return when ready or after ``wait_timeout`` with the ids so far."""
        source = validate_args(IngestArgs, kwargs).source
        result = self._ingester.ingest(self._holder().sync, index_id=self._need_index(), source=source,
                                       timeout=self.wait_timeout, user_metadata=self.user_metadata,
                                       on_progress=self.on_progress)
        return ToolAnswer(result.text(), result.to_dict())

    async def atwelvelabs_ingest(self, **kwargs: Any) -> ToolAnswer:
        """Async :meth:`twelvelabs_ingest`."""
        source = validate_args(IngestArgs, kwargs).source
        result = await self._ingester.aingest(self._holder().aio, index_id=self._need_index(), source=source,
                                              timeout=self.wait_timeout, user_metadata=self.user_metadata,
                                              on_progress=self.on_progress)
        return ToolAnswer(result.text(), result.to_dict())

    # --- lifecycle ---------------------------------------------------------------------------------
    def close(self) -> None:
        """Close the sync clients this spec (and its retrievers) built; given clients stay yours."""
        for retriever in self._retrievers.values():
            retriever.close()
        if self._clients is not None:
            self._clients.close()

    async def aclose(self) -> None:
        """Close the async clients this spec built for the running loop."""
        for retriever in self._retrievers.values():
            await retriever.aclose()
        if self._clients is not None:
            await self._clients.aclose()
