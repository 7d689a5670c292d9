"""Framework-free bodies of the TwelveLabs agent tools, shared by langchain-twelvelabs and llama-index-tools-twelvelabs.

One owner for what both frameworks' tools say and do:

- tool names, descriptions and argument schemas (the wording a tool-calling model reads);
- moment lines: the text a search tool returns per hit, and :func:`parse_moment_lines` to read it back;
- :func:`analyze_request`: a Pegasus question about an indexed video, an asset or a URL, optionally
  about one moment's time window and with a JSON schema;
- :func:`segment_search` / :func:`asegment_search`: offline search of a local ``SegmentStore``;
- :class:`Ingester`: index a file or URL, return when ready or after a timeout with the ids it got,
  and never upload the same source twice (indexed, or a task still indexing it, even one another
  process started: found by ``dedupe.find_upload``, and the task is waited for instead).

Bad tool input raises :class:`ToolInputError` (a ``TwelveLabsError`` and a ``ValueError``) whose
message names the problem and the fix; the framework packages turn it into a tool message.

```python
from twelvelabs_rag.agent_tools import moment_line, parse_moment_lines
line = moment_line(1, "[fox.mp4 00:00-00:04]", "v1", 0, 4, "a red fox")
assert parse_moment_lines(line)[0].video_id == "v1"
```
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import anyio

from ._exceptions import TaskFailedError, WaitTimeoutError
from ._tool_args import (
    AnalyzeArgs,
    IngestArgs,
    SearchArgs,
    SegmentSearchArgs,
    ToolInputError,
    validate_args,
    validation_message,
)
from .dedupe import afind_upload, find_upload
from .flow import AssetIds, Flow, choose_flow
from .ingest_assets import IngestWaitTimeoutError, aingest_asset, ingest_asset
from .moments import dedupe_metadata, file_sha256, format_timestamp
from .resources._resource import Plan, arun_plan, run_plan

__all__ = [
    "SEARCH_NAME", "ANALYZE_NAME", "SEGMENT_SEARCH_NAME", "INGEST_NAME",
    "SEARCH_DESCRIPTION", "ANALYZE_DESCRIPTION", "SEGMENT_SEARCH_DESCRIPTION", "INGEST_DESCRIPTION",
    "ToolInputError", "SearchArgs", "AnalyzeArgs", "SegmentSearchArgs", "IngestArgs", "validate_args",
    "validation_message", "citation", "MomentLine", "moment_line", "parse_moment_lines", "format_moments",
    "analyze_request", "analysis_output", "AnalyzeTargets", "segment_search", "asegment_search", "hit_line",
    "hit_dict", "IngestResult", "Ingester", "STILL_INDEXING",
]

SEARCH_NAME = "twelvelabs_search"
ANALYZE_NAME = "twelvelabs_analyze"
SEGMENT_SEARCH_NAME = "twelvelabs_segment_search"
INGEST_NAME = "twelvelabs_ingest"

SEARCH_DESCRIPTION = (
    "Find moments (time-stamped clips) in the indexed videos that match a description or an image. "
    "Give `query` (what to look for, e.g. 'a fox running through snow') and/or `image` (a local image "
    "path or an http(s) image URL). Returns numbered moments, best first, each with a citation "
    "[video mm:ss-mm:ss], its video_id (and asset_id when the video is an asset), start and end in "
    "seconds, and what is said in it. To ask about a moment, give the analyze tool its asset_id (or its "
    "video_id when it has no asset_id) with its start and end."
)
ANALYZE_DESCRIPTION = (
    "Ask the Pegasus video model a question about one video: give `prompt` and exactly one of "
    "`asset_id` (e.g. the asset_id of a search result or of the ingest tool), `video_id` (a video of the "
    "index, for search results without an asset_id) or `url` (a direct video URL). Give `start` and "
    "`end` (seconds) to ask about one moment only. Give `json_schema` to get the answer as JSON matching "
    "that schema. Returns Pegasus's answer."
)
SEGMENT_SEARCH_DESCRIPTION = (
    "Search the local store of video segment embeddings (offline; fast). Give exactly one of `query` "
    "(text), `image` (a local image path or an http(s) image URL) or `like_segment_id` (the segment_id "
    "of an earlier result, to find more moments like it). Returns numbered moments with citation, "
    "video_id, start and end in seconds, score and segment_id."
)
INGEST_DESCRIPTION = (
    "Index a video so it can be searched and analyzed: give `source`, a local file path or an http(s) "
    "URL. Returns its ids when indexing is done (asset_id and video_id; only a video_id on older indexes), "
    "or the ids so far with the current status when it takes longer than the wait limit; call again "
    "with the same source to keep waiting (the video is never uploaded twice)."
)


# --- moment lines ---------------------------------------------------------------------------------
_LINE_RE = re.compile(
    r"^\s*(\d+)\.\s+(\[[^\]]*\])\s+video_id=(\S+)\s+start=([\d.]+)\s+end=([\d.]+)((?:\s+\w+=\S+)*)\s*\|\s?(.*)$"
)


@dataclass(frozen=True)
class MomentLine:
    """One moment read back from a tool's text (see :func:`moment_line`)."""

    rank: int
    citation: str
    video_id: str
    start: float
    end: float
    text: str
    extra: dict[str, str]


