"""What the wire oracle compares of a request, and the one table of what we send on purpose that the
official SDK does not (``KNOWN_DIFFERENCES``) or what the SDK cannot send at all (``SDK_CANNOT``).

``shape(rec)`` is the comparable view of one recorded request: method, route, parsed query (sorted
pairs), JSON body, multipart text fields (JSON-encoded fields parsed) and file parts (field name,
file name, size in bytes). Ids are normalised: any run of 24 hex digits (bare or after a prefix such as ``ks_``)
becomes ``<id>``. ``allow(name, sdk_recs, our_recs)`` picks the request of ours to compare with the
SDK's first one and takes out, from our side only, what a ``KNOWN_DIFFERENCES`` entry allows; it
returns which entries it used, so the suite can check that each one is still needed.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from twelvelabs_rag import UPLOAD_TOKEN_KEY
from twelvelabs_rag.resources._multipart_plan import FINGERPRINT_KEY

__all__ = ["KNOWN_DIFFERENCES", "SDK_CANNOT", "shape", "allow", "allow_walk", "norm"]

_HEX24 = re.compile(r"(?<![0-9a-f])[0-9a-f]{24}(?![0-9a-f])")

#: What we send on purpose that the SDK does not, and why. Each is taken out of our side (only) by
#: ``allow`` under the narrow condition it states; nothing else may differ.
KNOWN_DIFFERENCES: dict[str, str] = {
    "upload token":
        "every upload (POST /tasks and POST /assets, files and URLs; POST /assets/multipart-uploads) carries the "
        "upload token in user_metadata that lets a retry find what the first attempt created instead of "
        "uploading (and billing) twice (docs/retries.md); the rest of user_metadata must be equal, and a "
        "user_metadata holding only our keys counts as absent",
    "multipart fingerprint":
        "a multipart session's asset carries the file's fingerprint in user_metadata (POST "
        "/assets/multipart-uploads), so an interrupted upload of the same file resumes instead of starting over",
    "multipart resume lookup":
        "before opening a multipart session, assets.upload lists the incomplete sessions (GET "
        "/assets/multipart-uploads) to resume one of the same file; the SDK's upload_file always opens a new one. "
        "Our first POST /assets/multipart-uploads is compared with the SDK's",
    "pager stops at the last page":
        "our pagers stop after the page whose page_info says it is the last (page == total_page); the SDK's "
        "pagers ask for one more page and stop on its empty answer. Every request both send must match",
    "search pages keep include_user_metadata":
        "search.query(include_user_metadata=True) passes the flag on every following page (GET "
        "/search/{page_token}?include_user_metadata=true, spec §search retrieve), so items of page 2+ carry "
        "their user_metadata too; the SDK's search.query pager drops it after the first page",
    "asset filename":
        "assets.create(file=path) names the asset after the file when no filename is given (POST /assets form "
        "`filename`), the name the recovery lookup after an ambiguous failure filters on; the SDK leaves it to "
        "the server, which takes the same name from the file part",
}

#: Calls the SDK cannot make at all (no request leaves it), and why; ours is checked against the spec.
SDK_CANNOT: dict[str, str] = {
    "data_connectors.authorize_connection":
        "SDK 1.3.6 builds the URL with urljoin(base, 'connections:authorize'), which reads `connections:` as a "
        "URL scheme and raises httpx.UnsupportedProtocol before sending (spec-current §9); we join by "
        "concatenation",
}

_OUR_META_KEYS = (UPLOAD_TOKEN_KEY, FINGERPRINT_KEY)
_TOKEN_ROUTES = ("POST /tasks", "POST /assets", "POST /assets/multipart-uploads")


def norm(value: Any) -> Any:
    if isinstance(value, str):
        return _HEX24.sub("<id>", value)
    if isinstance(value, list):
        return [norm(v) for v in value]
    if isinstance(value, dict):
        return {k: norm(v) for k, v in value.items()}
    return value


def _form_value(value: str) -> Any:
    """A multipart text field; JSON-encoded fields (filter, user_metadata) compare parsed, so that
    ``{"a": 1}`` and ``{"a":1}`` are the same value."""
    if value[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def shape(rec: Any) -> dict[str, Any]:
    """What the oracle compares of one recorded request."""
    form = {key: sorted(norm([_form_value(v) for v in values]), key=json.dumps) for key, values in rec.form.items()}
    return {"method": rec.method, "route": rec.route, "query": sorted((k, norm(v)) for k, v in rec.query),
            "json": norm(copy.deepcopy(rec.json)), "form": form,
            "files": sorted(rec.files)}


def _strip_meta(meta: Any, keys: tuple[str, ...]) -> tuple[Any, set[str]]:
    if not isinstance(meta, dict):
        return meta, set()
    found = {k for k in keys if k in meta}
    return {k: v for k, v in meta.items() if k not in keys}, found


def _without_our_metadata(sdk: dict[str, Any], ours: dict[str, Any], used: set[str]) -> None:
    if ours["route"] not in _TOKEN_ROUTES:
        return
    names = {UPLOAD_TOKEN_KEY: "upload token", FINGERPRINT_KEY: "multipart fingerprint"}
    if "user_metadata" in ours["form"]:
        kept = []
        for meta in ours["form"]["user_metadata"]:
            meta, found = _strip_meta(meta, _OUR_META_KEYS)
            used |= {names[k] for k in found}
            if meta != {}:
                kept.append(meta)
        if kept:
            ours["form"]["user_metadata"] = kept
        else:
            del ours["form"]["user_metadata"]
    body = ours["json"]
    if isinstance(body, dict) and "user_metadata" in body:
        meta, found = _strip_meta(body["user_metadata"], _OUR_META_KEYS)
        used |= {names[k] for k in found}
        if meta == {} and "user_metadata" not in (sdk["json"] or {}):
            del body["user_metadata"]
        else:
            body["user_metadata"] = meta


def _without_asset_filename(sdk: dict[str, Any], ours: dict[str, Any], used: set[str]) -> None:
    if ours["route"] != "POST /assets" or "filename" in sdk["form"]:
        return
    file_names = [filename for name, filename, _size in ours["files"] if name == "file"]
    if file_names and ours["form"].get("filename") == file_names:
        del ours["form"]["filename"]
        used.add("asset filename")


def allow(sdk_recs: list[Any], our_recs: list[Any]) -> tuple[dict[str, Any], dict[str, Any], set[str]]:
    """The SDK's first request and ours to compare with it (shapes), minus what KNOWN_DIFFERENCES allows."""
    used: set[str] = set()
    sdk = shape(sdk_recs[0])
    pick = 0
    if sdk["route"] == "POST /assets/multipart-uploads":
        while pick < len(our_recs) - 1 and our_recs[pick].route in ("GET /assets/multipart-uploads", "GET /assets"):
            pick += 1
        if pick:
            used.add("multipart resume lookup")
    ours = shape(our_recs[pick])
    _without_our_metadata(sdk, ours, used)
    _without_asset_filename(sdk, ours, used)
    return sdk, ours, used


