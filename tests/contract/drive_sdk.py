"""Drive the emulator with the official ``twelvelabs`` SDK; run with the SDK venv's python.

    python drive_sdk.py '{"base_url": ..., "version": "1.3.6", "clip": ..., "image": ..., "audio": ...,
                          "video_url": ..., "integration_id": ...}'

Prints one JSON line per check: ``{"check": name, "ok": bool, "detail": str}``. Every call must
succeed and its response must parse under the SDK's own models.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
import traceback

ARGS = json.loads(sys.argv[1])
os.environ["TWELVE_LABS_API_KEY"] = "tlk_contract"  # SDK 1.0.x reads it at import time
os.environ["TWELVELABS_BASE_URL"] = ARGS["base_url"]  # overrides base_url= in every SDK version

import twelvelabs  # noqa: E402
from twelvelabs import AsyncTwelveLabs, TwelveLabs  # noqa: E402

CLASSIC = ARGS["version"].startswith("1.0")
DIM = 1024 if CLASSIC else 512
EMBED_MODEL = "Marengo-retrieval-2.7" if CLASSIC else "marengo3.0"
OPTIONS = ["visual-text", "audio"] if CLASSIC else ["visual", "audio", "transcription"]
HEX24 = re.compile(r"^[0-9a-f]{24}$")
STATE: dict = {}


def check(name: str):
    def wrap(fn):
        try:
            detail = fn()
            print(json.dumps({"check": name, "ok": True, "detail": str(detail)[:300]}), flush=True)
        except Exception as exc:  # noqa: BLE001 - every failure is reported, none stops the run
            tb = traceback.format_exc().strip().splitlines()[-3:]
            print(json.dumps({"check": name, "ok": False, "detail": f"{type(exc).__name__}: {exc} | {tb}"[:2000]}),
                  flush=True)
        return fn
    return wrap


client = TwelveLabs(api_key="tlk_contract", base_url=ARGS["base_url"])
models = [{"model_name": "marengo2.7" if CLASSIC else "marengo3.0", "model_options": ["visual", "audio"]}]
if CLASSIC:
    models.append({"model_name": "pegasus1.2", "model_options": ["visual", "audio"]})


@check("indexes.create")
def _():
    res = client.indexes.create(index_name="contract", models=models, addons=["thumbnail"])
    assert HEX24.match(res.id), res
    STATE["index"] = res.id
    return res.id


@check("indexes.retrieve")
def _():
    ix = client.indexes.retrieve(STATE["index"])
    assert ix.index_name == "contract" and ix.models[0].model_options == ["visual", "audio"], ix
    return ix


@check("indexes.update")
def _():
    assert client.indexes.update(STATE["index"], index_name="contract-renamed") is None
    assert client.indexes.retrieve(STATE["index"]).index_name == "contract-renamed"


@check("indexes.list")
def _():
    items = list(client.indexes.list(page_limit=1))
    assert STATE["index"] in [i.id for i in items], items
    return len(items)


@check("tasks.create(file)")
def _():
    with open(ARGS["clip"], "rb") as f:
        res = client.tasks.create(index_id=STATE["index"], video_file=f, enable_video_stream=True,
                                  user_metadata=json.dumps({"source": "contract", "n": 1}))
    assert HEX24.match(res.id) and HEX24.match(res.video_id), res
    STATE["task"], STATE["video"] = res.id, res.video_id
    return res


@check("tasks.create(url)")
def _():
    res = client.tasks.create(index_id=STATE["index"], video_url=ARGS["video_url"], enable_video_stream=False)
    STATE["task_url"], STATE["url_video"] = res.id, res.video_id
    return res


@check("tasks.wait_for_done")
def _():
    seen = []
    task = client.tasks.wait_for_done(STATE["task"], sleep_interval=0.01, callback=lambda t: seen.append(t.status))
    assert task.status == "ready", task
    client.tasks.wait_for_done(STATE["task_url"], sleep_interval=0.01)
    return seen


@check("tasks.retrieve")
def _():
    task = client.tasks.retrieve(STATE["task"])
    assert task.status == "ready" and task.video_id == STATE["video"] and task.hls.video_url, task
    assert task.system_metadata.width == 640, task.system_metadata
    return task.hls


@check("tasks.list")
def _():
    items = list(client.tasks.list(index_id=STATE["index"], status=["ready", "indexing"], page_limit=1))
    assert {STATE["task"], STATE["task_url"]} <= {t.id for t in items}, items
    return len(items)


@check("indexes.videos.list")
def _():
    items = list(client.indexes.videos.list(STATE["index"], page_limit=1))
    assert STATE["video"] in [v.id for v in items] and len(items) == 2, items
    filtered = list(client.indexes.videos.list(STATE["index"], user_metadata={"source": "contract"}))
    assert [v.id for v in filtered] == [STATE["video"]], filtered
    named = list(client.indexes.videos.list(STATE["index"], filename="city.mp4"))
    assert [v.id for v in named] == [STATE["video"]], named
    return len(items)


@check("indexes.videos.retrieve")
def _():
    v = client.indexes.videos.retrieve(STATE["index"], STATE["video"], embedding_option=OPTIONS[:2],
                                       transcription=True)
    segs = v.embedding.video_embedding.segments
    assert segs and len(segs[0].float_) == DIM and segs[0].embedding_option == OPTIONS[0], segs[0]
    assert v.transcription and v.transcription[0].value, v.transcription
    assert v.system_metadata.duration == 12.0 and v.user_metadata == {"source": "contract", "n": 1}
    return len(segs)


@check("indexes.videos.update")
def _():
    assert client.indexes.videos.update(STATE["index"], STATE["video"],
                                        user_metadata={"topic": "city", "n": None}) is None
    v = client.indexes.videos.retrieve(STATE["index"], STATE["video"])
    assert v.user_metadata == {"source": "contract", "topic": "city"}, v.user_metadata


@check("search.create")
def _():
    extra = {"threshold": "low", "adjust_confidence_level": 0.5, "sort_option": "score"} if CLASSIC else {}
    res = client.search.create(index_id=STATE["index"], query_text="yellow taxi in the rain",
                               search_options=["visual", "audio"], group_by="clip", operator="or", page_limit=1,
                               include_user_metadata=True, **extra)
    top = res.data[0]
    assert (top.start, top.end, top.rank) == (4.0, 8.0, 1) and top.user_metadata is not None, top
    assert res.page_info.next_page_token and res.search_pool.total_count == 2, res.page_info
    if CLASSIC:
        assert top.score > 0 and top.confidence in ("high", "medium", "low"), top
    STATE["token"] = res.page_info.next_page_token
    only = client.search.create(index_id=STATE["index"], query_text="yellow taxi in the rain",
                                search_options=["visual"], filter=json.dumps({"id": [STATE["video"]]}))
    assert [d.video_id for d in only.data] == [STATE["video"]], only.data
    return top


@check("search.retrieve")
def _():
    res = client.search.retrieve(STATE["token"], include_user_metadata=True)
    assert res.data and res.data[0].rank == 2 and res.data[0].start == 4.0, res
    return res.page_info


@check("search.query")
def _():
    items = list(client.search.query(index_id=STATE["index"], query_text="city street taxi market noodles",
                                     search_options=["visual"], page_limit=1,
                                     filter=json.dumps({"id": [STATE["video"]]})))
    assert len(items) == 3 and [i.rank for i in items] == [1, 2, 3], items
    grouped = client.search.create(index_id=STATE["index"], query_text="taxi", search_options=["visual"],
                                   group_by="video")
    assert {g.id for g in grouped.data} == {STATE["video"], STATE["url_video"]} and grouped.data[0].clips, grouped
    return len(items)


@check("search.create(image)")
def _():
    with open(ARGS["image"], "rb") as f:
        res = client.search.create(index_id=STATE["index"], query_media_type="image", query_media_file=f,
                                   search_options=["visual"])
    assert res.data and res.data[0].start == 4.0, res
    return res.data[0]


def _embed(**kw):
    extra = {"text_truncate": "end"} if CLASSIC and "text" in kw else {}
    res = client.embed.create(model_name=EMBED_MODEL, **kw, **extra)
    assert res.model_name == EMBED_MODEL
    return res


@check("embed.create(text)")
def _():
    res = _embed(text="a yellow taxi")
    assert len(res.text_embedding.segments[0].float_) == DIM
    return DIM


@check("embed.create(image)")
def _():
    with open(ARGS["image"], "rb") as f:
        res = _embed(image_file=f)
    assert len(res.image_embedding.segments[0].float_) == DIM


@check("embed.create(audio)")
def _():
    with open(ARGS["audio"], "rb") as f:
        res = _embed(audio_file=f, audio_start_offset_sec=0)
    seg = res.audio_embedding.segments[0]
    assert len(seg.float_) == DIM and seg.start_offset_sec == 0


@check("embed.tasks.create")
def _():
    with open(ARGS["clip"], "rb") as f:
        res = client.embed.tasks.create(model_name=EMBED_MODEL, video_file=f, video_clip_length=6,
                                        video_embedding_scope=["clip", "video"])
    STATE["embed_task"] = res.id
    return res


@check("embed.tasks.status")
def _():
    res = client.embed.tasks.status(STATE["embed_task"])
    assert res.status in ("processing", "ready") and res.model_name == EMBED_MODEL, res
    return res.status


@check("embed.tasks.wait_for_done")
def _():
    res = client.embed.tasks.wait_for_done(STATE["embed_task"], sleep_interval=0.01)
    assert res.status == "ready", res


@check("embed.tasks.retrieve")
def _():
    res = client.embed.tasks.retrieve(STATE["embed_task"], embedding_option=OPTIONS[:1])
    segs = res.video_embedding.segments
    assert len(segs) == 3 and {s.embedding_scope for s in segs} == {"clip", "video"}, segs
    assert len(segs[0].float_) == DIM and res.created_at is not None
    return res.video_embedding.metadata


@check("embed.tasks.list")
def _():
    items = list(client.embed.tasks.list(page_limit=1))
    assert [t.id for t in items] == [STATE["embed_task"]], items


def _analyze_kwargs(**kw):
    if CLASSIC:
        return {"video_id": STATE["video"], **kw}
    from twelvelabs import VideoContext_Url

    return {"video": VideoContext_Url(url=ARGS["video_url"]), "max_tokens": 1024, **kw}


@check("analyze")
def _():
    res = client.analyze(prompt="What vehicle appears?", temperature=0.2, **_analyze_kwargs())
    assert "taxi" in res.data and res.finish_reason == "stop" and res.usage.output_tokens > 0, res
    return res.data[:80]


@check("analyze(json_schema)")
def _():
    schema = {"type": "object", "properties": {"scenes": {"type": "array", "items": {"type": "object", "properties": {
        "start": {"type": "number"}, "description": {"type": "string"}}}}}, "required": ["scenes"]}
    if CLASSIC:
        from twelvelabs.types import ResponseFormat as Fmt
    else:
        from twelvelabs import SyncResponseFormat as Fmt
    res = client.analyze(prompt="list scenes", response_format=Fmt(type="json_schema", json_schema=schema),
                         **_analyze_kwargs())
    data = json.loads(res.data)
    assert data["scenes"][1]["start"] == 4.0, data


@check("analyze_stream")
def _():
    events = list(client.analyze_stream(prompt="Describe the video", **_analyze_kwargs()))
    kinds = [e.event_type for e in events]
    assert kinds[0] == "stream_start" and kinds[-1] == "stream_end" and "text_generation" in kinds, kinds
    text = "".join(e.text for e in events if e.event_type == "text_generation")
    assert "taxi" in text and events[-1].metadata.usage.output_tokens > 0
    return len(events)


if CLASSIC:
    @check("tasks.transfers.create")
    def _():
        res = client.tasks.transfers.create(ARGS["integration_id"], index_id=STATE["index"],
                                            user_metadata={"from": "bucket"})
        assert [v.filename for v in res.videos] == ["bucket.mp4"], res
        return res

    @check("tasks.transfers.get_status")
    def _():
        res = client.tasks.transfers.get_status(ARGS["integration_id"], index_id=STATE["index"])
        assert res.validating and res.validating[0].filename == "bucket.mp4", res
        return res

    @check("tasks.transfers.get_logs")
    def _():
        res = client.tasks.transfers.get_logs(ARGS["integration_id"])
        assert res.data and res.data[0].index_id == STATE["index"], res
        return res.data[0].video_status


if CLASSIC:
    @check("gist")
    def _():
        res = client.gist(video_id=STATE["video"], types=["title", "topic", "hashtag"])
        assert res.title and res.topics and "taxi" in res.hashtags, res
        return res

    @check("summarize")
    def _():
        chapters = client.summarize(video_id=STATE["video"], type="chapter")
        assert chapters.summarize_type == "chapter" and chapters.chapters[1].start_sec == 4.0, chapters
        summary = client.summarize(video_id=STATE["video"], type="summary", prompt="short")
        assert "taxi" in summary.summary, summary
        highlights = client.summarize(video_id=STATE["video"], type="highlight", prompt="taxi")
        assert highlights.highlights[0].start_sec == 4.0, highlights
        return len(chapters.chapters)

    @check("generate")
    def _():
        res = client.generate(video_id=STATE["video"], prompt="What vehicle?", stream=False)
        assert "taxi" in res.data, res
        return res.data[:60]


@check("errors")
def _():
    from twelvelabs.errors import BadRequestError, NotFoundError

    try:
        client.tasks.retrieve("0" * 24)
        raise AssertionError("no error for an unknown task")
    except BadRequestError as exc:
        assert exc.body["code"] == "resource_not_exist", exc.body
    try:
        client.indexes.videos.retrieve(STATE["index"], "0" * 24)
        raise AssertionError("no error for an unknown video")
    except NotFoundError as exc:
        assert exc.status_code == 404
    return "typed errors for the declared statuses"


@check("async.indexes.list")
def _():
    async def main():
        aclient = AsyncTwelveLabs(api_key="tlk_contract", base_url=ARGS["base_url"])
        pager = await aclient.indexes.list()
        return [i.id async for i in pager]

    ids = asyncio.run(main())
    assert STATE["index"] in ids, ids


@check("deletes")
def _():
    assert client.indexes.videos.delete(STATE["index"], STATE["video"]) is None
    assert client.tasks.delete(STATE["task"]) is None
    assert client.indexes.delete(STATE["index"]) is None
    assert STATE["index"] not in [i.id for i in client.indexes.list()]


# ------------------------------------------------------------------------------------------
# current surface, assets area (SDK 1.3.6): assets.*, multipart_upload.*, indexes.indexed_assets.*
# The emulator cuts multipart uploads into ARGS["chunk_size"]-byte chunks (a small value), so the
# clip spans several chunks and upload_file / get_status paging are really exercised.
if not CLASSIC:
    ASSETS: dict = {}

    def _ready_asset(asset_id):
        for _ in range(20):
            got = client.assets.retrieve(asset_id)
            if got.status in ("ready", "failed"):
                return got
        raise AssertionError(f"asset {asset_id} never settled: {got.status}")

    @check("assets.create")
    def _():
        with open(ARGS["clip"], "rb") as fh:
            direct = client.assets.create(method="direct", file=fh, filename="contract-direct.mp4",
                                          user_metadata=json.dumps({"team": "contract"}))
        by_url = client.assets.create(method="url", url=ARGS["video_url"], enable_hls=False)
        assert HEX24.match(direct.id) and direct.status == "processing" and by_url.method == "url", (direct, by_url)
        ASSETS.update(direct=direct.id, url=by_url.id)
        return direct

    @check("assets.retrieve")
    def _():
        got = _ready_asset(ASSETS["direct"])
        assert got.status == "ready" and got.size == os.path.getsize(ARGS["clip"]) and got.duration > 0, got
        assert got.technical_metadata is not None and got.user_metadata["team"] == "contract", got
        return got.status

    @check("assets.list")
    def _():
        ids = [a.id for a in client.assets.list(page_limit=1)]
        assert set(ids) >= {ASSETS["direct"], ASSETS["url"]}, ids
        named = [a.id for a in client.assets.list(filename="DIRECT", asset_types=["video"])]
        assert named == [ASSETS["direct"]], named
        return len(ids)

    @check("assets.retrieve_transcription")
    def _():
        res = client.assets.retrieve_transcription(ASSETS["direct"], include=["words", "sentences", "utterances"])
        assert res.status == "ready" and res.words and res.sentences and res.utterances[0].speaker, res
        return res.words[0]

    @check("assets.user_metadata")
    def _():
        aid = ASSETS["direct"]
        assert client.assets.update_user_metadata(aid, user_metadata={"team": None, "n": 3}) is None
        assert client.assets.retrieve(aid).user_metadata == {"n": 3}
        assert client.assets.replace_user_metadata(aid, user_metadata={"only": "this"}) is None
        assert client.assets.retrieve(aid).user_metadata == {"only": "this"}
        assert client.assets.delete_user_metadata(aid) is None
        return client.assets.retrieve(aid).user_metadata

    @check("multipart_upload.manual")
    def _():
        import httpx
        from twelvelabs.types import CompletedChunk

        data = open(ARGS["clip"], "rb").read()
        mp = client.multipart_upload
        session = mp.create(filename="manual.mp4", type="video", total_size=len(data))
        assert session.total_chunks > 1 and session.chunk_size == ARGS["chunk_size"], session
        more = mp.get_additional_presigned_urls(session.upload_id, start=1, count=session.total_chunks)
        assert more.count == session.total_chunks and more.upload_urls[0].expires_at is not None, more
        urls = {u.chunk_index: u.url for u in more.upload_urls}
        done = []
        for i in range(1, session.total_chunks + 1):
            part = data[(i - 1) * session.chunk_size: i * session.chunk_size]
            put = httpx.put(urls[i], content=part, headers={"Content-Type": "application/octet-stream"})
            put.raise_for_status()
            done.append(CompletedChunk(chunk_index=i, proof=put.headers["ETag"].strip('"'), proof_type="etag",
                                       chunk_size=len(part)))
        incomplete = [u.upload_id for u in mp.list_incomplete_uploads()]
        assert session.upload_id in incomplete, incomplete
        first = mp.report_chunk_batch(session.upload_id, completed_chunks=done[:1])
        assert first.url is None and first.processed_chunks == 1, first
        statuses = [c.status for c in mp.get_status(session.upload_id, page_limit=2)]
        assert len(statuses) == session.total_chunks and statuses.count("completed") == 1, statuses
        last = mp.report_chunk_batch(session.upload_id, completed_chunks=done)
        assert last.url and last.duplicate_chunks == 1 and last.total_completed == session.total_chunks, last
        waited = mp.wait_for_upload_completion(session.upload_id, sleep_interval=0.01, max_wait_time=5)
        assert waited.status == "completed", waited
        assert _ready_asset(session.asset_id).status == "ready"
        ASSETS["manual"] = session.asset_id
        return session.total_chunks

    @check("multipart_upload.upload_file")
    def _():
        seen = []
        res = client.multipart_upload.upload_file(ARGS["clip"], filename="helper.mp4", batch_size=2, max_workers=2,
                                                  progress_callback=lambda p: seen.append(p.completed_chunks))
        assert res.asset_id and res.asset_url and len(seen) > 1, (res, seen)
        got = _ready_asset(res.asset_id)
        assert got.status == "ready" and got.size == os.path.getsize(ARGS["clip"]), got
        ASSETS["helper"] = res.asset_id
        return seen

    @check("async.multipart_upload.upload_file")
    def _():
        async def main():
            aclient = AsyncTwelveLabs(api_key="tlk_contract", base_url=ARGS["base_url"])
            res = await aclient.multipart_upload.upload_file(ARGS["clip"], filename="async.mp4", batch_size=3)
            for _ in range(5):
                got = await aclient.assets.retrieve(res.asset_id)
                if got.status == "ready":
                    break
            return res, got

        res, got = asyncio.run(main())
        assert got.status == "ready" and got.filename == "async.mp4", got
        ASSETS["async"] = res.asset_id
        return res.asset_id

    @check("indexes.indexed_assets")
    def _():
        ix = client.indexes.create(index_name="contract-assets", models=[
            {"model_name": "marengo3.0", "model_options": ["visual", "audio"]}]).id
        ASSETS["index"] = ix
        created = client.indexes.indexed_assets.create(ix, asset_id=ASSETS["helper"], user_metadata={"k": "v"})
        assert created.id and created.asset_id == ASSETS["helper"], created
        for _ in range(10):
            got = client.indexes.indexed_assets.retrieve(ix, created.id)
            if got.status == "ready":
                break
        assert got.status == "ready" and got.asset_id == ASSETS["helper"], got
        detail = client.indexes.indexed_assets.retrieve(ix, created.id, embedding_option=["visual", "audio"],
                                                        transcription=True)
        segs = detail.embedding.video_embedding.segments
        assert len(segs[0].float_) == 512 and detail.transcription and detail.user_metadata == {"k": "v"}, detail
        listed = [x.id for x in client.indexes.indexed_assets.list(
            ix, page_limit=1, status=["ready"], duration={"gte": 1}, user_metadata={"k": "v"})]
        assert listed == [created.id], listed
        assert client.indexes.indexed_assets.update(ix, created.id, user_metadata={"k": None}) is None
        by_asset = list(client.indexes.indexed_assets.list_by_asset(ASSETS["helper"]))
        assert [(b.id, b.index.id) for b in by_asset] == [(created.id, ix)], by_asset
        hits = client.search.query(index_id=ix, query_text="taxi", search_options=["visual"])
        assert created.id in [h.video_id for h in hits], "the indexed asset id is the search video_id"
        assert client.indexes.indexed_assets.delete(ix, created.id) is None
        return created.id

    @check("assets.delete")
    def _():
        from twelvelabs.errors import NotFoundError

        for key in ("direct", "url", "manual", "helper", "async"):
            assert client.assets.delete(ASSETS[key], force=True) is None
        try:
            client.assets.retrieve(ASSETS["direct"])
            raise AssertionError("a deleted asset is still there")
        except NotFoundError:
            pass
        client.indexes.delete(ASSETS["index"])
        return "deleted"


print(json.dumps({"check": "done", "ok": True, "detail": twelvelabs.__name__}), flush=True)
