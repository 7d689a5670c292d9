"""Marengo embeddings for LangChain: text, plus images and audio in the same vector space."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings
from langchain_core.load.serializable import Serializable
from pydantic import ConfigDict, Field

from ._utils import TwelveLabsClientMixin, arun_bounded, media_arg, run_bounded

__all__ = ["TwelveLabsEmbeddings", "DEFAULT_EMBEDDING_MODEL"]

#: The classic Marengo retrieval model (1024-d). ``"marengo3.0"`` (512-d) is the current one.
DEFAULT_EMBEDDING_MODEL = "Marengo-retrieval-2.7"

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
        model_name: ``"Marengo-retrieval-2.7"`` (1024-d, default) or ``"marengo3.0"`` (512-d).
        max_concurrency: parallel requests in ``embed_documents`` and the media methods.
        api_key / base_url / client / async_client: connection (see the package README).

    Instantiate:
        ```python
        from langchain_twelvelabs import TwelveLabsEmbeddings

        embeddings = TwelveLabsEmbeddings(model_name="Marengo-retrieval-2.7")
        ```

    Embed single text:
        ```python
        vector = embeddings.embed_query("a red fox running through snow")
        len(vector)  # 1024
        ```

    Embed multiple texts (order preserved, ``max_concurrency`` requests in flight):
        ```python
        vectors = embeddings.embed_documents(["a fox", "a city at night"])
        ```

    Embed images and audio into the same space:
        ```python
        [image_vec] = embeddings.embed_image(["fox.png"])  # local path or http(s) URL
        [audio_vec] = embeddings.embed_audio(["https://example.com/howl.wav"])
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

    model_name: str = Field(default=DEFAULT_EMBEDDING_MODEL, alias="model")
    max_concurrency: int = Field(default=8, ge=1, description="Requests in flight at once.")

    # --- text -------------------------------------------------------------------------
    def embed_query(self, text: str) -> list[float]:
        """Embed one text."""
        response = self._sync_client().embed.create(model_name=self.model_name, text=text)
        return _pick(response, "text")

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed many texts (one request each, ``max_concurrency`` at once, order preserved)."""
        return run_bounded(self.embed_query, list(texts), self.max_concurrency)

    async def aembed_query(self, text: str) -> list[float]:
        """Embed one text through the async client."""
        response = await self._async_client().embed.create(model_name=self.model_name, text=text)
        return _pick(response, "text")

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed many texts concurrently through the async client (order preserved)."""
        return await arun_bounded(self.aembed_query, list(texts), self.max_concurrency)

    # --- images and audio ---------------------------------------------------------------
    def _embed_media(self, kind: str, items: list[PathOrUrl]) -> list[list[float]]:
        client = self._sync_client()

        def one(item: PathOrUrl) -> list[float]:
            response = client.embed.create(model_name=self.model_name, **media_arg(item, kind))
            return _pick(response, kind)

        return run_bounded(one, items, self.max_concurrency)

    async def _aembed_media(self, kind: str, items: list[PathOrUrl]) -> list[list[float]]:
        client = self._async_client()

        async def one(item: PathOrUrl) -> list[float]:
            arg = await asyncio.to_thread(media_arg, item, kind)  # a stat; kept off the event loop
            response = await client.embed.create(model_name=self.model_name, **arg)
            return _pick(response, kind)

        return await arun_bounded(one, items, self.max_concurrency)

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
