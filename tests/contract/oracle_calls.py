"""The calls that both the official SDK and our client can make, written once for each side.

Used by ``test_wire_oracle.py``: the SDK side runs inside the SDK's venv (``oracle_sdk.py``), ours in
process, both against one emulator; the requests each call sends are compared field by field.

Each code string is evaluated with ``client`` (the SDK's or ours), ``S`` (ids and paths made by the
setup) and ``CLASSIC`` (True for SDK 1.0.2) in scope. ``sdk`` may be a dict keyed by SDK version
when the two SDK versions spell a call differently. A call only one SDK version has names it in
``versions``. Only a call's first request is compared: pagers differ in how they walk pages, not in
the request they start with.
"""

from __future__ import annotations

from typing import Any

from oracle_calls_current import CURRENT_CALLS, CURRENT_DELETES, SDK_ONLY

BOTH = ("1.0.2", "1.3.6")

CALLS: list[dict[str, Any]] = [
    {"name": "indexes.create",
     "sdk": "client.indexes.create(index_name='oracle', models=[{'model_name': S['marengo'], "
            "'model_options': ['visual', 'audio']}], addons=['thumbnail'])",
     "ours": "client.indexes.create(index_name='oracle', models=[{'model_name': S['marengo'], "
             "'model_options': ['visual', 'audio']}], addons=['thumbnail'])"},
    {"name": "indexes.list",
     "sdk": "next(iter(client.indexes.list(page_limit=2, sort_by='created_at', sort_option='asc', "
            "index_name='oracle')), None)",
     "ours": "next(iter(client.indexes.list(page_limit=2, sort_by='created_at', sort_option='asc', "
             "index_name='oracle')), None)"},
    {"name": "indexes.list(models)",
     "sdk": "next(iter(client.indexes.list(model_options='visual,audio', model_family='marengo')), None)",
     "ours": "next(iter(client.indexes.list(model_options=['visual', 'audio'], model_family='marengo')), None)"},
    {"name": "indexes.retrieve",
     "sdk": "client.indexes.retrieve(S['index'])",
     "ours": "client.indexes.retrieve(S['index'])"},
    {"name": "indexes.update",
     "sdk": "client.indexes.update(S['index'], index_name='oracle-renamed')",
     "ours": "client.indexes.update(S['index'], index_name='oracle-renamed')"},
    {"name": "indexes.videos.list",
     "sdk": "next(iter(client.indexes.videos.list(S['index'], page_limit=2, filename='city.mp4', "
            "user_metadata={'source': 'oracle'})), None)",
     "ours": "next(iter(client.indexes.videos.list(S['index'], page_limit=2, filename='city.mp4', "
             "user_metadata={'source': 'oracle'})), None)"},
    {"name": "indexes.videos.list(ranges)",
     "sdk": "next(iter(client.indexes.videos.list(S['index'], sort_by='updated_at', sort_option='asc', "
            "duration={'gte': 1, 'lte': 60}, fps={'gte': 24}, width={'lte': 1920}, height={'gte': 100}, "
            "size={'gte': 10}, created_at='2020-01-01T00:00:00Z')), None)",
     "ours": "next(iter(client.indexes.videos.list(S['index'], sort_by='updated_at', sort_option='asc', "
             "duration={'gte': 1, 'lte': 60}, fps={'gte': 24}, width={'lte': 1920}, height={'gte': 100}, "
             "size={'gte': 10}, created_at='2020-01-01T00:00:00Z')), None)"},
    {"name": "tasks.list(sorted)",
     "sdk": "next(iter(client.tasks.list(sort_by='updated_at', sort_option='asc', status=['ready'], "
            "created_at='2020-01-01T00:00:00Z')), None)",
     "ours": "next(iter(client.tasks.list(sort_by='updated_at', sort_option='asc', status=['ready'], "
             "created_at='2020-01-01T00:00:00Z')), None)"},
    {"name": "indexes.videos.retrieve",
     "sdk": "client.indexes.videos.retrieve(S['index'], S['video'], embedding_option=S['options'], "
            "transcription=True)",
     "ours": "client.indexes.videos.retrieve(S['index'], S['video'], embedding_option=S['options'], "
             "transcription=True)"},
    {"name": "indexes.videos.update",
     "sdk": "client.indexes.videos.update(S['index'], S['video'], user_metadata={'topic': 'city', 'n': None})",
     "ours": "client.indexes.videos.update(S['index'], S['video'], user_metadata={'topic': 'city', 'n': None})"},
    {"name": "tasks.create(file)",
     "sdk": "client.tasks.create(index_id=S['index'], video_file=open(S['clip'], 'rb'), enable_video_stream=True, "
            "user_metadata=json.dumps({'source': 'oracle'}))",
     "ours": "client.tasks.create(index_id=S['index'], file=S['clip'], enable_video_stream=True, "
             "user_metadata={'source': 'oracle'})"},
    {"name": "tasks.create(url)",
     "sdk": "client.tasks.create(index_id=S['index'], video_url=S['video_url'], enable_video_stream=False)",
     "ours": "client.tasks.create(index_id=S['index'], url=S['video_url'], enable_video_stream=False)"},
    {"name": "tasks.list",
     "sdk": "next(iter(client.tasks.list(index_id=S['index'], status=['ready', 'indexing'], filename='city.mp4', "
            "page_limit=2)), None)",
     "ours": "next(iter(client.tasks.list(index_id=S['index'], status=['ready', 'indexing'], filename='city.mp4', "
             "page_limit=2)), None)"},
    {"name": "tasks.retrieve",
     "sdk": "client.tasks.retrieve(S['task'])",
     "ours": "client.tasks.retrieve(S['task'])"},
    {"name": "search.create",
     "sdk": "client.search.create(index_id=S['index'], query_text='yellow taxi in the rain', "
            "search_options=['visual', 'audio'], group_by='clip', operator='or', page_limit=2, "
            "include_user_metadata=True, filter=json.dumps({'id': [S['video']]}))",
     "ours": "client.search.create(index_id=S['index'], query_text='yellow taxi in the rain', "
             "search_options=['visual', 'audio'], group_by='clip', operator='or', page_limit=2, "
             "include_user_metadata=True, filter={'id': [S['video']]})"},
    {"name": "search.create(classic options)", "versions": ("1.0.2",),
     "sdk": "client.search.create(index_id=S['index'], query_text='taxi', search_options=['visual'], "
            "threshold='low', adjust_confidence_level=0.5, sort_option='score')",
     "ours": "client.search.create(index_id=S['index'], query_text='taxi', search_options=['visual'], "
             "threshold='low', adjust_confidence_level=0.5, sort_option='score')"},
    {"name": "search.create(image)",
     "sdk": "client.search.create(index_id=S['index'], query_media_type='image', "
            "query_media_file=open(S['image'], 'rb'), search_options=['visual'])",
     "ours": "client.search.create(index_id=S['index'], query_media_type='image', query_media_file=S['image'], "
             "search_options=['visual'])"},
    {"name": "search.retrieve",
     "sdk": "client.search.retrieve(S['page_token'], include_user_metadata=True)",
     "ours": "client.search.retrieve(S['page_token'], include_user_metadata=True)"},
    {"name": "embed.create(text)",
     "sdk": "client.embed.create(model_name=S['embed_model'], text='a yellow taxi')",
     "ours": "client.embed.create(model_name=S['embed_model'], text='a yellow taxi')"},
    {"name": "embed.create(image)",
     "sdk": "client.embed.create(model_name=S['embed_model'], image_file=open(S['image'], 'rb'))",
     "ours": "client.embed.create(model_name=S['embed_model'], image_file=S['image'])"},
    {"name": "embed.create(audio)",
     "sdk": "client.embed.create(model_name=S['embed_model'], audio_file=open(S['audio'], 'rb'), "
            "audio_start_offset_sec=0)",
     "ours": "client.embed.create(model_name=S['embed_model'], audio_file=S['audio'], audio_start_offset_sec=0)"},
    {"name": "embed.tasks.create",
     "sdk": "client.embed.tasks.create(model_name=S['embed_model'], video_file=open(S['clip'], 'rb'), "
            "video_clip_length=6, video_embedding_scope=['clip', 'video'])",
     "ours": "client.embed.tasks.create(model_name=S['embed_model'], video_file=S['clip'], video_clip_length=6, "
             "video_embedding_scope=['clip', 'video'])"},
    {"name": "embed.tasks.create(url)",
     "sdk": "client.embed.tasks.create(model_name=S['embed_model'], video_url=S['video_url'], "
            "video_start_offset_sec=0, video_end_offset_sec=8)",
     "ours": "client.embed.tasks.create(model_name=S['embed_model'], video_url=S['video_url'], "
             "video_start_offset_sec=0, video_end_offset_sec=8)"},
    {"name": "embed.tasks.status",
     "sdk": "client.embed.tasks.status(S['embed_task'])",
     "ours": "client.embed.tasks.status(S['embed_task'])"},
    {"name": "embed.tasks.retrieve",
     "sdk": "client.embed.tasks.retrieve(S['embed_task'], embedding_option=S['options'][:1])",
     "ours": "client.embed.tasks.retrieve(S['embed_task'], embedding_option=S['options'][:1])"},
    {"name": "embed.tasks.list",
     "sdk": "next(iter(client.embed.tasks.list(page_limit=2, status='ready')), None)",
     "ours": "next(iter(client.embed.tasks.list(page_limit=2, status='ready')), None)"},
    {"name": "analyze(video_id)", "versions": ("1.0.2",),
     "sdk": "client.analyze(video_id=S['video'], prompt='What vehicle appears?', temperature=0.2)",
     "ours": "client.analyze(video_id=S['video'], prompt='What vehicle appears?', temperature=0.2)"},
    {"name": "analyze(video url)", "versions": ("1.3.6",),
     "sdk": "client.analyze(video=__import__('twelvelabs').VideoContext_Url(url=S['video_url']), "
            "prompt='What vehicle appears?', temperature=0.2, max_tokens=1024)",
     "ours": "client.analyze(video={'type': 'url', 'url': S['video_url']}, prompt='What vehicle appears?', "
             "temperature=0.2, max_tokens=1024)"},
    {"name": "analyze(json_schema)", "versions": ("1.0.2",),
     "sdk": "client.analyze(video_id=S['video'], prompt='list scenes', response_format="
            "__import__('twelvelabs.types', fromlist=['ResponseFormat']).ResponseFormat(type='json_schema', "
            "json_schema=S['schema']))",
     "ours": "client.analyze(video_id=S['video'], prompt='list scenes', response_format={'type': 'json_schema', "
             "'json_schema': S['schema']})"},
    {"name": "analyze_stream", "versions": ("1.0.2",),
     "sdk": "list(client.analyze_stream(video_id=S['video'], prompt='Describe the video'))",
     "ours": "list(client.analyze(video_id=S['video'], prompt='Describe the video', stream=True))"},
    {"name": "embed.create(urls)",
     "sdk": "client.embed.create(model_name=S['embed_model'], image_url=S['image_url'])",
     "ours": "client.embed.create(model_name=S['embed_model'], image_url=S['image_url'])"},
    {"name": "embed.create(text_truncate)", "versions": ("1.0.2",),
     "sdk": "client.embed.create(model_name=S['embed_model'], text='a yellow taxi', text_truncate='end')",
     "ours": "client.embed.create(model_name=S['embed_model'], text='a yellow taxi', text_truncate='end')"},
    {"name": "tasks.wait_for_done",
     "sdk": "client.tasks.wait_for_done(S['task'], sleep_interval=0.01)",
     "ours": "client.tasks.wait(S['task'])"},
    {"name": "embed.tasks.wait_for_done",
     "sdk": "client.embed.tasks.wait_for_done(S['embed_task'], sleep_interval=0.01)",
     "ours": "client.embed.tasks.wait(S['embed_task'])"},
    {"name": "tasks.transfers.create", "versions": ("1.0.2",),
     "sdk": "client.tasks.transfers.create(S['integration'], index_id=S['index'], incremental_import=True, "
            "retry_failed=False, user_metadata={'from': 'bucket'})",
     "ours": "client.tasks.transfers.create(S['integration'], index_id=S['index'], incremental_import=True, "
             "retry_failed=False, user_metadata={'from': 'bucket'})"},
    {"name": "tasks.transfers.get_status", "versions": ("1.0.2",),
     "sdk": "client.tasks.transfers.get_status(S['integration'], index_id=S['index'])",
     "ours": "client.tasks.transfers.get_status(S['integration'], index_id=S['index'])"},
    {"name": "tasks.transfers.get_logs", "versions": ("1.0.2",),
     "sdk": "client.tasks.transfers.get_logs(S['integration'])",
     "ours": "client.tasks.transfers.get_logs(S['integration'])"},
    {"name": "tasks.create_bulk", "every_request": True,
     "sdk": "client.tasks.create_bulk(index_id=S['index'], video_urls=[S['video_url'], S['video_url2']], "
            "enable_video_stream=False)",
     "ours": "client.tasks.create_many(index_id=S['index'], urls=[S['video_url'], S['video_url2']], "
             "enable_video_stream=False, max_concurrency=1)"},
]

