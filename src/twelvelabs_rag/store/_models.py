"""Records returned by the store (:class:`Hit`, :class:`Segment`) and the embedding-model table."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..models import find_model

__all__ = ["Hit", "Segment", "ModelInfo", "resolve_model", "SCOPES"]

#: The two scopes of the embed API; stored as uint8 codes 0 and 1.
SCOPES: tuple[str, ...] = ("clip", "video")


@dataclass(slots=True)
class Hit:
    """One search result: the segment and its cosine similarity to the query.

    Example:
        ```python
        hits = store.search(vector, k=3)
        for h in hits:
            print(f"{h.video_id} {h.start:.1f}-{h.end:.1f}s {h.score:.3f}")
        ```
    """

    id: int
    score: float
    video_id: str
    start: float
    end: float
    scope: str
    option: str
    text: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    #: the framework-owned string id given to ``add(external_ids=...)``, else None
    external_id: str | None = None


@dataclass(slots=True)
class Segment:
    """One stored segment as returned by :meth:`SegmentStore.get` (``vector`` is unit-length float32).

    Example:
        ```python
        (seg,) = store.get([hit.id])
        assert seg.vector.shape == (store.dim,)
        ```
    """

    id: int
    video_id: str
    start: float
    end: float
    scope: str
    option: str
    text: str | None
    metadata: dict[str, Any]
    #: a unit float32 vector (``None`` from ``scan(with_vectors=False)``)
    vector: np.ndarray | None = field(repr=False, compare=False)
    #: the framework-owned string id given to ``add(external_ids=...)``, else None
    external_id: str | None = None


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """A known embedding model: canonical (index) name, embed-endpoint name and dimension.

    A view of :mod:`twelvelabs_rag.models` (the one model table) kept for the store's callers.
    """

    name: str
    embed_name: str
    dim: int | None


def resolve_model(model_name: str) -> ModelInfo:
    """Canonicalise a model name (``Marengo-retrieval-2.7`` and ``marengo2.7`` are one model).

    Unknown names are accepted as user models of any dimension; they embed under their own name.
    """
    if not isinstance(model_name, str) or not model_name.strip():
        from ._errors import InvalidInputError

        raise InvalidInputError(
            f"model_name must be a non-empty string such as 'marengo3.0' or 'marengo2.7', got {model_name!r}"
        )
    name = model_name.strip()
    spec = find_model(name)
    if spec is None or spec.family != "marengo":
        return ModelInfo(name, name, None)
    # A model with a choice of sizes (embedding_dimension) fixes none here: the store's dim decides.
    return ModelInfo(spec.name, spec.embed_name or spec.name, None if spec.dimension_range else spec.dimension)
