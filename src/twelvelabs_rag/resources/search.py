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

from .._request import RequestSpec, form_fields, query_params
from .._pagination import AsyncPage, SyncPage
from .._preflight import check_media, source_of
from ..types.search import SearchItem, SearchResults
from ._files import FilePart
from ._resource import AsyncResource, Plan, SyncResource, call_args, check_id, parse_model

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


# Shared bodies (plans, see ``_resource``): ``res`` is a Search or an AsyncSearch. -------------


def _parts(res: Any, query_media_file: Any, preflight: bool | None) -> Plan[list[FilePart]]:
    parts = []
    for f in _files(query_media_file):
        parts.append((yield res._prepare_file("query_media_file", f, default_filename="query.png")))
    if res._use_preflight(preflight):
        for p in parts:
            yield res._offload(lambda p=p: check_media(source_of(p), name=p.filename, expect="image"))
    return parts


def _create(res: Any, *, index_id: str, query_media_file: Any, preflight: bool | None, **kw: Any) -> Plan[SearchResults]:
    spec = _create_spec(index_id, (yield from _parts(res, query_media_file, preflight)), **kw)
    return parse_model(SearchResults, (yield res._client._request(spec)))


def _following(res: Any, page: SearchResults, include_user_metadata: bool | None) -> Plan[SearchResults | None]:
    token = page.page_info.next_page_token
    return (yield res.retrieve(token, include_user_metadata=include_user_metadata)) if token else None


def _query(res: Any, page_cls: type, kw: dict[str, Any]) -> Any:
    include = kw["include_user_metadata"]
    return page_cls(lambda: res.create(**kw), lambda page: res._run(_following(res, page, include)))


class Search(SyncResource):
    """``client.search``."""

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
        return self._run(_create(self, **call_args(locals())))

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
        return _query(self, SyncPage, call_args(locals()))


class AsyncSearch(AsyncResource):
    """``client.search`` of the async client."""

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
        return await self._run(_create(self, **call_args(locals())))

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
        return _query(self, AsyncPage, call_args(locals()))
