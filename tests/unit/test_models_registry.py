"""The one model registry: names, aliases, facts, and the copies that now read from it."""

from __future__ import annotations

import pytest

from twelvelabs_rag.models import MODELS, UnknownModelError, embed_dimension, find_model, get_model, models_for
from twelvelabs_rag.store._models import resolve_model
from twelvelabs_rag.testing._core import embedding_options
from twelvelabs_rag.testing._embed import _TOKEN_LIMIT, EMBED_MODELS
from twelvelabs_rag.testing._encoder import dimension_for


@pytest.mark.parametrize(
    ("name", "canonical", "family", "dim", "tokens", "surface"),
    [
        ("marengo2.7", "marengo2.7", "marengo", 1024, 77, "classic"),
        ("Marengo-retrieval-2.7", "marengo2.7", "marengo", 1024, 77, "classic"),
        ("MARENGO-RETRIEVAL-2.7", "marengo2.7", "marengo", 1024, 77, "classic"),
        ("marengo3.0", "marengo3.0", "marengo", 512, 500, "current"),
        ("marengo-retrieval-3.0", "marengo3.0", "marengo", 512, 500, "current"),
        ("marengo3.5", "marengo3.5", "marengo", 512, 2000, "current"),
        ("pegasus1.2", "pegasus1.2", "pegasus", None, None, "classic"),
        ("pegasus1.5", "pegasus1.5", "pegasus", None, None, "current"),
        (" pegasus1.6 ", "pegasus1.6", "pegasus", None, None, "current"),
    ],
)
def test_model_facts(name, canonical, family, dim, tokens, surface):
    m = get_model(name)
    assert (m.name, m.family, m.dimension, m.text_token_limit, m.surface) == (canonical, family, dim, tokens, surface)


@pytest.mark.parametrize(
    ("endpoint", "names"),
    [
        ("index", ["marengo2.7", "marengo3.0", "pegasus1.2"]),
        ("embed", ["marengo2.7", "marengo3.0"]),
        ("embed_v2", ["marengo3.0", "marengo3.5"]),
        ("embed_v2_tasks", ["marengo3.0", "marengo3.5"]),
        ("search", ["marengo2.7", "marengo3.0"]),
        ("analyze", ["pegasus1.2", "pegasus1.5", "pegasus1.6"]),
        ("analyze_tasks", ["pegasus1.5", "pegasus1.6"]),
        ("analyze_batches", ["pegasus1.5"]),
    ],
)
def test_endpoints(endpoint, names):
    assert [m.name for m in models_for(endpoint)] == names


@pytest.mark.parametrize(
    ("name", "requested", "expected"),
    [("marengo3.0", None, 512), ("marengo2.7", None, 1024), ("marengo3.5", None, 512), ("marengo3.5", 256, 256),
     ("marengo3.5", 1, 1), ("marengo3.5", 512, 512), ("user-model", None, 512)],
)
def test_embed_dimension(name, requested, expected):
    assert embed_dimension(name, requested) == expected


@pytest.mark.parametrize(("name", "requested"), [("marengo3.0", 256), ("marengo3.5", 513), ("marengo3.5", 0),
                                                 ("marengo3.5", True), ("nope", 256)])
def test_embed_dimension_rejects(name, requested):
    with pytest.raises(UnknownModelError, match="embedding_dimension"):
        embed_dimension(name, requested)


def test_unknown_and_wrong_endpoint_errors_name_the_choices():
    assert find_model("gpt-4") is None and find_model(None) is None
    with pytest.raises(UnknownModelError, match="use one of: marengo3.0, marengo3.5"):
        get_model("gpt-4", endpoint="embed_v2")
    with pytest.raises(UnknownModelError, match="cannot be used with analyze_batches; use one of: pegasus1.5"):
        get_model("pegasus1.6", endpoint="analyze_batches")
    assert isinstance(UnknownModelError("x"), ValueError)


def test_names_and_aliases_are_unique():
    seen = [n.lower() for m in MODELS for n in (m.name, *m.aliases)]
    assert len(seen) == len(set(seen))


def test_copies_read_the_registry():
    # store
    assert resolve_model("Marengo-retrieval-2.7").name == "marengo2.7" and resolve_model("marengo2.7").dim == 1024
    assert resolve_model("marengo3.5").dim is None  # its size is a choice, the store's dim decides
    assert resolve_model("custom").dim is None
    # emulator
    assert EMBED_MODELS == ("Marengo-retrieval-2.7", "marengo3.0")
    assert _TOKEN_LIMIT == {"Marengo-retrieval-2.7": 77, "marengo3.0": 500}
    assert dimension_for("marengo2.7") == 1024 and dimension_for("marengo3.5", 128) == 128
    assert embedding_options("Marengo-retrieval-2.7") == ("visual-text", "audio")
