"""``TwelveLabsEmbedding``: Marengo text, image and audio embeddings in one vector space.

Example (offline, against the bundled emulator)::

    from twelvelabs_rag.testing import FakeTwelveLabs
    from llama_index.embeddings.twelvelabs import TwelveLabsEmbedding

    fake = FakeTwelveLabs()
    embed = TwelveLabsEmbedding(client=fake.client(), async_client=fake.async_client())  # embed v2, marengo3.0
    vec = embed.get_query_embedding("a red fox running through snow")
    assert len(vec) == embed.dimension == 512
    classic = TwelveLabsEmbedding(api_shape="classic", client=fake.client())  # /embed, Marengo-retrieval-2.7
    assert len(classic.get_query_embedding("a red fox")) == classic.dimension == 1024
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Sequence
from io import BytesIO
from pathlib import Path
from typing import Any, Literal

from llama_index.core.bridge.pydantic import Field, PrivateAttr, SecretStr, field_validator
from llama_index.core.callbacks import CallbackManager
from llama_index.core.embeddings import MultiModalEmbedding
from llama_index.core.schema import ImageType

from twelvelabs_rag import AsyncTwelveLabs, LazyClients, TwelveLabs
from twelvelabs_rag.bulk import amap_bounded, map_bounded
from twelvelabs_rag.embed_inputs import v2_request, v2_vector
from twelvelabs_rag.flow import choose_flow
from twelvelabs_rag.media_inputs import media_arg
from twelvelabs_rag.models import embed_dimension, find_model, models_for
from twelvelabs_rag.types import EmbeddingResponse

__all__ = ["TwelveLabsEmbedding", "MODEL_DIMENSIONS"]

#: Marengo embed model names and their vector sizes (the spaces are not compatible), from the core registry:
#: the classic ``/embed`` names and the embed v2 ones.
MODEL_DIMENSIONS: dict[str, int] = {
    **{m.embed_name: m.dimension for m in models_for("embed") if m.embed_name and m.dimension and m.surface == "classic"},
    **{m.name: m.dimension for m in models_for("embed_v2") if m.dimension},
}

MediaInput = str | Path | bytes | BytesIO

_SEMAPHORES: weakref.WeakKeyDictionary[Any, dict[int, asyncio.Semaphore]] = weakref.WeakKeyDictionary()


def _loop_semaphore(owner: object, limit: int) -> asyncio.Semaphore:
    """One semaphore per (running event loop, embedding object): LlamaIndex gathers several batches at
    once, so the in-flight bound holds across them. A fresh one per loop (asyncio primitives bind to
    the loop they first wait on, and sync callers may run one ``asyncio.run`` after another)."""
    per_loop = _SEMAPHORES.setdefault(asyncio.get_running_loop(), {})
    sem = per_loop.get(id(owner))
    if sem is None:
        sem = per_loop[id(owner)] = asyncio.Semaphore(max(1, limit))
    return sem


class TwelveLabsEmbedding(MultiModalEmbedding):
    """Marengo embeddings for LlamaIndex: text, image and audio in one space.

    Text queries and documents, images (a path, an ``http(s)`` URL, bytes or ``BytesIO``) and audio
    clips all land in the same space, so any of them can query segments ingested from a video
    embedding task. Batches are embedded with at most ``max_concurrency`` requests in flight
    (the endpoint takes one input per request); the async methods use ``AsyncTwelveLabs``.

    The current flow (default) calls embed v2 (``client.embed.v2``); ``api_shape="classic"`` or the
    classic model name calls ``/embed``. Sync batches run through ``twelvelabs_rag.bulk`` (a 429
    pauses every worker of the batch together).

    Args:
        model_name: ``"marengo3.0"`` (512-d, embed v2, default), ``"marengo3.5"`` (embed v2, with
            ``embedding_dimension``) or ``"Marengo-retrieval-2.7"`` (1024-d, classic ``/embed``).
        api_shape: ``"classic"`` picks the classic model when ``model_name`` is not given.
        embedding_dimension: ``marengo3.5`` only: a shorter vector.
        api_key: TwelveLabs key; defaults to ``TWELVELABS_API_KEY``.
        base_url: API base URL; defaults to ``TWELVELABS_BASE_URL`` or the public API.
        client / async_client: ready clients (then ``api_key``/``base_url`` are not used).
        max_concurrency: requests in flight per batch (sync: threads; async: a semaphore).

    Example:
        ```python
        from twelvelabs_rag.testing import FakeTwelveLabs
        fake = FakeTwelveLabs()
        embed = TwelveLabsEmbedding(client=fake.client(), async_client=fake.async_client())
        v = embed.get_text_embedding("a dog on a beach")
        ```
    """

    model_name: str = Field(default="marengo3.0", description="Marengo embed model name.")
    embedding_dimension: int | None = Field(default=None, gt=0, le=512, description="marengo3.5: a shorter vector.")
    embed_batch_size: int = Field(default=10, gt=0, le=2048)
    max_concurrency: int = Field(default=8, gt=0, le=64, description="Requests in flight at once.")
    api_key: SecretStr | None = Field(default=None, exclude=True, repr=False)
    base_url: str | None = Field(default=None)
    timeout: float | None = Field(default=None, description="Per-request timeout in seconds.")
    max_retries: int | None = Field(default=None, description="Retries on 429/5xx/connection errors.")

    _clients: LazyClients = PrivateAttr()

    def __init__(
        self,
        model_name: str | None = None,
        *,
        api_shape: Literal["current", "classic"] | None = None,
        embedding_dimension: int | None = None,
        api_key: str | None = None,
        base_url: str | None = None,
        client: TwelveLabs | None = None,
        async_client: AsyncTwelveLabs | None = None,
        embed_batch_size: int = 10,
        max_concurrency: int = 8,
        timeout: float | None = None,
        max_retries: int | None = None,
        callback_manager: CallbackManager | None = None,
        **kwargs: Any,
    ) -> None:
        holder = LazyClients.for_component(
            "TwelveLabsEmbedding",
            api_key=api_key,
            base_url=base_url,
            client=client,
            async_client=async_client,
            timeout=timeout,
            max_retries=max_retries,
        )
        super().__init__(
            model_name=model_name or choose_flow(api_shape).embed_model,
            embedding_dimension=embedding_dimension,
            api_key=holder.api_key,
            base_url=holder.base_url,
            embed_batch_size=embed_batch_size,
            max_concurrency=max_concurrency,
            timeout=timeout,
            max_retries=max_retries,
            callback_manager=callback_manager,
            **kwargs,
        )
        self._clients = holder

    @field_validator("model_name")
    @classmethod
    def _check_model(cls, value: str) -> str:
        spec = find_model(value)
        if spec is not None and spec.surface == "classic":
            value = spec.embed_name or value
        elif spec is not None:
            value = spec.name
        if value not in MODEL_DIMENSIONS:
            raise ValueError(
                f"unknown Marengo embed model {value!r}: use one of {sorted(MODEL_DIMENSIONS)} "
                "(marengo3.0 is 512-d on embed v2, Marengo-retrieval-2.7 is 1024-d on the classic /embed)"
            )
        return value

    @property
    def uses_v2(self) -> bool:
        """Embed v2 (current models) or ``/embed`` (classic)."""
        spec = find_model(self.model_name)
        return spec is not None and spec.surface == "current"

    @classmethod
    def class_name(cls) -> str:
        return "TwelveLabsEmbedding"

    @property
    def dimension(self) -> int:
        """Vector size: 1024 for Marengo 2.7, 512 for Marengo 3.0, ``embedding_dimension`` on Marengo 3.5."""
        if self.embedding_dimension is not None:
            return embed_dimension(self.model_name, self.embedding_dimension)
        return MODEL_DIMENSIONS[self.model_name]

    # ---------------------------------------------------------------- request building
    def _vector(self, response: EmbeddingResponse, kind: str) -> list[float]:
        media = getattr(response, f"{kind}_embedding")
        if media is None:
            raise ValueError(f"the API answered without a {kind}_embedding (model {response.model_name})")
        return media.vector.astype(float).tolist()

    def _v2(self, kind: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        """The embed v2 request for the v1-style kwargs of one input (reads a file: blocking)."""
        if kind == "text":
            item: Any = kwargs["text"]
        else:
            if kwargs.get("audio_start_offset_sec"):
                raise ValueError("start_offset_sec is a classic /embed option; on embed v2 cut the clip first "
                                 "or use api_shape='classic'")
            item = kwargs.get(f"{kind}_url") or kwargs.get(f"{kind}_file")
        return v2_request(self.model_name, kind, item, embedding_dimension=self.embedding_dimension)

    def _sync_one(self, kind: str, **kwargs: Any) -> list[float]:
        client = self._clients.sync
        if self.uses_v2:
            return v2_vector(client.embed.v2.create(**self._v2(kind, kwargs)), kind)
        return self._vector(client.embed.create(model_name=self.model_name, **kwargs), kind)

    async def _async_one(self, kind: str, **kwargs: Any) -> list[float]:
        if self.uses_v2:
            request = self._v2(kind, kwargs) if kind == "text" else await asyncio.to_thread(self._v2, kind, kwargs)
            async with _loop_semaphore(self, self.max_concurrency):
                return v2_vector(await self._clients.aio.embed.v2.create(**request), kind)
        async with _loop_semaphore(self, self.max_concurrency):
            response = await self._clients.aio.embed.create(model_name=self.model_name, **kwargs)
        return self._vector(response, kind)

    def _sync_many(self, kind: str, calls: Sequence[dict[str, Any]]) -> list[list[float]]:
        return map_bounded(self._clients.sync, list(calls), lambda kw: self._sync_one(kind, **kw),
                           max_concurrency=self.max_concurrency)

    async def _async_many(self, kind: str, calls: Sequence[dict[str, Any]]) -> list[list[float]]:
        return await amap_bounded(self._clients.aio, list(calls), lambda kw: self._async_one(kind, **kw),
                                  max_concurrency=self.max_concurrency)

    # ---------------------------------------------------------------- text
    def _get_query_embedding(self, query: str) -> list[float]:
        return self._sync_one("text", text=query)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return await self._async_one("text", text=query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._sync_one("text", text=text)

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return await self._async_one("text", text=text)

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._sync_many("text", [{"text": t} for t in texts])

    async def _aget_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return await self._async_many("text", [{"text": t} for t in texts])

    # ---------------------------------------------------------------- images
    def _get_image_embedding(self, img_file_path: ImageType) -> list[float]:
        return self._sync_one("image", **media_arg(img_file_path, "image"))

    async def _aget_image_embedding(self, img_file_path: ImageType) -> list[float]:
        kwargs = await asyncio.to_thread(media_arg, img_file_path, "image")  # may stat a file
        return await self._async_one("image", **kwargs)

    def _get_image_embeddings(self, img_file_paths: list[ImageType]) -> list[list[float]]:
        return self._sync_many("image", [media_arg(p, "image") for p in img_file_paths])

    async def _aget_image_embeddings(self, img_file_paths: list[ImageType]) -> list[list[float]]:
        calls = await asyncio.to_thread(lambda: [media_arg(p, "image") for p in img_file_paths])
        return await self._async_many("image", calls)

    # ---------------------------------------------------------------- audio (same space)
    def _audio_kwargs(self, audio: MediaInput, start_offset_sec: float | None) -> dict[str, Any]:
        kwargs = media_arg(audio, "audio")
        if start_offset_sec is not None:
            kwargs["audio_start_offset_sec"] = start_offset_sec
        return kwargs

    def get_audio_embedding(self, audio: MediaInput, *, start_offset_sec: float | None = None) -> list[float]:
        """Embed an audio clip (path, URL, bytes or BytesIO) into the text/image space.

        The API embeds audio in segments; this returns the first segment's vector (the one that
        starts at ``start_offset_sec``, default 0).
        """
        return self._sync_one("audio", **self._audio_kwargs(audio, start_offset_sec))

    async def aget_audio_embedding(
        self, audio: MediaInput, *, start_offset_sec: float | None = None
    ) -> list[float]:
        """Async twin of :meth:`get_audio_embedding`."""
        kwargs = await asyncio.to_thread(self._audio_kwargs, audio, start_offset_sec)
        return await self._async_one("audio", **kwargs)

    def get_audio_embedding_batch(self, audios: Sequence[MediaInput]) -> list[list[float]]:
        """Embed several audio clips, ``max_concurrency`` at a time."""
        return self._sync_many("audio", [self._audio_kwargs(a, None) for a in audios])

    async def aget_audio_embedding_batch(self, audios: Sequence[MediaInput]) -> list[list[float]]:
        """Async twin of :meth:`get_audio_embedding_batch`."""
        calls = await asyncio.to_thread(lambda: [self._audio_kwargs(a, None) for a in audios])
        return await self._async_many("audio", calls)

    # ---------------------------------------------------------------- lifecycle
    def close(self) -> None:
        """Close the clients this object built (clients you passed in stay open)."""
        self._clients.close()

    async def aclose(self) -> None:
        """Async twin of :meth:`close`."""
        await self._clients.aclose()
