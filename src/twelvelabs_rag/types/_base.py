"""Shared pieces of the response models: the base model, ids, vectors, list envelopes."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

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
    """One page of a ``page``-paged list endpoint (indexes, tasks, videos, embed tasks)."""

    data: list[T] = Field(default_factory=list)
    page_info: PageInfo = Field(default_factory=PageInfo)
