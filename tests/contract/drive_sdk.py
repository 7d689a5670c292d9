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
        except Exception as exc:  # every failure is reported, none stops the run
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


# ---------------------------------------------------------------------------------------------
# Current API (SDK 1.3.6): embed v2, index-free analyze, async analyze tasks and batches, Marengo 3.0
# search options (spec §3, §4, §5). The asset is ARGS["asset_id"] when the assets emulator seeded one,
# else the indexed video's id, which the emulator accepts as an asset id.
if not CLASSIC:
    import base64 as _b64

    def _asset():
        return ARGS.get("asset_id") or STATE["video"]

    def _img_b64():
        with open(ARGS["image"], "rb") as fh:
            return _b64.b64encode(fh.read()).decode()

    def _v2_ok(res, n=None, dim=512):
        assert res.data and all(len(d.embedding) == dim for d in res.data), res
        assert n is None or len(res.data) == n, len(res.data)
        return len(res.data)

    @check("embed.v_2.create(text)")
    def _():
        from twelvelabs import TextInputRequest

        res = client.embed.v_2.create(input_type="text", model_name="marengo3.0",
                                      text=TextInputRequest(input_text="a yellow taxi in the rain"))
        STATE["v2_text"] = res.data[0].embedding
        return _v2_ok(res, 1)

    @check("embed.v_2.create(image)")
    def _():
        from twelvelabs import ImageInputRequest, MediaSource

        res = client.embed.v_2.create(input_type="image", model_name="marengo3.0",
                                      image=ImageInputRequest(media_source=MediaSource(base_64_string=_img_b64())))
        return _v2_ok(res, 1)

    @check("embed.v_2.create(text_image)")
    def _():
        from twelvelabs import MediaSource, TextImageInputRequest

        text_image = TextImageInputRequest(media_source=MediaSource(base_64_string=_img_b64()), input_text="a taxi")
        res = client.embed.v_2.create(input_type="text_image", model_name="marengo3.0", text_image=text_image)
        return _v2_ok(res, 1)

    @check("embed.v_2.create(audio)")
    def _():
        from twelvelabs import AudioInputRequest, MediaSource

        with open(ARGS["audio"], "rb") as fh:
            data = _b64.b64encode(fh.read()).decode()
        res = client.embed.v_2.create(input_type="audio", model_name="marengo3.0", audio=AudioInputRequest(
            media_source=MediaSource(base_64_string=data), embedding_option=["audio"], embedding_scope=["asset"]))
        assert res.metadata.input_type == "audio" and res.metadata.duration == 4, res.metadata
        return _v2_ok(res, 1)

    @check("embed.v_2.create(video)")
    def _():
        from twelvelabs import MediaSource, VideoInputRequest

        res = client.embed.v_2.create(input_type="video", model_name="marengo3.0", video=VideoInputRequest(
            media_source=MediaSource(asset_id=_asset()), embedding_option=["visual", "audio"],
            embedding_scope=["clip"], segmentation={"strategy": "fixed", "fixed": {"duration_sec": 4}}))
        assert res.data[0].start_sec == 0 and res.data[-1].end_sec == 12, res.data[-1]
        return _v2_ok(res, 6)

    @check("embed.v_2.create(multi_input 3.5)")
    def _():
        from twelvelabs import MultiInputMediaSource, MultiInputRequest

        res = client.embed.v_2.create(
            input_type="multi_input", model_name="marengo3.5", embedding_dimension=256,
            multi_input=MultiInputRequest(input_text="a taxi like <@cab>", media_sources=[
                MultiInputMediaSource(name="cab", media_type="image", base_64_string=_img_b64())]))
        assert res.usage.input_tokens and res.metadata.embedding_dimension == 256, res
        return _v2_ok(res, 1, dim=256)

    @check("embed.v_2.tasks.create")
    def _():
        from twelvelabs import AsyncVideoInputRequest, MediaSource

        res = client.embed.v_2.tasks.create(input_type="video", model_name="marengo3.0", video=AsyncVideoInputRequest(
            media_source=MediaSource(url=ARGS["video_url"])))
        assert HEX24.match(res.id) and res.status == "processing", res
        STATE["v2_task"] = res.id

    @check("embed.v_2.tasks.retrieve")
    def _():
        res = client.embed.v_2.tasks.retrieve(STATE["v2_task"])
        while res.status == "processing":
            res = client.embed.v_2.tasks.retrieve(STATE["v2_task"])
        assert res.status == "ready" and res.data and len(res.data[0].embedding) == 512, res.status
        return len(res.data)

    @check("embed.v_2.tasks.list")
    def _():
        items = list(client.embed.v_2.tasks.list(page_limit=1))
        assert [t.id for t in items] == [STATE["v2_task"]] and items[0].video_embedding is not None, items
        return items[0].status

    @check("analyze(video asset_id)")
    def _():
        from twelvelabs import VideoContext_AssetId

        res = client.analyze(video=VideoContext_AssetId(asset_id=_asset()), prompt="What vehicle appears?",
                             model_name="pegasus1.5", start_time=4, end_time=8)
        assert "taxi" in res.data and res.usage.output_tokens > 0, res
        return res.data[:60]

    @check("analyze(video base64 + image)")
    def _():
        from twelvelabs import AnalyzeImageInput, VideoContext_Base64String

        with open(ARGS["clip"], "rb") as fh:
            clip = _b64.b64encode(fh.read()).decode()
        res = client.analyze(video=VideoContext_Base64String(base_64_string=clip), prompt="Describe")
        assert "taxi" in res.data, res.data[:80]
        pic = client.analyze(image=[AnalyzeImageInput(name="cab", base_64_string=_img_b64())],
                             prompt="What is in <@cab>?", model_name="pegasus1.6")
        assert "taxi" in pic.data, pic.data
        return pic.data[:60]

    @check("analyze_stream(asset_id)")
    def _():
        from twelvelabs import VideoContext_AssetId

        events = list(client.analyze_stream(video=VideoContext_AssetId(asset_id=_asset()), prompt="Describe"))
        assert events[-1].event_type == "stream_end" and "taxi" in "".join(
            e.text for e in events if e.event_type == "text_generation")
        return len(events)

    @check("analyze_async.tasks.create")
    def _():
        from twelvelabs import VideoContext_Url

        res = client.analyze_async.tasks.create(video=VideoContext_Url(url=ARGS["video_url"]),
                                                prompt="Name the vehicle", custom_id="contract-1", max_tokens=1024)
        assert res.task_id and res.status == "queued", res
        STATE["a_task"] = res.task_id
        seg = client.analyze_async.tasks.create(
            video=VideoContext_Url(url=ARGS["video_url"]), model_name="pegasus1.6",
            analysis_mode="time_based_metadata", max_tokens="unlimited",
            response_format={"type": "segment_definitions", "segment_definitions": [
                {"id": "scene", "description": "one per scene",
                 "fields": [{"name": "what", "type": "string", "description": "what happens"}]}]})
        STATE["a_seg"] = seg.task_id

    @check("analyze_async.tasks.retrieve")
    def _():
        res = client.analyze_async.tasks.retrieve(STATE["a_task"])
        while res.status not in ("ready", "failed", "canceled"):
            res = client.analyze_async.tasks.retrieve(STATE["a_task"])
        assert res.status == "ready" and "taxi" in res.result.data and res.custom_id == "contract-1", res
        seg = client.analyze_async.tasks.retrieve(STATE["a_seg"])
        while seg.status != "ready":
            seg = client.analyze_async.tasks.retrieve(STATE["a_seg"])
        assert len(json.loads(seg.result.data)["scene"]) == 3, seg.result.data
        return res.result.finish_reason

    @check("analyze_async.tasks.list")
    def _():
        res = client.analyze_async.tasks.list(page=1, page_limit=10, status="ready")
        assert {STATE["a_task"], STATE["a_seg"]} <= {t.task_id for t in res.data} and res.page_info, res
        return len(res.data)

    @check("analyze_async.tasks.cancel")
    def _():
        from twelvelabs import VideoContext_Url

        t = client.analyze_async.tasks.create(video=VideoContext_Url(url=ARGS["video_url"]), prompt="x")
        res = client.analyze_async.tasks.cancel(t.task_id)
        assert res.status == "canceled", res
        STATE["a_canceled"] = t.task_id

    @check("analyze_async.tasks.delete")
    def _():
        assert client.analyze_async.tasks.delete(STATE["a_canceled"]) is None

    @check("analyze_async.batches.create")
    def _():
        from twelvelabs import BatchDefaults, BatchItemRequest, BatchVideoContext

        res = client.analyze_async.batches.create(
            model_name="pegasus1.5", analysis_mode="general",
            requests=[BatchItemRequest(video=BatchVideoContext(type="asset_id", asset_id=_asset()), custom_id=f"b{i}")
                      for i in range(2)],
            defaults=BatchDefaults(prompt={"input_text": "Name the vehicle"}))
        assert res.total_items == 2 and [i.custom_id for i in res.items] == ["b0", "b1"], res
        STATE["batch"] = res.batch_id

    @check("analyze_async.batches.retrieve")
    def _():
        res = client.analyze_async.batches.retrieve(STATE["batch"])
        while res.status != "completed":
            res = client.analyze_async.batches.retrieve(STATE["batch"])
        assert res.ready_items == 2 and res.model_name == "pegasus1.5", res
        return res.status

    @check("analyze_async.batches.list")
    def _():
        items = list(client.analyze_async.batches.list(status=["completed"], analysis_mode=["general"]))
        assert [b.batch_id for b in items] == [STATE["batch"]], items

    @check("analyze_async.batches.results")
    def _():
        items = list(client.analyze_async.batches.results(STATE["batch"]))
        assert [(i.custom_id, i.status) for i in items] == [("b0", "ready"), ("b1", "ready")], items
        assert all("taxi" in i.data.data for i in items), items
        return len(items)

    @check("analyze_async.batches.cancel")
    def _():
        from twelvelabs import BatchItemRequest, BatchVideoContext

        b = client.analyze_async.batches.create(model_name="pegasus1.5", analysis_mode="general", requests=[
            BatchItemRequest(video=BatchVideoContext(type="asset_id", asset_id=_asset()), prompt={"input_text": "x"})])
        res = client.analyze_async.batches.cancel(b.batch_id)
        assert res.status == "canceling", res
        STATE["batch_canceled"] = b.batch_id

    @check("analyze_async.batches.delete")
    def _():
        assert client.analyze_async.batches.delete(STATE["batch"]) is None
        client.analyze_async.batches.retrieve(STATE["batch_canceled"])  # canceling -> canceled
        assert client.analyze_async.batches.delete(STATE["batch_canceled"]) is None

    @check("search.create(transcription)")
    def _():
        res = client.search.create(index_id=STATE["index"], query_text="the taxi in the rain",
                                   search_options=["visual", "audio", "transcription"],
                                   transcription_options=["lexical", "semantic"], group_by="clip")
        assert res.data and res.data[0].rank == 1 and getattr(res.data[0], "score", None) is None, res.data[:1]
        assert any(getattr(i, "transcription", None) for i in res.data), res.data
        return [(i.start, i.rank) for i in res.data[:3]]


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