def moment_line(rank: int, citation: str, video_id: str, start: float, end: float, text: str | None,
                **extra: Any) -> str:
    """``1. [fox.mp4 00:00-00:04] video_id=v1 start=0.0 end=4.0 score=0.81 | what is said``.

    ``extra`` values (``None`` skipped) must not contain spaces; the text is flattened to one line.
    """
    fields = "".join(f" {k}={v}" for k, v in extra.items() if v is not None)
    flat = " ".join((text or "").split())
    return f"{rank}. {citation} video_id={video_id} start={float(start):.1f} end={float(end):.1f}{fields} | {flat}"


def parse_moment_lines(text: str) -> list[MomentLine]:
    """The moments in a tool's text, in order (other lines ignored)."""
    out = []
    for raw in (text or "").splitlines():
        m = _LINE_RE.match(raw)
        if m:
            extra = dict(pair.split("=", 1) for pair in m.group(6).split())
            out.append(MomentLine(int(m.group(1)), m.group(2), m.group(3), float(m.group(4)), float(m.group(5)),
                                  m.group(7).strip(), extra))
    return out


def format_moments(lines: list[str], *, what: str) -> str:
    """The tool text: a header naming ``what`` was searched, then one line per moment (or 'no moments')."""
    if not lines:
        return f"No moments found for {what}. Try other words, fewer details, or another modality."
    return f"{len(lines)} moment(s) for {what}, best first:\n" + "\n".join(lines)


def citation(name: Any, start: float, end: float) -> str:
    """``[name mm:ss-mm:ss]``, the citation of a moment (the format of langchain-twelvelabs' ``format_citation``)."""
    return f"[{name} {format_timestamp(start)}-{format_timestamp(end)}]"


