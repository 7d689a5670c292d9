"""The wire-oracle calls of the current surface (SDK 1.3.6 only), in the same form as ``oracle_calls.CALLS``.

Assets, multipart uploads, indexed assets, embed v2, index-free analyze (sync, stream, tasks,
batches), Marengo 3.0 search options, entity collections and entities, knowledge stores (items,
collections, search), Responses and data connectors/imports. ``S`` holds what
``test_wire_oracle._setup_current`` made (a ready asset, an indexed asset, a multipart session with
its chunks already PUT, a finished embed-v2 task, analyze task and batch, an entity collection with
an entity, a knowledge store with an item and a collection, a connection with an import, a
redirect URI). On the SDK side ``T`` is the ``twelvelabs`` package (its request types).

The calls run in this order; the deletes come last so every earlier call finds its resource.
"""

from __future__ import annotations

from typing import Any

V136 = ("1.3.6",)


def _c(name: str, sdk: str, ours: str) -> dict[str, Any]:
    return {"name": name, "sdk": sdk, "ours": ours, "versions": V136}


_MSG = "[{'type': 'message', 'role': 'user', 'content': 'Where is the taxi?'}]"
_TEXT = "{'format': {'type': 'json_schema', 'name': 'scenes', 'schema': S['schema']}}"

