"""``SegmentIndex``: the interface both segment backends implement (local :class:`SegmentStore`, Milvus).

Code written against ``SegmentIndex`` (the LangChain / LlamaIndex stores, the agent tools, ``tlrag
store search --uri``) works unchanged on either backend: the same ``where`` syntax, the same
:class:`~._models.Hit` / :class:`~._models.Segment` records and the same typed errors.

``ids`` and ``scan`` are the primitives that ``tlrag store push``/``pull`` copy rows with. ``external_ids``
(string ids a framework owns: unique among live rows, upserted on, filtered with
``where={"external_id": ...}``, returned as ``Hit.external_id``/``Segment.external_id``) are how the
framework vector stores keep their document/node ids without an id map of their own.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol, runtime_checkable

import numpy as np

from ._models import Hit, Segment

__all__ = ["SegmentIndex"]


@runtime_checkable
class SegmentIndex(Protocol):
    """A store of video-segment vectors with typed columns, searched by cosine with filters applied first.

    Example:
        ```python
        def best_moment(index: SegmentIndex, vector) -> Hit | None:
            hits = index.search(vector, k=1, where={"scope": "clip"})
            return hits[0] if hits else None
        ```
    """

    @property
    def dim(self) -> int: ...

    @property
    def model_name(self) -> str: ...

    def __len__(self) -> int: ...

    # ---------------------------------------------------------------- writes
    def add(self, vectors: Any, *, video_ids: Any, starts: Any, ends: Any, scopes: Any, options: Any,
            texts: Any = None, metadatas: Any = None, model_name: str | None = None,
            external_ids: Any = None) -> list[int]: ...

    def add_embedding_task(self, task: Any, *, metadata: Mapping[str, Any] | None = None) -> list[int]: ...

    def add_video(self, video: Any, *, metadata: Mapping[str, Any] | None = None) -> list[int]: ...

    def delete(self, ids: Iterable[int] | int | None = None, *, where: Mapping[str, Any] | None = None) -> int: ...

    # ---------------------------------------------------------------- reads
    def get(self, ids: Iterable[int] | int) -> list[Segment]: ...

    def ids(self, where: Mapping[str, Any] | None = None) -> np.ndarray: ...

    def scan(self, where: Mapping[str, Any] | None = None, *, with_vectors: bool = False,
             batch_size: int = 1024) -> Iterator[Segment]: ...

    def search(self, query: Any, *, k: int = 10, where: Mapping[str, Any] | None = None) -> list[Hit]: ...

    def search_batch(self, queries: Any, *, k: int = 10,
                     where: Mapping[str, Any] | None = None) -> list[list[Hit]]: ...

    def search_like(self, segment_id: int, *, k: int = 10,
                    where: Mapping[str, Any] | None = None) -> list[Hit]: ...

    def search_text(self, text: str, *, client: Any = None, k: int = 10,
                    where: Mapping[str, Any] | None = None) -> list[Hit]: ...

    def search_image(self, path_or_url: str | os.PathLike[str], *, client: Any = None, k: int = 10,
                     where: Mapping[str, Any] | None = None) -> list[Hit]: ...

    def search_audio(self, path_or_url: str | os.PathLike[str], *, client: Any = None, k: int = 10,
                     where: Mapping[str, Any] | None = None, start_offset_sec: float | None = None) -> list[Hit]: ...

    async def asearch_text(self, text: str, *, client: Any = None, k: int = 10,
                           where: Mapping[str, Any] | None = None) -> list[Hit]: ...

    async def asearch_image(self, path_or_url: str | os.PathLike[str], *, client: Any = None, k: int = 10,
                            where: Mapping[str, Any] | None = None) -> list[Hit]: ...

    async def asearch_audio(self, path_or_url: str | os.PathLike[str], *, client: Any = None, k: int = 10,
                            where: Mapping[str, Any] | None = None,
                            start_offset_sec: float | None = None) -> list[Hit]: ...

    def stats(self) -> dict[str, Any]: ...

    def close(self) -> None: ...