# ---------------------------------------------------------------------------------------------- hosted RAG (1.3.6)
# Entity collections (spec §6), knowledge stores (§7), Responses (§8), data connectors and imports (§9).
# ARGS["hosted"] carries ids the test seeded: image/video asset ids and a connection with two files.
if not CLASSIC:
    HOSTED = ARGS["hosted"]

    @check("entity_collections.create")
    def _():
        res = client.entity_collections.create(name="contract-cast", description="people")
        assert HEX24.match(res.id) and res.created_at is not None, res
        STATE["ec"] = res.id

    @check("entity_collections.list")
    def _():
        ids = [c.id for c in client.entity_collections.list(page_limit=1, name="contract")]
        assert ids == [STATE["ec"]], ids

    @check("entity_collections.retrieve")
    def _():
        assert client.entity_collections.retrieve(STATE["ec"]).name == "contract-cast"

    @check("entity_collections.update")
    def _():
        assert client.entity_collections.update(STATE["ec"], description="cast").description == "cast"

    @check("entity_collections.entities.create")
    def _():
        ent = client.entity_collections.entities.create(STATE["ec"], name="Ada", asset_ids=[HOSTED["image_asset"]],
                                                        metadata={"role": "walker"})
        assert ent.status == "processing" and ent.asset_ids == [HOSTED["image_asset"]], ent
        STATE["entity"] = ent.id

    @check("entity_collections.entities.create_bulk")
    def _():
        res = client.entity_collections.entities.create_bulk(
            STATE["ec"], entities=[{"name": "Bo", "asset_ids": [HOSTED["image_asset"]]},
                                   {"name": "Clip", "asset_ids": [HOSTED["video_assets"][0]]}])
        assert (res.success_count, res.failed_count, res.errors[0].entity_index) == (1, 1, 1), res
        STATE["entity2"] = res.entities[0].id

    @check("entity_collections.entities.list")
    def _():
        names = [e.name for e in client.entity_collections.entities.list(STATE["ec"], page_limit=1, sort_by="name")]
        assert names == ["Ada", "Bo"], names

    @check("entity_collections.entities.retrieve")
    def _():
        ent = client.entity_collections.entities.retrieve(STATE["ec"], STATE["entity"])
        assert ent.status == "ready" and ent.metadata == {"role": "walker"}, ent

    @check("entity_collections.entities.update")
    def _():
        ent = client.entity_collections.entities.update(STATE["ec"], STATE["entity"], metadata={"seen": True})
        assert ent.metadata == {"seen": True}, ent

    @check("entity_collections.entities.create_assets")
    def _():
        ent = client.entity_collections.entities.create_assets(STATE["ec"], STATE["entity"],
                                                               asset_ids=[HOSTED["image_asset2"]])
        assert ent.asset_ids == [HOSTED["image_asset"], HOSTED["image_asset2"]], ent

    @check("entity_collections.entities.list_by_asset")
    def _():
        ids = {e.id for e in client.entity_collections.entities.list_by_asset(HOSTED["image_asset"])}
        assert ids == {STATE["entity"], STATE["entity2"]}, ids

    @check("entity_collections.entities.delete_assets")
    def _():
        ent = client.entity_collections.entities.delete_assets(STATE["ec"], STATE["entity"],
                                                               asset_ids=[HOSTED["image_asset2"]])
        assert ent.asset_ids == [HOSTED["image_asset"]], ent

    @check("entity_collections.entities.delete")
    def _():
        assert client.entity_collections.entities.delete(STATE["ec"], STATE["entity2"]) is None

    @check("knowledge_stores.create")
    def _():
        ks = client.knowledge_stores.create(name="contract-ks", metadata={"team": "rag"},
                                            ingestion_config={"enrichment_config": {"type": "description",
                                                                                    "description": "nature"}})
        assert ks.id.startswith("ks_") and ks.item_count == 0, ks
        STATE["ks"] = ks.id

    @check("knowledge_stores.list")
    def _():
        assert STATE["ks"] in [k.id for k in client.knowledge_stores.list(page_limit=1)]

    @check("knowledge_stores.update")
    def _():
        assert client.knowledge_stores.update(STATE["ks"], description="d", metadata={}).metadata == {}

    @check("knowledge_store_items.create")
    def _():
        items = [client.knowledge_store_items.create(STATE["ks"], asset_id=a, metadata={"n": i})
                 for i, a in enumerate(HOSTED["video_assets"])]
        assert all(i.status == "queued" and i.asset_type == "video" for i in items), items
        STATE["items"] = [i.id for i in items]

    @check("knowledge_store_items.list")
    def _():
        seen = []
        for _ in range(5):  # items move one status per read
            seen = [i.status for i in client.knowledge_store_items.list(STATE["ks"], page_limit=1)]
        assert seen == ["ready", "ready"], seen

    @check("knowledge_store_items.retrieve")
    def _():
        item = client.knowledge_store_items.retrieve(STATE["ks"], STATE["items"][0])
        assert item.status == "ready" and item.system_metadata.duration == 12.0, item

    @check("knowledge_stores.retrieve")
    def _():
        assert client.knowledge_stores.retrieve(STATE["ks"]).item_count == 2

    @check("knowledge_stores.search")
    def _():
        res = client.knowledge_stores.search(STATE["ks"], query={"text": "a taxi in the rain at night"}, page_size=1,
                                             search_options={"video": {"modalities": ["visual", "audio"]}},
                                             include_metadata=True)
        hit = res.data[0]
        assert hit.rank == 1 and hit.matches[0].start_sec == 4.0 and res.next_page_token, res
        more = client.knowledge_stores.search(STATE["ks"], query={"text": "a taxi in the rain at night"},
                                              page_token=res.next_page_token)
        assert more.data and more.data[0].rank == 2, more
        grouped = client.knowledge_stores.search(STATE["ks"], query={"text": "the chef chops onions"}, group_by="item",
                                                 filter={"item_id": {"eq": STATE["items"][1]}})
        assert [h.item_id for h in grouped.data] == [STATE["items"][1]] and grouped.data[0].matches, grouped
        return len(res.data)

    @check("knowledge_store_item_collections.create")
    def _():
        coll = client.knowledge_store_item_collections.create(STATE["ks"], name="street")
        assert coll.id.startswith("ksic_") and coll.member_count == 0, coll
        STATE["coll"] = coll.id

    @check("knowledge_store_item_collections.add_items")
    def _():
        coll = client.knowledge_store_item_collections.add_items(STATE["ks"], STATE["coll"], item_ids=STATE["items"])
        assert coll.member_count == 2, coll

    @check("knowledge_store_item_collections.list_items")
    def _():
        ids = [i.id for i in client.knowledge_store_item_collections.list_items(STATE["ks"], STATE["coll"],
                                                                                 page_limit=1)]
        assert sorted(ids) == sorted(STATE["items"]), ids

    @check("knowledge_store_item_collections.remove_items")
    def _():
        assert client.knowledge_store_item_collections.remove_items(STATE["ks"], STATE["coll"],
                                                                    item_ids=[STATE["items"][0]]) is None

    @check("knowledge_store_item_collections.retrieve")
    def _():
        assert client.knowledge_store_item_collections.retrieve(STATE["ks"], STATE["coll"]).member_count == 1

    @check("knowledge_store_item_collections.update")
    def _():
        assert client.knowledge_store_item_collections.update(STATE["ks"], STATE["coll"], name="city").name == "city"

    @check("knowledge_store_item_collections.list")
    def _():
        assert [c.name for c in client.knowledge_store_item_collections.list(STATE["ks"])] == ["city"]

    @check("responses.create")
    def _():
        res = client.responses.create(knowledge_store_id=STATE["ks"],
                                      input=[{"type": "message", "role": "user", "content": "Where is the taxi?"}])
        part = res.output[-1].content[0]
        ann = part.annotations[0]
        assert res.status == "completed" and ann.item_id in STATE["items"] and ann.start_sec == 4.0, res
        assert "taxi" in part.text[ann.start_index:ann.end_index + 1], part
        follow = client.responses.create(knowledge_store_id=STATE["ks"], session_id=res.session_id,
                                          input=[{"type": "message", "role": "user", "content": "and then?"}],
                                          selections=[{"kind": "collection", "id": STATE["coll"]}],
                                          include=["intermediate_outputs"])
        assert follow.session_id == res.session_id and follow.output[0].type == "function_call", follow
        return part.text[:80]

    @check("responses.create_stream")
    def _():
        events = list(client.responses.create_stream(
            knowledge_store_id=STATE["ks"], input=[{"type": "message", "role": "user", "content": "the taxi"}]))
        kinds = [e.type for e in events]
        assert kinds[0] == "response.created" and kinds[-1] == "response.completed" and "keepalive" in kinds, kinds
        seqs = [e.sequence_number for e in events]
        assert seqs == sorted(seqs), seqs
        text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
        assert text == events[-1].response.output[-1].content[0].text, text
        return len(events)

    @check("async.responses.create_stream")
    def _():
        async def main():
            aclient = AsyncTwelveLabs(api_key="tlk_contract", base_url=ARGS["base_url"])
            stream = aclient.responses.create_stream(
                knowledge_store_id=STATE["ks"], input=[{"type": "message", "role": "user", "content": "the taxi"}])
            return [e async for e in stream]

        events = asyncio.run(main())
        assert events[-1].type == "response.completed" and events[-1].response.output[-1].content[0].annotations, events
        return len(events)

    @check("knowledge_store_items.delete")
    def _():
        assert client.knowledge_store_items.delete(STATE["ks"], STATE["items"][1]) is None

    @check("knowledge_store_item_collections.delete")
    def _():
        assert client.knowledge_store_item_collections.delete(STATE["ks"], STATE["coll"]) is None

    @check("knowledge_stores.delete")
    def _():
        assert client.knowledge_stores.delete(STATE["ks"]) is None

    @check("entity_collections.delete")
    def _():
        assert client.entity_collections.delete(STATE["ec"]) is None

    @check("data_connectors.create_redirect_uri")
    def _():
        res = client.data_connectors.create_redirect_uri(redirect_uri="https://app.example.com/cb")
        assert res.redirect_uri == "https://app.example.com/cb" and res.created_at is not None, res
        STATE["redirect"] = res.id

    @check("data_connectors.list_redirect_uris")
    def _():
        assert [r.id for r in client.data_connectors.list_redirect_uris().data] == [STATE["redirect"]]

    @check("data_connectors.authorize_connection")
    def _():
        import httpx
        from twelvelabs.data_connectors.types import AuthorizeConnectionResponse

        try:  # SDK 1.3.6 joins "connections:authorize" with urljoin, which reads "connections:" as a scheme
            client.data_connectors.authorize_connection(provider="google_drive", redirect_uri="https://app.example.com/cb")
            raise AssertionError("SDK 1.3.6 no longer fails on connections:authorize; drive it directly now")
        except httpx.UnsupportedProtocol:
            pass
        raw = httpx.post(ARGS["base_url"] + "/connections:authorize", headers={"x-api-key": "tlk_contract"},
                         json={"provider": "google_drive", "redirect_uri": "https://app.example.com/cb"})
        res = AuthorizeConnectionResponse.model_validate(raw.raise_for_status().json())
        assert res.authorize_url and res.state, res
        return "SDK urljoin bug reproduced; route served and parsed by the SDK model"

    @check("data_connectors.delete_redirect_uri")
    def _():
        assert client.data_connectors.delete_redirect_uri(STATE["redirect"]) is None

    @check("data_connectors.list_connections")
    def _():
        res = client.data_connectors.list_connections(page=1, page_limit=10)
        assert [c.id for c in res.data] == [HOSTED["connection_id"]] and res.data[0].account.display_name, res

    @check("data_connectors.retrieve_connection")
    def _():
        conn = client.data_connectors.retrieve_connection(HOSTED["connection_id"])
        assert conn.provider == "google_drive" and conn.status == "active" and conn.connected_at, conn

    @check("data_connectors.create_connection_picker_token")
    def _():
        tok = client.data_connectors.create_connection_picker_token(HOSTED["connection_id"])
        assert tok.access_token and tok.expires_in == 3600, tok

    @check("imports.import_files")
    def _():
        res = client.imports.import_files(HOSTED["connection_id"],
                                          items=[{"source_id": s} for s in HOSTED["source_ids"]] + [{"source_id": "x"}])
        assert [i.action for i in res.items] == ["created"] * len(HOSTED["source_ids"]) + ["rejected"], res
        assert res.has_failures and all(i.asset_id for i in res.items[:-1]), res
        STATE["import"] = res.id

    @check("imports.list_imports")
    def _():
        res = client.imports.list_imports(HOSTED["connection_id"], page=1, page_limit=10)
        assert [i.id for i in res.data] == [STATE["import"]] and res.data[0].item_count == 3, res

    @check("imports.retrieve_import")
    def _():
        res = client.imports.retrieve_import(HOSTED["connection_id"], STATE["import"])
        assert [i.source_id for i in res.items] == HOSTED["source_ids"] + ["x"], res

    @check("data_connectors.delete_connection")
    def _():
        assert client.data_connectors.delete_connection(HOSTED["connection_id"]) is None

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
