"""Shared pieces of the response models: the base model, ids, vectors, list envelopes."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, PrivateAttr

__all__ = ["APIModel", "Vector", "PageInfo", "ListPage", "to_float32"]


def to_float32(value: Any) -> np.ndarray:
    """Turn a JSON list of numbers (or an array) into a 1-D float32 numpy array without copying twice."""
    if isinstance(value, np.ndarray) and value.dtype == np.float32:
        return value
    return np.asarray(value, dtype=np.float32)


#: A float32 numpy vector; serialises back to a JSON list.
Vector = Annotated[
    np.ndarray,
    BeforeValidator(to_float32),
    PlainSerializer(lambda a: a.tolist(), return_type=list),
]


class APIModel(BaseModel):
    """Base of every response model: tolerant of extra fields, accessible by field or wire name."""

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        arbitrary_types_allowed=True,
        protected_namespaces=(),
    )


class PageInfo(APIModel):
    page: int = 1
    limit_per_page: int = 10
    total_page: int = 0
    total_results: int = 0


T = TypeVar("T")


class ListPage(APIModel, Generic[T]):
    """One page of a ``page``-paged list endpoint (indexes, tasks, videos, embed tasks).

    A page fetched by ``list()`` remembers the query parameters it was fetched with
    (:attr:`request_params`), so the next page is asked for with the same query.
    """

    data: list[T] = Field(default_factory=list)
    page_info: PageInfo = Field(default_factory=PageInfo)
    _request_params: dict[str, Any] = PrivateAttr(default_factory=dict)

    @property
    def request_params(self) -> dict[str, Any]:
        """The query parameters this page was fetched with (empty when it was not fetched by a pager)."""
        return dict(self._request_params)

    def fetched_with(self, params: dict[str, Any]) -> ListPage[T]:
        """Record the query parameters this page was fetched with; returns the page."""
        self._request_params = dict(params)
        return self
