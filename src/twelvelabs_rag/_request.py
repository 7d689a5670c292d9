"""Request building shared by both clients: the re-buildable :class:`RequestSpec` and the wire
encodings of query strings and multipart text fields (no I/O).

```python
from twelvelabs_rag._request import form_fields, query_params
assert query_params({"status": ["ready", "indexing"], "duration": {"gte": 1}}) == [
    ("status", "ready"), ("status", "indexing"), ("duration[gte]", "1")]
assert form_fields({"enable_video_stream": True, "user_metadata": {"a": 1}, "x": None}) == [
    ("enable_video_stream", "true"), ("user_metadata", '{"a":1}')]
```
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["RequestSpec", "build_url", "query_params", "form_fields"]


@dataclass
class RequestSpec:
    """Everything needed to build one request, re-buildable for every attempt.

    ``form`` holds multipart text fields (already strings); ``files`` holds
    :class:`~twelvelabs_rag._multipart.FilePart` objects. When ``multipart`` is true the body
    is sent as multipart/form-data even without files (the API requires it for /search and /embed).
    """

    method: str
    path: str
    params: list[tuple[str, str]] = field(default_factory=list)
    json: Any = None
    form: list[tuple[str, str]] = field(default_factory=list)
    files: list[Any] = field(default_factory=list)
    multipart: bool = False
    stream: bool = False


def build_url(base_url: str, path: str) -> str:
    """Join the base URL (which carries ``/v1.3``) and an endpoint path."""
    return base_url.rstrip("/") + "/" + path.lstrip("/")


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)) and not isinstance(value, str):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def _pairs(values: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> list[tuple[str, str]]:
    items = values.items() if isinstance(values, Mapping) else values
    out: list[tuple[str, str]] = []
    for key, value in items:
        if value is None:
            continue
        if isinstance(value, (list, tuple, set, frozenset)):
            out.extend((key, _scalar(v)) for v in value if v is not None)
        else:
            out.append((key, _scalar(value)))
    return out


def query_params(values: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> list[tuple[str, str]]:
    """Encode query parameters the way the API expects.

    ``None`` is dropped, booleans become ``true``/``false``, sequences become repeated keys
    (``status=ready&status=indexing``), dicts become ``key[sub]=v`` (range filters).
    """
    out: list[tuple[str, str]] = []
    items = values.items() if isinstance(values, Mapping) else values
    for key, value in items:
        if isinstance(value, Mapping):
            out.extend(_pairs([(f"{key}[{k}]", v) for k, v in value.items()]))
        else:
            out.extend(_pairs([(key, value)]))
    return out


def form_fields(values: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> list[tuple[str, str]]:
    """Encode multipart text fields: ``None`` is not sent, booleans are ``true``/``false``,
    lists are repeated parts, dicts are JSON text (``user_metadata``, ``filter``)."""
    return _pairs(values)
