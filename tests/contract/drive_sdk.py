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


print(json.dumps({"check": "done", "ok": True, "detail": twelvelabs.__name__}), flush=True)