#: The deletes of the shared calls run last, after the current-surface calls that still use the index.
DELETES: list[dict[str, Any]] = [
    {"name": "indexes.videos.delete",
     "sdk": "client.indexes.videos.delete(S['index'], S['video'])",
     "ours": "client.indexes.videos.delete(S['index'], S['video'])"},
    {"name": "tasks.delete",
     "sdk": "client.tasks.delete(S['task'])",
     "ours": "client.tasks.delete(S['task'])"},
    {"name": "indexes.delete",
     "sdk": "client.indexes.delete(S['index'])",
     "ours": "client.indexes.delete(S['index'])"},
]


def _walk(name: str, code: str, versions: tuple[str, ...] = BOTH, ours: str | None = None) -> dict[str, Any]:
    return {"name": f"{name} (every page)", "sdk": f"list({code})", "ours": f"list({ours or code})",
            "versions": versions, "every_request": True}


_V136 = ("1.3.6",)
#: Pagers walked to the end one item per page: here *every* request is compared, so a filter that a
#: pager forgets on page 2 (or a page walk that differs) is caught. The SDK's pagers read one page more
#: than ours (see KNOWN_DIFFERENCES), and every read moves the emulator's tasks on, so a walk must only
#: see items that were ready on both sides before (the search walk filters on the setup's ids).
PAGE_WALKS: list[dict[str, Any]] = [
    _walk("indexes.list", "client.indexes.list(page_limit=1, sort_by='created_at', sort_option='asc')"),
    _walk("indexes.videos.list", "client.indexes.videos.list(S['index'], page_limit=1, sort_option='asc', "
          "duration={'gte': 1})"),
    _walk("tasks.list", "client.tasks.list(index_id=S['index'], page_limit=1, status=['ready'])"),
    _walk("embed.tasks.list", "client.embed.tasks.list(page_limit=1, started_at='2020-01-01T00:00:00Z')"),
    _walk("search.query", "client.search.query(index_id=S['index'], query_text='city street taxi market', "
          "search_options=['visual'], page_limit=1, include_user_metadata=True)"),
    _walk("assets.list", "client.assets.list(page_limit=1, asset_types=['video', 'image'])", _V136),
    _walk("indexes.indexed_assets.list", "client.indexes.indexed_assets.list(S['index'], page_limit=1, "
          "status=['validating', 'pending', 'queued', 'indexing', 'ready'], duration={'gte': 1}, "
          "sort_by='created_at')", _V136),
    _walk("embed.v_2.tasks.list", "client.embed.v_2.tasks.list(page_limit=1)", _V136,
          "client.embed.v2.tasks.list(page_limit=1)"),
    _walk("analyze_async.batches.list", "client.analyze_async.batches.list(page_limit=1, analysis_mode=['general'])",
          _V136, "client.analyze.batches.list(page_limit=1, analysis_mode=['general'])"),
    _walk("entity_collections.entities.list", "client.entity_collections.entities.list(S['ec'], page_limit=1, "
          "sort_by='name')", _V136),
    _walk("search.query(Marengo 3.0)", "client.search.query(index_id=S['index'], query_text='taxi in the rain', "
          "search_options=['visual', 'transcription'], transcription_options=['lexical', 'semantic'], page_limit=1, "
          "filter=FILTER)".replace("FILTER", "json.dumps({'id': [S['ia'], S['video']], 'duration': {'gte': 1}})"),
          _V136,
          "client.search.query(index_id=S['index'], query_text='taxi in the rain', search_options=['visual', "
          "'transcription'], transcription_options=['lexical', 'semantic'], page_limit=1, "
          "filter={'id': [S['ia'], S['video']], 'duration': {'gte': 1}})"),
    _walk("entity_collections.list", "client.entity_collections.list(page_limit=1, sort_by='created_at')", _V136),
    _walk("entities.list_by_asset", "client.entity_collections.entities.list_by_asset(S['image_asset'], page_limit=1)",
          _V136),
    _walk("knowledge_stores.list", "client.knowledge_stores.list(page_limit=1, sort_option='asc')", _V136),
    _walk("knowledge_store_item_collections.list", "client.knowledge_store_item_collections.list(S['ks'], "
          "page_limit=1)", _V136, "client.knowledge_stores.item_collections.list(S['ks'], page_limit=1)"),
    _walk("multipart_upload.list_incomplete_uploads", "client.multipart_upload.list_incomplete_uploads(page_limit=1)",
          _V136, "client.assets.multipart.list(page_limit=1)"),
    _walk("knowledge_store_items.list",
          "client.knowledge_store_items.list(S['ks'], page_limit=1, sort_by='created_at')",
          _V136, "client.knowledge_stores.items.list(S['ks'], page_limit=1, sort_by='created_at')"),
]

#: Every call, in the order both sides make them.
ALL_CALLS: list[dict[str, Any]] = CALLS + CURRENT_CALLS + PAGE_WALKS + CURRENT_DELETES + DELETES + SDK_ONLY


def calls_for(version: str) -> list[dict[str, Any]]:
    """The calls one SDK version has, each with its SDK code resolved for that version."""
    out = []
    for call in ALL_CALLS:
        if version not in call.get("versions", BOTH):
            continue
        sdk = call["sdk"][version] if isinstance(call["sdk"], dict) else call["sdk"]
        out.append({"name": call["name"], "sdk": sdk, "ours": call["ours"],
                    "every_request": call.get("every_request", False)})
    return out
