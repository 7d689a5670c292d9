"""Emulator route ``POST /responses``: answers over a knowledge store, with citations, whole or as SSE.

The answer is assembled from knowledge-store moments (:meth:`KnowledgeRoutes.ks_moments`): the
question's words are looked up in the ready items' scripts, and the best moments (at most three)
are quoted, each quote carrying a ``video_citation`` (``image_citation`` for an image) whose
``start_index``/``end_index`` (inclusive, code points) cover exactly the quoted words and whose
``item_id``/``start_sec``/``end_sec`` name the scene that says them. Sessions remember their turns
and selections: a follow-up that finds nothing by itself ("and what happens after that?") is
answered from the most recent earlier question that did. ``selections`` restrict the search softly
(to the selected items/collections when they have matches). ``stream: true`` answers
``text/event-stream``: ``event: <type>`` / ``data: <json with sequence_number>`` events, then
``data: [DONE]``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ._encoder import tokens
from ._http import Req, Resp, bad, missing
from ._knowledge import Moment, StoreRec

__all__ = ["ResponseRoutes"]

_SEL = re.compile(r"\{\{\s*sel:(\d+)\s*\}\}")
_PIECES = re.compile(r"\s*\S+")
MAX_QUOTES = 3


@dataclass
class SessionRec:
    id: str
    store_id: str
    turns: list[tuple[str, str]] = field(default_factory=list)  # (question, answer)
    selections: list[dict[str, Any]] = field(default_factory=list)


def _fmt(t: float) -> str:
    return f"{t:g}"


def _quote(m: Moment) -> str:
    if m.scene is None:
        return m.text
    return f'{m.scene.visual}: "{m.scene.speech}"' if m.scene.speech else m.scene.visual


def _inputs(body: dict[str, Any]) -> list[str]:
    items = body.get("input")
    if not isinstance(items, list) or not items:
        raise missing("input")
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or item.get("type") != "message" or item.get("role") != "user":
            raise bad(f"input[{i}] must be {{\"type\": \"message\", \"role\": \"user\", \"content\": \"...\"}}.")
        content = item.get("content")
        if not isinstance(content, str) or not 1 <= len(content) <= 10_000:
            raise bad(f"input[{i}].content must be a string of 1 to 10,000 characters.")
        out.append(content)
    return out


class ResponseRoutes:
    """Mixin of FakeTwelveLabs (after :class:`KnowledgeRoutes`): ``POST /responses``."""

    def _response_sessions(self) -> dict[str, SessionRec]:
        if not hasattr(self, "_sessions_by_id"):
            self._sessions_by_id: dict[str, SessionRec] = {}
        return self._sessions_by_id

    def _session(self, body: dict[str, Any], store: StoreRec) -> SessionRec:
        sessions = self._response_sessions()
        sid = body.get("session_id")
        if sid is None:
            rec = SessionRec("sess_" + self.new_id("session"), store.id)  # type: ignore[attr-defined]
            sessions[rec.id] = rec
            return rec
        found = sessions.get(sid) if isinstance(sid, str) else None
        if found is None:
            raise bad(f"Session {sid!r} does not exist; omit session_id to start a new conversation.")
        if found.store_id != store.id:
            raise bad(f"Session {sid} belongs to knowledge store {found.store_id}, not {store.id}; a session stays "
                      "with the store it started on.")
        return found

    def _selections(self, body: dict[str, Any], store: StoreRec) -> list[dict[str, Any]]:
        sels = body.get("selections") or []
        if not isinstance(sels, list):
            raise bad("`selections` must be a list of {kind: item|collection, id}.")
        for i, sel in enumerate(sels):
            kind, ident = (sel.get("kind"), sel.get("id")) if isinstance(sel, dict) else (None, None)
            known = store.items if kind == "item" else store.collections if kind == "collection" else None
            if known is None or ident not in known:
                raise bad(f"selections[{i}] must name an item (ksi_...) or item collection (ksic_...) of knowledge "
                          f"store {store.id}, got {sel!r}.")
        return sels

    def _selected(self, store: StoreRec, sels: list[dict[str, Any]]) -> dict[str, str | None]:
        """Selected item ids -> the collection they were selected through (None for direct selections)."""
        out: dict[str, str | None] = {}
        for sel in sels:
            if sel["kind"] == "item":
                out.setdefault(sel["id"], None)
            elif sel["id"] in store.collections:
                for member in store.collections[sel["id"]].members:
                    out.setdefault(member, sel["id"])
        return out

    def _title(self, store: StoreRec, sel: dict[str, Any]) -> str:
        if sel["kind"] == "item":
            return store.items[sel["id"]].title
        return store.collections[sel["id"]].name

    def create_response(self, req: Req) -> Resp:
        body = req.require_json("POST /responses")
        store_id = body.get("knowledge_store_id")
        if not store_id:
            raise missing("knowledge_store_id")
        store = self._stores().get(store_id)  # type: ignore[attr-defined]
        if store is None:
            raise bad(f"Knowledge store {store_id} does not exist.", "resource_not_exist")
        contents = _inputs(body)
        include = body.get("include") or []
        if not isinstance(include, list) or not set(include) <= {"intermediate_outputs"}:
            raise bad("`include` accepts only [\"intermediate_outputs\"].")
        fmt = ((body.get("text") or {}).get("format") or {"type": "text"}) if isinstance(body.get("text"), dict) \
            else {"type": "text"}
        if fmt.get("type") not in ("text", "json_schema") or \
                fmt.get("type") == "json_schema" and not (fmt.get("name") and isinstance(fmt.get("schema"), dict)):
            raise bad("`text.format` must be {type: text} or {type: json_schema, name, schema}.")
        sels = self._selections(body, store)
        session = self._session(body, store)

        def sel_title(m: re.Match[str]) -> str:
            n = int(m.group(1))
            if n >= len(sels):
                raise bad(f"{{{{sel:{n}}}}} refers to selection {n}, but the request has {len(sels)} selection(s).")
            return self._title(store, sels[n])

        question = _SEL.sub(sel_title, contents[-1])
        search_text = _SEL.sub(" ", contents[-1])
        for sel in sels:
            if sel not in session.selections:
                session.selections.append(sel)
        earlier = [_SEL.sub(" ", c) for c in contents[:-1]]  # earlier user messages sent in this request
        moments, asked, via = self._answer_moments(store, session, search_text, earlier)
        text, annotations = self._compose(question, asked, moments, via, fmt)
        response = self._response_object(store, session, body, contents, search_text, moments, text, annotations,
                                         bool(include))
        session.turns.append((search_text, text))
        if body.get("stream"):
            return Resp(200, stream=_sse(response), content_type="text/event-stream",
                        headers={"Cache-Control": "no-cache"})
        return Resp(200, response)

    def _answer_moments(self, store: StoreRec, session: SessionRec, text: str,
                        earlier: list[str]) -> tuple[list[Moment], str | None, dict[str, str | None]]:
        """The moments to quote, the earlier question they answer (None: this one), and the selection map.

        Earlier questions are tried most recent first: those sent in this request, then the session's turns.
        """
        selected = self._selected(store, session.selections)
        for asked in [None, *reversed(earlier), *[q for q, _ in reversed(session.turns)]]:
            query = text if asked is None else asked
            if not tokens(query):
                continue
            moments = self.ks_moments(store, query, item_ids=set(selected) or None)  # type: ignore[attr-defined]
            if not moments and selected:  # selections narrow softly: fall back to the whole store
                moments = self.ks_moments(store, query)  # type: ignore[attr-defined]
            if moments:
                return moments[:MAX_QUOTES], asked, selected
        return [], None, selected

    def _compose(self, question: str, asked: str | None, moments: list[Moment], via: dict[str, str | None],
                 fmt: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        quotes = [_quote(m) for m in moments]
        if fmt.get("type") == "json_schema":
            text = json.dumps(_schema_object(fmt["schema"], question, quotes), ensure_ascii=False)
            escaped = [json.dumps(q, ensure_ascii=False)[1:-1] for q in quotes]  # citations cover the JSON text
            pieces = [(e, text.find(e)) for e in escaped]
        else:
            if not moments:
                return f'I found nothing about "{question.strip()}" in this knowledge store.', []
            text = (f'Following up on your earlier question ("{asked.strip()}"), the knowledge store shows:'
                    if asked is not None else "Here is what the knowledge store shows:")
            pieces = []
            for n, (m, q) in enumerate(zip(moments, quotes, strict=True), 1):
                where = f"the image {m.item.title}" if m.scene is None else \
                    f"{m.item.title} ({_fmt(m.scene.start)}–{_fmt(m.scene.end)} s)"
                text += f"\n{n}. In {where}: "
                pieces.append((q, len(text)))
                text += q + "."
        annotations = []
        for m, (q, start) in zip(moments, pieces, strict=True):
            if start < 0:
                continue
            ann: dict[str, Any] = {"type": "image_citation" if m.scene is None else "video_citation",
                                   "start_index": start, "end_index": start + len(q) - 1, "item_id": m.item.id,
                                   "title": m.item.title, "thumbnail_url": None, "hls_url": None}
            if m.scene is not None:
                ann.update(start_sec=m.scene.start, end_sec=m.scene.end)
            if via.get(m.item.id):
                ann["collection_id"] = via[m.item.id]
            annotations.append(ann)
        return text, annotations

    def _response_object(self, store: StoreRec, session: SessionRec, body: dict[str, Any], contents: list[str],
                         search_text: str, moments: list[Moment], text: str, annotations: list[dict[str, Any]],
                         intermediate: bool) -> dict[str, Any]:
        output: list[dict[str, Any]] = []
        if intermediate:
            call_id = "call_" + self.new_id("call")  # type: ignore[attr-defined]
            found = [{"item_id": m.item.id, "start_sec": m.scene.start if m.scene else None,
                      "end_sec": m.scene.end if m.scene else None} for m in moments]
            output += [{"type": "function_call", "id": "fc_" + self.new_id("fc"), "status": "completed",  # type: ignore[attr-defined]
                        "call_id": call_id, "name": "search_knowledge_store",
                        "arguments": json.dumps({"query": search_text.strip()})},
                       {"type": "function_call_output", "id": "fco_" + self.new_id("fco"),  # type: ignore[attr-defined]
                        "status": "completed", "call_id": call_id, "output": json.dumps(found)}]
        output.append({"type": "message", "id": "msg_" + self.new_id("msg"), "status": "completed",  # type: ignore[attr-defined]
                       "role": "assistant", "phase": "final_answer",
                       "content": [{"type": "output_text", "text": text, "annotations": annotations}]})
        history = sum(len(q.split()) + len(a.split()) for q, a in session.turns)
        prompt = sum(len(c.split()) for c in contents) + len(str(body.get("instructions") or "").split())
        return {"id": "resp_" + self.new_id("response"), "type": "response", "object": "response",  # type: ignore[attr-defined]
                "knowledge_store_id": store.id, "session_id": session.id, "status": "completed",
                "incomplete_details": None, "output": output,
                "usage": {"input_tokens": prompt + history, "output_tokens": len(text.split())},
                "created_at": self.now()}  # type: ignore[attr-defined]


def _schema_object(schema: dict[str, Any], question: str, quotes: list[str]) -> dict[str, Any]:
    """A JSON answer shaped by the schema's top-level properties (strings, string lists, numbers)."""
    declared = schema.get("properties")
    props: dict[str, Any] = declared if isinstance(declared, dict) else {"answer": {"type": "string"}}
    answer = " ".join(quotes) if quotes else f"Nothing about {question.strip()!r} in this knowledge store."
    out: dict[str, Any] = {}
    for name, prop in props.items():
        kind = prop.get("type") if isinstance(prop, dict) else None
        out[name] = {"string": answer, "array": list(quotes), "integer": len(quotes), "number": float(len(quotes)),
                     "boolean": bool(quotes)}.get(kind)  # type: ignore[arg-type]
    return out


