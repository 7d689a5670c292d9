"""Fixtures of the hosted-RAG tests (entities, knowledge stores, Responses, connectors)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from _hosted_support import HOSTED_SCRIPTS

from twelvelabs_rag.testing import FakeTwelveLabs
from twelvelabs_rag.testing.samples import make_clip, make_image


@pytest.fixture(scope="session")
def hosted_media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("hosted-media")
    out = {name: make_clip(root / name, script) for name, script in HOSTED_SCRIPTS.items()}
    out["ada.png"] = make_image(root / "ada.png", "a woman in a green raincoat with a red umbrella")
    out["bridge.png"] = make_image(root / "bridge.png", "a stone bridge over a river at sunset")
    return out


@pytest.fixture
def fake() -> object:
    return FakeTwelveLabs(seed=3)
