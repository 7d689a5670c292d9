"""Emulator routes for entity collections and entities, and the entity-search hook.

An entity is defined by reference assets (images). The emulator "sees" an image through its
embedded text (a PNG description such as ``a woman in a green raincoat``), so an entity looks like
the union of its references' texts. Entity search is a query text containing ``<@entity_id>``:
:meth:`EntityRoutes.expand_entity_mentions` replaces each mention with that appearance text,
so the search ranks first the moments whose script shows what the reference images show.
Entities are ``processing`` when created or when their assets change and become ``ready`` one
entity-route read later (any GET of an entity route, list included); searching with an entity
that is still processing answers 400.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, overload

from ._core import Listed, Media
from ._http import ApiError, Req, Resp, bad, missing, parse_num

__all__ = ["EntityRoutes", "asset_media_of", "page_of", "ENTITY_MENTION"]

#: ``<@entity_id>`` inside a search query text.
ENTITY_MENTION = re.compile(r"<@([^<>\s]+)>")


def asset_media_of(fake: Any, asset_id: Any, field_name: str = "asset_id") -> Media:
    """The media of a ready asset through the assets emulator's ``asset_media`` (404 unknown, 400 not ready)."""
    if not isinstance(asset_id, str) or not asset_id:
        raise bad(f"`{field_name}` must be a non-empty asset id string, got {asset_id!r}.")
    return fake.asset_media(asset_id)  # type: ignore[no-any-return]


_T = TypeVar("_T", bound=Listed)


def page_of(req: Req, items: list[_T], serialize: Callable[[_T], dict[str, Any]],
            sort_fields: tuple[str, ...]) -> dict[str, Any]:
    """``page``/``page_limit``/``sort_by``/``sort_option`` over records with ``seq`` and the sort fields."""
    page = parse_num(req.q("page"), "page", integer=True, lo=1, default=1)
    limit = parse_num(req.q("page_limit"), "page_limit", integer=True, lo=1, hi=50, default=10)
    sort_by = req.q("sort_by") or "created_at"
    if sort_by not in sort_fields:
        raise bad(f"`sort_by` must be one of {', '.join(sort_fields)}, got {sort_by!r}.")
    option = req.q("sort_option") or ("asc" if sort_by == "name" else "desc")
    if option not in ("asc", "desc"):
        raise bad(f"`sort_option` must be asc or desc, got {option!r}.")
    items = sorted(items, key=lambda r: (getattr(r, sort_by), r.seq), reverse=option == "desc")
    chunk = items[(page - 1) * limit: page * limit]
    return {"data": [serialize(r) for r in chunk],
            "page_info": {"page": page, "limit_per_page": limit, "total_page": math.ceil(len(items) / limit),
                          "total_results": len(items)}}


@overload
def _text(body: dict[str, Any], key: str, *, required: Literal[True], limit: int = 2048) -> str: ...
@overload
def _text(body: dict[str, Any], key: str, *, required: bool = False, limit: int = 2048) -> str | None: ...
def _text(body: dict[str, Any], key: str, *, required: bool = False, limit: int = 2048) -> str | None:
    value = body.get(key)
    if value is None:
        if required:
            raise missing(key)
        return None
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > limit:
        raise bad(f"`{key}` must be a string of at most {limit} characters{' and not empty' if required else ''}.")
    return value


def _metadata(body: dict[str, Any]) -> dict[str, Any] | None:
    meta = body.get("metadata")
    if meta is None:
        return None
    if not isinstance(meta, dict) or not all(isinstance(v, (str, int, float, bool)) for v in meta.values()):
        raise bad("`metadata` must be an object whose values are strings, numbers or booleans.")
    return dict(meta)


@dataclass
class CollectionRec:
    id: str
    name: str
    description: str | None
    created_at: str
    updated_at: str
    seq: int


@dataclass
class EntityRec:
    id: str
    collection_id: str
    name: str
    description: str | None
    metadata: dict[str, Any]
    asset_ids: list[str]
    looks: dict[str, str]  # asset id -> what the reference shows (its embedded text)
    created_at: str
    updated_at: str
    seq: int
    ready: bool = False

    @property
    def status(self) -> str:
        return "ready" if self.ready else "processing"


