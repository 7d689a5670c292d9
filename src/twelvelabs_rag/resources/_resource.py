"""Base classes of the resources and the response parsers they share."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from .._base import RequestSpec, next_page_params, query_params
from .._exceptions import APIResponseValidationError
from .._pagination import AsyncPage, SyncPage
from ..types._base import ListPage

if TYPE_CHECKING:
    from .._client import AsyncTwelveLabs, TwelveLabs

__all__ = ["SyncResource", "AsyncResource", "parse_json", "parse_model", "validate", "check_id", "sync_list", "async_list"]

M = TypeVar("M", bound=BaseModel)


def parse_json(response: httpx.Response) -> Any:
    """The JSON body of a 2xx response (None for an empty body)."""
    content = response.content
    if not content:
        return None
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise APIResponseValidationError(
            f"{response.request.method} {response.request.url.path} answered {response.status_code} with a body "
            f"that is not JSON: {content[:80]!r}",
            response=response,
            body=content[:500],
        ) from exc


def validate(model: type[M], data: Any, response: httpx.Response | None = None) -> M:
    """Validate parsed JSON into ``model``; shape errors become APIResponseValidationError."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        where = f"{response.request.method} {response.request.url.path} " if response is not None else ""
        raise APIResponseValidationError(
            f"{where}answered with a body that does not match {model.__name__}: {exc}", response=response, body=data
        ) from exc


def parse_model(model: type[M], response: httpx.Response) -> M:
    """Parse a 2xx JSON response into ``model``."""
    return validate(model, parse_json(response), response)


def check_id(name: str, value: str) -> str:
    """Path ids must be non-empty strings (checked before any I/O)."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"Expected a non-empty string for `{name}`, got {value!r}")
    return value


class SyncResource:
    """A resource bound to a :class:`~twelvelabs_rag.TwelveLabs` client."""

    def __init__(self, client: TwelveLabs) -> None:
        self._client = client


class AsyncResource:
    """A resource bound to an :class:`~twelvelabs_rag.AsyncTwelveLabs` client."""

    def __init__(self, client: AsyncTwelveLabs) -> None:
        self._client = client


def _page_params(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None}


def sync_list(client: TwelveLabs, path: str, params: dict[str, Any], item: type[BaseModel]) -> SyncPage[Any]:
    """A lazy iterator over a ``page``-paged list endpoint."""
    page_model = ListPage[item]  # type: ignore[valid-type]
    asked: dict[int, dict[str, Any]] = {}

    def fetch(p: dict[str, Any]) -> Any:
        page = parse_model(page_model, client._request(RequestSpec("GET", path, params=query_params(p))))
        asked[id(page)] = p
        return page

    def following(page: Any) -> Any:
        nxt = next_page_params(asked.get(id(page), {}), page.page_info.model_dump(), len(page.data))
        return None if nxt is None else fetch(nxt)

    return SyncPage(lambda: fetch(_page_params(params)), following)


def async_list(client: AsyncTwelveLabs, path: str, params: dict[str, Any], item: type[BaseModel]) -> AsyncPage[Any]:
    """Async twin of :func:`sync_list`."""
    page_model = ListPage[item]  # type: ignore[valid-type]
    asked: dict[int, dict[str, Any]] = {}

    async def fetch(p: dict[str, Any]) -> Any:
        page = parse_model(page_model, await client._request(RequestSpec("GET", path, params=query_params(p))))
        asked[id(page)] = p
        return page

    async def following(page: Any) -> Any:
        nxt = next_page_params(asked.get(id(page), {}), page.page_info.model_dump(), len(page.data))
        return None if nxt is None else await fetch(nxt)

    return AsyncPage(lambda: fetch(_page_params(params)), following)
