"""Segment vectors from any of the API's embedding answers, in one shape for the vector stores.

Three objects carry per-segment video vectors: a classic embedding task (``client.embed.tasks``,
``video_embedding.segments``), an embed v2 task (``client.embed.v2.tasks``, ``data[i]`` with
``start_sec``/``end_sec``), and an indexed asset or video retrieved with ``embedding_option``
(``embedding.video_embedding.segments``). :func:`segments_of` reads any of them into
:class:`Segments` (rows, time ranges, scope and modality, the id to file them under, the model when
the answer names it, and the ``asset_id`` when known), refusing vectors of another model.

```python
import numpy as np
from twelvelabs_rag.embedding_segments import segments_of
from twelvelabs_rag.types.embed_v2 import EmbedV2Task
task = EmbedV2Task.model_validate({"_id": "t1", "status": "ready", "data": [
    {"embedding": [1.0, 0.0], "start_sec": 0, "end_sec": 4, "embedding_option": "visual", "embedding_scope": "clip"}]})
seg = segments_of(task, asset_id="a1")
assert (seg.source_id, seg.asset_id, seg.starts, seg.options) == ("t1", "a1", [0.0], ["visual"])
```
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .models import find_model
from .store import InvalidInputError, ModelMismatchError

__all__ = ["Segments", "segments_of"]

#: embed v2 scopes in the store's vocabulary (``clip``/``video``): a whole-asset vector is the video's.
_SCOPES = {"clip": "clip", "asset": "video", "video": "video"}


@dataclass(frozen=True)
class Segments:
    vectors: np.ndarray
    starts: list[float]
    ends: list[float]
    scopes: list[str]
    options: list[str]
    source_id: str
    model_name: str | None = None
    asset_id: str | None = None
    filename: str | None = None


def _check_model(found: str | None, expected: str | None, what: str) -> None:
    if found is None or expected is None:
        return
    a, b = find_model(found), find_model(expected)
    if (a.name if a else found) != (b.name if b else expected):
        raise ModelMismatchError(f"{what} was embedded with {found!r} but this store holds {expected!r} vectors; "
                                 "their spaces are not comparable, so use a store created with that model")


def _from_v1_segments(emb: Any, source_id: str, what: str) -> tuple[np.ndarray, list[Any]]:
    segs = list(getattr(emb, "segments", None) or []) if emb is not None else []
    if not segs:
        raise InvalidInputError(f"{what} has no embedding segments; retrieve it with its vectors once it is ready")
    return emb.matrix, segs


def segments_of(obj: Any, *, model_name: str | None = None, asset_id: str | None = None) -> Segments:
    """The segments of an embedding task (v1 or v2) or of an indexed asset/video retrieved with embeddings.

    ``model_name`` is the store's model: an answer that names another model is refused
    (:class:`ModelMismatchError`). ``asset_id`` overrides the one the object carries (an embed v2 task
    does not say which asset it embedded).
    """
    oid = str(getattr(obj, "id", "?"))
    if getattr(obj, "video_embedding", None) is not None:  # classic embedding task
        what = f"embedding task {oid!r}"
        _check_model(getattr(obj, "model_name", None), model_name, what)
        emb = obj.video_embedding
        matrix, segs = _from_v1_segments(emb, oid, what)
        info = getattr(emb, "metadata", None)
        filename = getattr(info, "input_filename", None) or getattr(info, "input_url", None)
        return Segments(matrix, [float(s.start_offset_sec or 0.0) for s in segs],
                        [float(s.end_offset_sec or 0.0) for s in segs], [s.embedding_scope or "clip" for s in segs],
                        [s.embedding_option or "visual-text" for s in segs], oid, getattr(obj, "model_name", None),
                        asset_id, filename)
    if getattr(obj, "embedding", None) is not None:  # indexed asset / video with embedding_option
        what = f"indexed asset {oid!r}"
        _check_model(obj.embedding.model_name, model_name, what)
        matrix, segs = _from_v1_segments(obj.embedding.video_embedding, oid, what)
        meta = getattr(obj, "system_metadata", None)
        return Segments(matrix, [float(s.start_offset_sec or 0.0) for s in segs],
                        [float(s.end_offset_sec or 0.0) for s in segs], [s.embedding_scope or "clip" for s in segs],
                        [s.embedding_option or "visual" for s in segs], oid, obj.embedding.model_name,
                        asset_id or getattr(obj, "asset_id", None), getattr(meta, "filename", None))
    data = getattr(obj, "data", None)
    if data:  # embed v2 task (or a sync embed v2 answer for a clip)
        info = getattr(obj, "metadata", None)
        filename = getattr(info, "input_filename", None) or getattr(info, "input_url", None)
        return Segments(np.asarray(obj.matrix, dtype=np.float32), [float(d.start_sec or 0.0) for d in data],
                        [float(d.end_sec if d.end_sec is not None else (d.start_sec or 0.0)) for d in data],
                        [_SCOPES.get(d.embedding_scope or "clip", d.embedding_scope) for d in data],
                        [d.embedding_option or "visual" for d in data],
                        oid, None, asset_id, filename)
    raise InvalidInputError(
        f"{type(obj).__name__} {oid!r} carries no segment vectors: pass a ready embedding task "
        "(client.embed.tasks / client.embed.v2.tasks create_and_wait) or an indexed asset retrieved with "
        "embedding_option=['visual', 'audio', 'transcription']")
