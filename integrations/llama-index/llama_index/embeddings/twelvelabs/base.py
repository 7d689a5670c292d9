"""``TwelveLabsEmbedding``: Marengo text, image and audio embeddings in one vector space.

Example (offline, against the bundled emulator)::

    from twelvelabs_rag.testing import FakeTwelveLabs
    from llama_index.embeddings.twelvelabs import TwelveLabsEmbedding

    fake = FakeTwelveLabs()
    embed = TwelveLabsEmbedding(client=fake.client(), async_client=fake.async_client())
    vec = embed.get_query_embedding("a red fox running through snow")
    assert len(vec) == embed.dimension == 1024
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from io import BytesIO
from pathlib import Path
from typing import Any

from llama_index.core.bridge.pydantic import Field, PrivateAttr, SecretStr, field_validator
from llama_index.core.callbacks import CallbackManager
from llama_index.core.embeddings import MultiModalEmbedding
from llama_index.core.schema import ImageType

from twelvelabs_rag import AsyncTwelveLabs, TwelveLabs
from twelvelabs_rag.models import find_model, models_for
from twelvelabs_rag.types import EmbeddingResponse

from ._common import ClientHolder, is_url, loop_semaphore

__all__ = ["TwelveLabsEmbedding", "MODEL_DIMENSIONS"]

#: Marengo embed model names and their vector sizes (the spaces are not compatible), from the core registry.
MODEL_DIMENSIONS: dict[str, int] = {m.embed_name: m.dimension for m in models_for("embed") if m.embed_name and m.dimension}

MediaInput = str | Path | bytes | BytesIO


class TwelveLabsEmbedding(MultiModalEmbedding):
    """Marengo embeddings for LlamaIndex: text, image and audio in one space.

    Text queries and documents, images (a path, an ``http(s)`` URL, bytes or ``BytesIO``) and audio
    clips all land in the same space, so any of them can query segments ingested from a video
    embedding task. Batches are embedded with at most ``max_concurrency`` requests in flight
    (the endpoint takes one input per request); the async methods use ``AsyncTwelveLabs``.

    Args:
        model_name: ``"Marengo-retrieval-2.7"`` (1024-d, default) or ``"marengo3.0"`` (512-d).
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

    model_name: str = Field(default="Marengo-retrieval-2.7", description="Marengo embed model name.")
    embed_batch_size: int = Field(default=10, gt=0, le=2048)
    max_concurrency: int = Field(default=8, gt=0, le=64, description="Requests in flight at once.")
    api_key: SecretStr | None = Field(default=None, exclude=True, repr=False)
    base_url: str | None = Field(default=None)
    timeout: float | None = Field(default=None, description="Per-request timeout in seconds.")
    max_retries: int | None = Field(default=None, description="Retries on 429/5xx/connection errors.")

    _clients: ClientHolder = PrivateAttr()

    def __init__(
        self,
        model_name: str = "Marengo-retrieval-2.7",
        *,
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
        holder = ClientHolder(
            "TwelveLabsEmbedding",
            api_key=api_key,
            base_url=base_url,
            client=client,
            async_client=async_client,
            timeout=timeout,
            max_retries=max_retries,
        )
        super().__init__(
            model_name=model_name,
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
        value = spec.embed_name or value if spec is not None else value
        if value not in MODEL_DIMENSIONS:
            raise ValueError(
                f"unknown Marengo embed model {value!r}: use one of {sorted(MODEL_DIMENSIONS)} "
                "(Marengo-retrieval-2.7 is 1024-d, marengo3.0 is 512-d)"
            )
        return value

    @classmethod
    def class_name(cls) -> str:
        return "TwelveLabsEmbedding"

    @property
    def dimension(self) -> int:
        """Vector size of ``model_name`` (1024 for Marengo 2.7, 512 for Marengo 3.0)."""
        return MODEL_DIMENSIONS[self.model_name]

    # ---------------------------------------------------------------- request building
    def _vector(self, response: EmbeddingResponse, kind: str) -> list[float]:
        media = getattr(response, f"{kind}_embedding")
        if media is None:
            raise ValueError(f"the API answered without a {kind}_embedding (model {response.model_name})")
        return media.vector.astype(float).tolist()

    @staticmethod
    def _media_kwargs(kind: str, media: MediaInput) -> dict[str, Any]:
        if isinstance(media, BytesIO):
            return {f"{kind}_file": media.getvalue()}
        if isinstance(media, (bytes, bytearray)):
            return {f"{kind}_file": bytes(media)}
        if isinstance(media, Path) or (isinstance(media, str) and not is_url(media)):
            path = Path(media)
            if not path.is_file():
                raise FileNotFoundError(
                    f"{kind} input {str(media)!r} is neither an http(s) URL nor an existing file"
                )
            return {f"{kind}_file": path}
        if isinstance(media, str):
            return {f"{kind}_url": media}
        raise TypeError(
            f"{kind} input must be a path, an http(s) URL, bytes or BytesIO, not {type(media).__name__}"
        )

    def _sync_one(self, kind: str, **kwargs: Any) -> list[float]:
        return self._vector(self._clients.sync.embed.create(model_name=self.model_name, **kwargs), kind)

    async def _async_one(self, kind: str, **kwargs: Any) -> list[float]:
        async with loop_semaphore(self, self.max_concurrency):
            response = await self._clients.aio.embed.create(model_name=self.model_name, **kwargs)
        return self._vector(response, kind)

    def _sync_many(self, kind: str, calls: Sequence[dict[str, Any]]) -> list[list[float]]:
        if len(calls) <= 1 or self.max_concurrency == 1:
            return [self._sync_one(kind, **kw) for kw in calls]
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(self.max_concurrency, len(calls))) as pool:
            return list(pool.map(lambda kw: self._sync_one(kind, **kw), calls))

    async def _async_many(self, kind: str, calls: Sequence[dict[str, Any]]) -> list[list[float]]:
        return list(await asyncio.gather(*(self._async_one(kind, **kw) for kw in calls)))

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
        return self._sync_one("image", **self._media_kwargs("image", img_file_path))

    async def _aget_image_embedding(self, img_file_path: ImageType) -> list[float]:
        kwargs = await asyncio.to_thread(self._media_kwargs, "image", img_file_path)  # may stat a file
        return await self._async_one("image", **kwargs)

    def _get_image_embeddings(self, img_file_paths: list[ImageType]) -> list[list[float]]:
        return self._sync_many("image", [self._media_kwargs("image", p) for p in img_file_paths])

    async def _aget_image_embeddings(self, img_file_paths: list[ImageType]) -> list[list[float]]:
        calls = await asyncio.to_thread(lambda: [self._media_kwargs("image", p) for p in img_file_paths])
        return await self._async_many("image", calls)

    # ---------------------------------------------------------------- audio (same space)
    def _audio_kwargs(self, audio: MediaInput, start_offset_sec: float | None) -> dict[str, Any]:
        kwargs = self._media_kwargs("audio", audio)
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
