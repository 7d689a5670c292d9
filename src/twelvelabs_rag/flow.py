"""Which API shape a pipeline speaks: the current surface (assets, embed v2, Pegasus on a ``video``
object) or the classic one (``/tasks``, ``/embed``, Pegasus on a ``video_id``). One pure decision,
used by both framework packages, the CLI and the demo.

The current shape is the default: new indexes on the live service take only Marengo 3.0, Pegasus
1.5/1.6 runs on assets without an index, and ``/tasks`` and ``/embed`` are being retired
(``shared/spec/twelvelabs-api-current.md`` §10). The classic shape is one argument away
(``api_shape="classic"``), and an existing index decides by its own models.

```python
from twelvelabs_rag.flow import choose_flow
assert choose_flow().ingest == "assets" and choose_flow().analyze_by == "video"
classic = choose_flow(index_models=[{"model_name": "marengo2.7"}, {"model_name": "pegasus1.2"}])
assert (classic.shape, classic.ingest, classic.embed, classic.analyze_by) == (
    "classic", "tasks", "embed_v1", "video_id")
assert choose_flow(api_shape="classic").index_models[1]["model_name"] == "pegasus1.2"
```

A search hit on a current index names a ``video_id``, which is the id of its *indexed asset*; Pegasus
wants the *asset* id. :class:`AssetIds` maps one to the other through
``GET /indexes/{index_id}/indexed-assets/{id}`` and caches the answer. That the two ids are one id
space is an inference (spec §2: the deprecated ``/videos`` endpoints and search's ``video_id`` speak of
the same objects); the emulator behaves the same way.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ._exceptions import InvalidRequestError
from .models import find_model

__all__ = ["ApiShape", "Flow", "CURRENT", "CLASSIC", "choose_flow", "AssetIds"]

ApiShape = Literal["current", "classic"]


@dataclass(frozen=True)
class Flow:
    """How one pipeline talks to the API.

    - ``ingest``: ``assets`` (``client.assets.upload`` + ``indexes.indexed_assets``) or ``tasks`` (``POST /tasks``);
    - ``embed``: ``embed_v2`` (``client.embed.v2``) or ``embed_v1`` (``client.embed``, ``client.embed.tasks``);
    - ``analyze_by``: ``video`` (a ``{"type": "asset_id"|"url"|"base64_string"}`` object) or ``video_id``;
    - ``scored_hits``: search results carry ``score``/``confidence`` (classic) or only ``rank`` (current).
    """

    shape: ApiShape
    ingest: Literal["assets", "tasks"]
    embed: Literal["embed_v2", "embed_v1"]
    analyze_by: Literal["video", "video_id"]
    scored_hits: bool
    marengo: str
    pegasus: str
    embed_model: str

    @property
    def index_models(self) -> list[dict[str, Any]]:
        """The ``models`` of a new index for this flow (current: Marengo only; Pegasus runs on assets)."""
        models: list[dict[str, Any]] = [{"model_name": self.marengo, "model_options": ["visual", "audio"]}]
        if self.analyze_by == "video_id":
            models.append({"model_name": self.pegasus, "model_options": ["visual", "audio"]})
        return models


CURRENT = Flow("current", "assets", "embed_v2", "video", False, "marengo3.0", "pegasus1.5", "marengo3.0")
CLASSIC = Flow("classic", "tasks", "embed_v1", "video_id", True, "marengo2.7", "pegasus1.2", "Marengo-retrieval-2.7")
_BY_SHAPE = {"current": CURRENT, "classic": CLASSIC}


def _model_names(models: Any) -> list[str]:
    names = []
    for m in models or ():
        name = m.get("model_name") if isinstance(m, Mapping) else getattr(m, "model_name", m)
        if isinstance(name, str):
            names.append(name)
    return names


def choose_flow(api_shape: str | None = None, *, index_models: Sequence[Any] | None = None,
                index: Any = None) -> Flow:
    """The flow for an explicit ``api_shape``, else for an index (its ``models``), else the current one.

    An index is classic when any of its models belongs to the classic surface (``marengo2.7``,
    ``pegasus1.2``); models the registry does not know do not decide.

    Raises:
        InvalidRequestError: ``api_shape`` is not ``"current"`` or ``"classic"``, or contradicts the
            index (a classic index cannot be driven the current way, nor the reverse).
    """
    from_index: Flow | None = None
    names = _model_names(index_models if index_models is not None else getattr(index, "models", None))
    surfaces = {spec.surface for spec in map(find_model, names) if spec is not None}
    if surfaces:
        from_index = CLASSIC if "classic" in surfaces else CURRENT
    if api_shape is None:
        return from_index or CURRENT
    if api_shape not in _BY_SHAPE:
        raise InvalidRequestError(f"api_shape must be 'current' or 'classic', got {api_shape!r}")
    chosen = _BY_SHAPE[api_shape]
    if from_index is not None and from_index is not chosen:
        raise InvalidRequestError(
            f"api_shape={api_shape!r} does not fit this index (models {', '.join(names)} are {from_index.shape}); "
            f"pass api_shape={from_index.shape!r} or leave it out to follow the index")
    return chosen


class AssetIds:
    """``video_id`` of a search hit on a current index -> the ``asset_id`` Pegasus can analyze (cached).

    ```python
    ids = AssetIds(maxsize=1024)
    ids.put("idx", "v1", "a1")
    assert ids.get("idx", "v1") == "a1" and ids.get("idx", "v2") is None
    ```

    ``resolve``/``aresolve`` ask ``client.indexes.indexed_assets.retrieve`` on a miss.
    """

    def __init__(self, maxsize: int = 4096) -> None:
        self._cache: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._maxsize = maxsize
        self._lock = threading.Lock()

    def get(self, index_id: str, video_id: str) -> str | None:
        with self._lock:
            found = self._cache.get((index_id, video_id))
            if found is not None:
                self._cache.move_to_end((index_id, video_id))
            return found

    def put(self, index_id: str, video_id: str, asset_id: str) -> None:
        with self._lock:
            self._cache[(index_id, video_id)] = asset_id
            self._cache.move_to_end((index_id, video_id))
            while len(self._cache) > self._maxsize:
                self._cache.popitem(last=False)

    def resolve(self, client: Any, index_id: str, video_id: str) -> str:
        """The asset id (one ``indexed_assets.retrieve`` per unseen hit)."""
        found = self.get(index_id, video_id)
        if found is None:
            found = self._asset_of(client.indexes.indexed_assets.retrieve(index_id, video_id), video_id)
            self.put(index_id, video_id, found)
        return found

    async def aresolve(self, aclient: Any, index_id: str, video_id: str) -> str:
        """Async twin of :meth:`resolve`."""
        found = self.get(index_id, video_id)
        if found is None:
            found = self._asset_of(await aclient.indexes.indexed_assets.retrieve(index_id, video_id), video_id)
            self.put(index_id, video_id, found)
        return found

    @staticmethod
    def _asset_of(indexed: Any, video_id: str) -> str:
        asset_id = getattr(indexed, "asset_id", None)
        if not asset_id:
            raise InvalidRequestError(f"indexed asset {video_id} has no asset_id: it was not ingested through "
                                      "assets (a classic upload?); analyze it by video_id with api_shape='classic'")
        return str(asset_id)