CURRENT_CALLS: list[dict[str, Any]] = [
    # -------------------------------------------------------------------------------------- assets
    _c("assets.create(file)",
       "client.assets.create(method='direct', file=open(S['clip'], 'rb'), filename='city.mp4', enable_hls=True, "
       "enable_thumbnail=False, user_metadata=json.dumps({'team': 'oracle'}))",
       "client.assets.create(file=S['clip'], filename='city.mp4', enable_hls=True, enable_thumbnail=False, "
       "user_metadata={'team': 'oracle'})"),
    _c("assets.create(url)",
       "client.assets.create(method='url', url=S['video_url'], filename='street.mp4')",
       "client.assets.create(url=S['video_url'], filename='street.mp4')"),
    _c("assets.create(file, no filename)",
       "client.assets.create(method='direct', file=open(S['clip'], 'rb'))",
       "client.assets.create(file=S['clip'])"),
    _c("assets.list",
       "next(iter(client.assets.list(page_limit=2, filename='city', asset_types=['video'], "
       "asset_ids=[S['asset']])), None)",
       "next(iter(client.assets.list(page_limit=2, filename='city', asset_types=['video'], "
       "asset_ids=[S['asset']])), None)"),
    _c("assets.list(several types)",
       "next(iter(client.assets.list(asset_types=['video', 'image'])), None)",
       "next(iter(client.assets.list(asset_types=['video', 'image'])), None)"),
    _c("assets.list(one type)",
       "next(iter(client.assets.list(asset_types='video')), None)",
       "next(iter(client.assets.list(asset_types='video')), None)"),
    _c("assets.retrieve",
       "client.assets.retrieve(S['asset'])",
       "client.assets.retrieve(S['asset'])"),
    _c("assets.retrieve_transcription",
       "client.assets.retrieve_transcription(S['asset'], include=['words', 'sentences'])",
       "client.assets.retrieve_transcription(S['asset'], include=['words', 'sentences'])"),
    _c("assets.update_user_metadata",
       "client.assets.update_user_metadata(S['asset'], user_metadata={'team': None, 'n': 3})",
       "client.assets.update_user_metadata(S['asset'], {'team': None, 'n': 3})"),
    _c("assets.replace_user_metadata",
       "client.assets.replace_user_metadata(S['asset'], user_metadata={'only': 'this'})",
       "client.assets.replace_user_metadata(S['asset'], {'only': 'this'})"),
    _c("assets.delete_user_metadata",
       "client.assets.delete_user_metadata(S['asset'])",
       "client.assets.delete_user_metadata(S['asset'])"),
    # --------------------------------------------------------------------------- multipart uploads
    _c("multipart_upload.create",
       "client.multipart_upload.create(filename='big.mp4', type='video', total_size=S['clip_size'], "
       "enable_hls=False, user_metadata={'team': 'oracle'})",
       "client.assets.multipart.create(filename='big.mp4', type='video', total_size=S['clip_size'], "
       "enable_hls=False, user_metadata={'team': 'oracle'})"),
    _c("multipart_upload.create(image)",
       "client.multipart_upload.create(filename='big.png', type='image', total_size=S['clip_size'], "
       "enable_thumbnail=True)",
       "client.assets.multipart.create(filename='big.png', type='image', total_size=S['clip_size'], "
       "enable_thumbnail=True)"),
    _c("multipart_upload.list_incomplete_uploads",
       "next(iter(client.multipart_upload.list_incomplete_uploads(page_limit=5)), None)",
       "next(iter(client.assets.multipart.list(page_limit=5)), None)"),
    _c("multipart_upload.get_additional_presigned_urls",
       "client.multipart_upload.get_additional_presigned_urls(S['upload'], start=1, count=2)",
       "client.assets.multipart.get_presigned_urls(S['upload'], start=1, count=2)"),
    _c("multipart_upload.report_chunk_batch",
       "client.multipart_upload.report_chunk_batch(S['upload'], completed_chunks=[T.CompletedChunk(**c) "
       "for c in S['chunks'][:1]])",
       "client.assets.multipart.report_chunks(S['upload'], S['chunks'][:1])"),
    _c("multipart_upload.get_status",
       "client.multipart_upload.get_status(S['upload'], page=1, page_limit=1)",
       "client.assets.multipart.get_status(S['upload'], page=1, page_limit=1)"),
    _c("multipart_upload.get_status(first page)",
       "client.multipart_upload.get_status(S['upload'])",
       "client.assets.multipart.get_status(S['upload'])"),
    _c("multipart_upload.report_chunk_batch(complete)",
       "client.multipart_upload.report_chunk_batch(S['upload'], completed_chunks=[T.CompletedChunk(**c) "
       "for c in S['chunks']])",
       "client.assets.multipart.report_chunks(S['upload'], S['chunks'])"),
    _c("multipart_upload.upload_file",
       "client.multipart_upload.upload_file(S['clip'], filename='helper.mp4', batch_size=2, max_workers=1)",
       "client.assets.upload(S['clip'], filename='helper.mp4', method='multipart', max_concurrency=1, wait=False)"),
    # ---------------------------------------------------------------------------- indexed assets
    _c("indexes.indexed_assets.create",
       "client.indexes.indexed_assets.create(S['index'], asset_id=S['asset2'], enable_video_stream=True, "
       "user_metadata={'k': 'v'})",
       "client.indexes.indexed_assets.create(S['index'], asset_id=S['asset2'], enable_video_stream=True, "
       "user_metadata={'k': 'v'})"),
    _c("indexes.indexed_assets.list",
       "next(iter(client.indexes.indexed_assets.list(S['index'], page_limit=2, sort_by='created_at', "
       "sort_option='asc', status=['ready', 'indexing'], filename='city.mp4', duration={'gte': 1, 'lte': 60}, "
       "width={'gte': 320}, user_metadata={'k': 'v'})), None)",
       "next(iter(client.indexes.indexed_assets.list(S['index'], page_limit=2, sort_by='created_at', "
       "sort_option='asc', status=['ready', 'indexing'], filename='city.mp4', duration={'gte': 1, 'lte': 60}, "
       "width={'gte': 320}, user_metadata={'k': 'v'})), None)"),
    _c("indexes.indexed_assets.list(ranges)",
       "next(iter(client.indexes.indexed_assets.list(S['index'], status='ready', fps={'gte': 24, 'lte': 60}, "
       "height={'lte': 1080}, size={'gte': 1}, created_at='2020-01-01T00:00:00Z', "
       "updated_at='2020-01-01T00:00:00Z')), None)",
       "next(iter(client.indexes.indexed_assets.list(S['index'], status='ready', fps={'gte': 24, 'lte': 60}, "
       "height={'lte': 1080}, size={'gte': 1}, created_at='2020-01-01T00:00:00Z', "
       "updated_at='2020-01-01T00:00:00Z')), None)"),
    _c("indexes.indexed_assets.retrieve",
       "client.indexes.indexed_assets.retrieve(S['index'], S['ia'], embedding_option=['visual', 'audio'], "
       "transcription=True)",
       "client.indexes.indexed_assets.retrieve(S['index'], S['ia'], embedding_option=['visual', 'audio'], "
       "transcription=True)"),
    _c("indexes.indexed_assets.update",
       "client.indexes.indexed_assets.update(S['index'], S['ia'], user_metadata={'k': None, 'topic': 'city'})",
       "client.indexes.indexed_assets.update(S['index'], S['ia'], user_metadata={'k': None, 'topic': 'city'})"),
    _c("indexes.indexed_assets.list_by_asset",
       "next(iter(client.indexes.indexed_assets.list_by_asset(S['asset'], page_limit=3)), None)",
       "next(iter(client.indexes.indexed_assets.list_by_asset(S['asset'], page_limit=3)), None)"),
    # ----------------------------------------------------------------------------------- embed v2
    _c("embed.v_2.create(text)",
       "client.embed.v_2.create(input_type='text', model_name='marengo3.0', "
       "text=T.TextInputRequest(input_text='a yellow taxi'))",
       "client.embed.v2.create(input_type='text', model_name='marengo3.0', text={'input_text': 'a yellow taxi'})"),
    _c("embed.v_2.create(text shortcut)",
       "client.embed.v_2.create(input_type='text', model_name='marengo3.0', "
       "text=T.TextInputRequest(input_text='a red fox'))",
       "client.embed.v2.create(input_type='text', text='a red fox')"),
    _c("embed.v_2.create(image)",
       "client.embed.v_2.create(input_type='image', model_name='marengo3.0', "
       "image=T.ImageInputRequest(media_source=T.MediaSource(base_64_string=S['image_b64'])))",
       "client.embed.v2.create(input_type='image', model_name='marengo3.0', "
       "image={'media_source': {'base64_string': S['image_b64']}})"),
    _c("embed.v_2.create(image url)",
       "client.embed.v_2.create(input_type='image', model_name='marengo3.0', "
       "image=T.ImageInputRequest(media_source=T.MediaSource(url=S['image_url'])))",
       "client.embed.v2.create(input_type='image', model_name='marengo3.0', image=S['image_url'])"),
    _c("embed.v_2.create(text_image)",
       "client.embed.v_2.create(input_type='text_image', model_name='marengo3.0', text_image=T.TextImageInputRequest("
       "input_text='a taxi', media_source=T.MediaSource(base_64_string=S['image_b64'])))",
       "client.embed.v2.create(input_type='text_image', model_name='marengo3.0', "
       "text_image={'input_text': 'a taxi', 'media_source': {'base64_string': S['image_b64']}})"),
    _c("embed.v_2.create(audio)",
       "client.embed.v_2.create(input_type='audio', model_name='marengo3.0', audio=T.AudioInputRequest("
       "media_source=T.MediaSource(base_64_string=S['audio_b64']), start_sec=0, end_sec=4, "
       "embedding_option=['audio'], embedding_scope=['clip', 'asset']))",
       "client.embed.v2.create(input_type='audio', model_name='marengo3.0', audio={'media_source': "
       "{'base64_string': S['audio_b64']}, 'start_sec': 0, 'end_sec': 4, 'embedding_option': ['audio'], "
       "'embedding_scope': ['clip', 'asset']})"),
    _c("embed.v_2.create(video)",
       "client.embed.v_2.create(input_type='video', model_name='marengo3.0', video=T.VideoInputRequest("
       "media_source=T.MediaSource(asset_id=S['asset']), embedding_option=['visual', 'audio'], "
       "embedding_scope=['clip'], segmentation={'strategy': 'fixed', 'fixed': {'duration_sec': 4}}))",
       "client.embed.v2.create(input_type='video', model_name='marengo3.0', video={'media_source': "
       "{'asset_id': S['asset']}, 'embedding_option': ['visual', 'audio'], 'embedding_scope': ['clip'], "
       "'segmentation': {'strategy': 'fixed', 'fixed': {'duration_sec': 4}}})"),
    _c("embed.v_2.tasks.create",
       "client.embed.v_2.tasks.create(input_type='video', model_name='marengo3.0', video=T.AsyncVideoInputRequest("
       "media_source=T.MediaSource(url=S['video_url']), embedding_scope=['clip', 'asset']))",
       "client.embed.v2.tasks.create(input_type='video', model_name='marengo3.0', video={'media_source': "
       "{'url': S['video_url']}, 'embedding_scope': ['clip', 'asset']})"),
    _c("embed.v_2.create(video window)",
       "client.embed.v_2.create(input_type='video', model_name='marengo3.0', video=T.VideoInputRequest("
       "media_source=T.MediaSource(url=S['video_url']), start_sec=2, end_sec=10, embedding_scope=['clip', 'asset'], "
       "segmentation={'strategy': 'dynamic', 'dynamic': {'min_duration_sec': 2}}))",
       "client.embed.v2.create(input_type='video', model_name='marengo3.0', video={'media_source': "
       "{'url': S['video_url']}, 'start_sec': 2, 'end_sec': 10, 'embedding_scope': ['clip', 'asset'], "
       "'segmentation': {'strategy': 'dynamic', 'dynamic': {'min_duration_sec': 2}}})"),
    _c("embed.v_2.tasks.create(audio)",
       "client.embed.v_2.tasks.create(input_type='audio', model_name='marengo3.0', audio=T.AudioInputRequest("
       "media_source=T.MediaSource(asset_id=S['asset']), embedding_option=['audio', 'transcription']))",
       "client.embed.v2.tasks.create(input_type='audio', model_name='marengo3.0', audio={'media_source': "
       "{'asset_id': S['asset']}, 'embedding_option': ['audio', 'transcription']})"),
    _c("embed.v_2.create(multi_input 3.5)",
       "client.embed.v_2.create(input_type='multi_input', model_name='marengo3.5', embedding_dimension=256, "
       "multi_input=T.MultiInputRequest(input_text='a taxi like <@cab>', media_sources=[T.MultiInputMediaSource("
       "name='cab', media_type='image', base_64_string=S['image_b64'])]))",
       "client.embed.v2.create(input_type='multi_input', model_name='marengo3.5', embedding_dimension=256, "
       "multi_input={'input_text': 'a taxi like <@cab>', 'media_sources': [{'name': 'cab', 'media_type': 'image', "
       "'base64_string': S['image_b64']}]})"),
    _c("embed.v_2.tasks.create(video shortcut)",
       "client.embed.v_2.tasks.create(input_type='video', model_name='marengo3.0', video=T.AsyncVideoInputRequest("
       "media_source=T.MediaSource(url=S['video_url'])))",
       "client.embed.v2.tasks.create(input_type='video', video=S['video_url'])"),
    _c("embed.v_2.create(3.5 options)",
       "client.embed.v_2.create(input_type='multi_input', model_name='marengo3.5', auto_truncate=True, "
       "embedding_uncertainty=True, multi_input=T.MultiInputRequest(input_text='a long text about a taxi'))",
       "client.embed.v2.create(input_type='multi_input', model_name='marengo3.5', auto_truncate=True, "
       "embedding_uncertainty=True, multi_input={'input_text': 'a long text about a taxi'})"),
    _c("embed.v_2.create(video embedding_type)",
       "client.embed.v_2.create(input_type='video', model_name='marengo3.0', video=T.VideoInputRequest("
       "media_source=T.MediaSource(asset_id=S['asset']), embedding_option=['visual', 'audio'], "
       "embedding_type=['fused_embedding']))",
       "client.embed.v2.create(input_type='video', model_name='marengo3.0', video={'media_source': "
       "{'asset_id': S['asset']}, 'embedding_option': ['visual', 'audio'], 'embedding_type': ['fused_embedding']})"),
    _c("embed.v_2.tasks.create(image 3.5)",
       "client.embed.v_2.tasks.create(input_type='image', model_name='marengo3.5', embedding_dimension=128, "
       "image=T.AsyncImageInputRequest(media_source=T.MediaSource(asset_id=S['image_asset']), "
       "embedding_option=['visual'], embedding_scope=['asset']))",
       "client.embed.v2.tasks.create(input_type='image', model_name='marengo3.5', embedding_dimension=128, "
       "image={'media_source': {'asset_id': S['image_asset']}, 'embedding_option': ['visual'], "
       "'embedding_scope': ['asset']})"),
    _c("embed.v_2.tasks.create(document 3.5)",
       "client.embed.v_2.tasks.create(input_type='document', model_name='marengo3.5', embedding_uncertainty=True, "
       "document=T.AsyncDocumentInputRequest(media_source=T.MediaSource(base_64_string=S['image_b64']), "
       "embedding_option=['visual', 'text'], embedding_scope=['local', 'asset']))",
       "client.embed.v2.tasks.create(input_type='document', model_name='marengo3.5', embedding_uncertainty=True, "
       "document={'media_source': {'base64_string': S['image_b64']}, 'embedding_option': ['visual', 'text'], "
       "'embedding_scope': ['local', 'asset']})"),
    _c("embed.v_2.tasks.list",
       "next(iter(client.embed.v_2.tasks.list(page_limit=2, status='ready')), None)",
       "next(iter(client.embed.v2.tasks.list(page_limit=2, status='ready')), None)"),
    _c("embed.v_2.tasks.list(window)",
       "next(iter(client.embed.v_2.tasks.list(started_at='2020-01-01T00:00:00Z', "
       "ended_at='2099-01-01T00:00:00Z')), None)",
       "next(iter(client.embed.v2.tasks.list(started_at='2020-01-01T00:00:00Z', ended_at='2099-01-01T00:00:00Z')), "
       "None)"),
    _c("embed.v_2.tasks.retrieve",
       "client.embed.v_2.tasks.retrieve(S['v2_task'])",
       "client.embed.v2.tasks.retrieve(S['v2_task'])"),
    # ------------------------------------------------------------------------------------ analyze
    _c("analyze(asset_id, window)",
       "client.analyze(video=T.VideoContext_AssetId(asset_id=S['asset']), prompt='What vehicle appears?', "
       "model_name='pegasus1.5', start_time=4, end_time=8, temperature=0.2)",
       "client.analyze(video={'type': 'asset_id', 'asset_id': S['asset']}, prompt='What vehicle appears?', "
       "model_name='pegasus1.5', start_time=4, end_time=8, temperature=0.2)"),
    _c("analyze(asset_id shortcut)",
       "client.analyze(video=T.VideoContext_AssetId(asset_id=S['asset']), prompt='Describe')",
       "client.analyze(video={'asset_id': S['asset']}, prompt='Describe')"),
    _c("analyze(json_schema)",
       "client.analyze(video=T.VideoContext_Url(url=S['video_url']), prompt='list scenes', "
       "response_format=T.SyncResponseFormat(type='json_schema', json_schema=S['schema']))",
       "client.analyze(video={'type': 'url', 'url': S['video_url']}, prompt='list scenes', "
       "response_format={'type': 'json_schema', 'json_schema': S['schema']})"),
    _c("analyze(images)",
       "client.analyze(image=[T.AnalyzeImageInput(name='cab', base_64_string=S['image_b64']), "
       "T.AnalyzeImageInput(name='pic', url=S['image_url2'])], prompt='Compare <@cab> and <@pic>', "
       "model_name='pegasus1.6')",
       "client.analyze(image=[{'name': 'cab', 'base64_string': S['image_b64']}, {'name': 'pic', "
       "'url': S['image_url2']}], prompt='Compare <@cab> and <@pic>', model_name='pegasus1.6')"),
    _c("analyze(prompt_v2)",
       "client.analyze(video=T.VideoContext_Url(url=S['video_url']), prompt_v_2={'input_text': 'Describe'})",
       "client.analyze(video={'type': 'url', 'url': S['video_url']}, prompt_v2={'input_text': 'Describe'})"),
    _c("analyze_stream(asset_id)",
       "list(client.analyze_stream(video=T.VideoContext_AssetId(asset_id=S['asset']), prompt='Describe', "
       "start_time=0, end_time=8))",
       "list(client.analyze(video={'type': 'asset_id', 'asset_id': S['asset']}, prompt='Describe', "
       "start_time=0, end_time=8, stream=True))"),
    _c("analyze_stream(url)",
       "list(client.analyze_stream(video=T.VideoContext_Url(url=S['video_url']), prompt='Describe', max_tokens=512))",
       "list(client.analyze(video={'type': 'url', 'url': S['video_url']}, prompt='Describe', max_tokens=512, "
       "stream=True))"),
    _c("analyze_async.tasks.create",
       "client.analyze_async.tasks.create(video=T.VideoContext_AssetId(asset_id=S['asset']), "
       "prompt='Name the vehicle', custom_id='oracle-1', max_tokens=1024, start_time=0, end_time=8)",
       "client.analyze.tasks.create(video={'type': 'asset_id', 'asset_id': S['asset']}, prompt='Name the vehicle', "
       "custom_id='oracle-1', max_tokens=1024, start_time=0, end_time=8)"),
    _c("analyze_async.tasks.create(segments)",
       "client.analyze_async.tasks.create(video=T.VideoContext_Url(url=S['video_url']), model_name='pegasus1.6', "
       "analysis_mode='time_based_metadata', max_tokens='unlimited', response_format={'type': "
       "'segment_definitions', 'segment_definitions': S['segments']})",
       "client.analyze.tasks.create(video={'type': 'url', 'url': S['video_url']}, model_name='pegasus1.6', "
       "analysis_mode='time_based_metadata', max_tokens='unlimited', response_format={'type': "
       "'segment_definitions', 'segment_definitions': S['segments']})"),
    _c("analyze_async.tasks.create(segment limits)",
       "client.analyze_async.tasks.create(video=T.VideoContext_AssetId(asset_id=S['asset']), model_name='pegasus1.6', "
       "analysis_mode='time_based_metadata', min_segment_duration=2, max_segment_duration=6, temperature=0.1, "
       "response_format={'type': 'segment_definitions', 'segment_definitions': S['segments']})",
       "client.analyze.tasks.create(video={'type': 'asset_id', 'asset_id': S['asset']}, model_name='pegasus1.6', "
       "analysis_mode='time_based_metadata', min_segment_duration=2, max_segment_duration=6, temperature=0.1, "
       "response_format={'type': 'segment_definitions', 'segment_definitions': S['segments']})"),
    _c("analyze_async.tasks.cancel",
       "client.analyze_async.tasks.cancel(S['a_running'])",
       "client.analyze.tasks.cancel(S['a_running'])"),
    _c("analyze_async.batches.cancel",
       "client.analyze_async.batches.cancel(S['batch_running'])",
       "client.analyze.batches.cancel(S['batch_running'])"),
    _c("analyze_async.tasks.list",
       "client.analyze_async.tasks.list(page=1, page_limit=5, status='ready', asset_id=S['asset'], "
       "analysis_mode='general')",
       "next(iter(client.analyze.tasks.list(page_limit=5, status='ready', asset_id=S['asset'], "
       "analysis_mode='general')), None)"),
    _c("analyze_async.tasks.retrieve",
       "client.analyze_async.tasks.retrieve(S['a_task'])",
       "client.analyze.tasks.retrieve(S['a_task'])"),
    _c("analyze_async.batches.create",
       "client.analyze_async.batches.create(model_name='pegasus1.5', analysis_mode='general', requests=["
       "T.BatchItemRequest(video=T.BatchVideoContext(type='asset_id', asset_id=S['asset']), custom_id='b0')], "
       "defaults=T.BatchDefaults(prompt={'input_text': 'Name the vehicle'}, temperature=0.2))",
       "client.analyze.batches.create(model_name='pegasus1.5', analysis_mode='general', requests=["
       "{'video': {'type': 'asset_id', 'asset_id': S['asset']}, 'custom_id': 'b0'}], "
       "defaults={'prompt': 'Name the vehicle', 'temperature': 0.2})"),
    _c("analyze_async.batches.create(items)",
       "client.analyze_async.batches.create(model_name='pegasus1.5', analysis_mode='general', requests=["
       "T.BatchItemRequest(video=T.BatchVideoContext(type='asset_id', asset_id=S['asset']), "
       "prompt={'input_text': 'Name it'}, response_format={'type': 'json_schema', 'json_schema': S['schema']}, "
       "start_time=0, end_time=8)])",
       "client.analyze.batches.create(requests=[{'video': {'asset_id': S['asset']}, 'prompt': 'Name it', "
       "'response_format': {'type': 'json_schema', 'json_schema': S['schema']}, 'start_time': 0, 'end_time': 8}])"),
    _c("analyze_async.batches.list",
       "next(iter(client.analyze_async.batches.list(page_limit=5, status=['completed'], "
       "analysis_mode=['general'])), None)",
       "next(iter(client.analyze.batches.list(page_limit=5, status=['completed'], analysis_mode=['general'])), None)"),
    _c("analyze_async.batches.retrieve",
       "client.analyze_async.batches.retrieve(S['batch'])",
       "client.analyze.batches.retrieve(S['batch'])"),
    _c("analyze_async.batches.results",
       "list(client.analyze_async.batches.results(S['batch']))",
       "list(client.analyze.batches.results(S['batch']))"),
    # ------------------------------------------------------------------------- search, Marengo 3.0
    _c("search.create(transcription)",
       "client.search.create(index_id=S['index'], query_text='the taxi in the rain', "
       "search_options=['visual', 'transcription'], transcription_options=['lexical'], operator='or')",
       "client.search.create(index_id=S['index'], query_text='the taxi in the rain', "
       "search_options=['visual', 'transcription'], transcription_options=['lexical'], operator='or')"),
    _c("search.create(filter, grouped)",
       "client.search.create(index_id=S['index'], query_text='taxi', search_options=['visual', 'audio'], "
       "group_by='video', operator='and', page_limit=3, include_user_metadata=True, "
       "filter=json.dumps({'id': [S['ia']], 'duration': {'gte': 1}}))",
       "client.search.create(index_id=S['index'], query_text='taxi', search_options=['visual', 'audio'], "
       "group_by='video', operator='and', page_limit=3, include_user_metadata=True, "
       "filter={'id': [S['ia']], 'duration': {'gte': 1}})"),
    _c("search.create(image files)",
       "client.search.create(index_id=S['index'], query_media_type='image', "
       "query_media_file=[open(S['image'], 'rb'), open(S['portrait'], 'rb')], search_options=['visual'])",
       "client.search.create(index_id=S['index'], query_media_type='image', "
       "query_media_file=[S['image'], S['portrait']], search_options=['visual'])"),
    _c("search.create(image urls)",
       "client.search.create(index_id=S['index'], query_media_type='image', "
       "query_media_url=[S['image_url'], S['image_url2']], search_options=['visual'])",
       "client.search.create(index_id=S['index'], query_media_type='image', "
       "query_media_url=[S['image_url'], S['image_url2']], search_options=['visual'])"),
    _c("search.create(text + image)",
       "client.search.create(index_id=S['index'], query_text='in the rain', query_media_type='image', "
       "query_media_file=open(S['image'], 'rb'), search_options=['visual'])",
       "client.search.create(index_id=S['index'], query_text='in the rain', query_media_type='image', "
       "query_media_file=S['image'], search_options=['visual'])"),
    _c("search.query(image files, text)",
       "next(iter(client.search.query(index_id=S['index'], query_text='in the rain', query_media_type='image', "
       "query_media_files=[open(S['image'], 'rb'), open(S['portrait'], 'rb')], search_options=['visual'])), None)",
       "next(iter(client.search.query(index_id=S['index'], query_text='in the rain', query_media_type='image', "
       "query_media_file=[S['image'], S['portrait']], search_options=['visual'])), None)"),
    _c("search.query(image urls)",
       "next(iter(client.search.query(index_id=S['index'], query_media_type='image', "
       "query_media_urls=[S['image_url'], S['image_url2']], search_options=['visual'], page_limit=2)), None)",
       "next(iter(client.search.query(index_id=S['index'], query_media_type='image', "
       "query_media_url=[S['image_url'], S['image_url2']], search_options=['visual'], page_limit=2)), None)"),
    _c("search.create(entity)",
       "client.search.create(index_id=S['index'], query_text=f\"<@{S['entity']}> walks\", search_options=['visual'])",
       "client.search.create(index_id=S['index'], query_text=f\"<@{S['entity']}> walks\", search_options=['visual'])"),
    # ------------------------------------------------------------------- entity collections, entities
    _c("entity_collections.create",
       "client.entity_collections.create(name='oracle-cast', description='people')",
       "client.entity_collections.create(name='oracle-cast', description='people')"),
    _c("entity_collections.list",
       "next(iter(client.entity_collections.list(page_limit=2, name='cast', sort_by='name', "
       "sort_option='asc')), None)",
       "next(iter(client.entity_collections.list(page_limit=2, name='cast', sort_by='name', "
       "sort_option='asc')), None)"),
    _c("entity_collections.retrieve",
       "client.entity_collections.retrieve(S['ec'])",
       "client.entity_collections.retrieve(S['ec'])"),
    _c("entity_collections.update",
       "client.entity_collections.update(S['ec'], name='cast', description='the cast')",
       "client.entity_collections.update(S['ec'], name='cast', description='the cast')"),
    _c("entity_collections.update(description only)",
       "client.entity_collections.update(S['ec'], description='only this')",
       "client.entity_collections.update(S['ec'], description='only this')"),
    _c("entities.create",
       "client.entity_collections.entities.create(S['ec'], name='Ada', asset_ids=[S['image_asset']], "
       "description='walker', metadata={'role': 'walker'})",
       "client.entity_collections.entities.create(S['ec'], name='Ada', asset_ids=[S['image_asset']], "
       "description='walker', metadata={'role': 'walker'})"),
    _c("entities.create_bulk",
       "client.entity_collections.entities.create_bulk(S['ec'], entities=[{'name': 'Bo', 'asset_ids': "
       "[S['image_asset']]}])",
       "client.entity_collections.entities.create_bulk(S['ec'], [{'name': 'Bo', 'asset_ids': [S['image_asset']]}])"),
    _c("entities.list",
       "next(iter(client.entity_collections.entities.list(S['ec'], page_limit=2, name='Ad', status='ready', "
       "sort_by='name', sort_option='desc')), None)",
       "next(iter(client.entity_collections.entities.list(S['ec'], page_limit=2, name='Ad', status='ready', "
       "sort_by='name', sort_option='desc')), None)"),
    _c("entities.retrieve",
       "client.entity_collections.entities.retrieve(S['ec'], S['entity'])",
       "client.entity_collections.entities.retrieve(S['ec'], S['entity'])"),
    _c("entities.update",
       "client.entity_collections.entities.update(S['ec'], S['entity'], name='Ada L', metadata={'seen': True})",
       "client.entity_collections.entities.update(S['ec'], S['entity'], name='Ada L', metadata={'seen': True})"),
    _c("entities.update(metadata only)",
       "client.entity_collections.entities.update(S['ec'], S['entity'], metadata={'n': 1})",
       "client.entity_collections.entities.update(S['ec'], S['entity'], metadata={'n': 1})"),
    _c("entities.create_assets",
       "client.entity_collections.entities.create_assets(S['ec'], S['entity'], asset_ids=[S['image_asset2']])",
       "client.entity_collections.entities.add_assets(S['ec'], S['entity'], [S['image_asset2']])"),
    _c("entities.delete_assets",
       "client.entity_collections.entities.delete_assets(S['ec'], S['entity'], asset_ids=[S['image_asset2']])",
       "client.entity_collections.entities.remove_assets(S['ec'], S['entity'], [S['image_asset2']])"),
    _c("entities.list_by_asset",
       "next(iter(client.entity_collections.entities.list_by_asset(S['image_asset'], page_limit=2)), None)",
       "next(iter(client.entity_collections.entities.list_by_asset(S['image_asset'], page_limit=2)), None)"),
    # ---------------------------------------------------------------------------- knowledge stores
    _c("knowledge_stores.create",
       "client.knowledge_stores.create(name='oracle-ks', description='d', metadata={'team': 'rag'}, "
       "ingestion_config={'enrichment_config': {'type': 'description', 'description': 'city'}})",
       "client.knowledge_stores.create(name='oracle-ks', description='d', metadata={'team': 'rag'}, "
       "ingestion_config={'enrichment_config': {'type': 'description', 'description': 'city'}})"),
    _c("knowledge_stores.list",
       "next(iter(client.knowledge_stores.list(page_limit=2, sort_by='created_at', sort_option='desc')), None)",
       "next(iter(client.knowledge_stores.list(page_limit=2, sort_by='created_at', sort_option='desc')), None)"),
    _c("knowledge_stores.retrieve",
       "client.knowledge_stores.retrieve(S['ks'])",
       "client.knowledge_stores.retrieve(S['ks'])"),
    _c("knowledge_stores.update",
       "client.knowledge_stores.update(S['ks'], name='ks2', description='e', metadata={})",
       "client.knowledge_stores.update(S['ks'], name='ks2', description='e', metadata={})"),
    _c("knowledge_stores.update(description only)",
       "client.knowledge_stores.update(S['ks'], description='only this')",
       "client.knowledge_stores.update(S['ks'], description='only this')"),
    _c("knowledge_stores.search(page token)",
       "client.knowledge_stores.search(S['ks'], query={'text': 'a taxi in the rain'}, page_token=S['ks_token'])",
       "client.knowledge_stores.search(S['ks'], query='a taxi in the rain', page_token=S['ks_token'])"),
    _c("knowledge_stores.search",
       "client.knowledge_stores.search(S['ks'], query={'text': 'a taxi in the rain'}, page_size=2, group_by='item', "
       "search_options={'video': {'modalities': ['visual', 'audio']}}, include_metadata=True, "
       "filter={'item_id': {'eq': S['item']}})",
       "client.knowledge_stores.search(S['ks'], query='a taxi in the rain', page_size=2, group_by='item', "
       "modalities=['visual', 'audio'], include_metadata=True, item_ids=S['item'])"),
    _c("knowledge_stores.search(filters)",
       "client.knowledge_stores.search(S['ks'], query={'text': 'taxi'}, "
       "filter={'asset_type': {'in': ['video', 'image']}, 'item_id': {'in': [S['item']]}})",
       "client.knowledge_stores.search(S['ks'], query='taxi', asset_type=['video', 'image'], item_ids=[S['item']])"),
    _c("knowledge_store_items.create",
       "client.knowledge_store_items.create(S['ks'], asset_id=S['asset'], asset_type='video', metadata={'n': 1})",
       "client.knowledge_stores.items.create(S['ks'], asset_id=S['asset'], asset_type='video', metadata={'n': 1})"),
    _c("knowledge_store_items.list",
       "next(iter(client.knowledge_store_items.list(S['ks'], page_limit=2, sort_by='created_at', "
       "sort_option='asc', status='ready')), None)",
       "next(iter(client.knowledge_stores.items.list(S['ks'], page_limit=2, sort_by='created_at', "
       "sort_option='asc', status='ready')), None)"),
    _c("knowledge_store_items.list(statuses)",
       "next(iter(client.knowledge_store_items.list(S['ks'], status=['ready', 'processing'])), None)",
       "next(iter(client.knowledge_stores.items.list(S['ks'], status=['ready', 'processing'])), None)"),
    _c("knowledge_store_items.retrieve",
       "client.knowledge_store_items.retrieve(S['ks'], S['item'])",
       "client.knowledge_stores.items.retrieve(S['ks'], S['item'])"),
    _c("knowledge_store_item_collections.create",
       "client.knowledge_store_item_collections.create(S['ks'], name='street', description='d', metadata={'a': 1})",
       "client.knowledge_stores.item_collections.create(S['ks'], name='street', description='d', metadata={'a': 1})"),
    _c("knowledge_store_item_collections.list",
       "next(iter(client.knowledge_store_item_collections.list(S['ks'], page_limit=2, sort_by='name', "
       "sort_option='asc')), None)",
       "next(iter(client.knowledge_stores.item_collections.list(S['ks'], page_limit=2, sort_by='name', "
       "sort_option='asc')), None)"),
    _c("knowledge_store_item_collections.retrieve",
       "client.knowledge_store_item_collections.retrieve(S['ks'], S['coll'])",
       "client.knowledge_stores.item_collections.retrieve(S['ks'], S['coll'])"),
    _c("knowledge_store_item_collections.update",
       "client.knowledge_store_item_collections.update(S['ks'], S['coll'], name='city', metadata={})",
       "client.knowledge_stores.item_collections.update(S['ks'], S['coll'], name='city', metadata={})"),
    _c("knowledge_store_item_collections.update(description only)",
       "client.knowledge_store_item_collections.update(S['ks'], S['coll'], description='only this')",
       "client.knowledge_stores.item_collections.update(S['ks'], S['coll'], description='only this')"),
    _c("knowledge_store_item_collections.add_items",
       "client.knowledge_store_item_collections.add_items(S['ks'], S['coll'], item_ids=[S['item']])",
       "client.knowledge_stores.item_collections.add_items(S['ks'], S['coll'], [S['item']])"),
    _c("knowledge_store_item_collections.list_items",
       "next(iter(client.knowledge_store_item_collections.list_items(S['ks'], S['coll'], page_limit=2)), None)",
       "next(iter(client.knowledge_stores.item_collections.list_items(S['ks'], S['coll'], page_limit=2)), None)"),
    _c("knowledge_store_item_collections.remove_items",
       "client.knowledge_store_item_collections.remove_items(S['ks'], S['coll'], item_ids=[S['item']])",
       "client.knowledge_stores.item_collections.remove_items(S['ks'], S['coll'], [S['item']])"),
    # ---------------------------------------------------------------------------------- Responses
    _c("responses.create",
       f"client.responses.create(knowledge_store_id=S['ks'], input={_MSG}, instructions='be brief', "
       "selections=[{'kind': 'collection', 'id': S['coll']}], include=['intermediate_outputs'])",
       f"client.responses.create(knowledge_store_id=S['ks'], input={_MSG}, instructions='be brief', "
       "selections=[{'kind': 'collection', 'id': S['coll']}], include=['intermediate_outputs'])"),
    _c("responses.create(text input)",
       "client.responses.create(knowledge_store_id=S['ks'], input=[{'type': 'message', 'role': 'user', "
       "'content': 'hello'}], selections=[{'kind': 'item', 'id': S['item']}])",
       "client.responses.create(knowledge_store_id=S['ks'], input='hello', selections=[S['item']])"),
    _c("responses.create(session)",
       f"client.responses.create(knowledge_store_id=S['ks'], input={_MSG}, session_id=S['session'])",
       f"client.responses.create(knowledge_store_id=S['ks'], input={_MSG}, session_id=S['session'])"),
    _c("responses.create(json_schema)",
       f"client.responses.create(knowledge_store_id=S['ks'], input={_MSG}, text=_TEXT)".replace("_TEXT", _TEXT),
       f"client.responses.create(knowledge_store_id=S['ks'], input={_MSG}, text=_TEXT)".replace("_TEXT", _TEXT)),
    _c("responses.create_stream",
       f"list(client.responses.create_stream(knowledge_store_id=S['ks'], input={_MSG}))",
       f"list(client.responses.create(knowledge_store_id=S['ks'], input={_MSG}, stream=True))"),
    # ------------------------------------------------------------------- data connectors, imports
    _c("data_connectors.create_redirect_uri",
       "client.data_connectors.create_redirect_uri(redirect_uri='https://app.example.com/oracle')",
       "client.data_connectors.create_redirect_uri('https://app.example.com/oracle')"),
    _c("data_connectors.authorize_connection",
       "client.data_connectors.authorize_connection(provider='google_drive', "
       "redirect_uri='https://app.example.com/oracle', custom_id='oracle-1')",
       "client.data_connectors.authorize_connection(provider='google_drive', "
       "redirect_uri='https://app.example.com/oracle', custom_id='oracle-1')"),
    _c("data_connectors.list_redirect_uris",
       "client.data_connectors.list_redirect_uris(page=1, page_limit=5)",
       "client.data_connectors.list_redirect_uris(page=1, page_limit=5)"),
    _c("data_connectors.list_connections",
       "client.data_connectors.list_connections(page=1, page_limit=5)",
       "client.data_connectors.list_connections(page=1, page_limit=5)"),
    _c("data_connectors.retrieve_connection",
       "client.data_connectors.retrieve_connection(S['conn'])",
       "client.data_connectors.retrieve_connection(S['conn'])"),
    _c("imports.import_files",
       "client.imports.import_files(S['conn'], items=[{'source_id': 'gd-kitchen'}])",
       "client.data_connectors.imports.import_files(S['conn'], source_ids=['gd-kitchen'])"),
    _c("imports.list_imports",
       "client.imports.list_imports(S['conn'], page=1, page_limit=5)",
       "client.data_connectors.imports.list_imports(S['conn'], page=1, page_limit=5)"),
    _c("imports.retrieve_import",
       "client.imports.retrieve_import(S['conn'], S['import'])",
       "client.data_connectors.imports.retrieve_import(S['conn'], S['import'])"),
]