# --- analyze ---------------------------------------------------------------------------------------
def analyze_request(*, prompt: str, video_id: str | None = None, asset_id: str | None = None,
                    url: str | None = None, start: float | None = None, end: float | None = None,
                    json_schema: Mapping[str, Any] | None = None, model_name: str | None = None,
                    temperature: float | None = None, max_tokens: int | None = None) -> dict[str, Any]:
    """Keyword arguments for ``client.analyze`` from a tool call (and the tool's sampling settings).

    ``video_id`` (classic) runs on ``pegasus1.2``, ``asset_id``/``url`` (current) on ``pegasus1.5``
    unless ``model_name`` says otherwise. A time window goes to the API as ``start_time``/``end_time``
    on the current surface (a ``video`` object); classic ``/analyze`` on a ``video_id`` has no window
    (spec-current §12), so there it is stated in the prompt.

    ```python
    req = analyze_request(prompt="What happens?", url="https://x/v.mp4", start=4, end=8)
    assert req["video"] == {"type": "url", "url": "https://x/v.mp4"} and (req["start_time"], req["end_time"]) == (4, 8)
    assert "00:04 to 00:08" in analyze_request(prompt="What happens?", video_id="v1", start=4, end=8)["prompt"]
    ```
    """
    if not isinstance(prompt, str) or not prompt.strip():
        raise ToolInputError("`prompt` is empty: ask a question or give an instruction about the video.")
    given = {k: v for k, v in (("video_id", video_id), ("asset_id", asset_id), ("url", url)) if v}
    if len(given) != 1:
        raise ToolInputError(
            "Give exactly one of `video_id` (a video in the index, e.g. from the search tool), `asset_id` or `url` "
            f"(a direct http(s) video URL); got {sorted(given) or 'none'}."
        )
    out: dict[str, Any] = {}
    if video_id:
        out["video_id"], default_model = video_id, "pegasus1.2"
    elif asset_id:
        out["video"], default_model = {"type": "asset_id", "asset_id": asset_id}, "pegasus1.5"
    else:
        if not re.match(r"^https?://", str(url), re.IGNORECASE):
            raise ToolInputError(f"`url` must be a direct http(s) video URL, got {url!r}.")
        out["video"], default_model = {"type": "url", "url": url}, "pegasus1.5"
    out["model_name"] = model_name or default_model
    if start is not None or end is not None:
        lo = float(start or 0.0)
        if lo < 0 or (end is not None and float(end) - lo < 1):
            raise ToolInputError(
                f"The window start={start!r} end={end!r} is not valid: `start` must be >= 0 and `end` at least "
                "1 second after it (seconds from the beginning of the video)."
            )
        if "video" in out:
            out["start_time"] = lo
            if end is not None:
                out["end_time"] = float(end)
        else:
            span = f"from {format_timestamp(lo)}" + (f" to {format_timestamp(end)}" if end is not None else " on")
            prompt = f"Consider only the part of the video {span}. {prompt.strip()}"
    out["prompt"] = prompt.strip()
    if json_schema is not None:
        if not isinstance(json_schema, Mapping) or not json_schema:
            raise ToolInputError("`json_schema` must be a JSON schema object, e.g. {\"type\": \"object\", ...}.")
        out["response_format"] = {"type": "json_schema", "json_schema": dict(json_schema)}
    out.update({k: v for k, v in (("temperature", temperature), ("max_tokens", max_tokens)) if v is not None})
    return out


class AnalyzeTargets:
    """The analyze tool's side of the flow decision, for a tool configured with an index.

    On a current index a ``video_id`` (an indexed asset: a search hit's or the ingest tool's) is asked
    about as its asset (``flow.AssetIds``, cached), so Pegasus 1.5 gets the moment's window as
    ``start_time``/``end_time``; on a classic index, or without an index, the arguments stay as given.

    ```python
    from twelvelabs_rag.testing import FakeTwelveLabs
    client = FakeTwelveLabs().client(poll_interval=0)
    index = client.indexes.create(index_name="d", models=[{"model_name": "marengo3.0", "model_options": ["visual"]}])
    got = Ingester().ingest(client, index_id=index.id, source="https://example.com/fox.mp4")
    args = AnalyzeTargets().resolve(client, index.id, {"prompt": "What?", "video_id": got.video_id})
    assert (args["asset_id"], args["video_id"]) == (got.asset_id, None)
    ```
    """

    def __init__(self, api_shape: str | None = None) -> None:
        if api_shape is not None:
            choose_flow(api_shape)  # a typo fails here, not at the first call
        self.api_shape = api_shape
        self._flows: dict[str, Flow] = {}
        self._assets = AssetIds()

    def _by_asset(self, args: Mapping[str, Any], asset_id: str) -> dict[str, Any]:
        return {**args, "video_id": None, "asset_id": asset_id}

    def resolve(self, client: Any, index_id: str | None, args: Mapping[str, Any]) -> dict[str, Any]:
        """``args`` with a current index's ``video_id`` replaced by its ``asset_id`` (one lookup per video)."""
        video_id = args.get("video_id")
        if not index_id or not video_id:
            return dict(args)
        flow = self._flows.get(index_id)
        if flow is None:
            flow = self._flows[index_id] = choose_flow(self.api_shape, index=client.indexes.retrieve(index_id))
        if flow.analyze_by == "video_id":
            return dict(args)
        return self._by_asset(args, self._assets.resolve(client, index_id, str(video_id)))

    async def aresolve(self, client: Any, index_id: str | None, args: Mapping[str, Any]) -> dict[str, Any]:
        """Async :meth:`resolve` with an ``AsyncTwelveLabs`` client."""
        video_id = args.get("video_id")
        if not index_id or not video_id:
            return dict(args)
        flow = self._flows.get(index_id)
        if flow is None:
            flow = self._flows[index_id] = choose_flow(self.api_shape,
                                                       index=await client.indexes.retrieve(index_id))
        if flow.analyze_by == "video_id":
            return dict(args)
        return self._by_asset(args, await self._assets.aresolve(client, index_id, str(video_id)))


