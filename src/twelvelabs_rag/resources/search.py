"""``/search``: text or image queries over an index, with every option; pages by token.

The search parameters are declared once (:class:`SearchParams`); ``create`` and ``query`` of both
twins take them as keywords (checked by name, like a spelled-out signature: an unknown keyword is a
TypeError) and expose the same runtime signature (``inspect.signature`` / ``help``).
Marengo 3.0 indexes answer ``rank`` only (no ``score``/``confidence``); ``transcription`` searches
spoken words, tuned by ``transcription_options`` (``lexical``, ``semantic``); up to 10 query images.
``threshold``, ``sort_option`` and ``adjust_confidence_level`` are for classic (Marengo 2.7) indexes.

```python
results = client.search.create(index_id=idx, query_text="a red fox in snow", search_options=["visual", "audio"])
for item in client.search.query(index_id=idx, query_text="a red fox", page_limit=10):  # every page
    print(item.video_id, item.start, item.end, item.rank)
```
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypedDict, TypeVar, Unpack

from .._exceptions import InvalidRequestError
from .._multipart import FilePart
from .._pagination import AsyncPage, SyncPage
from .._preflight import check_media, source_of
from .._request import RequestSpec, form_fields, query_params
from ..types.search import SearchItem, SearchResults
from ._resource import AsyncResource, Plan, SyncResource, check_id, parse_model

__all__ = ["Search", "AsyncSearch", "SearchParams"]


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
    if len(urls) > 10 or len(files) > 10:
        raise InvalidRequestError("search takes at most 10 query images (Marengo 3.0); "
                                  f"got {max(len(urls), len(files))}")
    if kw.get("transcription_options") and "transcription" not in _many(kw.get("search_options")):
        raise InvalidRequestError("transcription_options (lexical, semantic) apply to the transcription search option; "
                                  "add 'transcription' to search_options or drop them")
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
    return RequestSpec("GET", f"search/{page_token}",
                       params=query_params({"include_user_metadata": include_user_metadata}))


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


def _create(res: Any, *, index_id: str, query_media_file: Any, preflight: bool | None,
            **kw: Any) -> Plan[SearchResults]:
    spec = _create_spec(index_id, (yield from _parts(res, query_media_file, preflight)), **kw)
    return parse_model(SearchResults, (yield res._client._request(spec)))


def _following(res: Any, page: SearchResults, include_user_metadata: bool | None) -> Plan[SearchResults | None]:
    token = page.page_info.next_page_token
    return (yield res.retrieve(token, include_user_metadata=include_user_metadata)) if token else None


def _query(res: Any, page_cls: Callable[..., P], kw: dict[str, Any]) -> P:
    include = kw["include_user_metadata"]
    return page_cls(lambda: res.create(**kw), lambda page: res._run(_following(res, page, include)))


class _SearchRequired(TypedDict):
    index_id: str


class SearchParams(_SearchRequired, total=False):
    """The keywords of ``search.create`` and ``search.query`` (declared once for both twins)."""

    query_text: str | None
    query_media_type: str | None
    query_media_url: str | Sequence[str] | None
    query_media_file: Any
    search_options: Sequence[str]
    group_by: str | None
    operator: str | None
    filter: Mapping[str, Any] | str | None
    page_limit: int | None
    include_user_metadata: bool | None
    transcription_options: Sequence[str] | None
    threshold: str | None  # classic (Marengo 2.7) indexes
    sort_option: str | None  # classic
    adjust_confidence_level: float | None  # classic
    preflight: bool | None


_DEFAULTS: dict[str, Any] = {"search_options": ("visual",)}


def _annotations() -> dict[str, Any]:
    """Each keyword's annotation as written (strings: this module uses postponed annotations)."""
    out: dict[str, Any] = {}
    for cls in reversed(SearchParams.__mro__):
        for name, ann in getattr(cls, "__annotations__", {}).items():
            out[name] = getattr(ann, "__forward_arg__", ann)
    return out


_SIGNATURE = inspect.Signature(
    [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    + [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation,
                         default=inspect.Parameter.empty if name in SearchParams.__required_keys__
                         else _DEFAULTS.get(name))
       for name, annotation in _annotations().items()]
)
F = TypeVar("F", bound=Callable[..., Any])
#: A page class (SyncPage / AsyncPage).
P = TypeVar("P")


def _search_params(fn: F) -> F:
    """Give ``fn`` the spelled-out signature of :class:`SearchParams` (what ``inspect``/``help`` show)."""
    fn.__signature__ = _SIGNATURE.replace(return_annotation=inspect.signature(fn).return_annotation)  # type: ignore[attr-defined]
    return fn


def _bind(method: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The full keyword set with defaults; an unknown or missing keyword is the TypeError a signature gives."""
    try:
        bound = _SIGNATURE.bind(None, **params)
    except TypeError as exc:
        raise TypeError(f"search.{method}(): {exc}") from None
    bound.apply_defaults()
    return {k: v for k, v in bound.arguments.items() if k != "self"}


class Search(SyncResource):
    """``client.search``."""

    @_search_params
    def create(self, **params: Unpack[SearchParams]) -> SearchResults:
        """The first page of results; ``query_media_file`` may be a path, bytes or a list of them (up to 10)."""
        return self._run(_create(self, **_bind("create", params)))

    def retrieve(self, page_token: str, *, include_user_metadata: bool | None = None) -> SearchResults:
        """Another page of a search, by ``page_info.next_page_token``."""
        return parse_model(SearchResults, self._client._request(_retrieve_spec(page_token, include_user_metadata)))

    @_search_params
    def query(self, **params: Unpack[SearchParams]) -> SyncPage[SearchItem]:
        """Every result of every page (lazily; ``.pages()`` gives the SearchResults pages)."""
        return _query(self, SyncPage, _bind("query", params))


class AsyncSearch(AsyncResource):
    """``client.search`` of the async client."""

    @_search_params
    async def create(self, **params: Unpack[SearchParams]) -> SearchResults:
        """The first page of results; ``query_media_file`` may be a path, bytes or a list of them (up to 10)."""
        return await self._run(_create(self, **_bind("create", params)))

    async def retrieve(self, page_token: str, *, include_user_metadata: bool | None = None) -> SearchResults:
        """Another page of a search, by ``page_info.next_page_token``."""
        spec = _retrieve_spec(page_token, include_user_metadata)
        return parse_model(SearchResults, await self._client._request(spec))

    @_search_params
    def query(self, **params: Unpack[SearchParams]) -> AsyncPage[SearchItem]:
        """Every result of every page (``async for``; ``.pages()`` gives the SearchResults pages)."""
        return _query(self, AsyncPage, _bind("query", params))