def _page(rec: Any) -> int | None:
    pages = [v for k, v in rec.query if k == "page"]
    return int(pages[0]) if pages else None


def allow_walk(sdk_recs: list[Any], our_recs: list[Any]) -> tuple[list[tuple[dict, dict]], set[str]]:
    """The pairs (SDK, ours) of a whole walk (a pager's pages, a bulk helper's uploads) after the first
    request, minus the allowed differences; a walk of another length is left unpaired for the caller."""
    used: set[str] = set()
    sdk_rest, our_rest = list(sdk_recs[1:]), list(our_recs[1:])
    if len(sdk_rest) == len(our_rest) + 1 and _page(sdk_rest[-1]) == len(our_recs) + 1 and (
            sdk_rest[-1].route == our_recs[-1].route):
        sdk_rest.pop()
        used.add("pager stops at the last page")
    if len(sdk_rest) != len(our_rest):
        return [], used
    wants_meta = sdk_recs[0].form.get("include_user_metadata") == ["true"]
    pairs = []
    for s_rec, o_rec in zip(sdk_rest, our_rest, strict=True):
        sdk, ours = shape(s_rec), shape(o_rec)
        _without_our_metadata(sdk, ours, used)
        _without_asset_filename(sdk, ours, used)
        if (wants_meta and ours["route"] == "GET /search/{page_token}" and sdk["query"] == []
                and ours["query"] == [("include_user_metadata", "true")]):
            ours["query"] = []
            used.add("search pages keep include_user_metadata")
        pairs.append((sdk, ours))
    return pairs, used
