"""``/search``: text or image queries over an index, with every option; pages by token.

```python
results = client.search.create(index_id=idx, query_text="a red fox in snow", search_options=["visual", "audio"])
for item in client.search.query(index_id=idx, query_text="a red fox", page_limit=10):  # every page
    print(item.video_id, item.start, item.end, item.rank)
```
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import anyio

from .._base import RequestSpec, form_fields, query_params
from .._pagination import AsyncPage, SyncPage
from .._preflight import check_media, source_of
from ..types.search import SearchItem, SearchResults
from ._files import FilePart, aprepare_file, prepare_file
from ._resource import AsyncResource, SyncResource, check_id, parse_model

__all__ = ["Search", "AsyncSearch"]


def _many(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _create_spec(index_id: str, files: list[FilePart], **kw: Any) -> RequestSpec:
    check_id("index_id", index_id)
    urls = _many(kw.pop("query_media_url"))
    if not kw.get("query_text") and not urls and not files:
        raise ValueError("search needs query_text=..., query_media_url=... or query_media_file=...")
    if (urls or files) and kw.get("query_media_type") is None:
        kw["query_media_type"] = "image"
    flt = kw.pop("filter")
    if flt is not None and not isinstance(flt, str):
        flt = dict(flt)
    options = kw.pop("search_options")
    fields = form_fields([("index_id", index_id), ("query_text", kw.pop("query_text")),
                          ("query_media_type", kw.pop("query_media_type")), ("query_media_url", urls or None),
                          ("search_options", list(_many(options))), ("filter", flt), *kw.items()])
    return RequestSpec("POST", "search", form=fields, files=files, multipart=True)


def _retrieve_spec(page_token: str, include_user_metadata: bool | None) -> RequestSpec:
    check_id("page_token", page_token)
    return RequestSpec("GET", f"search/{page_token}", params=query_params({"include_user_metadata": include_user_metadata}))


def _files(query_media_file: Any) -> list[Any]:
    return _many(query_media_file) if not isinstance(query_media_file, tuple) else [query_media_file]


class Search(SyncResource):
    """``client.search``."""

    def _parts(self, query_media_file: Any, preflight: bool | None) -> list[FilePart]:
        parts = [prepare_file("query_media_file", f, default_filename="query.png") for f in _files(query_media_file)]
        if self._client.preflight if preflight is None else preflight:
            for p in parts:
                check_media(source_of(p), name=p.filename, expect="image")
        return parts

    def create(
        self,
        *,
        index_id: str,
        query_text: str | None = None,
        query_media_type: str | None = None,
        query_media_url: str | Sequence[str] | None = None,
        query_media_file: Any = None,
        search_options: Sequence[str] = ("visual",),
        group_by: str | None = None,
        operator: str | None = None,
        filter: Mapping[str, Any] | str | None = None,
        page_limit: int | None = None,
        include_user_metadata: bool | None = None,
        transcription_options: Sequence[str] | None = None,
        threshold: str | None = None,
        sort_option: str | None = None,
        adjust_confidence_level: float | None = None,
        preflight: bool | None = None,
    ) -> SearchResults:
        """The first page of results; ``query_media_file`` may be a path, bytes or a list of them."""
        spec = _create_spec(
            index_id, self._parts(query_media_file, preflight), query_text=query_text, query_media_type=query_media_type,
            query_media_url=query_media_url, search_options=search_options, filter=filter, group_by=group_by,
            operator=operator, page_limit=page_limit, include_user_metadata=include_user_metadata,
            transcription_options=transcription_options, threshold=threshold, sort_option=sort_option,
            adjust_confidence_level=adjust_confidence_level,
        )
        return parse_model(SearchResults, self._client._request(spec))

    def retrieve(self, page_token: str, *, include_user_metadata: bool | None = None) -> SearchResults:
        """Another page of a search, by ``page_info.next_page_token``."""
        return parse_model(SearchResults, self._client._request(_retrieve_spec(page_token, include_user_metadata)))

    def query(
        self,
        *,
        index_id: str,
        query_text: str | None = None,
        query_media_type: str | None = None,
        query_media_url: str | Sequence[str] | None = None,
        query_media_file: Any = None,
        search_options: Sequence[str] = ("visual",),
        group_by: str | None = None,
        operator: str | None = None,
        filter: Mapping[str, Any] | str | None = None,
        page_limit: int | None = None,
        include_user_metadata: bool | None = None,
        transcription_options: Sequence[str] | None = None,
        threshold: str | None = None,
        sort_option: str | None = None,
        adjust_confidence_level: float | None = None,
        preflight: bool | None = None,
    ) -> SyncPage[SearchItem]:
        """Every result of every page (lazily; ``.pages()`` gives the SearchResults pages)."""
        kw = dict(locals())
        kw.pop("self")

        def following(page: SearchResults) -> SearchResults | None:
            token = page.page_info.next_page_token
            return self.retrieve(token, include_user_metadata=include_user_metadata) if token else None

        return SyncPage(lambda: self.create(**kw), following)


class AsyncSearch(AsyncResource):
    """``client.search`` of the async client."""

    async def _parts(self, query_media_file: Any, preflight: bool | None) -> list[FilePart]:
        parts = [await aprepare_file("query_media_file", f, default_filename="query.png") for f in _files(query_media_file)]
        if self._client.preflight if preflight is None else preflight:
            for p in parts:
                await anyio.to_thread.run_sync(lambda p=p: check_media(source_of(p), name=p.filename, expect="image"))
        return parts

    async def create(
        self,
        *,
        index_id: str,
        query_text: str | None = None,
        query_media_type: str | None = None,
        query_media_url: str | Sequence[str] | None = None,
        query_media_file: Any = None,
        search_options: Sequence[str] = ("visual",),
        group_by: str | None = None,
        operator: str | None = None,
        filter: Mapping[str, Any] | str | None = None,
        page_limit: int | None = None,
        include_user_metadata: bool | None = None,
        transcription_options: Sequence[str] | None = None,
        threshold: str | None = None,
        sort_option: str | None = None,
        adjust_confidence_level: float | None = None,
        preflight: bool | None = None,
    ) -> SearchResults:
        """The first page of results; ``query_media_file`` may be a path, bytes or a list of them."""
        spec = _create_spec(
            index_id, await self._parts(query_media_file, preflight), query_text=query_text,
            query_media_type=query_media_type, query_media_url=query_media_url, search_options=search_options,
            filter=filter, group_by=group_by, operator=operator, page_limit=page_limit,
            include_user_metadata=include_user_metadata, transcription_options=transcription_options,
            threshold=threshold, sort_option=sort_option, adjust_confidence_level=adjust_confidence_level,
        )
        return parse_model(SearchResults, await self._client._request(spec))

    async def retrieve(self, page_token: str, *, include_user_metadata: bool | None = None) -> SearchResults:
        """Another page of a search, by ``page_info.next_page_token``."""
        return parse_model(SearchResults, await self._client._request(_retrieve_spec(page_token, include_user_metadata)))

    def query(
        self,
        *,
        index_id: str,
        query_text: str | None = None,
        query_media_type: str | None = None,
        query_media_url: str | Sequence[str] | None = None,
        query_media_file: Any = None,
        search_options: Sequence[str] = ("visual",),
        group_by: str | None = None,
        operator: str | None = None,
        filter: Mapping[str, Any] | str | None = None,
        page_limit: int | None = None,
        include_user_metadata: bool | None = None,
        transcription_options: Sequence[str] | None = None,
        threshold: str | None = None,
        sort_option: str | None = None,
        adjust_confidence_level: float | None = None,
        preflight: bool | None = None,
    ) -> AsyncPage[SearchItem]:
        """Every result of every page (``async for``; ``.pages()`` gives the SearchResults pages)."""
        kw = dict(locals())
        kw.pop("self")

        async def following(page: SearchResults) -> SearchResults | None:
            token = page.page_info.next_page_token
            return await self.retrieve(token, include_user_metadata=include_user_metadata) if token else None

        return AsyncPage(lambda: self.create(**kw), following)