def analysis_output(response: Any, request: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """A tool's answer to an analyze call: the text for the model (noting a cut at ``max_tokens``) and the data
    (``text``, ``json`` parsed when a schema was asked for, ``model_name``, ``finish_reason``, the video).

    ```python
    from types import SimpleNamespace
    reply = SimpleNamespace(data='{"n": 2}', finish_reason="length", id="gen_1")
    text, data = analysis_output(reply, analyze_request(prompt="Count", video_id="v1", json_schema={"type": "object"}))
    assert data["json"] == {"n": 2} and text.endswith("(The answer was cut at max_tokens.)")
    ```
    """
    text = response.data or ""
    parsed = None
    if "response_format" in request:
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
    data = {"text": text, "json": parsed, "model_name": request["model_name"],
            "finish_reason": response.finish_reason, "generation_id": response.id,
            "video_id": request.get("video_id"), "asset_id": request.get("asset_id"), "video": request.get("video")}
    if response.finish_reason == "length":
        text += "\n(The answer was cut at max_tokens.)"
    return text, data


# --- segment store -----------------------------------------------------------------------------------
def _segment_mode(query: str | None, image: str | None, like_segment_id: int | None) -> str:
    given = [n for n, v in (("query", query), ("image", image), ("like_segment_id", like_segment_id))
             if v is not None and v != ""]
    if len(given) != 1:
        raise ToolInputError(
            "Give exactly one of `query` (text), `image` (an image path or URL) or `like_segment_id` (a segment_id "
            f"from an earlier result); got {given or 'none'}."
        )
    return given[0]


def segment_search(store: Any, client: Any, *, query: str | None = None, image: str | None = None,
                   like_segment_id: int | None = None, k: int = 5, where: Mapping[str, Any] | None = None) -> list[Any]:
    """``Hit``s from the store for a text, an image or "more like this segment" (queries embed via ``client``)."""
    mode = _segment_mode(query, image, like_segment_id)
    hits: list[Any]
    if mode == "query":
        hits = store.search_text(query, client=client, k=k, where=where)
    elif mode == "image":
        hits = store.search_image(image, client=client, k=k, where=where)
    else:
        assert like_segment_id is not None  # _segment_mode checked that exactly one input is given
        hits = store.search_like(int(like_segment_id), k=k, where=where)
    return hits


async def asegment_search(store: Any, client: Any, *, query: str | None = None, image: str | None = None,
                          like_segment_id: int | None = None, k: int = 5,
                          where: Mapping[str, Any] | None = None) -> list[Any]:
    """Async :func:`segment_search`: the embedding is awaited; file reads and the scan run in a thread."""
    mode = _segment_mode(query, image, like_segment_id)
    hits: list[Any]
    if mode == "query":
        hits = await store.asearch_text(query, client=client, k=k, where=where)
    elif mode == "image":
        hits = await store.asearch_image(image, client=client, k=k, where=where)
    else:
        assert like_segment_id is not None  # _segment_mode checked that exactly one input is given
        segment_id = int(like_segment_id)
        hits = await anyio.to_thread.run_sync(lambda: store.search_like(segment_id, k=k, where=where))
    return hits


def hit_dict(hit: Any) -> dict[str, Any]:
    """A store ``Hit`` as plain data, with its citation (``filename`` from the metadata when present)."""
    meta = dict(hit.metadata or {})
    name = meta.get("filename") or hit.video_id
    return {"segment_id": int(hit.id), "video_id": hit.video_id, "start": float(hit.start), "end": float(hit.end),
            "score": float(hit.score), "scope": hit.scope, "option": hit.option, "text": hit.text,
            "filename": meta.get("filename"), "metadata": meta, "citation": citation(name, hit.start, hit.end)}


def hit_line(rank: int, hit: Any) -> str:
    """The :func:`moment_line` of a store ``Hit`` (with its score and segment_id)."""
    d = hit_dict(hit)
    return moment_line(rank, d["citation"], d["video_id"], d["start"], d["end"], d["text"],
                       score=f"{d['score']:.3f}", segment_id=d["segment_id"])


# --- ingest --------------------------------------------------------------------------------------------
#: What the ingest tool's text says while a source is not ready yet (a model, or a script, calls again).
STILL_INDEXING = "still being indexed"


@dataclass
class IngestResult:
    """What an ingest call got: ``status`` is ``ready`` or the last status seen when the wait ran out.

    On a current index (``api_shape="current"``) ``asset_id`` is the asset and ``video_id`` its
    indexed asset (the id search answers); on a classic one ``task_id`` is the ``/tasks`` task.
    """

    source: str
    index_id: str
    status: str
    video_id: str | None = None
    task_id: str | None = None
    already_indexed: bool = False
    resumed: bool = False
    asset_id: str | None = None
    api_shape: str = "classic"

    @property
    def ready(self) -> bool:
        return self.status == "ready"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def text(self) -> str:
        """The tool message for a model."""
        if self.api_shape == "current":
            ids = " ".join(f"{k}={v}" for k, v in (("asset_id", self.asset_id), ("video_id", self.video_id)) if v)
            if self.ready:
                how = "was already indexed" if self.already_indexed else "is indexed"
                return (f"{self.source} {how}: {ids} (index {self.index_id}); it can be searched now, and asked "
                        "about with the analyze tool by its asset_id.")
            return (f"{self.source} is uploaded but {STILL_INDEXING} (status {self.status}): {ids}. Call the "
                    "ingest tool again with the same source to keep waiting; it will not be uploaded again.")
        if self.ready:
            how = "was already indexed" if self.already_indexed else "is indexed"
            return f"{self.source} {how}: video_id={self.video_id} (index {self.index_id}); it can be searched now."
        return (f"{self.source} is {STILL_INDEXING} (status {self.status}): task_id={self.task_id} "
                f"video_id={self.video_id}. Call the ingest tool again with the same source to keep waiting; "
                "it will not be uploaded again.")


def _source_facts(source: str) -> dict[str, Any]:
    text = str(source).strip()
    if re.match(r"^https?://", text, re.IGNORECASE):
        return {"url": text}
    path = Path(text).expanduser()
    if not path.is_file():
        raise ToolInputError(f"Video file not found: {text!r}. Give an existing local path or a direct http(s) URL.")
    return {"filename": path.name, "size": path.stat().st_size, "sha256": file_sha256(path), "path": path}


class _SyncIO:
    def __init__(self, client: Any) -> None:
        self.client = client

    def offload(self, fn: Any) -> Any:
        return fn()

    def find(self, index_id: str, facts: dict[str, Any]) -> Any:
        return find_upload(self.client, index_id, **facts)

    def ingest_asset(self, index_id: str, source: Any, facts: dict[str, Any], **kw: Any) -> Any:
        return ingest_asset(self.client, index_id, source, facts, **kw)


class _AsyncIO(_SyncIO):
    def offload(self, fn: Any) -> Any:
        return anyio.to_thread.run_sync(fn)

    def find(self, index_id: str, facts: dict[str, Any]) -> Any:
        return afind_upload(self.client, index_id, **facts)

    def ingest_asset(self, index_id: str, source: Any, facts: dict[str, Any], **kw: Any) -> Any:
        return aingest_asset(self.client, index_id, source, facts, **kw)


class Ingester:
    """Index files and URLs for a tool; never uploads the same source twice.

    The flow follows the index (``twelvelabs_rag.flow.choose_flow``; ``api_shape`` to insist): on a
    current index (Marengo 3.0/3.5) a source becomes an asset (multipart with resume for large files,
    ``on_progress`` per confirmed batch) and then an indexed asset (``twelvelabs_rag.ingest_assets``,
    de-duplicated by ``dedupe.find_asset_upload``, assets still processing included); on a classic
    index it goes through ``/tasks`` (``dedupe.find_upload``; the tasks started here are remembered).

    ```python
    from twelvelabs_rag.testing import FakeTwelveLabs
    client = FakeTwelveLabs().client(poll_interval=0)
    index = client.indexes.create(index_name="d", models=[{"model_name": "marengo3.0", "model_options": ["visual"]}])
    result = Ingester().ingest(client, index_id=index.id, source="https://example.com/fox.mp4", timeout=60)
    assert result.ready and result.asset_id and result.video_id and result.api_shape == "current"
    ```
    """

    def __init__(self, api_shape: str | None = None) -> None:
        if api_shape is not None:
            choose_flow(api_shape)  # a typo fails here, not at the first call
        self.api_shape = api_shape
        self._flows: dict[str, Flow] = {}
        self._pending: dict[tuple[str, str], tuple[str, str | None]] = {}
        self._claimed: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def pending(self) -> dict[tuple[str, str], tuple[str, str | None]]:
        """``(index_id, sha256 or url) -> (task_id, video_id)`` of classic uploads still indexing."""
        with self._lock:
            return dict(self._pending)

    def _claim(self, key: tuple[str, str], source: str) -> None:
        """This call looks the source up and uploads it; a concurrent call for it must not (caller holds the lock)."""
        if key in self._claimed:
            raise ToolInputError(f"{source} is being uploaded by another call right now; call again in a "
                                 "moment to wait for it (it will not be uploaded twice).")
        self._claimed.add(key)

    def _plan(self, io: _SyncIO, index_id: str, source: str, timeout: float | None,
              user_metadata: Mapping[str, Any] | None, on_progress: Callable[[Any], Any] | None) -> Plan[IngestResult]:
        if not isinstance(index_id, str) or not index_id.strip():
            raise ToolInputError("No index to ingest into: configure the tool with index_id=...")
        facts = yield io.offload(lambda: _source_facts(source))
        key = (index_id, facts.get("sha256") or facts["url"])
        flow = self._flows.get(index_id)
        if flow is None:
            flow = choose_flow(self.api_shape, index=(yield io.client.indexes.retrieve(index_id)))
            self._flows[index_id] = flow
        if flow.ingest == "assets":
            return (yield from self._assets_plan(io, index_id, source, facts, key, timeout, user_metadata,
                                                 on_progress))
        return (yield from self._tasks_plan(io, index_id, source, facts, key, timeout, user_metadata))

    def _assets_plan(self, io: _SyncIO, index_id: str, source: str, facts: dict[str, Any], key: tuple[str, str],
                     timeout: float | None, user_metadata: Mapping[str, Any] | None,
                     on_progress: Callable[[Any], Any] | None) -> Plan[IngestResult]:
        result = IngestResult(str(source), index_id, "pending", api_shape="current")
        with self._lock:
            self._claim(key, str(source))
        try:
            lookup = {k: v for k, v in facts.items() if k != "path"}
            done = yield io.ingest_asset(index_id, facts.get("path") or facts["url"], lookup,
                                         user_metadata=dict(user_metadata or {}), timeout=timeout,
                                         on_progress=on_progress)
        except IngestWaitTimeoutError as exc:
            result.status = exc.last_status or "processing"
            result.asset_id, result.video_id, result.resumed = exc.asset_id, exc.video_id, exc.reused
            return result
        finally:
            with self._lock:
                self._claimed.discard(key)
        result.status, result.asset_id, result.video_id = "ready", done.asset_id, done.video_id
        result.already_indexed, result.resumed = done.already_indexed, done.reused and not done.already_indexed
        return result

    def _tasks_plan(self, io: _SyncIO, index_id: str, source: str, facts: dict[str, Any], key: tuple[str, str],
                    timeout: float | None, user_metadata: Mapping[str, Any] | None) -> Plan[IngestResult]:
        with self._lock:
            known = self._pending.get(key)
            if known is None:
                self._claim(key, str(source))
        result = IngestResult(str(source), index_id, "pending", resumed=known is not None)
        if known is None:
            try:
                lookup = {k: v for k, v in facts.items() if k != "path"}
                found = yield io.find(index_id, lookup)  # the core rule: indexed, or a task still indexing it
                if found is not None and not found.in_progress:
                    result.status, result.video_id, result.already_indexed = "ready", found.video_id, True
                    return result
                if found is not None:  # uploaded before (maybe by another process), still indexing: wait for it
                    known, result.resumed = (str(found.task_id), found.video_id), True
                else:
                    mark = (dedupe_metadata(url=facts["url"]) if "url" in facts
                            else dedupe_metadata(sha256=facts["sha256"]))
                    where = {"url": facts["url"]} if "url" in facts else {"file": facts["path"]}
                    created = yield io.client.tasks.create(
                        index_id=index_id, user_metadata={**(user_metadata or {}), **mark}, **where)
                    known = (created.id, created.video_id)
                with self._lock:
                    self._pending[key] = known
            finally:
                with self._lock:
                    self._claimed.discard(key)
        result.task_id, result.video_id = known
        seen: list[Any] = []
        try:
            task = yield io.client.tasks.wait(known[0], timeout=timeout, on_progress=seen.append)
        except WaitTimeoutError:
            if seen:
                result.status, result.video_id = seen[-1].status, seen[-1].video_id or result.video_id
            return result
        except TaskFailedError:
            with self._lock:
                self._pending.pop(key, None)  # a later call may upload again: nothing usable was created
            raise
        with self._lock:
            self._pending.pop(key, None)  # ready: find_indexed finds it from now on
        result.status, result.video_id = "ready", task.video_id or result.video_id
        return result

    def ingest(self, client: Any, *, index_id: str, source: str, timeout: float | None = None,
               user_metadata: Mapping[str, Any] | None = None,
               on_progress: Callable[[Any], Any] | None = None) -> IngestResult:
        """Index ``source`` (a path or URL) with a ``TwelveLabs`` client; each wait lasts at most ``timeout``
        seconds (current flow: the asset's processing, then its indexing). ``on_progress`` gets the upload
        progress of a local file on the current flow (``UploadProgress``, possibly from worker threads)."""
        return run_plan(self._plan(_SyncIO(client), index_id, source, timeout, user_metadata, on_progress))

    async def aingest(self, client: Any, *, index_id: str, source: str, timeout: float | None = None,
                      user_metadata: Mapping[str, Any] | None = None,
                      on_progress: Callable[[Any], Any] | None = None) -> IngestResult:
        """Async :meth:`ingest` with an ``AsyncTwelveLabs`` client (hashing runs in a worker thread)."""
        return await arun_plan(self._plan(_AsyncIO(client), index_id, source, timeout, user_metadata, on_progress))