def _sse(response: dict[str, Any]) -> Iterator[bytes]:
    """The SSE events of a finished response: lifecycle, each output item (text as deltas), ``[DONE]``."""
    seq = iter(range(1_000_000))

    def event(kind: str, **payload: Any) -> bytes:
        data = json.dumps({"type": kind, "sequence_number": next(seq), **payload}, ensure_ascii=False)
        return f"event: {kind}\ndata: {data}\n\n".encode()

    pending = {**response, "status": "in_progress", "output": [], "usage": None}
    yield event("response.created", response=pending)
    yield event("response.in_progress", response=pending)
    yield event("keepalive")
    for index, item in enumerate(response["output"]):
        started = {**item, "status": "in_progress"}
        if item["type"] == "message":
            started["content"] = []
        yield event("response.output_item.added", output_index=index, item=started)
        if item["type"] == "function_call":
            yield event("response.function_call_arguments.done", item_id=item["id"], output_index=index,
                        arguments=item["arguments"])
        for c, part in enumerate(item.get("content") or []):
            where = {"item_id": item["id"], "output_index": index, "content_index": c}
            yield event("response.content_part.added", **where, part={**part, "text": "", "annotations": []})
            for piece in _PIECES.findall(part["text"]):
                yield event("response.output_text.delta", **where, delta=piece)
            yield event("response.output_text.done", **where, text=part["text"])
            yield event("response.content_part.done", **where, part=part)
        yield event("response.output_item.done", output_index=index, item=item)
    yield event("response.completed", response=response)
    yield b"data: [DONE]\n\n"
