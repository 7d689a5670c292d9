"""Knowledge-store search in the emulator (the search half of :mod:`._knowledge`).

Search runs over ready items only: a video item's moments are its script scenes, an image item is
one whole. A moment matches a modality when its text for that modality (``visual``: what is seen;
``audio``: what is said, or the scene's sound in a silent scene) shares at least one word with the
query; matches are ranked by the cosine of the emulator's text vectors (the same encoder as index
search). So every match really contains a word of the query, which :mod:`._responses` relies on for
its citations. Page tokens expire (410) as soon as the store's items change.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._encoder import encode_text, tokens
from ._http import ApiError, Req, Resp, bad
from ._script import Scene

if TYPE_CHECKING:
    from ._knowledge import ItemRec, StoreRec

__all__ = ["KnowledgeSearch", "Moment"]

_DIM = 512
_MODALITIES = ("visual", "audio")


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


def _condition(flt: dict[str, Any], key: str) -> set[str] | None:
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


class KnowledgeSearch:
    """Mixin base of KnowledgeRoutes: ``POST /knowledge-stores/{id}/search`` and :meth:`ks_moments`."""

    if TYPE_CHECKING:  # provided by KnowledgeRoutes, the subclass this base is written for
        _ks_tokens: dict[str, tuple[str, int, list[dict[str, Any]], int, dict[str, Any]]]

        def _ks_progress(self) -> None: ...
        def _store(self, req: Req) -> StoreRec: ...

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

    def _hit_metadata(self, item: ItemRec) -> dict[str, Any]:
        info = item.media.info
        system = {"duration": item.media.duration, "width": info.width, "height": info.height, "size": info.size}
        return {"system": system, "user": dict(item.metadata)}

    def _hits(self, moments: list[Moment], group_by: str, include_metadata: bool) -> list[dict[str, Any]]:
        def match(m: Moment) -> dict[str, Any]:
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

    def _ks_token(self, store: StoreRec, hits: list[dict[str, Any]], offset: int, effective: dict[str, Any]) -> str:
        seed = f"{getattr(self, 'seed', 0)}:{store.id}:{len(self._ks_tokens)}".encode()
        token = "kspt_" + hashlib.sha256(seed).hexdigest()[:24]
        self._ks_tokens[token] = (store.id, store.version, hits, offset, effective)
        return token

    def _ks_page(self, store: StoreRec, token: str, size: int) -> dict[str, Any]:
        _, _, hits, offset, effective = self._ks_tokens[token]
        out: dict[str, Any] = {"data": hits[offset: offset + size], "effective_search_options": effective}
        if offset + size < len(hits):
            out["next_page_token"] = self._ks_token(store, hits, offset + size, effective)
        return out

    def _ks_token_page(self, store: StoreRec, token: Any, size: int) -> dict[str, Any]:
        found = self._ks_tokens.get(token) if isinstance(token, str) else None
        if found is None or found[0] != store.id:
            raise bad(f"The page token {token!r} is not valid for knowledge store {store.id}; "
                      "use the next_page_token of a search on this store.", "page_token_invalid")
        if found[1] != store.version:
            raise ApiError(410, "page_token_expired", "The page token has expired because the store's items changed "
                                                      "since the search; run the search again.")
        return self._ks_page(store, token, size)
