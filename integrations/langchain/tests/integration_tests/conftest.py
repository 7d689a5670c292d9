"""Shared fixtures: an in-process TwelveLabs emulator with one index holding three indexed sample clips.

Everything runs against ``twelvelabs_rag.testing.FakeTwelveLabs`` through its httpx transport: no
sockets. The session-wide "world" is read-only for the tests (searches, analyses, embeddings);
tests that write (uploads, new indexes) build their own emulator with ``fresh_fake``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from twelvelabs_rag.moments import format_timestamp
from twelvelabs_rag.testing import FakeTwelveLabs
from twelvelabs_rag.testing.samples import DEMO_SCRIPTS, make_audio, make_clip, make_image

INDEX_MODELS = [
    {"model_name": "marengo2.7", "model_options": ["visual", "audio"]},
    {"model_name": "pegasus1.2", "model_options": ["visual", "audio"]},
]


@dataclass
class World:
    """The shared emulator, its index and the indexed clips (filename -> video_id)."""

    fake: FakeTwelveLabs
    index_id: str
    videos: dict[str, str]
    media_dir: Path
    assets: dict[str, str] = field(default_factory=dict)

    def client(self) -> Any:
        return self.fake.client()

    def async_client(self) -> Any:
        return self.fake.async_client()

    def clients_kw(self) -> dict[str, Any]:
        """``client=`` and ``async_client=`` for any class of the package."""
        return {"client": self.fake.client(), "async_client": self.fake.async_client()}

    @property
    def fox_video(self) -> str:
        return self.videos["wildlife.mp4"]


def index_clips(fake: FakeTwelveLabs, index_id: str, paths: list[Path]) -> dict[str, str]:
    client = fake.client()
    out = {}
    for path in paths:
        task = client.tasks.create_and_wait(index_id=index_id, file=path, poll_interval=0)
        out[path.name] = task.video_id
    return out


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sample media: the three demo clips, a fox image, a howl recording and a too-small clip."""
    root = tmp_path_factory.mktemp("media")
    for name, script in DEMO_SCRIPTS.items():
        make_clip(root / name, script)
    make_image(root / "fox.png", "a red fox runs through deep snow in a forest")
    make_audio(root / "market.wav", "welcome to the night market")
    make_clip(root / "tiny.mp4", "[0-4] a tiny clip", width=160, height=120)
    return root


@pytest.fixture(scope="session")
def world(media_dir: Path) -> World:
    fake = FakeTwelveLabs(seed=7)
    client = fake.client()
    index = client.indexes.create(index_name="lc-world", models=INDEX_MODELS)
    videos = index_clips(fake, index.id, [media_dir / name for name in DEMO_SCRIPTS])
    # Classic uploads make no assets: tests that need one use ``current_world`` (no video_id stand-ins).
    return World(fake=fake, index_id=index.id, videos=videos, media_dir=media_dir)


def ingest_assets(fake: FakeTwelveLabs, index_id: str, paths: list[Path]) -> tuple[dict[str, str], dict[str, str]]:
    """Current flow: each clip uploaded as an asset, then indexed; (filename -> video_id, filename -> asset_id)."""
    client = fake.client()
    videos, assets = {}, {}
    for path in paths:
        asset = client.assets.upload(path)
        indexed = client.indexes.indexed_assets.create_and_wait(index_id, asset_id=asset.id, poll_interval=0)
        videos[path.name], assets[path.name] = indexed.id, asset.id
    return videos, assets


@pytest.fixture(scope="session")
def current_world(media_dir: Path) -> World:
    """The same three clips on a Marengo 3.0 index, ingested the current way (assets + indexed assets)."""
    from twelvelabs_rag.flow import CURRENT

    fake = FakeTwelveLabs(seed=7)
    index = fake.client().indexes.create(index_name="lc-current", models=CURRENT.index_models)
    videos, assets = ingest_assets(fake, index.id, [media_dir / name for name in DEMO_SCRIPTS])
    return World(fake=fake, index_id=index.id, videos=videos, media_dir=media_dir, assets=assets)


@pytest.fixture(params=["classic", "current"])
def any_world(request: pytest.FixtureRequest) -> World:
    """Both flows: the classic world (tasks, pegasus1.2 index) and the current one (assets, marengo3.0)."""
    return request.getfixturevalue("world" if request.param == "classic" else "current_world")


