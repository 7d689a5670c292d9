"""``/embed``: text, image and audio embeddings (one call or many); video tasks under ``.tasks``.

Vectors are float32 numpy arrays, parsed in one numpy call per response.

```python
vec = client.embed.create(model_name="marengo3.0", text="a red fox").text_embedding.vector
many = client.embed.create_many(["a fox", "a dog"], model_name="marengo3.0", max_concurrency=8)
```
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

import httpx

from .._multipart import FilePart
from .._preflight import check_media, source_of
from .._request import RequestSpec, form_fields
from ..types._fast import vectors_to_arrays
from ..types.embed import EmbeddingResponse
from ._resource import AsyncResource, Plan, SyncResource, call_args, parse_json, validate
from .embed_tasks import AsyncEmbedTasks, EmbedTasks
from .embed_v2 import AsyncEmbedV2, EmbedV2

__all__ = ["Embed", "AsyncEmbed"]


def _spec(model_name: str, parts: list[FilePart], **kw: Any) -> RequestSpec:
    if not model_name:
        raise ValueError("model_name is required, e.g. 'marengo3.0' (512-d) or 'Marengo-retrieval-2.7' (1024-d)")
    if not parts and not any(kw.get(k) is not None for k in ("text", "image_url", "audio_url")):
        raise ValueError("embed.create needs text=..., image_url=/image_file=... or audio_url=/audio_file=...")
    return RequestSpec("POST", "embed", form=form_fields([("model_name", model_name), *kw.items()]), files=parts,
                       multipart=True)


def _parse(response: httpx.Response) -> EmbeddingResponse:
    data = parse_json(response)
    if isinstance(data, dict):
        vectors_to_arrays(data)
    return validate(EmbeddingResponse, data, response)


def _checks(image_file: Any, audio_file: Any) -> list[tuple[str, Any, str, str]]:
    out = []
    if image_file is not None:
        out.append(("image_file", image_file, "image.png", "image"))
    if audio_file is not None:
        out.append(("audio_file", audio_file, "audio.wav", "audio"))
    return out


def _jobs(texts: Sequence[str] | None, requests: Sequence[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    if isinstance(texts, str):
        raise TypeError("texts must be a list of strings, not one string")
    return [{"text": t} for t in texts or []] + [dict(r) for r in requests or []]


# Shared bodies (plans, see ``_resource``): ``res`` is an Embed or an AsyncEmbed. ---------------


def _create(res: Any, *, model_name: str, text: str | None, image_url: str | None, image_file: Any,
            audio_url: str | None, audio_file: Any, audio_start_offset_sec: float | None, text_truncate: str | None,
            preflight: bool | None) -> Plan[EmbeddingResponse]:
    parts = []
    for name, file, default, kind in _checks(image_file, audio_file):
        part = yield res._prepare_file(name, file, default_filename=default)
        if res._use_preflight(preflight):
            yield res._offload(lambda p=part, k=kind: check_media(source_of(p), name=p.filename, expect=k))
        parts.append(part)
    spec = _spec(model_name, parts, text=text, text_truncate=text_truncate, image_url=image_url,
                 audio_url=audio_url, audio_start_offset_sec=audio_start_offset_sec)
    return _parse((yield res._client._request(spec)))


def _create_many(res: Any, texts: Sequence[str] | None, *, model_name: str,
                 requests: Sequence[Mapping[str, Any]] | None, max_concurrency: int, return_exceptions: bool) -> Any:
    return res._bounded(_jobs(texts, requests), lambda kw: res.create(model_name=model_name, **kw), max_concurrency,
                        return_exceptions)


class Embed(SyncResource):
    """``client.embed``."""

    @cached_property
    def tasks(self) -> EmbedTasks:
        return EmbedTasks(self._client)

    @cached_property
    def v2(self) -> EmbedV2:
        """``/embed-v2`` (Marengo 3.0/3.5), the successor of this deprecated endpoint."""
        return EmbedV2(self._client)

    def create(
        self,
        *,
        model_name: str,
        text: str | None = None,
        image_url: str | None = None,
        image_file: Any = None,
        audio_url: str | None = None,
        audio_file: Any = None,
        audio_start_offset_sec: float | None = None,
        text_truncate: str | None = None,
        preflight: bool | None = None,
    ) -> EmbeddingResponse:
        """Embed a text, an image and/or an audio clip (by URL or file: path, bytes, binary file)."""
        return self._run(_create(self, **call_args(locals())))

    def create_many(
        self,
        texts: Sequence[str] | None = None,
        *,
        model_name: str,
        requests: Sequence[Mapping[str, Any]] | None = None,
        max_concurrency: int = 8,
        return_exceptions: bool = False,
    ) -> list[Any]:
        """Embed many texts (and/or ``requests``: dicts of :meth:`create` arguments) from a thread pool.

        Results keep the input order (texts first); at most ``max_concurrency`` requests are in flight.
        """
        done: list[Any] = _create_many(self, **call_args(locals()))
        return done


class AsyncEmbed(AsyncResource):
    """``client.embed`` of the async client."""

    @cached_property
    def tasks(self) -> AsyncEmbedTasks:
        return AsyncEmbedTasks(self._client)

    @cached_property
    def v2(self) -> AsyncEmbedV2:
        """``/embed-v2`` (Marengo 3.0/3.5), the successor of this deprecated endpoint."""
        return AsyncEmbedV2(self._client)

    async def create(
        self,
        *,
        model_name: str,
        text: str | None = None,
        image_url: str | None = None,
        image_file: Any = None,
        audio_url: str | None = None,
        audio_file: Any = None,
        audio_start_offset_sec: float | None = None,
        text_truncate: str | None = None,
        preflight: bool | None = None,
    ) -> EmbeddingResponse:
        """Embed a text, an image and/or an audio clip (by URL or file: path, bytes, binary file)."""
        return await self._run(_create(self, **call_args(locals())))

    async def create_many(
        self,
        texts: Sequence[str] | None = None,
        *,
        model_name: str,
        requests: Sequence[Mapping[str, Any]] | None = None,
        max_concurrency: int = 8,
        return_exceptions: bool = False,
    ) -> list[Any]:
        """Embed many texts (and/or ``requests``) with at most ``max_concurrency`` requests in flight.

        Results keep the input order (texts first).
        """
        done: list[Any] = await _create_many(self, **call_args(locals()))
        return done
