"""The state both sides of the wire oracle start from: identically prepared emulators.

``prepare(media, classic)`` returns a fresh ``FakeTwelveLabs`` and the ids and paths the calls of
``oracle_calls`` use (``S`` in their code strings), made through our client and the emulator's
seeding helpers, so the SDK and our client each find the same resources in their own emulator.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import httpx

from twelvelabs_rag.testing import FakeTwelveLabs

__all__ = ["prepare"]

_SCHEMA = {"type": "object", "properties": {"scenes": {"type": "array", "items": {"type": "string"}}},
           "required": ["scenes"]}


def prepare(media: dict[str, Any], classic: bool) -> tuple[FakeTwelveLabs, dict[str, Any]]:
    fake = _fake(media)
    return fake, _setup(fake, media, classic)


def _setup(fake: FakeTwelveLabs, media: dict[str, Path], classic: bool) -> dict[str, Any]:
    """An index with two ready videos (a file with user_metadata, a URL), a ready embedding task, a
    search page token, a cloud integration holding one file; on the current surface also what
    ``_setup_current`` makes."""
    client = fake.client(poll_interval=0)
    try:
        models = [{"model_name": "marengo2.7" if classic else "marengo3.0", "model_options": ["visual", "audio"]}]
        if classic:
            models.append({"model_name": "pegasus1.2", "model_options": ["visual", "audio"]})
        index = client.indexes.create(index_name="oracle-setup", models=models)
        task = client.tasks.create_and_wait(index_id=index.id, file=media["clip"],
                                            user_metadata={"source": "oracle"})
        client.tasks.create_and_wait(index_id=index.id, url=media["video_url"])
        embed_model = "Marengo-retrieval-2.7" if classic else "marengo3.0"
        etask = client.embed.tasks.create_and_wait(model_name=embed_model, video_file=media["clip"])
        page = client.search.create(index_id=index.id, query_text="taxi", search_options=["visual"], page_limit=1)
        state = {"index": index.id, "video": task.video_id, "task": task.id, "embed_task": etask.id,
                 "page_token": page.page_info.next_page_token, "clip": str(media["clip"]),
                 "image": str(media["image"]), "audio": str(media["audio"]), "video_url": media["video_url"],
                 "image_url": media["image_url"], "video_url2": media["video_url2"], "integration": "oracle-bucket",
                 "marengo": models[0]["model_name"], "embed_model": embed_model, "schema": _SCHEMA,
                 "options": ["visual-text", "audio"] if classic else ["visual", "audio"]}
        if not classic:
            state.update(_setup_current(fake, client, media, index.id))
        return state
    finally:
        client.close()


def _put_chunks(fake: FakeTwelveLabs, client: Any, upload_id: str, data: bytes, chunk_size: int,
                total: int) -> list[dict[str, Any]]:
    """PUT every chunk of a session to its presigned URL (the emulator serves them) and return the
    completed-chunk reports with their ETag proofs."""
    urls = client.assets.multipart.get_presigned_urls(upload_id, start=1, count=total).upload_urls
    chunks = []
    for u in urls:
        part = data[(u.chunk_index - 1) * chunk_size: u.chunk_index * chunk_size]
        put = fake(httpx.Request("PUT", u.url, content=part))
        assert put.status_code == 200, put.text
        chunks.append({"chunk_index": u.chunk_index, "proof": put.headers["etag"].strip('"'), "proof_type": "etag",
                       "chunk_size": len(part)})
    return chunks


def _setup_current(fake: FakeTwelveLabs, client: Any, media: dict[str, Any], index_id: str) -> dict[str, Any]:
    """What the current-surface calls (oracle_calls_current) work on; see that module's docstring."""
    data = Path(media["clip"]).read_bytes()
    fake.multipart_chunk_size = (len(data) + 1) // 2  # the clip is a two-chunk multipart upload
    asset = fake.add_asset(media["clip"], filename="city.mp4")
    ia = client.indexes.indexed_assets.create_and_wait(index_id, asset_id=asset, user_metadata={"k": "v"})
    session = client.assets.multipart.create(filename="big.mp4", type="video", total_size=len(data))
    chunks = _put_chunks(fake, client, session.upload_id, data, session.chunk_size, session.total_chunks)
    v2_task = client.embed.v2.tasks.create_and_wait(input_type="video", video=media["video_url"])
    a_task = client.analyze.tasks.create_and_wait(video={"type": "asset_id", "asset_id": asset}, prompt="Name it")
    batch = client.analyze.batches.create(requests=[{"video": {"asset_id": asset}, "prompt": "Name the vehicle"}])
    for _ in range(20):  # the emulator moves a batch one step per read
        if client.analyze.batches.retrieve(batch.batch_id).status == "completed":
            break
    a_running = client.analyze.tasks.create(video={"type": "asset_id", "asset_id": asset}, prompt="Still running")
    batch_running = client.analyze.batches.create(requests=[{"video": {"asset_id": asset}, "prompt": "Running"}])
    asset2 = fake.add_asset(media["clip"], filename="city.mp4")
    image_asset, image_asset2 = fake.add_asset(media["image"]), fake.add_asset(media["portrait"])
    ec = client.entity_collections.create(name="setup-cast")
    entity = client.entity_collections.entities.create(ec.id, name="Ada", asset_ids=[image_asset])
    client.entity_collections.entities.wait(ec.id, entity.id, poll_interval=0)
    ks = client.knowledge_stores.create(name="setup-ks")
    item = client.knowledge_stores.items.create_and_wait(ks.id, asset_id=asset, poll_interval=0)
    client.knowledge_stores.items.create_and_wait(ks.id, asset_id=asset2, poll_interval=0)
    coll = client.knowledge_stores.item_collections.create(ks.id, name="setup")
    answer = client.responses.create(knowledge_store_id=ks.id, input="Where is the taxi?")
    ks_token = client.knowledge_stores.search(ks.id, query="a taxi in the rain", page_size=1).next_page_token
    assert ks_token, "the knowledge-store search needs a second page"
    conn = fake.add_connection({"gd-city": media["clip"], "gd-kitchen": media["audio"]})
    conn2 = fake.add_connection({"gd-other": media["clip"]})  # kept to the end (SDK-only calls)
    imported = client.data_connectors.imports.import_files(conn, source_ids=["gd-city"])
    redirect = client.data_connectors.create_redirect_uri("https://app.example.com/setup")
    return {"asset": asset, "asset2": asset2, "ia": ia.id,
            "clip_size": len(data), "upload": session.upload_id, "chunks": chunks, "v2_task": v2_task.id,
            "a_task": a_task.task_id, "batch": batch.batch_id,
            "a_running": a_running.task_id, "batch_running": batch_running.batch_id, "image_asset": image_asset,
            "image_asset2": image_asset2, "ec": ec.id, "entity": entity.id, "ks": ks.id, "item": item.id,
            "coll": coll.id, "session": answer.session_id, "ks_token": ks_token, "conn": conn, "conn2": conn2,
            "import": imported.id,
            "redirect": redirect.id, "portrait": str(media["portrait"]), "image_url2": media["image_url2"],
            "image_b64": base64.b64encode(Path(media["image"]).read_bytes()).decode(),
            "audio_b64": base64.b64encode(Path(media["audio"]).read_bytes()).decode(),
            "segments": [{"id": "scene", "description": "one per scene",
                          "fields": [{"name": "what", "type": "string", "description": "what happens"}]}]}


def _fake(media: dict[str, Path]) -> FakeTwelveLabs:
    fake = FakeTwelveLabs(seed=11, strict=True)  # the SDK-only calls rely on strict mode
    fake.add_media(media["video_url"], media["clip"])
    fake.add_media(media["video_url2"], media["clip"])
    fake.add_integration("oracle-bucket", {"bucket.mp4": media["clip"]})
    fake.add_media(media["image_url"], media["image"])
    fake.add_media(media["image_url2"], media["portrait"])
    return fake