@pytest.fixture
def index_models() -> list[dict[str, Any]]:
    """Marengo 2.7 + Pegasus 1.2, visual and audio."""
    return [dict(m) for m in INDEX_MODELS]


@pytest.fixture
def fresh_fake() -> FakeTwelveLabs:
    """A new, empty emulator for tests that write."""
    return FakeTwelveLabs(seed=11)


def _assert_window_sent(client: Any, body: dict[str, Any], start: float, end: float) -> None:
    if "video" in body:  # the current surface takes the window; classic /analyze (video_id) has none
        assert (body["start_time"], body["end_time"]) == (start, end)
    else:
        assert "start_time" not in body
        assert body["prompt"].startswith(
            f"Consider only the part of the video from {format_timestamp(start)} to {format_timestamp(end)}. ")


@pytest.fixture
def assert_window_sent() -> Any:
    """``assert_window_sent(client, analyze_body, start, end)``: the moment's window reached Pegasus, as
    ``start_time``/``end_time`` on a video object, else (classic ``video_id``) stated in the prompt."""
    return _assert_window_sent


# ---------------------------------------------------------------------------------------------- hosted RAG
@dataclass
class HostedWorld:
    """A knowledge store holding the hosted-test clips as ready items (filename -> item id / asset id)."""

    fake: FakeTwelveLabs
    knowledge_store_id: str
    items: dict[str, str]
    assets: dict[str, str]
    scripts: dict[str, str]

    def clients_kw(self) -> dict[str, Any]:
        return {"client": self.fake.client(), "async_client": self.fake.async_client()}


def _hosted_support() -> Any:
    """``tests/hosted/_hosted_support.py`` (the hosted tests' clip scripts)."""
    import sys

    hosted = Path(__file__).resolve().parents[4] / "tests" / "hosted"
    if str(hosted) not in sys.path:
        sys.path.insert(0, str(hosted))
    import _hosted_support

    return _hosted_support


def hosted_fake(seed: int = 5) -> FakeTwelveLabs:
    """An emulator with assets (``add_asset`` / ``asset_media``)."""
    return FakeTwelveLabs(seed=seed)


@pytest.fixture(scope="session")
def hosted_world(tmp_path_factory: pytest.TempPathFactory) -> HostedWorld:
    HOSTED_SCRIPTS = _hosted_support().HOSTED_SCRIPTS
    fake = hosted_fake()
    root = tmp_path_factory.mktemp("hosted-media")
    client = fake.client()
    ks = client.knowledge_stores.create(name="lc-hosted")
    items, assets = {}, {}
    for name, script in HOSTED_SCRIPTS.items():
        assets[name] = fake.add_asset(make_clip(root / name, script))  # type: ignore[attr-defined]
        items[name] = client.knowledge_stores.items.create_and_wait(ks.id, asset_id=assets[name], poll_interval=0).id
    return HostedWorld(fake=fake, knowledge_store_id=ks.id, items=items, assets=assets, scripts=dict(HOSTED_SCRIPTS))


@pytest.fixture
def indexed_assets_fake() -> Any:
    """A factory: ``indexed_assets_fake(seed)`` (see :func:`_indexed_assets_fake`)."""
    return _indexed_assets_fake


def _indexed_assets_fake(seed: int = 13) -> FakeTwelveLabs:
    """An emulator in which each indexed video's ``asset_id`` is a real asset (as a POST /tasks upload is)."""
    return FakeTwelveLabs(seed=seed)


@pytest.fixture(scope="session")
def milvus_uri(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One milvus-lite database file for the session (starting the engine takes seconds); a collection per store."""
    pytest.importorskip("pymilvus")
    pytest.importorskip("milvus_lite")
    return str(tmp_path_factory.mktemp("milvus") / "lc.db")



@pytest.fixture(scope="session")
def make_milvus(milvus_uri: str) -> Any:
    """``make_milvus(dim=..., model_name=...)``: a MilvusSegmentStore on a new collection (closed at session end)."""
    import uuid

    from twelvelabs_rag.store import MilvusSegmentStore

    made: list[Any] = []

    def _make(*, dim: int, model_name: str) -> Any:
        store = MilvusSegmentStore(milvus_uri, collection=f"lc{uuid.uuid4().hex[:16]}", dim=dim, model_name=model_name)
        made.append(store)
        return store

    yield _make
    for store in made:
        store.close()
