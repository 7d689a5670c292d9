"""Emulator routes for knowledge stores, their items and item collections, and knowledge-store search.

Items are assets added to a store (through the assets emulator's ``asset_media``); an item walks
``queued -> pending -> processing -> ready``, one step per read of any knowledge-store route (lists
and search included). Search runs over ready items only: a video item's moments are its script
scenes, an image item is one whole. A moment matches a modality when its text for that modality
(``visual``: what is seen; ``audio``: what is said, or the scene's sound in a silent scene) shares
at least one word with the query; matches are ranked by the cosine of the emulator's text vectors
(the same encoder as index search). So every match really contains a word of the query, which
:mod:`._responses` relies on for its citations. Page tokens expire (410) as soon as the store's
items change.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._core import Media
from ._encoder import encode_text, tokens
from ._entities import asset_media_of, page_of
from ._http import ApiError, Req, Resp, bad, missing, parse_num
from ._script import Scene

__all__ = ["KnowledgeRoutes", "Moment", "ITEM_STATUSES"]

ITEM_STATUSES = ("queued", "pending", "processing", "ready")
_DIM = 512
_MODALITIES = ("visual", "audio")


@dataclass
class ItemRec:
    id: str
    store_id: str
    asset_id: str
    asset_type: str
    media: Media
    metadata: dict
    created_at: str
    updated_at: str
    seq: int
    step: int = 0

    @property
    def status(self) -> str:
        return ITEM_STATUSES[min(self.step, len(ITEM_STATUSES) - 1)]

    @property
    def title(self) -> str:
        return self.media.filename or self.asset_id


@dataclass
class ItemCollectionRec:
    id: str
    store_id: str
    name: str
    description: str | None
    metadata: dict
    created_at: str
    updated_at: str
    seq: int
    members: list[str] = field(default_factory=list)


@dataclass
class StoreRec:
    id: str
    name: str
    description: str | None
    ingestion_config: dict | None
    metadata: dict
    created_at: str
    updated_at: str
    seq: int
    version: int = 0  # bumped whenever items change: older search page tokens are gone (410)
    items: dict[str, ItemRec] = field(default_factory=dict)
    collections: dict[str, ItemCollectionRec] = field(default_factory=dict)


@dataclass(frozen=True)
class Moment:
    """A matching part of an item: a scene of a video (``scene`` set) or a whole image."""

    score: float
    item: ItemRec
    scene: Scene | None
    modalities: tuple[str, ...]

    @property
    def text(self) -> str:
        return self.scene.text if self.scene is not None else (self.item.media.text or "").strip()


def _meta_map(body: dict, key: str, max_pairs: int, max_len: int) -> dict | None:
    meta = body.get(key)
    if meta is None:
        return None
    if not isinstance(meta, dict) or len(meta) > max_pairs:
        raise bad(f"`{key}` must be an object of at most {max_pairs} key/value pairs.")
    for k, v in meta.items():
        ok = isinstance(v, (str, int, float, bool)) or (isinstance(v, list) and all(isinstance(x, str) for x in v))
        if len(k) > 128 or not ok or (isinstance(v, str) and len(v) > max_len):
            raise bad(f"`{key}.{k}` is invalid: keys are at most 128 characters and values strings (at most "
                      f"{max_len} characters), numbers, booleans or lists of strings (no null or objects).")
    return dict(meta)


def _name(body: dict, required: bool) -> str | None:
    name = body.get("name")
    if name is None and not required:
        return None
    if not isinstance(name, str) or not name.strip():
        raise missing("name") if name is None else bad("`name` must be a non-empty string.")
    return name


def _condition(flt: dict, key: str) -> set[str] | None:
    cond = flt.get(key)
    if cond is None:
        return None
    if not isinstance(cond, dict) or len(cond) != 1 or not set(cond) <= {"eq", "in"}:
        raise bad(f"`filter.{key}` must have exactly one operator, eq or in, e.g. {{\"eq\": \"video\"}}.")
    value = cond.get("eq", cond.get("in"))
    values = [value] if "eq" in cond else value
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise bad(f"`filter.{key}`: eq takes a string and in a list of strings.")
    return set(values)


def _modality_text(scene: Scene, modality: str) -> str:
    return scene.visual if modality == "visual" else (scene.speech or scene.visual)


class KnowledgeRoutes:
    """Mixin of FakeTwelveLabs: ``/knowledge-stores`` and everything under it."""

    def _stores(self) -> dict[str, StoreRec]:
        if not hasattr(self, "_knowledge_stores"):
            self._knowledge_stores: dict[str, StoreRec] = {}
            self._ks_tokens: dict[str, tuple[str, int, list[dict], int, dict]] = {}
        return self._knowledge_stores

    def _ks_progress(self) -> None:
        """Items advance one status per read of any knowledge-store route."""
        for store in self._stores().values():
            for item in store.items.values():
                item.step += 1

    def _store(self, req: Req) -> StoreRec:
        ks_id = req.params["knowledge_store_id"]
        store = self._stores().get(ks_id)
        if store is None:
            raise ApiError(404, "resource_not_exist", f"Knowledge store {ks_id} does not exist.")
        return store

    def _ks_item(self, store: StoreRec, item_id: str) -> ItemRec:
        item = store.items.get(item_id)
        if item is None:
            raise ApiError(404, "resource_not_exist", f"Item {item_id} does not exist in knowledge store {store.id}.")
        return item

    def _ks_collection(self, store: StoreRec, req: Req) -> ItemCollectionRec:
        coll = store.collections.get(req.params["collection_id"])
        if coll is None:
            raise ApiError(404, "resource_not_exist",
                           f"Item collection {req.params['collection_id']} does not exist in store {store.id}.")
        return coll

    def _new_ks_id(self, prefix: str) -> str:
        return f"{prefix}_{self.new_id(prefix)}"  # type: ignore[attr-defined]

    @staticmethod
    def _store_json(s: StoreRec) -> dict:
        out = {"_id": s.id, "name": s.name, "description": s.description, "item_count": len(s.items),
               "metadata": dict(s.metadata), "created_at": s.created_at, "updated_at": s.updated_at}
        if s.ingestion_config is not None:
            out["ingestion_config"] = s.ingestion_config
        return out

    @staticmethod
    def _system_metadata(item: ItemRec) -> dict:
        info = item.media.info
        out: dict[str, Any] = {"asset_type": item.asset_type, "filename": item.media.filename, "width": info.width,
                               "height": info.height, "codec_name": info.format, "size": info.size}
        if item.asset_type == "video":
            out.update(duration=item.media.duration, fps=info.fps)
        return out

    def _item_json(self, i: ItemRec) -> dict:
        return {"_id": i.id, "asset_type": i.asset_type, "asset_id": i.asset_id, "status": i.status,
                "system_metadata": self._system_metadata(i), "metadata": dict(i.metadata),
                "created_at": i.created_at, "updated_at": i.updated_at}

    @staticmethod
    def _item_collection_json(c: ItemCollectionRec) -> dict:
        return {"_id": c.id, "knowledge_store_id": c.store_id, "name": c.name, "description": c.description,
                "metadata": dict(c.metadata), "member_count": len(c.members), "created_at": c.created_at,
                "updated_at": c.updated_at}

    # ------------------------------------------------------------------ stores
    def create_knowledge_store(self, req: Req) -> Resp:
        body = req.require_json("POST /knowledge-stores")
        config = body.get("ingestion_config")
        if config is not None:
            enrich = config.get("enrichment_config") if isinstance(config, dict) else None
            kind = enrich.get("type") if isinstance(enrich, dict) else None
            if kind == "json_schema" and not isinstance(enrich.get("json_schema"), dict) or \
                    kind == "description" and not isinstance(enrich.get("description"), str) or \
                    kind not in ("json_schema", "description"):
                raise bad("`ingestion_config.enrichment_config` must be {type: json_schema, json_schema: {...}} or "
                          "{type: description, description: \"...\"}.")
        now = self.now()  # type: ignore[attr-defined]
        store = StoreRec(self._new_ks_id("ks"), _name(body, True), body.get("description"), config,  # type: ignore[arg-type]
                         _meta_map(body, "metadata", 10, 2048) or {}, now, now, self.next_seq())  # type: ignore[attr-defined]
        self._stores()[store.id] = store
        return Resp(201, self._store_json(store))

    def list_knowledge_stores(self, req: Req) -> Resp:
        self._ks_progress()
        return Resp(200, page_of(req, list(self._stores().values()), self._store_json, ("created_at", "updated_at")))

    def get_knowledge_store(self, req: Req) -> Resp:
        self._ks_progress()
        return Resp(200, self._store_json(self._store(req)))

    def update_knowledge_store(self, req: Req) -> Resp:
        store = self._store(req)
        body = req.require_json("PATCH /knowledge-stores/{id}")
        if "ingestion_config" in body:
            raise bad("`ingestion_config` cannot be changed after the store is created; create a new store.")
        store.name = _name(body, False) or store.name
        if "description" in body:
            store.description = body["description"]
        meta = _meta_map(body, "metadata", 10, 2048)
        if meta is not None:
            store.metadata = meta
        store.updated_at = self.now()  # type: ignore[attr-defined]
        return Resp(200, self._store_json(store))

    def delete_knowledge_store(self, req: Req) -> Resp:
        store = self._store(req)
        del self._stores()[store.id]
        return Resp(204)

    # ------------------------------------------------------------------ items
    def create_knowledge_item(self, req: Req) -> Resp:
        store = self._store(req)
        body = req.require_json("POST /knowledge-stores/{id}/items")
        if not body.get("asset_id"):
            raise missing("asset_id")
        media = asset_media_of(self, body["asset_id"])
        kind = media.info.kind
        wanted = body.get("asset_type") or kind
        if wanted not in ("video", "image") or wanted != kind:
            raise bad(f"Asset {body['asset_id']} is a {kind or 'file of unknown type'}; knowledge stores take video "
                      f"and image assets{' (asset_type must match the asset)' if wanted != kind else ''}.")
        now = self.now()  # type: ignore[attr-defined]
        item = ItemRec(self._new_ks_id("ksi"), store.id, body["asset_id"], kind, media,  # type: ignore[arg-type]
                       _meta_map(body, "metadata", 50, 8192) or {}, now, now, self.next_seq())  # type: ignore[attr-defined]
        store.items[item.id] = item
        store.version += 1
        return Resp(201, self._item_json(item))

    def list_knowledge_items(self, req: Req) -> Resp:
        self._ks_progress()
        store = self._store(req)
        items = list(store.items.values())
        statuses = req.q_all("status")
        if statuses:
            items = [i for i in items if i.status in statuses]
        return Resp(200, page_of(req, items, self._item_json, ("created_at", "updated_at")))

    def get_knowledge_item(self, req: Req) -> Resp:
        self._ks_progress()
        store = self._store(req)
        return Resp(200, self._item_json(self._ks_item(store, req.params["item_id"])))

    def delete_knowledge_item(self, req: Req) -> Resp:
        store = self._store(req)
        item = self._ks_item(store, req.params["item_id"])
        del store.items[item.id]
        for coll in store.collections.values():
            if item.id in coll.members:
                coll.members.remove(item.id)
        store.version += 1
        return Resp(204)

    # ------------------------------------------------------------------ item collections
    def create_item_collection(self, req: Req) -> Resp:
        store = self._store(req)
        body = req.require_json("POST .../item-collections")
        name = _name(body, True)
        if any(c.name == name for c in store.collections.values()):
            raise bad(f"An item collection named {name!r} already exists in store {store.id}; names are unique.")
        now = self.now()  # type: ignore[attr-defined]
        coll = ItemCollectionRec(self._new_ks_id("ksic"), store.id, name, body.get("description"),  # type: ignore[arg-type]
                                 _meta_map(body, "metadata", 10, 2048) or {}, now, now, self.next_seq())  # type: ignore[attr-defined]
        store.collections[coll.id] = coll
        return Resp(201, self._item_collection_json(coll))

    def list_item_collections(self, req: Req) -> Resp:
        self._ks_progress()
        store = self._store(req)
        return Resp(200, page_of(req, list(store.collections.values()), self._item_collection_json,
                                 ("created_at", "updated_at", "name")))

    def get_item_collection(self, req: Req) -> Resp:
        self._ks_progress()
        store = self._store(req)
        return Resp(200, self._item_collection_json(self._ks_collection(store, req)))

    def update_item_collection(self, req: Req) -> Resp:
        store = self._store(req)
        coll = self._ks_collection(store, req)
        body = req.require_json("PATCH .../item-collections/{id}")
        name = _name(body, False)
        if name and name != coll.name and any(c.name == name for c in store.collections.values()):
            raise bad(f"An item collection named {name!r} already exists in store {store.id}.")
        coll.name = name or coll.name
        if "description" in body:
            coll.description = body["description"]
        meta = _meta_map(body, "metadata", 10, 2048)
        if meta is not None:
            coll.metadata = meta
        coll.updated_at = self.now()  # type: ignore[attr-defined]
        return Resp(200, self._item_collection_json(coll))

    def delete_item_collection(self, req: Req) -> Resp:
        store = self._store(req)
        del store.collections[self._ks_collection(store, req).id]
        return Resp(204)

    def list_collection_items(self, req: Req) -> Resp:
        self._ks_progress()
        store = self._store(req)
        coll = self._ks_collection(store, req)
        items = [store.items[i] for i in coll.members if i in store.items]
        return Resp(200, page_of(req, items, self._item_json, ("created_at",)))

    def _member_ids(self, store: StoreRec, req: Req) -> list[str]:
        ids = req.require_json("POST .../items/add|remove").get("item_ids")
        if not isinstance(ids, list) or not ids or len(ids) > 500:
            raise bad("`item_ids` must be a list of 1 to 500 item ids.")
        unknown = [i for i in ids if i not in store.items]
        if unknown:
            raise bad(f"Items {unknown} are not in knowledge store {store.id}.")
        return ids

    def add_collection_items(self, req: Req) -> Resp:
        store = self._store(req)
        coll = self._ks_collection(store, req)
        for i in self._member_ids(store, req):
            if i not in coll.members:
                coll.members.append(i)
        coll.updated_at = self.now()  # type: ignore[attr-defined]
        return Resp(200, self._item_collection_json(coll))

    def remove_collection_items(self, req: Req) -> Resp:
        store = self._store(req)
        coll = self._ks_collection(store, req)
        drop = set(self._member_ids(store, req))
        coll.members = [i for i in coll.members if i not in drop]
        coll.updated_at = self.now()  # type: ignore[attr-defined]
        return Resp(204)

    # ------------------------------------------------------------------ search
    def ks_moments(self, store: StoreRec, query: str, modalities: tuple[str, ...] = _MODALITIES,
                   item_ids: set[str] | None = None, asset_types: set[str] | None = None) -> list[Moment]:
        """Moments of ready items sharing a word with ``query``, best first (cosine, then store order)."""
        words = set(tokens(query))
        qvec = encode_text(query, _DIM)
        found: list[Moment] = []
        for item in store.items.values():
            if item.status != "ready" or (item_ids is not None and item.id not in item_ids) or \
                    (asset_types is not None and item.asset_type not in asset_types):
                continue
            if item.asset_type == "image":
                text = (item.media.text or "").strip()
                if text and words & set(tokens(text)):
                    found.append(Moment(float(encode_text(text, _DIM) @ qvec), item, None, ("visual",)))
                continue
            for scene in item.media.scene_list():
                mods = tuple(m for m in modalities if words & set(tokens(_modality_text(scene, m))))
                if mods:
                    score = max(float(encode_text(_modality_text(scene, m), _DIM) @ qvec) for m in mods)
                    found.append(Moment(score, item, scene, mods))
        found.sort(key=lambda m: (-m.score, m.item.seq, m.scene.start if m.scene else 0.0))
        return found

    def _hit_metadata(self, item: ItemRec) -> dict:
        info = item.media.info
        system = {"duration": item.media.duration, "width": info.width, "height": info.height, "size": info.size}
        return {"system": system, "user": dict(item.metadata)}

    def _hits(self, moments: list[Moment], group_by: str, include_metadata: bool) -> list[dict]:
        def match(m: Moment) -> dict:
            out: dict[str, Any] = {"start_sec": m.scene.start, "end_sec": m.scene.end,  # type: ignore[union-attr]
                                   "modalities": list(m.modalities)}
            if "audio" in m.modalities and m.scene.speech:  # type: ignore[union-attr]
                out["transcription"] = m.scene.speech  # type: ignore[union-attr]
            return out

        groups: list[tuple[ItemRec, list[Moment]]] = []
        if group_by == "item":
            by_item: dict[str, list[Moment]] = {}
            for m in moments:
                if m.item.id not in by_item:
                    by_item[m.item.id] = []
                    groups.append((m.item, by_item[m.item.id]))
                by_item[m.item.id].append(m)
        else:
            groups = [(m.item, [m]) for m in moments]
        hits = []
        for rank, (item, ms) in enumerate(groups, 1):
            hit: dict[str, Any] = {"asset_type": item.asset_type, "rank": rank, "item_id": item.id}
            if item.asset_type == "video":
                hit["matches"] = [match(m) for m in sorted(ms, key=lambda m: m.scene.start)]  # type: ignore[union-attr]
            if include_metadata:
                hit["metadata"] = self._hit_metadata(item)
            hits.append(hit)
        return hits

    def search_knowledge_store(self, req: Req) -> Resp:
        self._ks_progress()
        store = self._store(req)
        body = req.require_json("POST /knowledge-stores/{id}/search")
        size = body.get("page_size", 10)
        if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= 50:
            raise bad(f"`page_size` must be an integer between 1 and 50, got {size!r}.")
        if token := body.get("page_token"):
            return Resp(200, self._ks_token_page(store, token, size))
        query = body.get("query")
        text = query.get("text") if isinstance(query, dict) else None
        if not isinstance(text, str) or not text.strip():
            raise bad("`query.text` is required: {\"query\": {\"text\": \"what to find\"}}.", "parameter_not_provided")
        flt = body.get("filter") or {}
        if not isinstance(flt, dict) or not set(flt) <= {"asset_type", "item_id"}:
            raise bad("`filter` takes asset_type and item_id conditions only.")
        options = body.get("search_options") or {}
        mods = ((options.get("video") or {}).get("modalities") if isinstance(options, dict) else None) or ["visual"]
        if not isinstance(mods, list) or not set(mods) <= set(_MODALITIES):
            raise bad(f"`search_options.video.modalities` must be a list of visual and audio, got {mods!r}.")
        group_by = body.get("group_by") or "none"
        if group_by not in ("none", "item"):
            raise bad(f"`group_by` must be none or item, got {group_by!r}.")
        moments = self.ks_moments(store, text, tuple(dict.fromkeys(mods)), _condition(flt, "item_id"),
                                  _condition(flt, "asset_type"))
        hits = self._hits(moments, group_by, bool(body.get("include_metadata")))
        effective = {"video": {"modalities": list(dict.fromkeys(mods))}}
        token = self._ks_token(store, hits, 0, effective)
        return Resp(200, self._ks_page(store, token, size))

    def _ks_token(self, store: StoreRec, hits: list[dict], offset: int, effective: dict) -> str:
        seed = f"{getattr(self, 'seed', 0)}:{store.id}:{len(self._ks_tokens)}".encode()
        token = "kspt_" + hashlib.sha256(seed).hexdigest()[:24]
        self._ks_tokens[token] = (store.id, store.version, hits, offset, effective)
        return token

    def _ks_page(self, store: StoreRec, token: str, size: int) -> dict:
        _, _, hits, offset, effective = self._ks_tokens[token]
        out: dict[str, Any] = {"data": hits[offset: offset + size], "effective_search_options": effective}
        if offset + size < len(hits):
            out["next_page_token"] = self._ks_token(store, hits, offset + size, effective)
        return out

    def _ks_token_page(self, store: StoreRec, token: Any, size: int) -> dict:
        found = self._ks_tokens.get(token) if isinstance(token, str) else None
        if found is None or found[0] != store.id:
            raise bad(f"The page token {token!r} is not valid for knowledge store {store.id}; "
                      "use the next_page_token of a search on this store.", "page_token_invalid")
        if found[1] != store.version:
            raise ApiError(410, "page_token_expired", "The page token has expired because the store's items changed "
                                                      "since the search; run the search again.")
        return self._ks_page(store, token, size)
