"""Shared base of the TwelveLabs tools (error handling) and the segment-store search tool (private)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, Literal

from langchain_core.tools import BaseTool, ToolException
from pydantic import BaseModel, ConfigDict, Field

from twelvelabs_rag import TwelveLabsError
from twelvelabs_rag.agent_tools import (
    SEGMENT_SEARCH_DESCRIPTION,
    SEGMENT_SEARCH_NAME,
    SegmentSearchArgs,
    asegment_search,
    format_moments,
    hit_dict,
    hit_line,
    segment_search,
    validation_message,
)
from twelvelabs_rag.store import SegmentIndex

from ._utils import TwelveLabsClientMixin

__all__ = ["as_tool_errors", "TwelveLabsToolBase", "TwelveLabsSegmentSearchTool"]


@contextlib.contextmanager
def as_tool_errors() -> Iterator[None]:
    """Errors a model can act on become ``ToolException`` (shown to the model); bugs stay exceptions."""
    try:
        yield
    except ToolException:
        raise
    except (TwelveLabsError, ValueError, FileNotFoundError, TimeoutError) as exc:
        raise ToolException(f"{type(exc).__name__}: {exc}") from exc


class TwelveLabsToolBase(TwelveLabsClientMixin, BaseTool):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, arbitrary_types_allowed=True)

    handle_tool_error: bool | str | Any = True
    handle_validation_error: bool | str | Any = validation_message
    response_format: Literal["content", "content_and_artifact"] = "content_and_artifact"


# --- segment store --------------------------------------------------------------------------------
class TwelveLabsSegmentSearchTool(TwelveLabsToolBase):
    """Search a segment store (local ``SegmentStore`` or ``MilvusSegmentStore``): text, image, or "more like this moment".

    Offline: a text or image query is embedded once through the client (then cached on disk by the
    store); ``like_segment_id`` needs no network at all. Without an API key or client, only cached
    queries and ``like_segment_id`` work (the tool says so otherwise).

    Setup:
        ```bash
        pip install -U langchain-twelvelabs
        ```

    Key init args:
        store: any ``twelvelabs_rag.store.SegmentIndex``: a ``SegmentStore`` or a ``MilvusSegmentStore``.
            k: moments per call. where: a filter applied to every search.

    Instantiate:
        ```python
        from twelvelabs_rag.store import SegmentStore
        from langchain_twelvelabs.tools import TwelveLabsSegmentSearchTool
        tool = TwelveLabsSegmentSearchTool(store=SegmentStore.open("fox.tlstore"))
        ```

    Invoke:
        ```python
        tool.invoke({"query": "an eagle over a lake"})
        tool.invoke({"like_segment_id": 12})
        ```
    """

    name: str = SEGMENT_SEARCH_NAME
    description: str = SEGMENT_SEARCH_DESCRIPTION
    args_schema: type[BaseModel] = SegmentSearchArgs
    store: SegmentIndex = Field(exclude=True, repr=False)
    k: int = Field(default=5, ge=1, le=100)
    where: dict[str, Any] | None = None

    def _client(self, side: str) -> Any:
        """The client that embeds uncached queries: the given one, one built from the key, or None (offline)."""
        given = self.client if side == "sync" else self.async_client
        if given is not None:
            return given
        if not self._lazy_clients().can_build:
            return None  # offline: cached queries and like_segment_id only
        return self._sync_client() if side == "sync" else self._async_client()

    @staticmethod
    def _output(hits: list[Any], what: str) -> tuple[str, list[dict[str, Any]]]:
        return format_moments([hit_line(i + 1, h) for i, h in enumerate(hits)], what=what), [hit_dict(h) for h in hits]

    @staticmethod
    def _what(query: str | None, image: str | None, like: int | None) -> str:
        return f"{query!r}" if query else f"image {image}" if image else f"moments like segment {like}"

    def _run(self, query: str | None = None, image: str | None = None, like_segment_id: int | None = None,
             k: int | None = None, run_manager: Any = None) -> tuple[str, list[dict[str, Any]]]:
        with as_tool_errors():
            hits = segment_search(self.store, self._client("sync"), query=query, image=image,
                                  like_segment_id=like_segment_id, k=k or self.k, where=self.where)
        return self._output(hits, self._what(query, image, like_segment_id))

    async def _arun(self, query: str | None = None, image: str | None = None, like_segment_id: int | None = None,
                    k: int | None = None, run_manager: Any = None) -> tuple[str, list[dict[str, Any]]]:
        with as_tool_errors():
            hits = await asegment_search(self.store, self._client("async"), query=query, image=image,
                                         like_segment_id=like_segment_id, k=k or self.k, where=self.where)
        return self._output(hits, self._what(query, image, like_segment_id))
