"""The emulator's embedding model: a hashed bag of words (it does not understand pixels or sound).

Text is lower-cased, split into word tokens, stop words dropped, lightly stemmed, and each
token is feature-hashed into the model's dimension with a signed hash. A small deterministic
content-hash component keeps distinct inputs from ever getting identical vectors. The result is
L2-normalised float32. The same input always gives the same vector, and a text lands near the
segments whose script describes the same things, so search and any-to-any ranking behave sensibly.

Example:
    ```python
    from twelvelabs_rag.testing._encoder import encode_text
    v = encode_text("a red fox", 512)
    assert v.shape == (512,)
    ```
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

import numpy as np

from ..models import embed_dimension

__all__ = ["tokens", "encode_text", "encode_bytes", "encode_mix", "dimension_for", "cosine"]

STOP_WORDS = frozenset(
    "a an the and or but if of at by for with about against between into through during before after "
    "above below to from up down in out on off over under again further then once here there when where "
    "why how all any both each few more most other some such no nor not only own same so than too very "
    "can will just should now is are was were be been being have has had having do does did doing i me my "
    "we our you your he him his she her it its they them their what which who whom this that these those "
    "am as until while s t don shows show showing video clip scene find".split()
)
_TOKEN = re.compile(r"[a-z0-9]+")
_HASH_WEIGHT = 0.08  # share of the content-hash component before normalisation


def dimension_for(model_name: str | None, requested: int | None = None) -> int:
    """The model's vector size from the registry (1024 for Marengo 2.7, 512 otherwise; ``requested`` = 3.5's
    ``embedding_dimension``)."""
    return embed_dimension(model_name, requested)


def _stem(word: str) -> str:
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""), ("ly", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: len(word) - len(suffix)] + repl
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiousl":
        word = word[:-1]  # running -> runn -> run
    return word


def tokens(text: str) -> list[str]:
    """Lower-case, tokenise, drop stop words and lightly stem.

    Example:
        ```python
        assert tokens("The foxes are running") == ["fox", "run"]
        ```
    """
    return [_stem(w) for w in _TOKEN.findall(text.lower()) if w not in STOP_WORDS]


@lru_cache(maxsize=65536)
def _token_slot(token: str, dim: int) -> tuple[int, float]:
    h = hashlib.blake2b(token.encode(), digest_size=8).digest()
    n = int.from_bytes(h, "little")
    return n % dim, (1.0 if (n >> 63) & 1 else -1.0)


def _hash_vector(key: bytes, dim: int) -> np.ndarray:
    seed = int.from_bytes(hashlib.sha256(key).digest()[:8], "little")
    v = np.random.default_rng(seed).standard_normal(dim)
    return v / np.linalg.norm(v)


def _bag(text: str, dim: int) -> np.ndarray:
    v = np.zeros(dim, dtype=np.float64)
    for tok in tokens(text):
        slot, sign = _token_slot(tok, dim)
        v[slot] += sign
    return v


@lru_cache(maxsize=4096)
def _encode_text_cached(text: str, dim: int, salt: str) -> bytes:
    bag = _bag(text, dim)
    norm = np.linalg.norm(bag)
    noise = _hash_vector(f"{salt}\x00{text}".encode(), dim)
    v = noise if norm == 0 else bag / norm + _HASH_WEIGHT * noise
    unit: np.ndarray = (v / np.linalg.norm(v)).astype(np.float32)
    return unit.tobytes()


def encode_text(text: str, dim: int, *, salt: str = "") -> np.ndarray:
    """Embed ``text``: hashed bag of words plus a small content-hash part, L2-normalised float32.

    ``salt`` separates spaces that should not be identical (e.g. a scene's visual and audio vectors).
    """
    return np.frombuffer(_encode_text_cached(text, dim, salt), dtype=np.float32).copy()


def encode_bytes(data: bytes, dim: int, *, salt: str = "") -> np.ndarray:
    """A pure content-hash vector for media that carries no text."""
    key = salt.encode() + b"\x00" + hashlib.sha256(data).digest()
    return _hash_vector(key, dim).astype(np.float32)


def encode_mix(parts: list[tuple[str, float]], dim: int, *, salt: str = "") -> np.ndarray:
    """Weighted mix of several texts (e.g. scenes overlapping a clip), normalised."""
    v = np.zeros(dim, dtype=np.float64)
    for text, weight in parts:
        if weight > 0:
            v += weight * encode_text(text, dim, salt=salt)
    norm = np.linalg.norm(v)
    if norm == 0:
        return encode_text("", dim, salt=salt + "|empty")
    return (v / norm).astype(np.float32)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two vectors (both are normally unit length already)."""
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    return float(np.dot(a, b) / (na * nb)) if na and nb else 0.0
