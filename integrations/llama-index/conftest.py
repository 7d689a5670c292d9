"""Fixtures: the TwelveLabs emulator, a seeded index of sample clips, and offline LlamaIndex settings.

Everything runs against ``twelvelabs_rag.testing.FakeTwelveLabs`` through the HTTP transport;
nothing patches private attributes, nothing reaches the network.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from twelvelabs_rag.testing import FakeTwelveLabs
from twelvelabs_rag.testing.samples import DEMO_SCRIPTS, make_audio, make_clip, make_image

# Strict emulator (issue 15 §2; also set by the repository's root conftest.py when run from there).
FakeTwelveLabs.strict_default = True

MARENGO = {"model_name": "marengo2.7", "model_options": ["visual", "audio"]}
PEGASUS = {"model_name": "pegasus1.2", "model_options": ["visual", "audio"]}


@pytest.fixture(scope="session", autouse=True)
def offline_llama_index(tmp_path_factory: pytest.TempPathFactory):
    """Keep llama-index-core offline and independent of how the venv was linked.

    llama-index-core ships its tiktoken and nltk data; tiktoken finds its cache by itself. nltk
    (3.10+) refuses to open hard-linked data files, which is what ``uv`` installs by default, so
    the bundled nltk data is copied once into a temp dir and pointed to with ``NLTK_DATA``.
    No OpenAI default model is ever resolved: every test passes its llm / embed_model.
    """
    import llama_index.core

    bundled = Path(llama_index.core.__file__).parent / "_static" / "nltk_cache"
    target = tmp_path_factory.mktemp("nltk_data")
    shutil.copytree(bundled, target, dirs_exist_ok=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NLTK_DATA", str(target))
        yield


@pytest.fixture(autouse=True)
def no_ambient_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see no TwelveLabs/OpenAI settings from the environment unless they set them."""
    for name in ("TWELVELABS_API_KEY", "TWELVE_LABS_API_KEY", "TWELVELABS_BASE_URL", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake() -> FakeTwelveLabs:
    return FakeTwelveLabs()


@pytest.fixture
def client(fake: FakeTwelveLabs):
    with fake.client(poll_interval=0) as c:
        yield c


@pytest.fixture
async def aclient(fake: FakeTwelveLabs):
    async with fake.async_client(poll_interval=0) as c:
        yield c


def peak_concurrency(requests) -> int:
    """Most requests in flight at once, from the emulator's request log."""
    events = []
    for r in requests:
        events.append((r.started_at, 1))
        events.append((r.ended_at if r.ended_at is not None else r.started_at, -1))
    peak = now = 0
    for _, delta in sorted(events, key=lambda e: (e[0], e[1])):
        now += delta
        peak = max(peak, now)
    return peak


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Sample clips (one per demo script), images and an audio clip, written once per session."""
    root = tmp_path_factory.mktemp("media")
    out: dict[str, Path] = {}
    for name, script in DEMO_SCRIPTS.items():
        out[name] = Path(make_clip(root / name, script))
    out["fox.png"] = Path(make_image(root / "fox.png", "a red fox runs through deep snow in a forest"))
    out["taxi.png"] = Path(make_image(root / "taxi.png", "a yellow taxi drives through the rain"))
    out["bear.wav"] = Path(make_audio(root / "bear.wav", "the bear is fishing", seconds=4))
    return out


@pytest.fixture
def library(client, media) -> dict[str, str]:
    """An index (Marengo + Pegasus) holding the three demo clips: returns ids by name."""
    index = client.indexes.create(index_name="library", models=[MARENGO, PEGASUS])
    ids = {"index_id": index.id}
    for name in DEMO_SCRIPTS:
        task = client.tasks.create_and_wait(index_id=index.id, file=media[name])
        ids[name] = task.video_id
    return ids



@pytest.fixture
def peak():
    """``peak(requests)``: the most emulator requests that were in flight at once."""
    return peak_concurrency


async def _loop_stays_free(coro):
    """Await ``coro`` while another task tries to run; return (result, whether it ran meanwhile).

    If ``coro`` blocked the event loop (sync I/O inside async code), the other task could only run
    after ``coro`` finished. Load-independent: it compares the order of events, not durations.
    """
    import asyncio
    import time

    ran_at: list[float] = []

    async def other() -> None:
        await asyncio.sleep(0)
        ran_at.append(time.monotonic())

    task = asyncio.ensure_future(other())
    result = await coro
    done_at = time.monotonic()
    await task
    return result, bool(ran_at) and ran_at[0] < done_at


@pytest.fixture
def loop_free():
    """``result, free = await loop_free(coro)``: ``free`` is False if ``coro`` blocked the loop."""
    return _loop_stays_free


@pytest.fixture
def current_library(client, media) -> dict[str, str]:
    """The three demo clips ingested the current way: a Marengo 3.0 index, assets, indexed assets.

    Returns ``index_id``, ``<name>`` -> indexed-asset (video) id and ``asset:<name>`` -> asset id.
    """
    from twelvelabs_rag.flow import CURRENT

    index = client.indexes.create(index_name="current-library", models=CURRENT.index_models)
    ids = {"index_id": index.id}
    for name in DEMO_SCRIPTS:
        asset = client.assets.upload(media[name])
        indexed = client.indexes.indexed_assets.create_and_wait(index.id, asset_id=asset.id, poll_interval=0)
        ids[name], ids[f"asset:{name}"] = indexed.id, asset.id
    return ids


@pytest.fixture(scope="session")
def milvus_uri(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One milvus-lite database file for the session (starting the engine takes seconds); a collection per store."""
    pytest.importorskip("pymilvus")
    pytest.importorskip("milvus_lite")
    return str(tmp_path_factory.mktemp("milvus") / "llama.db")


@pytest.fixture
def make_milvus(milvus_uri: str):
    """``make_milvus(dim=..., model_name=...)``: a MilvusSegmentStore on a fresh collection (closed after the test)."""
    import itertools

    from twelvelabs_rag.store import MilvusSegmentStore

    made: list[MilvusSegmentStore] = []
    names = itertools.count()

    def _make(*, dim: int, model_name: str) -> MilvusSegmentStore:
        import uuid

        store = MilvusSegmentStore(milvus_uri, collection=f"li{uuid.uuid4().hex[:12]}{next(names)}", dim=dim,
                                   model_name=model_name)
        made.append(store)
        return store

    yield _make
    for store in made:
        store.close()
