"""Fixtures for the emulator tests: a fresh fake, a raw httpx client on it, and sample media."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from _emulator_helpers import create_index, upload

from twelvelabs_rag.testing import FakeTwelveLabs
from twelvelabs_rag.testing.samples import DEMO_SCRIPTS, make_clip


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo clips, written once per session (real H.264 MP4s with a script in the comment tag)."""
    root = tmp_path_factory.mktemp("clips")
    return {name: make_clip(root / name, script) for name, script in DEMO_SCRIPTS.items()}


@pytest.fixture
def fake() -> FakeTwelveLabs:
    return FakeTwelveLabs()


@pytest.fixture
def http(fake: FakeTwelveLabs):
    with httpx.Client(transport=fake.transport(), base_url="http://emulator/v1.3",
                      headers={"x-api-key": "tlk_test"}) as client:
        yield client


@pytest.fixture
def library(http: httpx.Client, fake: FakeTwelveLabs, clips: dict[str, Path]) -> dict:
    """An index (Marengo 3.0 + Pegasus 1.2) with the three demo clips indexed and ready."""
    ix = create_index(http)
    videos = {name: upload(http, fake, ix, path, metadata={"source": name.split(".")[0], "n": i})["video_id"]
              for i, (name, path) in enumerate(sorted(clips.items()))}
    return {"index_id": ix, "videos": videos}
