"""Marengo embeddings for LangChain: text, plus images, text+image and audio in the same vector space.

The current flow (default) calls embed v2 (``client.embed.v2``, ``marengo3.0``; ``marengo3.5`` takes
``embedding_dimension``); ``api_shape="classic"`` or a classic model name calls ``/embed`` (v1).
Batches run through ``twelvelabs_rag.bulk``, so a 429 pauses every worker of the batch together."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
from langchain_core.embeddings import Embeddings
from langchain_core.load.serializable import Serializable
from pydantic import ConfigDict, Field

from twelvelabs_rag.bulk import amap_bounded, map_bounded
from twelvelabs_rag.embed_inputs import v2_request, v2_vector
from twelvelabs_rag.flow import choose_flow
from twelvelabs_rag.media_inputs import media_arg
from twelvelabs_rag.models import find_model

from ._utils import TwelveLabsClientMixin

__all__ = ["TwelveLabsEmbeddings", "DEFAULT_EMBEDDING_MODEL"]

#: The current Marengo (512-d, embed v2). ``"Marengo-retrieval-2.7"`` (1024-d, ``/embed``) is the classic one.
DEFAULT_EMBEDDING_MODEL = choose_flow("current").embed_model

PathOrUrl = str | Path


def _as_list(paths_or_urls: PathOrUrl | Sequence[PathOrUrl]) -> list[PathOrUrl]:
    if isinstance(paths_or_urls, (str, Path)):
        return [paths_or_urls]
    return list(paths_or_urls)


def _pick(response: Any, kind: str) -> list[float]:
    """The vector of one ``EmbeddingResponse``; several audio segments are averaged and re-normalised."""
    media = getattr(response, f"{kind}_embedding", None)
    if media is None or not media.segments:
        detail = getattr(media, "error_message", None) if media is not None else None
        from twelvelabs_rag import APIResponseValidationError

        raise APIResponseValidationError(
            f"The embed response has no {kind} embedding" + (f": {detail}" if detail else "")
            + "; check that the input is a supported, non-empty "
            + {"text": "text", "image": "JPEG/PNG image", "audio": "audio file"}[kind]
        )
    if len(media.segments) == 1:
        return np.asarray(media.segments[0].embedding, dtype=np.float32).tolist()
    matrix = np.stack([np.asarray(s.embedding, dtype=np.float32) for s in media.segments])
    mean = matrix.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return (mean / norm if norm > 0 else mean).tolist()


class TwelveLabsEmbeddings(TwelveLabsClientMixin, Serializable, Embeddings):
    """TwelveLabs Marengo embeddings: text, images and audio in one vector space.

    Setup:
        Install ``langchain-twelvelabs`` and set ``TWELVELABS_API_KEY``.

        ```bash
        pip install -U langchain-twelvelabs
        export TWELVELABS_API_KEY="tlk_..."
        ```

    Key init args:
        model_name: ``"marengo3.0"`` (512-d, embed v2, default), ``"marengo3.5"`` (with
            ``embedding_dimension``) or ``"Marengo-retrieval-2.7"`` (1024-d, classic ``/embed``).
        api_shape: ``"classic"`` picks the classic model when ``model_name`` is not given.
        embedding_dimension: ``marengo3.5`` only: a shorter vector (Matryoshka prefix).
        max_concurrency: parallel requests in ``embed_documents`` and the media methods.
        api_key / base_url / client / async_client: connection (see the package README).

    Instantiate:
        ```python
        from langchain_twelvelabs import TwelveLabsEmbeddings

        embeddings = TwelveLabsEmbeddings()  # marengo3.0 on embed v2
        classic = TwelveLabsEmbeddings(api_shape="classic")  # Marengo-retrieval-2.7 on /embed
        ```

    Embed single text:
        ```python
        vector = embeddings.embed_query("a red fox running through snow")
        len(vector)  # 512
        ```

    Embed multiple texts (order preserved, ``max_concurrency`` requests in flight):
        ```python
        vectors = embeddings.embed_documents(["a fox", "a city at night"])
        ```

    Embed images and audio into the same space:
        ```python
        [image_vec] = embeddings.embed_image(["fox.png"])  # local path or http(s) URL
        [audio_vec] = embeddings.embed_audio(["https://example.com/howl.wav"])
        [both] = embeddings.embed_text_image([("a fox", "fox.png")])  # embed v2 only
        ```

    Async:
        ```python
        vector = await embeddings.aembed_query("a red fox")
        vectors = await embeddings.aembed_image(["fox.png"])
        ```
    """

    @classmethod
    def is_lc_serializable(cls) -> bool:
        """``dumpd``/``loads`` round-trip the settings; the key is dumped as a secret reference only."""
        return True

    model_config = ConfigDict(extra="forbid", populate_by_name=True, protected_namespaces=())

    model_name: str | None = Field(default=None, alias="model")
    api_shape: Literal["current", "classic"] | None = None
    embedding_dimension: int | None = Field(default=None, ge=1, description="marengo3.5: a shorter vector.")
    max_concurrency: int = Field(default=8, ge=1, description="Requests in flight at once.")

    @property
    def model(self) -> str:
        """The model called: ``model_name``, else the flow's embed model."""
        return self.model_name or choose_flow(self.api_shape).embed_model

    @property
    def uses_v2(self) -> bool:
        """Embed v2 (current models) or ``/embed`` (classic models)."""
        spec = find_model(self.model)
        return spec.surface == "current" if spec is not None else self.api_shape != "classic"

    def _v2_args(self, kind: str, item: Any) -> dict[str, Any]:
        """``client.embed.v2.create`` arguments (reads and preflights a local file: blocking)."""
        return v2_request(self.model, kind, item, embedding_dimension=self.embedding_dimension)

    def _one(self, client: Any, kind: str, item: Any) -> list[float]:
        if self.uses_v2:
            return v2_vector(client.embed.v2.create(**self._v2_args(kind, item)), kind)
        if kind == "text_image":
            raise ValueError("text+image embeddings need embed v2: use model_name='marengo3.0' or 'marengo3.5'")
        args = {"text": item} if kind == "text" else media_arg(item, kind)
        return _pick(client.embed.create(model_name=self.model, **args), kind)

    async def _aone(self, client: Any, kind: str, item: Any) -> list[float]:
        if self.uses_v2:
            args = self._v2_args(kind, item) if kind == "text" else await asyncio.to_thread(self._v2_args, kind, item)
            return v2_vector(await client.embed.v2.create(**args), kind)
        if kind == "text_image":
            raise ValueError("text+image embeddings need embed v2: use model_name='marengo3.0' or 'marengo3.5'")
        args = {"text": item} if kind == "text" else await asyncio.to_thread(media_arg, item, kind)
        return _pick(await client.embed.create(model_name=self.model, **args), kind)

    def _embed_many(self, kind: str, items: list[Any]) -> list[list[float]]:
        client = self._sync_client()
        return map_bounded(client, items, lambda item: self._one(client, kind, item), max_concurrency=self.max_concurrency)

    async def _aembed_many(self, kind: str, items: list[Any]) -> list[list[float]]:
        client = self._async_client()

        async def one(item: Any) -> list[float]:
            return await self._aone(client, kind, item)

        return await amap_bounded(client, items, one, max_concurrency=self.max_concurrency)

    # --- text -------------------------------------------------------------------------
    def embed_query(self, text: str) -> list[float]:
        """Embed one text."""
        return self._one(self._sync_client(), "text", text)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed many texts (one request each, ``max_concurrency`` at once, order preserved)."""
        return self._embed_many("text", list(texts))

    async def aembed_query(self, text: str) -> list[float]:
        """Embed one text through the async client."""
        return await self._aone(self._async_client(), "text", text)

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed many texts concurrently through the async client (order preserved)."""
        return await self._aembed_many("text", list(texts))

    # --- images, text+image and audio --------------------------------------------------------
    def _embed_media(self, kind: str, items: list[PathOrUrl]) -> list[list[float]]:
        return self._embed_many(kind, items)

    async def _aembed_media(self, kind: str, items: list[PathOrUrl]) -> list[list[float]]:
        return await self._aembed_many(kind, items)

    def embed_text_image(self, pairs: Sequence[tuple[str, PathOrUrl]]) -> list[list[float]]:
        """Embed (text, image) pairs as one vector each (embed v2): "this picture, but at night"."""
        return self._embed_many("text_image", [tuple(p) for p in pairs])

    async def aembed_text_image(self, pairs: Sequence[tuple[str, PathOrUrl]]) -> list[list[float]]:
        """Async twin of :meth:`embed_text_image`."""
        return await self._aembed_many("text_image", [tuple(p) for p in pairs])

    def embed_image(self, paths_or_urls: PathOrUrl | Sequence[PathOrUrl]) -> list[list[float]]:
        """Embed images (local JPEG/PNG paths or http(s) URLs); one vector per input, in order.

        The vectors live in the same space as :meth:`embed_query`, so a text can be compared
        with an image by cosine similarity.
        """
        return self._embed_media("image", _as_list(paths_or_urls))

    def embed_audio(self, paths_or_urls: PathOrUrl | Sequence[PathOrUrl]) -> list[list[float]]:
        """Embed audio files (paths or URLs); one vector per input (segments averaged), in order."""
        return self._embed_media("audio", _as_list(paths_or_urls))

    async def aembed_image(self, paths_or_urls: PathOrUrl | Sequence[PathOrUrl]) -> list[list[float]]:
        """Async twin of :meth:`embed_image`."""
        return await self._aembed_media("image", _as_list(paths_or_urls))

    async def aembed_audio(self, paths_or_urls: PathOrUrl | Sequence[PathOrUrl]) -> list[list[float]]:
        """Async twin of :meth:`embed_audio`."""
        return await self._aembed_media("audio", _as_list(paths_or_urls))
