"""The one table of TwelveLabs models: names, aliases, family, vector sizes, token limits, endpoints.

Everything that needs a model fact imports it from here: the client's checks, the segment store,
the emulator and both framework packages. Names are matched case-insensitively and through aliases
(``Marengo-retrieval-2.7`` is ``marengo2.7``). Unknown names resolve to ``None`` (:func:`find_model`)
so user or future models keep working wherever a fact is optional.

```python
from twelvelabs_rag.models import get_model
m = get_model("Marengo-retrieval-2.7")
assert (m.name, m.family, m.dimension, m.text_token_limit) == ("marengo2.7", "marengo", 1024, 77)
assert get_model("marengo3.5").accepts_dimension(256) and not get_model("marengo3.0").accepts_dimension(256)
```
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ._exceptions import InvalidRequestError

__all__ = [
    "ModelSpec",
    "MODELS",
    "UnknownModelError",
    "find_model",
    "get_model",
    "models_for",
    "embed_dimension",
    "Endpoint",
]

#: The endpoints (and option groups) a model can be sent to.
Endpoint = Literal[
    "index", "embed", "embed_tasks", "embed_v2", "embed_v2_tasks", "search",
    "analyze", "analyze_tasks", "analyze_batches",
]


class UnknownModelError(InvalidRequestError):
    """A model name that is not in the registry, or not accepted by the endpoint it was sent to."""


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """The facts about one model.

    ``name`` is the canonical (index) name; ``embed_name`` the name the classic ``/embed`` endpoint
    wants; ``dimension`` the default vector size and ``dimension_range`` the sizes
    ``embedding_dimension`` may ask for (Matryoshka prefixes; ``None`` = fixed size). ``surface`` is
    ``classic`` (the seed reference, SDK 1.0.x) or ``current`` (SDK 1.3.6).
    """

    name: str
    family: Literal["marengo", "pegasus"]
    surface: Literal["classic", "current"]
    aliases: tuple[str, ...] = ()
    embed_name: str | None = None
    dimension: int | None = None
    dimension_range: tuple[int, int] | None = None
    text_token_limit: int | None = None
    endpoints: frozenset[str] = frozenset()
    #: Index ``model_options`` / embedding options (Marengo) the model knows.
    embedding_options: tuple[str, ...] = ()
    #: ``input_type`` values of POST /embed-v2 (sync) and /embed-v2/tasks.
    embed_v2_inputs: tuple[str, ...] = ()
    embed_v2_task_inputs: tuple[str, ...] = ()
    #: Request options only this model accepts (e.g. ``embedding_dimension``, ``image``, ``max_tokens_unlimited``).
    options: frozenset[str] = frozenset()
    #: Pegasus ``max_tokens`` range (general analysis).
    max_tokens: tuple[int, int] | None = None
    notes: str = field(default="", compare=False)

    def accepts(self, endpoint: str) -> bool:
        return endpoint in self.endpoints

    def accepts_dimension(self, dim: int) -> bool:
        """Whether ``embedding_dimension=dim`` is valid for this model."""
        if self.dimension_range is None or isinstance(dim, bool) or not isinstance(dim, int):
            return False
        lo, hi = self.dimension_range
        return lo <= dim <= hi


MODELS: tuple[ModelSpec, ...] = (
    ModelSpec(
        "marengo2.7", "marengo", "classic", aliases=("Marengo-retrieval-2.7",), embed_name="Marengo-retrieval-2.7",
        dimension=1024, text_token_limit=77, endpoints=frozenset({"index", "embed", "embed_tasks", "search"}),
        embedding_options=("visual-text", "audio"),
        notes="score+confidence in search; audio = all audio",
    ),
    ModelSpec(
        "marengo3.0", "marengo", "current", aliases=("marengo-retrieval-3.0",), embed_name="marengo3.0",
        dimension=512, text_token_limit=500,
        endpoints=frozenset({"index", "embed", "embed_tasks", "embed_v2", "embed_v2_tasks", "search"}),
        embedding_options=("visual", "audio", "transcription"),
        embed_v2_inputs=("text", "image", "text_image", "audio", "video", "multi_input"),
        embed_v2_task_inputs=("audio", "video"),
        notes="rank only in search; audio = non-speech, transcription = speech",
    ),
    ModelSpec(
        "marengo3.5", "marengo", "current", dimension=512, dimension_range=(1, 512), text_token_limit=2000,
        endpoints=frozenset({"embed_v2", "embed_v2_tasks"}),
        embedding_options=("visual", "audio", "transcription"),
        embed_v2_inputs=("multi_input",), embed_v2_task_inputs=("audio", "video", "document", "image"),
        options=frozenset({"embedding_dimension", "embedding_uncertainty", "auto_truncate"}),
        notes="Matryoshka vectors: a shorter embedding is the prefix of the 512-d one",
    ),
    ModelSpec(
        "pegasus1.2", "pegasus", "classic", endpoints=frozenset({"index", "analyze"}), max_tokens=(2, 4096),
        notes="analyze by video_id of an index with pegasus1.2",
    ),
    ModelSpec(
        "pegasus1.5", "pegasus", "current", endpoints=frozenset({"analyze", "analyze_tasks", "analyze_batches"}),
        max_tokens=(512, 98304), notes="index-free; the default analyze model",
    ),
    ModelSpec(
        "pegasus1.6", "pegasus", "current", endpoints=frozenset({"analyze", "analyze_tasks"}),
        max_tokens=(512, 98304), options=frozenset({"image", "max_tokens_unlimited", "time_array"}),
        notes="index-free; image[] inputs; max_tokens 'unlimited' with time_based_metadata",
    ),
)

_BY_NAME: dict[str, ModelSpec] = {}
for _m in MODELS:
    for _n in (_m.name, *_m.aliases):
        _BY_NAME[_n.lower()] = _m


def find_model(name: object) -> ModelSpec | None:
    """The model called ``name`` (canonical name or alias, any case), or None when unknown."""
    if not isinstance(name, str):
        return None
    return _BY_NAME.get(name.strip().lower())


def _choices(endpoint: str | None) -> str:
    return ", ".join(m.name for m in MODELS if endpoint is None or m.accepts(endpoint))


def get_model(name: object, *, endpoint: str | None = None) -> ModelSpec:
    """The model called ``name``; UnknownModelError when unknown or not accepted by ``endpoint``."""
    spec = find_model(name)
    if spec is None:
        where = f" for {endpoint}" if endpoint else ""
        raise UnknownModelError(f"Unknown model_name {name!r}{where}; use one of: {_choices(endpoint)}.")
    if endpoint is not None and not spec.accepts(endpoint):
        raise UnknownModelError(
            f"model_name {spec.name!r} cannot be used with {endpoint}; use one of: {_choices(endpoint)}."
        )
    return spec


def models_for(endpoint: str) -> tuple[ModelSpec, ...]:
    """Every model the endpoint accepts, in table order."""
    return tuple(m for m in MODELS if m.accepts(endpoint))


def embed_dimension(name: object, requested: int | None = None, *, default: int = 512) -> int:
    """The vector size a model produces (``requested`` = ``embedding_dimension`` where allowed).

    Unknown names get ``default``; a ``requested`` size the model cannot produce raises
    UnknownModelError naming the valid range.
    """
    spec = find_model(name)
    if requested is None:
        return spec.dimension if spec is not None and spec.dimension else default
    if spec is None or not spec.accepts_dimension(requested):
        allowed = (f"{spec.dimension_range[0]}..{spec.dimension_range[1]}" if spec and spec.dimension_range
                   else "none (its size is fixed; drop embedding_dimension)")
        raise UnknownModelError(f"embedding_dimension={requested!r} is not valid for {name!r}; allowed: {allowed}.")
    return requested
