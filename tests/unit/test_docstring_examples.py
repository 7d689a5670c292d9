"""Every ```python example in a module docstring of twelvelabs_rag runs, in the module's namespace.

Examples that talk to the API get a session on the loopback emulator (``TWELVELABS_API_KEY`` /
``TWELVELABS_BASE_URL`` point at it): ``client`` (sync; the async client for examples with a
top-level ``await``); a current (Marengo 3.0) index with one ready video (``index``, ``idx``, ``ix``,
``index_id``, ``video_id``, ``task_id``); a classic Pegasus 1.2 video (``vid``); a retrieved
embedding ``task``; ready assets (``asset``, ``asset_id``, ``asset_ids``, ``portrait_asset_id``); a
knowledge store with one ready item (``ks``); ``size`` (a file size); ``clip.mp4`` and ``talk.mp4`` in
the working directory; the URLs and the integration / connection the examples name.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from twelvelabs_rag.flow import CLASSIC, CURRENT
from twelvelabs_rag.testing import FakeTwelveLabs, serve
from twelvelabs_rag.testing.docs import arun_code, docstring_examples, has_top_level_await, walk_modules
from twelvelabs_rag.testing.samples import DEMO_SCRIPTS, make_clip, make_image

EXAMPLES = [(mod, name, code) for mod in walk_modules("twelvelabs_rag") for name, code in docstring_examples(mod)]
#: The placeholder URLs, integration and connection source ids the examples name.
URLS = ("https://.../clip.mp4", "https://cdn.example.com/clip.mp4")


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("doc-examples")
    clip = make_clip(root / "clip.mp4", DEMO_SCRIPTS["wildlife.mp4"])
    portrait = make_image(root / "ada.png", "a woman in a green raincoat with a red umbrella")
    fake = FakeTwelveLabs()
    for url in URLS:
        fake.add_media(url, clip)
    fake.add_integration("my-s3-integration", {"bucket.mp4": clip})
    fake.add_connection({"1AbC...": clip, "1DeF...": clip})
    with serve(fake) as base_url:
        client = fake.client(poll_interval=0)
        index = client.indexes.create(index_name="docs", models=CURRENT.index_models)
        done = client.tasks.create_and_wait(index_id=index.id, file=clip)
        classic = client.indexes.create(index_name="docs-classic", models=CLASSIC.index_models)
        classic_video = client.tasks.create_and_wait(index_id=classic.id, file=clip).video_id
        task = client.embed.tasks.create_and_wait(model_name="marengo3.0", video_file=clip, video_clip_length=4)
        asset = client.assets.upload(clip)
        ks = client.knowledge_stores.create(name="docs")
        client.knowledge_stores.items.create_and_wait(ks.id, asset_id=asset.id)
        yield {"fake": fake, "base_url": base_url, "root": root, "client": client,
               "names": {"index": index, "idx": index.id, "ix": index.id, "index_id": index.id,
                         "video_id": done.video_id, "task_id": done.id, "vid": classic_video, "task": task,
                         "asset": asset, "asset_id": asset.id, "asset_ids": [asset.id, fake.add_asset(clip)],
                         "portrait_asset_id": fake.add_asset(portrait), "ks": ks,
                         "size": 300 * 1024 * 1024}}
        client.close()


@pytest.mark.parametrize(("module", "name", "code"), EXAMPLES, ids=[name for _, name, _ in EXAMPLES])
async def test_module_docstring_example_runs(module: Any, name: str, code: str, session: dict[str, Any],
                                             tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("clip.mp4", "talk.mp4"):
        (tmp_path / name).write_bytes((session["root"] / "clip.mp4").read_bytes())
    monkeypatch.setenv("TWELVELABS_API_KEY", "tlk_docs")
    monkeypatch.setenv("TWELVELABS_BASE_URL", session["base_url"])
    namespace = {**vars(module), **session["names"]}
    aclient = None
    if has_top_level_await(code):
        aclient = session["fake"].async_client(poll_interval=0)
        namespace["client"] = aclient
    else:
        namespace["client"] = session["client"]
    try:
        await arun_code(code, name, namespace)
    finally:
        if aclient is not None:
            await aclient.aclose()
    for value in namespace.values():  # close what the example opened (stores, clients it built)
        if value is not session["client"] and type(value).__module__.startswith("twelvelabs_rag") and \
                callable(getattr(value, "close", None)) and not isinstance(value, type):
            try:
                value.close()
            except Exception:  # best effort
                pass


def test_the_listed_modules_have_examples_that_run() -> None:
    """Issue 11: these had examples no test ran; they are collected above now."""
    names = {mod.__name__ for mod, _, _ in EXAMPLES}
    for short in ("_policy", "_request", "_config", "_streaming", "_limits", "_preflight", "types._fast",
                  "resources._resource", "_multipart", "resources._recovery"):
        assert f"twelvelabs_rag.{short}" in names, short
