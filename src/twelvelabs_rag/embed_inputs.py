"""Embed v2 request shaping shared by the framework embeddings (LangChain, LlamaIndex).

One input (a text, an image, a (text, image) pair or an audio clip) becomes the keyword arguments of
``client.embed.v2.create``: media as ``{"media_source": {"url"|"base64_string": ...}}`` (local files
and bytes are preflighted like an upload, then sent as base64), and for models that take only
``multi_input`` (``marengo3.5``, per the registry) the same input re-shaped as ``multi_input``.
One vector comes back per input: several segments (audio) are averaged and re-normalised.

```python
from twelvelabs_rag.embed_inputs import v2_request
assert v2_request("marengo3.0", "text", "a fox") == {"input_type": "text", "model_name": "marengo3.0", "text": "a fox"}
assert v2_request("marengo3.5", "text", "a fox", embedding_dimension=256) == {
    "input_type": "multi_input", "model_name": "marengo3.5", "multi_input": {"input_text": "a fox"},
    "embedding_dimension": 256}
```
"""

from __future__ import annotations

import base64
from io import BytesIO
from pathlib import Path
from typing import Any

import numpy as np

from ._exceptions import APIResponseValidationError
from ._preflight import preflight
from .media_inputs import is_url
from .models import find_model

__all__ = ["media_source", "v2_request", "v2_vector"]

_WHAT = {"text": "text", "image": "JPEG/PNG image", "text_image": "text and image", "audio": "audio file"}


def media_source(media: Any, kind: str) -> dict[str, Any]:
    """``{"media_source": ...}`` for a URL, a local path, bytes or ``BytesIO`` (reads files: blocking).

    Raises FileNotFoundError for a missing path and PreflightError for media the API would refuse.
    """
    if is_url(media):
        return {"media_source": {"url": media.strip()}}
    if isinstance(media, BytesIO):
        data = media.getvalue()
    elif isinstance(media, (bytes, bytearray)):
        data = bytes(media)
    elif isinstance(media, (str, Path)):
        path = Path(media).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"{kind} file not found: {str(media)!r}; pass an existing local path or an "
                                    "http(s) URL")
        data = path.read_bytes()
    else:
        raise TypeError(f"{kind} input must be a path, an http(s) URL, bytes or BytesIO, not {type(media).__name__}")
    preflight(data, kind=kind)
    return {"media_source": {"base64_string": base64.b64encode(data).decode()}}


def _as_multi(kind: str, value: Any) -> dict[str, Any]:
    if kind == "text":
        return {"input_text": value}
    media = dict(value)
    text = media.pop("input_text", None)
    source = {"media_type": "audio" if kind == "audio" else "image", **media.pop("media_source")}
    return {**({"input_text": text} if text is not None else {}), "media_sources": [source]}


def v2_request(model_name: str, kind: str, item: Any, *, embedding_dimension: int | None = None) -> dict[str, Any]:
    """``client.embed.v2.create`` keyword arguments for one ``kind`` input (text, image, text_image, audio).

    ``item`` is the text, the media (see :func:`media_source`), or a ``(text, image)`` pair.
    """
    if kind == "text":
        value: Any = item
    elif kind == "text_image":
        text, image = item
        value = {"input_text": text, **media_source(image, "image")}
    else:
        value = media_source(item, kind)
    spec = find_model(model_name)
    if spec is not None and kind not in spec.embed_v2_inputs and "multi_input" in spec.embed_v2_inputs:
        kind, value = "multi_input", _as_multi(kind, value)
    args: dict[str, Any] = {"input_type": kind, "model_name": model_name, kind: value}
    if embedding_dimension is not None:
        args["embedding_dimension"] = embedding_dimension
    return args


def v2_vector(response: Any, kind: str) -> list[float]:
    """The one vector of an embed v2 answer (segments averaged and re-normalised)."""
    if not response.data:
        raise APIResponseValidationError(f"The embed v2 response has no {kind} embedding; check that the input is a "
                                         f"supported, non-empty {_WHAT.get(kind, kind)}")
    matrix = np.asarray(response.matrix, dtype=np.float32)
    if len(matrix) == 1:
        return [float(x) for x in matrix[0]]
    mean = matrix.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return [float(x) for x in (mean / norm if norm > 0 else mean)]
