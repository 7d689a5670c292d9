"""The official ``twelvelabs`` SDK (1.0.2 classic, 1.3.6 current) drives the loopback emulator.

Each SDK version lives in its own venv (``_sdkenv.ensure_sdk_venv``); ``drive_sdk.py`` runs there
against ``serve()`` in this process and reports one JSON line per check. Every check must pass.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from _sdkenv import SdkEnvError, ensure_sdk_venv

sys.path.insert(0, str(Path(__file__).parents[1] / "hosted"))

from twelvelabs_rag.testing import FakeTwelveLabs, serve
from twelvelabs_rag.testing.samples import DEMO_SCRIPTS, make_audio, make_clip, make_image

pytestmark = pytest.mark.contract

DRIVER = Path(__file__).with_name("drive_sdk.py")
COMMON = [
    "indexes.create", "indexes.retrieve", "indexes.update", "indexes.list", "tasks.create(file)",
    "tasks.create(url)", "tasks.wait_for_done", "tasks.retrieve", "tasks.list", "indexes.videos.list",
    "indexes.videos.retrieve", "indexes.videos.update", "search.create", "search.retrieve", "search.query",
    "search.create(image)", "embed.create(text)", "embed.create(image)", "embed.create(audio)",
    "embed.tasks.create", "embed.tasks.status", "embed.tasks.wait_for_done", "embed.tasks.retrieve",
    "embed.tasks.list", "analyze", "analyze(json_schema)", "analyze_stream", "errors", "async.indexes.list",
    "deletes", "done",
]
CLASSIC_ONLY = ["tasks.transfers.create", "tasks.transfers.get_status", "tasks.transfers.get_logs", "gist",
                "summarize", "generate"]
#: Hosted RAG (spec §6-§9): every SDK 1.3.6 method of entity collections, knowledge stores, Responses and
#: data connectors/imports (drive_sdk.py, "hosted RAG" section).
HOSTED = [
    "entity_collections.create", "entity_collections.list", "entity_collections.retrieve", "entity_collections.update",
    "entity_collections.delete", "entity_collections.entities.create", "entity_collections.entities.create_bulk",
    "entity_collections.entities.list", "entity_collections.entities.retrieve", "entity_collections.entities.update",
    "entity_collections.entities.create_assets", "entity_collections.entities.list_by_asset",
    "entity_collections.entities.delete_assets", "entity_collections.entities.delete", "knowledge_stores.create",
    "knowledge_stores.list", "knowledge_stores.retrieve", "knowledge_stores.update", "knowledge_stores.search",
    "knowledge_stores.delete", "knowledge_store_items.create", "knowledge_store_items.list",
    "knowledge_store_items.retrieve", "knowledge_store_items.delete", "knowledge_store_item_collections.create",
    "knowledge_store_item_collections.list", "knowledge_store_item_collections.retrieve",
    "knowledge_store_item_collections.update", "knowledge_store_item_collections.delete",
    "knowledge_store_item_collections.list_items", "knowledge_store_item_collections.add_items",
    "knowledge_store_item_collections.remove_items", "responses.create", "responses.create_stream",
    "async.responses.create_stream",
    "data_connectors.authorize_connection", "data_connectors.list_connections", "data_connectors.retrieve_connection",
    "data_connectors.delete_connection", "data_connectors.create_connection_picker_token",
    "data_connectors.list_redirect_uris", "data_connectors.create_redirect_uri", "data_connectors.delete_redirect_uri",
    "imports.import_files", "imports.list_imports", "imports.retrieve_import",
]

#: SDK 1.3.6 on the current surface: embed v2, index-free analyze, async analyze (spec §3, §4, §5).
CURRENT_EMBED_ANALYZE = [
    "embed.v_2.create(text)", "embed.v_2.create(image)", "embed.v_2.create(text_image)", "embed.v_2.create(audio)",
    "embed.v_2.create(video)", "embed.v_2.create(multi_input 3.5)", "embed.v_2.tasks.create",
    "embed.v_2.tasks.retrieve", "embed.v_2.tasks.list", "analyze(video asset_id)", "analyze(video base64 + image)",
    "analyze_stream(asset_id)", "analyze_async.tasks.create", "analyze_async.tasks.retrieve",
    "analyze_async.tasks.list", "analyze_async.tasks.cancel", "analyze_async.tasks.delete",
    "analyze_async.batches.create", "analyze_async.batches.retrieve", "analyze_async.batches.list",
    "analyze_async.batches.results", "analyze_async.batches.cancel", "analyze_async.batches.delete",
    "search.create(transcription)",
]

#: current surface, assets area (drive_sdk.py's "assets area" section)
ASSETS_136 = ["assets.create", "assets.retrieve", "assets.list", "assets.retrieve_transcription",
              "assets.user_metadata", "multipart_upload.manual", "multipart_upload.upload_file",
              "async.multipart_upload.upload_file",
              "indexes.indexed_assets", "assets.delete"]
#: bytes per multipart chunk the emulator asks for here: the clip spans several chunks
CONTRACT_CHUNK = 4096
EXPECTED = {"1.0.2": COMMON + CLASSIC_ONLY, "1.3.6": COMMON + HOSTED + CURRENT_EMBED_ANALYZE + ASSETS_136}
_RESULTS: dict[str, dict[str, dict]] = {}


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("contract-media")
    return {"clip": make_clip(root / "city.mp4", DEMO_SCRIPTS["city.mp4"]),
            "bucket": make_clip(root / "bucket.mp4", DEMO_SCRIPTS["kitchen.mp4"]),
            "image": make_image(root / "taxi.png", "a yellow taxi drives through the rain"),
            "audio": make_audio(root / "talk.wav", "a taxi horn in the rain", seconds=4),
            "portrait": make_image(root / "portrait.png", "a woman in a green raincoat")}


def _run_driver(version: str, media: dict[str, Path]) -> dict[str, dict]:
    if version in _RESULTS:
        return _RESULTS[version]
    try:
        python = ensure_sdk_venv(version)
    except SdkEnvError as exc:
        pytest.fail(str(exc))
    fake = FakeTwelveLabs(seed=7)
    fake.multipart_chunk_size = CONTRACT_CHUNK
    video_url = "https://cdn.example.com/street.mp4"
    fake.add_media(video_url, media["clip"])
    fake.add_integration("contract-bucket", {"bucket.mp4": media["bucket"]})
    with serve(fake) as base_url:
        args = {"base_url": base_url, "version": version, "clip": str(media["clip"]), "image": str(media["image"]),
                "audio": str(media["audio"]), "video_url": video_url, "integration_id": "contract-bucket",
                "hosted": _seed_hosted(fake, media), "chunk_size": CONTRACT_CHUNK}
        args["asset_id"] = fake.add_asset(media["clip"], filename="city.mp4")  # analyze/embed/batches by asset
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TWELVE", "VIRTUAL_ENV"))}
        proc = subprocess.run([str(python), str(DRIVER), json.dumps(args)], capture_output=True, text=True,
                              timeout=300, env=env, check=False)
    results = {}
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            item = json.loads(line)
            results[item["check"]] = item
    if "done" not in results:
        pytest.fail(f"SDK {version} driver crashed (exit {proc.returncode}):\n{proc.stdout[-3000:]}\n"
                    f"{proc.stderr[-3000:]}")
    _RESULTS[version] = results
    return results


def _seed_hosted(fake: FakeTwelveLabs, media: dict[str, Path]) -> dict:
    """Assets and a connected drive for the hosted-RAG checks (the browser OAuth step has no API)."""
    return {"image_asset": fake.add_asset(media["image"]), "image_asset2": fake.add_asset(media["portrait"]),
            "video_assets": [fake.add_asset(media["clip"]), fake.add_asset(media["bucket"])],
            "connection_id": fake.add_connection({"gd-city": media["clip"], "gd-kitchen": media["bucket"]}),
            "source_ids": ["gd-city", "gd-kitchen"]}


@pytest.mark.parametrize(("version", "check"), [(v, c) for v, checks in EXPECTED.items() for c in checks])
def test_sdk_call_succeeds_and_parses(version: str, check: str, media: dict[str, Path]) -> None:
    results = _run_driver(version, media)
    assert check in results, f"the driver never reported {check!r} for SDK {version}"
    assert results[check]["ok"], f"SDK {version} {check}: {results[check]['detail']}"


def test_driver_reports_no_unexpected_checks(media: dict[str, Path]) -> None:
    for version, checks in EXPECTED.items():
        assert set(_run_driver(version, media)) == set(checks)