class EntityRoutes:
    """Mixin of FakeTwelveLabs: ``/entity-collections`` and ``/assets/{id}/entities``."""

    def _ent(self) -> tuple[dict[str, CollectionRec], dict[str, EntityRec]]:
        if not hasattr(self, "_entity_collections"):
            self._entity_collections: dict[str, CollectionRec] = {}
            self._entities: dict[str, EntityRec] = {}
        return self._entity_collections, self._entities

    def _entities_progress(self) -> None:
        for e in self._ent()[1].values():
            e.ready = True

    def _collection(self, req: Req) -> CollectionRec:
        cid = req.params["entity_collection_id"]
        rec = self._ent()[0].get(cid)
        if rec is None:
            raise ApiError(400, "resource_not_exist", f"Entity collection {cid} does not exist.")
        return rec

    def _entity(self, req: Req) -> EntityRec:
        coll = self._collection(req)
        rec = self._ent()[1].get(req.params["entity_id"])
        if rec is None or rec.collection_id != coll.id:
            raise ApiError(400, "resource_not_exist",
                           f"Entity {req.params['entity_id']} does not exist in collection {coll.id}.")
        return rec

    def _looks(self, asset_ids: Any) -> dict[str, str]:
        if not isinstance(asset_ids, list) or not asset_ids:
            raise bad("`asset_ids` must be a non-empty list of image asset ids.")
        looks = {}
        for aid in asset_ids:
            media = asset_media_of(self, aid, "asset_ids[]")
            if media.info.kind != "image":
                raise bad(f"Asset {aid} is a {media.info.kind or 'file of unknown type'}; entities take image assets "
                          "(a clear picture of the person or object).")
            looks[aid] = (media.text or "").strip()
        return looks

    @staticmethod
    def _entity_collection_json(c: CollectionRec) -> dict[str, Any]:
        return {"_id": c.id, "name": c.name, "description": c.description, "created_at": c.created_at,
                "updated_at": c.updated_at}

    @staticmethod
    def _entity_json(e: EntityRec) -> dict[str, Any]:
        return {"_id": e.id, "entity_collection_id": e.collection_id, "name": e.name, "description": e.description,
                "metadata": dict(e.metadata), "asset_ids": list(e.asset_ids), "status": e.status,
                "created_at": e.created_at, "updated_at": e.updated_at}

    # ------------------------------------------------------------------ collections
    def create_entity_collection(self, req: Req) -> Resp:
        body = req.require_json("POST /entity-collections")
        name = _text(body, "name", required=True)
        colls = self._ent()[0]
        if any(c.name == name for c in colls.values()):
            raise ApiError(400, "entity_collection_name_exists", f"An entity collection named {name!r} already exists.")
        now = self.now()  # type: ignore[attr-defined]
        rec = CollectionRec(self.new_id("entity-collection"), name, _text(body, "description"), now, now,  # type: ignore[attr-defined]
                            self.next_seq())  # type: ignore[attr-defined]
        colls[rec.id] = rec
        return Resp(201, self._entity_collection_json(rec))

    def list_entity_collections(self, req: Req) -> Resp:
        self._entities_progress()
        items = list(self._ent()[0].values())
        if name := req.q("name"):
            items = [c for c in items if name.lower() in c.name.lower()]
        return Resp(200, page_of(req, items, self._entity_collection_json, ("created_at", "updated_at", "name")))

    def get_entity_collection(self, req: Req) -> Resp:
        self._entities_progress()
        return Resp(200, self._entity_collection_json(self._collection(req)))

    def update_entity_collection(self, req: Req) -> Resp:
        rec = self._collection(req)
        body = req.require_json("PATCH /entity-collections/{id}")
        rec.name = _text(body, "name") or rec.name
        if "description" in body:
            rec.description = _text(body, "description")
        rec.updated_at = self.now()  # type: ignore[attr-defined]
        return Resp(200, self._entity_collection_json(rec))

    def delete_entity_collection(self, req: Req) -> Resp:
        rec = self._collection(req)
        colls, entities = self._ent()
        del colls[rec.id]
        for eid in [e.id for e in entities.values() if e.collection_id == rec.id]:
            del entities[eid]
        return Resp(204)

    # ------------------------------------------------------------------ entities
    def _new_entity(self, coll: CollectionRec, body: Any) -> EntityRec:
        if not isinstance(body, dict):
            raise bad("Each entity must be an object with `name` and `asset_ids`.")
        name = _text(body, "name", required=True)
        looks = self._looks(body.get("asset_ids"))
        now = self.now()  # type: ignore[attr-defined]
        rec = EntityRec(self.new_id("entity"), coll.id, name, _text(body, "description"),  # type: ignore[attr-defined]
                        _metadata(body) or {}, list(looks), looks, now, now, self.next_seq())  # type: ignore[attr-defined]
        self._ent()[1][rec.id] = rec
        return rec

    def create_entity(self, req: Req) -> Resp:
        coll = self._collection(req)
        return Resp(201, self._entity_json(self._new_entity(coll, req.require_json("POST .../entities"))))

    def create_entities_bulk(self, req: Req) -> Resp:
        coll = self._collection(req)
        specs = req.require_json("POST .../entities/bulk").get("entities")
        if not isinstance(specs, list) or not specs:
            raise bad("`entities` must be a non-empty list of {name, asset_ids} objects.")
        created, errors = [], []
        for i, spec in enumerate(specs):
            try:
                rec = self._new_entity(coll, spec)
                created.append({"_id": rec.id, "name": rec.name, "status": rec.status})
            except ApiError as exc:
                name = spec.get("name") if isinstance(spec, dict) else None
                errors.append({"entity_index": i, "entity_name": name, "error_reason": exc.message})
        return Resp(201, {"success_count": len(created), "failed_count": len(errors), "entities": created,
                          "errors": errors})

    def list_entities(self, req: Req) -> Resp:
        self._entities_progress()
        coll = self._collection(req)
        items = [e for e in self._ent()[1].values() if e.collection_id == coll.id]
        if name := req.q("name"):
            items = [e for e in items if name.lower() in e.name.lower()]
        if status := req.q("status"):
            if status not in ("processing", "ready"):
                raise bad(f"`status` must be processing or ready, got {status!r}.")
            items = [e for e in items if e.status == status]
        return Resp(200, page_of(req, items, self._entity_json, ("created_at", "updated_at", "name")))

    def get_entity(self, req: Req) -> Resp:
        self._entities_progress()
        return Resp(200, self._entity_json(self._entity(req)))

    def update_entity(self, req: Req) -> Resp:
        rec = self._entity(req)
        body = req.require_json("PATCH .../entities/{id}")
        rec.name = _text(body, "name") or rec.name
        if "description" in body:
            rec.description = _text(body, "description")
        meta = _metadata(body)
        if meta is not None:
            rec.metadata = meta
        rec.updated_at = self.now()  # type: ignore[attr-defined]
        return Resp(200, self._entity_json(rec))

    def delete_entity(self, req: Req) -> Resp:
        rec = self._entity(req)
        del self._ent()[1][rec.id]
        return Resp(204)

    def add_entity_assets(self, req: Req) -> Resp:
        rec = self._entity(req)
        looks = self._looks(req.require_json("POST .../assets").get("asset_ids"))
        new = [a for a in looks if a not in rec.looks]
        rec.looks.update(looks)
        rec.asset_ids += new
        rec.ready = rec.ready and not new
        rec.updated_at = self.now()  # type: ignore[attr-defined]
        return Resp(200, self._entity_json(rec))

    def remove_entity_assets(self, req: Req) -> Resp:
        rec = self._entity(req)
        ids = req.require_json("DELETE .../assets").get("asset_ids")
        if not isinstance(ids, list) or not ids:
            raise bad("`asset_ids` must be a non-empty list of asset ids.")
        unknown = [a for a in ids if a not in rec.looks]
        if unknown:
            raise bad(f"Assets {unknown} are not references of entity {rec.id}.")
        if not set(rec.asset_ids) - set(ids):
            raise bad(f"An entity needs at least one reference asset; {rec.id} would have none left. "
                      "Add another asset first or delete the entity.")
        rec.asset_ids = [a for a in rec.asset_ids if a not in ids]
        for a in ids:
            rec.looks.pop(a, None)
        rec.ready = False
        rec.updated_at = self.now()  # type: ignore[attr-defined]
        return Resp(200, self._entity_json(rec))

    def list_asset_entities(self, req: Req) -> Resp:
        self._entities_progress()
        asset_id = req.params["asset_id"]
        asset_media_of(self, asset_id)  # 404 for an unknown asset
        items = [e for e in self._ent()[1].values() if asset_id in e.asset_ids]
        return Resp(200, page_of(req, items, self._entity_json, ("created_at",)))

    # ------------------------------------------------------------------ the search hook
    def expand_entity_mentions(self, text: str) -> str:
        """Replace every ``<@entity_id>`` of a query with what the entity's reference images show."""

        def appearance(m: re.Match[str]) -> str:
            rec = self._ent()[1].get(m.group(1))
            if rec is None:
                raise ApiError(400, "entity_not_found",
                               f"The query mentions entity {m.group(1)}, which does not exist; "
                               "use the _id of an entity from /entity-collections.")
            if not rec.ready:
                raise ApiError(400, "entity_not_ready", f"Entity {rec.id} is still processing; retrieve it until its "
                                                        "status is ready, then search again.")
            return " ".join(t for t in rec.looks.values() if t) or rec.name

        return ENTITY_MENTION.sub(appearance, text)
