"""Emulator routes for knowledge stores, their items and item collections (search: ``_knowledge_search``).

Items are assets added to a store (through the assets emulator's ``asset_media``); an item walks
``queued -> pending -> processing -> ready``, one step per read of any knowledge-store route (lists
and search included).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._core import Media
from ._entities import asset_media_of, page_of
from ._http import ApiError, Req, Resp, bad, missing
from ._knowledge_search import KnowledgeSearch, Moment

__all__ = ["KnowledgeRoutes", "Moment", "StoreRec", "ItemRec", "ITEM_STATUSES"]

ITEM_STATUSES = ("queued", "pending", "processing", "ready")


@dataclass
class ItemRec:
    id: str
    store_id: str
    asset_id: str
    asset_type: str
    media: Media
    metadata: dict[str, Any]
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
    metadata: dict[str, Any]
    created_at: str
    updated_at: str
    seq: int
    members: list[str] = field(default_factory=list)


@dataclass
class StoreRec:
    id: str
    name: str
    description: str | None
    ingestion_config: dict[str, Any] | None
    metadata: dict[str, Any]
    created_at: str
    updated_at: str
    seq: int
    version: int = 0  # bumped whenever items change: older search page tokens are gone (410)
    items: dict[str, ItemRec] = field(default_factory=dict)
    collections: dict[str, ItemCollectionRec] = field(default_factory=dict)


def _meta_map(body: dict[str, Any], key: str, max_pairs: int, max_len: int) -> dict[str, Any] | None:
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


def _name(body: dict[str, Any], required: bool) -> str | None:
    name = body.get("name")
    if name is None and not required:
        return None
    if not isinstance(name, str) or not name.strip():
        raise missing("name") if name is None else bad("`name` must be a non-empty string.")
    return name


class KnowledgeRoutes(KnowledgeSearch):
    """Mixin of FakeTwelveLabs: ``/knowledge-stores`` and everything under it."""

    def _stores(self) -> dict[str, StoreRec]:
        if not hasattr(self, "_knowledge_stores"):
            self._knowledge_stores: dict[str, StoreRec] = {}
            self._ks_tokens: dict[str, tuple[str, int, list[dict[str, Any]], int, dict[str, Any]]] = {}
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
    def _store_json(s: StoreRec) -> dict[str, Any]:
        out = {"_id": s.id, "name": s.name, "description": s.description, "item_count": len(s.items),
               "metadata": dict(s.metadata), "created_at": s.created_at, "updated_at": s.updated_at}
        if s.ingestion_config is not None:
            out["ingestion_config"] = s.ingestion_config
        return out

    @staticmethod
    def _system_metadata(item: ItemRec) -> dict[str, Any]:
        info = item.media.info
        out: dict[str, Any] = {"asset_type": item.asset_type, "filename": item.media.filename, "width": info.width,
                               "height": info.height, "codec_name": info.format, "size": info.size}
        if item.asset_type == "video":
            out.update(duration=item.media.duration, fps=info.fps)
        return out

    def _item_json(self, i: ItemRec) -> dict[str, Any]:
        return {"_id": i.id, "asset_type": i.asset_type, "asset_id": i.asset_id, "status": i.status,
                "system_metadata": self._system_metadata(i), "metadata": dict(i.metadata),
                "created_at": i.created_at, "updated_at": i.updated_at}

    @staticmethod
    def _item_collection_json(c: ItemCollectionRec) -> dict[str, Any]:
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
            if not isinstance(enrich, dict) or \
                    kind == "json_schema" and not isinstance(enrich.get("json_schema"), dict) or \
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
        item = ItemRec(self._new_ks_id("ksi"), store.id, body["asset_id"], kind, media,
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
