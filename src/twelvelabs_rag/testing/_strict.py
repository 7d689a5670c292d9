"""Strict mode of the emulator: the one table of the parameters each route accepts.

``FakeTwelveLabs(strict=True)`` (or ``FakeTwelveLabs.strict_default = True`` for a whole test session)
checks every request against :data:`STRICT_ROUTES` before the handler runs, and answers the API's
400 body for anything the spec does not list:

- ``parameter_unknown``: a query parameter, multipart field (text or file part) or JSON key (also
  nested, where the table describes the object) that the route does not take;
- ``parameter_invalid``: a value outside the declared enum (statuses, sort options, search options,
  ``group_by``, model names per endpoint from :mod:`twelvelabs_rag.models`, embedding options, ...).

Where the classic and current surfaces differ for one route, the rule follows the *index's shape*:
routes with an ``index_id`` (path or form) look the index up, and fields or enums listed under
``classic=`` / ``current=`` apply only to a Marengo 2.7 / Pegasus 1.2 (classic) or Marengo 3.0
(current) index. An unknown index gets the union (the handler answers its own 400/404).

Section numbers in comments: ``C§`` = twelvelabs-api.md (classic), ``N§`` = twelvelabs-api-current.md.

The check itself (and the index-shape lookup) lives in ``_strict_check.py``.

```python
from twelvelabs_rag.testing._strict_check import check
from twelvelabs_rag.testing._http import ApiError, Req
req = Req("POST", "/indexes", "POST /indexes", json={"index_name": "x", "models": [], "adons": []})
try:
    check(req, None)
except ApiError as exc:
    assert exc.code == "parameter_unknown" and "`adons`" in exc.message
```
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..models import MODELS

__all__ = ["STRICT_ROUTES", "EXEMPT_ROUTES", "Rule", "Enum", "ModelNames", "Obj", "Each", "Csv", "ANY", "models"]


# ---------------------------------------------------------------------------------------------- schema
class _Any:
    def __repr__(self) -> str:
        return "ANY"


#: Any value (free text, ids, numbers, free-form objects such as ``user_metadata``).
ANY = _Any()


@dataclass(frozen=True)
class Enum:
    """A string (or each string of a list / repeated parameter) out of ``values``."""

    values: tuple[str, ...]

    def __init__(self, *values: str) -> None:
        object.__setattr__(self, "values", tuple(values))


@dataclass(frozen=True)
class Csv:
    """A query value that is a comma-separated list of ``enum`` values (``model_options=visual,audio``)."""

    enum: Enum


@dataclass(frozen=True)
class Obj:
    """A JSON object whose keys must be among ``keys`` (each with its own schema)."""

    keys: Mapping[str, Any]

    def __init__(self, **keys: Any) -> None:
        object.__setattr__(self, "keys", dict(keys))


@dataclass(frozen=True)
class Each:
    """A JSON list whose items follow ``item``."""

    item: Any


Schema = _Any | Enum | Csv | Obj | Each


class ModelNames(Enum):
    """An :class:`Enum` of model names (its error reads like the model registry's ``Unknown model_name``)."""


def models(endpoint: str, attr: str = "name") -> ModelNames:
    """The wire model names an endpoint takes, from the model registry (``attr="embed_name"`` for /embed v1)."""
    return ModelNames(*dict.fromkeys(getattr(m, attr) or m.name for m in MODELS if m.accepts(endpoint)))


@dataclass(frozen=True)
class Rule:
    """What one route accepts. ``query``/``form`` map names to schemas; ``body`` is the JSON object.

    ``classic`` / ``current`` hold fields (or narrower enums) that apply only on that index shape, in the
    same location as the rule's other fields (``form`` for POST /search, ``query`` for GET routes).
    ``query_prefixes`` are deepObject families (``user_metadata[``) and ``open_query`` says why a route
    takes arbitrary root query keys (the spec's user-metadata filters).
    """

    query: Mapping[str, Any] = field(default_factory=dict)
    form: Mapping[str, Any] = field(default_factory=dict)
    body: Obj | None = None
    classic: Mapping[str, Any] = field(default_factory=dict)
    current: Mapping[str, Any] = field(default_factory=dict)
    query_prefixes: tuple[str, ...] = ()
    open_query: str = ""


BOOL = Enum("true", "false")
PAGE = {"page": ANY, "page_limit": ANY}
SORT = {"sort_by": Enum("created_at", "updated_at"), "sort_option": Enum("asc", "desc")}
SORT_NAME = {"sort_by": Enum("created_at", "updated_at", "name"), "sort_option": Enum("asc", "desc")}
DATES = {"created_at": ANY, "updated_at": ANY}
_RANGES = ("duration", "fps", "width", "height", "size")
#: C§4.1 exact system-metadata values (classic) and N§2 range objects (``duration[gte]=1``).
RANGES = {**{k: ANY for k in _RANGES}, **{f"{k}[{op}]": ANY for k in _RANGES for op in ("gte", "lte")}}
MEDIA_SOURCE = Obj(url=ANY, base64_string=ANY, asset_id=ANY)
#: C§8.1 / N§4.1 the analyze video object and prompt objects.
VIDEO_CONTEXT = Obj(type=Enum("url", "asset_id", "base64_string"), url=ANY, asset_id=ANY, base64_string=ANY)
IMAGES = Each(Obj(name=ANY, url=ANY, asset_id=ANY, base64_string=ANY))
PROMPT_V2 = Obj(input_text=ANY, media_sources=Each(Obj(name=ANY, media_type=Enum("image"), url=ANY, asset_id=ANY,
                                                        base64_string=ANY)))
SYNC_FORMAT = Obj(type=Enum("json_schema"), json_schema=ANY)
#: N§4.2 async response_format.
ASYNC_FORMAT = Obj(type=Enum("json_schema", "segment_definitions"), json_schema=ANY, segment_definitions=ANY,
                   segment_time_format=Enum("seconds", "hh:mm:ss", "hh:mm:ss.fff"))
#: N§3 segmentation: 3.0 form {strategy, fixed|dynamic}; 3.5 async form {temporal: ...}.
SEGMENTATION = Obj(strategy=Enum("fixed", "dynamic"), fixed=Obj(duration_sec=ANY), dynamic=Obj(min_duration_sec=ANY),
                   temporal=ANY)
EMBED_TYPE = Enum("separate_embedding", "fused_embedding")


def _av(options: Enum, scopes: Enum, **extra: Any) -> Obj:
    return Obj(media_source=MEDIA_SOURCE, start_sec=ANY, end_sec=ANY, segmentation=SEGMENTATION,
               embedding_option=options, embedding_scope=scopes, embedding_type=EMBED_TYPE, **extra)


_V2_INPUTS = Enum(*dict.fromkeys(t for m in MODELS for t in m.embed_v2_inputs))
_V2_TASK_INPUTS = Enum(*dict.fromkeys(t for m in MODELS for t in m.embed_v2_task_inputs))
#: Per index shape, the embedding options of the index's Marengo model (C§4.2, N§2: 2.7 visual-text/audio).
_EMB_CLASSIC = Enum(*dict.fromkeys(o for m in MODELS if m.family == "marengo" and m.surface == "classic"
                                   for o in m.embedding_options))
_EMB_CURRENT = Enum(*dict.fromkeys(o for m in MODELS if m.family == "marengo" and m.surface == "current"
                                   for o in m.embedding_options))
_EMB_ALL = Enum(*dict.fromkeys(_EMB_CLASSIC.values + _EMB_CURRENT.values))
_ANALYZE_COMMON = dict(prompt=ANY, temperature=ANY, max_tokens=ANY, start_time=ANY, end_time=ANY)
_SEGMENT_LIMITS = dict(min_segment_duration=ANY, max_segment_duration=ANY)
_BATCH_ITEM = dict(custom_id=ANY, prompt=Obj(input_text=ANY, media_sources=ANY), response_format=ASYNC_FORMAT,
                   temperature=ANY, max_tokens=ANY, start_time=ANY, end_time=ANY, **_SEGMENT_LIMITS)
_KS_META = dict(name=ANY, description=ANY, metadata=ANY)

#: Routes strict mode never checks: presigned chunk targets carry raw bytes (N§1.1 step 3).
EXEMPT_ROUTES = frozenset({"PUT /_upload/{upload_id}/{chunk_index}"})

STRICT_ROUTES: dict[str, Rule] = {
    # ---- indexes, C§2
    "POST /indexes": Rule(body=Obj(index_name=ANY, models=Each(Obj(model_name=models("index"),
                                                                   model_options=Enum("visual", "audio"))),
                                   addons=Enum("thumbnail"))),
    "GET /indexes": Rule(query={**PAGE, **SORT, **DATES, "index_name": ANY,
                                "model_options": Csv(Enum("visual", "audio")),
                                "model_family": Enum("marengo", "pegasus")}),
    "GET /indexes/{index_id}": Rule(),
    "PUT /indexes/{index_id}": Rule(body=Obj(index_name=ANY)),
    "DELETE /indexes/{index_id}": Rule(),
    # ---- videos, C§4. C§4.1: user-metadata filters go at the query root (SDK wrapper) or as
    # user_metadata[key] (raw client); "accept both".
    "GET /indexes/{index_id}/videos": Rule(query={**PAGE, **SORT, **DATES, **RANGES, "filename": ANY},
                                           query_prefixes=("user_metadata[",),
                                           open_query="C§4.1: root-level keys are user-metadata filters"),
    "GET /indexes/{index_id}/videos/{video_id}": Rule(query={"embedding_option": _EMB_ALL, "transcription": BOOL},
                                                      classic={"embedding_option": _EMB_CLASSIC},
                                                      current={"embedding_option": _EMB_CURRENT}),
    "PATCH /indexes/{index_id}/videos/{video_id}": Rule(body=Obj(user_metadata=ANY)),
    "PUT /indexes/{index_id}/videos/{video_id}": Rule(body=Obj(user_metadata=ANY)),
    "DELETE /indexes/{index_id}/videos/{video_id}": Rule(),
    # ---- tasks, C§3
    "POST /tasks": Rule(form={"index_id": ANY, "video_file": ANY, "video_url": ANY, "enable_video_stream": BOOL,
                              "user_metadata": ANY}),
    "GET /tasks": Rule(query={**PAGE, **SORT, **DATES, "index_id": ANY, "filename": ANY, "duration": ANY,
                              "width": ANY, "height": ANY,
                              "status": Enum("validating", "pending", "queued", "indexing", "ready", "failed",
                                             "uploading")}),
    "GET /tasks/{task_id}": Rule(),
    "DELETE /tasks/{task_id}": Rule(),
    "POST /tasks/transfers/import/{integration_id}": Rule(body=Obj(index_id=ANY, incremental_import=ANY,
                                                                   retry_failed=ANY, user_metadata=ANY)),
    "GET /tasks/transfers/import/{integration_id}/status": Rule(query={"index_id": ANY}),
    "GET /tasks/transfers/import/{integration_id}/logs": Rule(),
    # ---- search, C§5.1 (classic relevance fields) and N§5 (removed on Marengo 3.0)
    "POST /search": Rule(form={"index_id": ANY, "search_options": Enum("visual", "audio", "transcription"),
                               "query_text": ANY, "query_media_type": Enum("image"), "query_media_url": ANY,
                               "query_media_file": ANY, "transcription_options": Enum("lexical", "semantic"),
                               "group_by": Enum("clip", "video"), "operator": Enum("or", "and"), "page_limit": ANY,
                               "filter": ANY, "include_user_metadata": BOOL},
                         classic={"threshold": Enum("high", "medium", "low", "none"),
                                  "sort_option": Enum("score", "clip_count"), "adjust_confidence_level": ANY}),
    "GET /search/{page_token}": Rule(query={"include_user_metadata": BOOL}),
    # ---- embed v1, C§6 / C§7
    "POST /embed": Rule(form={"model_name": models("embed", "embed_name"), "text": ANY,
                              "text_truncate": Enum("start", "end", "none"), "image_url": ANY, "image_file": ANY,
                              "audio_url": ANY, "audio_file": ANY, "audio_start_offset_sec": ANY}),
    "POST /embed/tasks": Rule(form={"model_name": models("embed_tasks", "embed_name"), "video_file": ANY,
                                    "video_url": ANY, "video_start_offset_sec": ANY, "video_end_offset_sec": ANY,
                                    "video_clip_length": ANY, "video_embedding_scope": Enum("clip", "video")}),
    "GET /embed/tasks": Rule(query={**PAGE, "started_at": ANY, "ended_at": ANY,
                                    "status": Enum("processing", "ready", "failed")}),
    "GET /embed/tasks/{task_id}/status": Rule(),
    "GET /embed/tasks/{task_id}": Rule(query={"embedding_option": _EMB_ALL}),
    # ---- analyze, C§8.1 (video_id, pegasus1.2) + N§4.1 (video/image/prompt_v2); no index to follow
    "POST /analyze": Rule(body=Obj(video_id=ANY, model_name=models("analyze"), video=VIDEO_CONTEXT, image=IMAGES,
                                   prompt_v2=PROMPT_V2, response_format=SYNC_FORMAT, stream=ANY,
                                   **_ANALYZE_COMMON)),
    # C§8.5 removed siblings
    "POST /gist": Rule(body=Obj(video_id=ANY, types=Enum("title", "topic", "hashtag"))),
    "POST /summarize": Rule(body=Obj(video_id=ANY, type=Enum("summary", "chapter", "highlight"), prompt=ANY,
                                     temperature=ANY, response_format=SYNC_FORMAT, max_tokens=ANY)),
    "POST /generate": Rule(body=Obj(video_id=ANY, prompt=ANY, temperature=ANY, stream=ANY)),
    # ---- entity collections, N§6
    "POST /entity-collections": Rule(body=Obj(name=ANY, description=ANY)),
    "GET /entity-collections": Rule(query={**PAGE, **SORT_NAME, "name": ANY}),
    "GET /entity-collections/{entity_collection_id}": Rule(),
    "PATCH /entity-collections/{entity_collection_id}": Rule(body=Obj(name=ANY, description=ANY)),
    "DELETE /entity-collections/{entity_collection_id}": Rule(),
    "POST /entity-collections/{entity_collection_id}/entities": Rule(
        body=Obj(name=ANY, asset_ids=ANY, description=ANY, metadata=ANY)),
    "GET /entity-collections/{entity_collection_id}/entities": Rule(
        query={**PAGE, **SORT_NAME, "name": ANY, "status": Enum("processing", "ready")}),
    "POST /entity-collections/{entity_collection_id}/entities/bulk": Rule(
        body=Obj(entities=Each(Obj(name=ANY, asset_ids=ANY, description=ANY, metadata=ANY)))),
    "GET /entity-collections/{entity_collection_id}/entities/{entity_id}": Rule(),
    "PATCH /entity-collections/{entity_collection_id}/entities/{entity_id}": Rule(
        body=Obj(name=ANY, description=ANY, metadata=ANY)),
    "DELETE /entity-collections/{entity_collection_id}/entities/{entity_id}": Rule(),
    "POST /entity-collections/{entity_collection_id}/entities/{entity_id}/assets": Rule(body=Obj(asset_ids=ANY)),
    "DELETE /entity-collections/{entity_collection_id}/entities/{entity_id}/assets": Rule(body=Obj(asset_ids=ANY)),
    "GET /assets/{asset_id}/entities": Rule(query=PAGE),
    # ---- knowledge stores, N§7
    "POST /knowledge-stores": Rule(body=Obj(ingestion_config=ANY, **_KS_META)),
    "GET /knowledge-stores": Rule(query={**PAGE, **SORT}),
    "GET /knowledge-stores/{knowledge_store_id}": Rule(),
    "PATCH /knowledge-stores/{knowledge_store_id}": Rule(body=Obj(**_KS_META)),
    "DELETE /knowledge-stores/{knowledge_store_id}": Rule(),
    "POST /knowledge-stores/{knowledge_store_id}/search": Rule(body=Obj(
        query=Obj(text=ANY), filter=Obj(asset_type=Obj(eq=ANY, **{"in": ANY}), item_id=Obj(eq=ANY, **{"in": ANY})),
        search_options=Obj(video=Obj(modalities=Enum("visual", "audio"))), group_by=Enum("none", "item"),
        page_size=ANY, page_token=ANY, include_metadata=ANY)),
    "POST /knowledge-stores/{knowledge_store_id}/items": Rule(
        body=Obj(asset_id=ANY, asset_type=Enum("video", "image"), metadata=ANY)),
    "GET /knowledge-stores/{knowledge_store_id}/items": Rule(
        query={**PAGE, **SORT, "status": Enum("queued", "pending", "processing", "ready", "failed")}),
    "GET /knowledge-stores/{knowledge_store_id}/items/{item_id}": Rule(),
    "DELETE /knowledge-stores/{knowledge_store_id}/items/{item_id}": Rule(),
    "POST /knowledge-stores/{knowledge_store_id}/item-collections": Rule(body=Obj(**_KS_META)),
    "GET /knowledge-stores/{knowledge_store_id}/item-collections": Rule(query={**PAGE, **SORT_NAME}),
    "GET /knowledge-stores/{knowledge_store_id}/item-collections/{collection_id}": Rule(),
    "PATCH /knowledge-stores/{knowledge_store_id}/item-collections/{collection_id}": Rule(body=Obj(**_KS_META)),
    "DELETE /knowledge-stores/{knowledge_store_id}/item-collections/{collection_id}": Rule(),
    "GET /knowledge-stores/{knowledge_store_id}/item-collections/{collection_id}/items": Rule(query=PAGE),
    "POST /knowledge-stores/{knowledge_store_id}/item-collections/{collection_id}/items/add": Rule(
        body=Obj(item_ids=ANY)),
    "POST /knowledge-stores/{knowledge_store_id}/item-collections/{collection_id}/items/remove": Rule(
        body=Obj(item_ids=ANY)),
    # ---- responses, N§8 (the SDK injects `stream`)
    "POST /responses": Rule(body=Obj(
        knowledge_store_id=ANY, input=Each(Obj(type=Enum("message"), role=Enum("user"), content=ANY)),
        session_id=ANY, instructions=ANY, include=Enum("intermediate_outputs"),
        selections=Each(Obj(kind=Enum("item", "collection"), id=ANY)), text=Obj(format=ANY), stream=ANY)),
    # ---- connectors and imports, N§9
    "POST /connections:authorize": Rule(body=Obj(provider=Enum("google_drive"), redirect_uri=ANY, custom_id=ANY)),
    "GET /connections/redirect-uris": Rule(query=PAGE),  # not in the N§9 table; SDK 1.3.6 sends them (N§12)
    "POST /connections/redirect-uris": Rule(body=Obj(redirect_uri=ANY)),
    "DELETE /connections/redirect-uris/{redirect_uri_id}": Rule(),
    "GET /connections": Rule(query=PAGE),
    "GET /connections/{connection_id}": Rule(),
    "DELETE /connections/{connection_id}": Rule(),
    "POST /connections/{connection_id}/picker-token": Rule(),
    "POST /connections/{connection_id}/imports": Rule(body=Obj(items=Each(Obj(source_id=ANY)))),
    "GET /connections/{connection_id}/imports": Rule(query=PAGE),
    "GET /connections/{connection_id}/imports/{import_id}": Rule(),
    # ---- embed v2, N§3.1 / N§3.2
    "POST /embed-v2": Rule(body=Obj(
        input_type=_V2_INPUTS, model_name=models("embed_v2"), text=Obj(input_text=ANY),
        image=Obj(media_source=MEDIA_SOURCE), text_image=Obj(media_source=MEDIA_SOURCE, input_text=ANY),
        audio=_av(Enum("audio", "transcription"), Enum("clip", "asset")),
        video=_av(Enum("visual", "audio", "transcription"), Enum("clip", "asset")),
        multi_input=Obj(input_text=ANY, media_sources=Each(Obj(
            name=ANY, media_type=Enum("image", "video", "audio", "document"), url=ANY, base64_string=ANY,
            asset_id=ANY))),
        auto_truncate=ANY, embedding_uncertainty=ANY, embedding_dimension=ANY)),
    "POST /embed-v2/tasks": Rule(body=Obj(
        input_type=_V2_TASK_INPUTS, model_name=models("embed_v2_tasks"), embedding_uncertainty=ANY,
        embedding_dimension=ANY,
        audio=_av(Enum("audio", "transcription"), Enum("clip", "asset", "local"), time_based_metadata=ANY),
        video=_av(Enum("visual", "audio", "transcription"), Enum("clip", "asset", "local"), time_based_metadata=ANY),
        document=Obj(media_source=MEDIA_SOURCE, segmentation=ANY, embedding_option=Enum("visual", "text"),
                     embedding_type=EMBED_TYPE, embedding_scope=Enum("local", "asset")),
        image=Obj(media_source=MEDIA_SOURCE, embedding_option=Enum("visual"), embedding_type=EMBED_TYPE,
                  embedding_scope=Enum("asset")))),
    "GET /embed-v2/tasks": Rule(query={**PAGE, "started_at": ANY, "ended_at": ANY,
                                       "status": Enum("processing", "ready", "failed")}),
    "GET /embed-v2/tasks/{task_id}": Rule(),
    # ---- async analyze, N§4.2 / N§4.3
    "POST /analyze/tasks": Rule(body=Obj(
        model_name=models("analyze_tasks"), custom_id=ANY, video=VIDEO_CONTEXT, image=IMAGES, prompt_v2=PROMPT_V2,
        analysis_mode=Enum("general", "time_based_metadata"), response_format=ASYNC_FORMAT, **_ANALYZE_COMMON,
        **_SEGMENT_LIMITS)),
    "GET /analyze/tasks": Rule(query={**PAGE, "video_url": ANY, "asset_id": ANY,
                                      "status": Enum("queued", "pending", "processing", "ready", "failed", "canceled"),
                                      "analysis_mode": Enum("general", "time_based_metadata")}),
    "GET /analyze/tasks/{task_id}": Rule(),
    "DELETE /analyze/tasks/{task_id}": Rule(),
    "POST /analyze/tasks/{task_id}/cancel": Rule(),
    "POST /analyze/batches": Rule(body=Obj(
        model_name=models("analyze_batches"), analysis_mode=Enum("general", "time_based_metadata"),
        requests=Each(Obj(video=Obj(type=Enum("asset_id"), asset_id=ANY), **_BATCH_ITEM)),
        defaults=Obj(**_BATCH_ITEM))),
    "GET /analyze/batches": Rule(query={**PAGE, "analysis_mode": Enum("general", "time_based_metadata"),
                                        "status": Enum("pending", "processing", "completed", "canceling", "canceled",
                                                       "expired")}),
    "GET /analyze/batches/{batch_id}": Rule(),
    "DELETE /analyze/batches/{batch_id}": Rule(),
    "POST /analyze/batches/{batch_id}/cancel": Rule(),
    "GET /analyze/batches/{batch_id}/results": Rule(),
    # ---- assets and multipart uploads, N§1 / N§1.1
    "POST /assets": Rule(form={"method": Enum("direct", "url"), "file": ANY, "url": ANY, "filename": ANY,
                               "enable_hls": BOOL, "enable_thumbnail": BOOL, "user_metadata": ANY}),
    "GET /assets": Rule(query={**PAGE, "asset_ids": ANY, "filename": ANY,
                               "asset_types": Enum("image", "video", "audio", "document")}),
    "POST /assets/multipart-uploads": Rule(body=Obj(filename=ANY, type=Enum("video", "audio", "image"),
                                                    total_size=ANY, enable_hls=ANY, enable_thumbnail=ANY,
                                                    user_metadata=ANY)),
    "GET /assets/multipart-uploads": Rule(query=PAGE),
    "GET /assets/multipart-uploads/{upload_id}": Rule(query=PAGE),
    "POST /assets/multipart-uploads/{upload_id}": Rule(body=Obj(completed_chunks=Each(Obj(
        chunk_index=ANY, proof=ANY, proof_type=Enum("etag"), chunk_size=ANY)))),
    "POST /assets/multipart-uploads/{upload_id}/presigned-urls": Rule(body=Obj(start=ANY, count=ANY)),
    "PUT /_upload/{upload_id}/{chunk_index}": Rule(),  # exempt (EXEMPT_ROUTES), listed for completeness
    "GET /assets/{asset_id}": Rule(),
    "DELETE /assets/{asset_id}": Rule(query={"force": BOOL}),
    "GET /assets/{asset_id}/transcription": Rule(query={"include": Csv(Enum("words", "sentences", "utterances"))}),
    "PUT /assets/{asset_id}/user-metadata": Rule(body=Obj(user_metadata=ANY)),
    "PATCH /assets/{asset_id}/user-metadata": Rule(body=Obj(user_metadata=ANY)),
    "DELETE /assets/{asset_id}/user-metadata": Rule(),
    "GET /assets/{asset_id}/indexed-assets": Rule(query=PAGE),
    # ---- indexed assets, N§2 (user metadata as user_metadata[key], N§12)
    "POST /indexes/{index_id}/indexed-assets": Rule(body=Obj(asset_id=ANY, enable_video_stream=ANY,
                                                             user_metadata=ANY)),
    "GET /indexes/{index_id}/indexed-assets": Rule(
        query={**PAGE, **SORT, **DATES, **RANGES, "filename": ANY,
               "status": Enum("validating", "pending", "queued", "indexing", "ready", "failed")},
        query_prefixes=("user_metadata[",)),
    "GET /indexes/{index_id}/indexed-assets/{indexed_asset_id}": Rule(
        query={"embedding_option": _EMB_ALL, "transcription": BOOL},
        classic={"embedding_option": _EMB_CLASSIC}, current={"embedding_option": _EMB_CURRENT}),
    "PATCH /indexes/{index_id}/indexed-assets/{indexed_asset_id}": Rule(body=Obj(user_metadata=ANY)),
    "DELETE /indexes/{index_id}/indexed-assets/{indexed_asset_id}": Rule(),
}