#: Calls only the SDK has (``"ours": None``): not compared, but each must pass the strict emulator,
#: so the strict table never refuses a request the SDK may legitimately send. They run last: a read
#: moves the emulator's tasks on, and the two emulators must stay in step for the calls compared.
SDK_ONLY: list[dict[str, Any]] = [
    {"name": "data_connectors.create_connection_picker_token", "versions": V136, "ours": None,
     "sdk": "client.data_connectors.create_connection_picker_token(S['conn2'])"},
    {"name": "tasks.list(ranges)", "versions": V136, "ours": None,
     "sdk": "next(iter(client.tasks.list(duration=12, width=640, height=360)), None)"},
    {"name": "indexes.list(dates)", "versions": V136, "ours": None,
     "sdk": "next(iter(client.indexes.list(created_at='2020-01-01T00:00:00Z', updated_at='2020-01-01T00:00:00Z')), "
            "None)"},
    {"name": "multipart_upload.wait_for_upload_completion", "versions": V136, "ours": None,
     "sdk": "client.multipart_upload.wait_for_upload_completion(S['upload'], sleep_interval=0.01, max_wait_time=5)"},
]

#: The deletes of the current-surface resources (after the page walks of oracle_calls, which use them).
CURRENT_DELETES: list[dict[str, Any]] = [
    _c("data_connectors.delete_redirect_uri",
       "client.data_connectors.delete_redirect_uri(S['redirect'])",
       "client.data_connectors.delete_redirect_uri(S['redirect'])"),
    _c("data_connectors.delete_connection",
       "client.data_connectors.delete_connection(S['conn'])",
       "client.data_connectors.delete_connection(S['conn'])"),
    _c("knowledge_store_item_collections.delete",
       "client.knowledge_store_item_collections.delete(S['ks'], S['coll'])",
       "client.knowledge_stores.item_collections.delete(S['ks'], S['coll'])"),
    _c("knowledge_store_items.delete",
       "client.knowledge_store_items.delete(S['ks'], S['item'])",
       "client.knowledge_stores.items.delete(S['ks'], S['item'])"),
    _c("knowledge_stores.delete",
       "client.knowledge_stores.delete(S['ks'])",
       "client.knowledge_stores.delete(S['ks'])"),
    _c("entities.delete",
       "client.entity_collections.entities.delete(S['ec'], S['entity'])",
       "client.entity_collections.entities.delete(S['ec'], S['entity'])"),
    _c("entity_collections.delete",
       "client.entity_collections.delete(S['ec'])",
       "client.entity_collections.delete(S['ec'])"),
    _c("analyze_async.tasks.delete",
       "client.analyze_async.tasks.delete(S['a_task'])",
       "client.analyze.tasks.delete(S['a_task'])"),
    _c("analyze_async.batches.delete",
       "client.analyze_async.batches.delete(S['batch'])",
       "client.analyze.batches.delete(S['batch'])"),
    _c("indexes.indexed_assets.delete",
       "client.indexes.indexed_assets.delete(S['index'], S['ia'])",
       "client.indexes.indexed_assets.delete(S['index'], S['ia'])"),
    _c("assets.delete",
       "client.assets.delete(S['asset'], force=True)",
       "client.assets.delete(S['asset'], force=True)"),
]
