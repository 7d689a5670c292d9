"""Wire plumbing of the emulator: parsed requests, error responses, multipart parsing, query helpers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, overload
from urllib.parse import parse_qsl

from .._multipart import FilePart

__all__ = ["StreamCut", "ApiError", "FilePart", "Req", "Resp", "parse_multipart", "DOCS_URL"]

DOCS_URL = "https://docs.twelvelabs.io/v1.3/api-reference/error-codes"


class StreamCut(Exception):
    """The emulator cut a stream mid-way (``cut_stream_next``)."""


class ApiError(Exception):
    """Raised by a route handler; becomes ``{code, message, docs_url}`` with ``status``."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}

    def body(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "docs_url": DOCS_URL}


def bad(message: str, code: str = "parameter_invalid") -> ApiError:
    return ApiError(400, code, message)


def missing(name: str) -> ApiError:
    return ApiError(400, "parameter_not_provided", f"The `{name}` parameter is required but was not provided.")


def not_found(kind: str, ident: str, status: int = 400) -> ApiError:
    return ApiError(status, "resource_not_exist", f"{kind} with id {ident} does not exist.")


@dataclass
class Req:
    """A parsed request as the handlers see it."""

    method: str
    path: str  # relative to /v1.3, e.g. "/tasks/abc"
    route: str = ""
    params: dict[str, str] = field(default_factory=dict)
    query: list[tuple[str, str]] = field(default_factory=list)
    form: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, list[FilePart]] = field(default_factory=dict)
    json: Any = None
    content_type: str = ""
    origin: str = "http://emulator"

    # --- query helpers
    def q(self, name: str) -> str | None:
        for k, v in self.query:
            if k == name:
                return v
        return None

    def q_all(self, name: str) -> list[str]:
        return [v for k, v in self.query if k == name]

    # --- form helpers
    def f(self, name: str) -> str | None:
        values = self.form.get(name)
        return values[0] if values else None

    def f_all(self, name: str) -> list[str]:
        return list(self.form.get(name, []))

    def file(self, name: str) -> FilePart | None:
        parts = self.files.get(name)
        return parts[0] if parts else None

    def require_form(self, what: str) -> None:
        ct = self.content_type.split(";")[0].strip().lower()
        if ct not in ("multipart/form-data", "application/x-www-form-urlencoded"):
            raise ApiError(400, "parameter_invalid",
                           f"{what} expects a multipart/form-data body (got {ct or 'no content type'}); "
                           "send the fields as form parts, not JSON.")

    def require_json(self, what: str) -> dict[str, Any]:
        if not isinstance(self.json, dict):
            raise ApiError(400, "parameter_invalid",
                           f"{what} expects a JSON object body with content-type application/json.")
        return self.json


@dataclass
class Resp:
    """A handler's answer. ``stream`` (an iterator of byte chunks) replaces ``body`` for NDJSON."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    stream: Iterator[bytes] | None = None
    content_type: str = "application/json"

    def encoded(self) -> bytes:
        if self.body is None:
            return b""
        return json.dumps(self.body, separators=(",", ":")).encode()


def parse_body(content_type: str, body: bytes) -> tuple[dict[str, list[str]], dict[str, list[FilePart]], Any]:
    """Return (form, files, json) for a request body."""
    ct = content_type.split(";")[0].strip().lower()
    form: dict[str, list[str]] = {}
    files: dict[str, list[FilePart]] = {}
    data: Any = None
    if ct == "multipart/form-data":
        for name, filename, ptype, value in parse_multipart(content_type, body):
            if filename is not None or (ptype and not ptype.startswith("text/")):
                files.setdefault(name, []).append(FilePart(name, filename or "", ptype or "", len(value), value))
            else:
                form.setdefault(name, []).append(value.decode("utf-8", "replace"))
    elif ct == "application/x-www-form-urlencoded":
        for k, v in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
            form.setdefault(k, []).append(v)
    elif body:
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise ApiError(400, "parameter_invalid", f"The request body is not valid JSON: {exc}.") from None
    return form, files, data


def parse_multipart(content_type: str, body: bytes) -> list[tuple[str, str | None, str | None, bytes]]:
    """Parse a multipart/form-data body into ``(name, filename, content_type, data)`` parts."""
    boundary = None
    for piece in content_type.split(";")[1:]:
        key, _, param = piece.strip().partition("=")
        if key.lower() == "boundary":
            boundary = param.strip().strip('"')
    if not boundary:
        raise ApiError(400, "parameter_invalid", "The multipart body has no boundary in its content-type.")
    delim = b"--" + boundary.encode()
    parts = []
    for chunk in body.split(delim)[1:]:
        if chunk.startswith(b"--"):
            break
        chunk = chunk[2:] if chunk.startswith(b"\r\n") else chunk
        head, sep, value = chunk.partition(b"\r\n\r\n")
        if not sep:
            continue
        if value.endswith(b"\r\n"):
            value = value[:-2]
        name, filename, ptype = None, None, None
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, _, rest = line.partition(":")
            if key.strip().lower() == "content-disposition":
                for item in _split_params(rest):
                    k, eq, v = item.partition("=")
                    if not eq:
                        continue
                    v = v.strip()
                    if v.startswith('"') and v.endswith('"'):
                        v = v[1:-1].replace('\\"', '"')
                    if k.strip().lower() == "name":
                        name = v
                    elif k.strip().lower() == "filename":
                        filename = v
            elif key.strip().lower() == "content-type":
                ptype = rest.strip()
        if name is not None:
            parts.append((name, filename, ptype, value))
    return parts


def _split_params(text: str) -> list[str]:
    out: list[str] = []
    cur: list[str] = []
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            out.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur).strip())
    return out


def part_data(part: FilePart) -> bytes:
    """The bytes of an uploaded file part (the emulator's multipart parser always reads them in)."""
    if part.data is None:
        raise bad(f"The file part {part.name!r} carries no data.")
    return part.data


@overload
def parse_bool(value: str | None, name: str, default: bool) -> bool: ...
@overload
def parse_bool(value: str | None, name: str, default: None = None) -> bool | None: ...
def parse_bool(value: str | None, name: str, default: bool | None = None) -> bool | None:
    if value is None or value == "":
        return default
    low = value.strip().lower()
    if low in ("true", "1"):
        return True
    if low in ("false", "0"):
        return False
    raise bad(f"`{name}` must be true or false, got {value!r}.")


def parse_num(value: str | None, name: str, *, integer: bool = False, lo: float | None = None,
              hi: float | None = None, default: float | None = None) -> Any:
    if value is None or value == "":
        return default
    try:
        num = int(value) if integer else float(value)
    except ValueError:
        raise bad(f"`{name}` must be a{'n integer' if integer else ' number'}, got {value!r}.") from None
    if (lo is not None and num < lo) or (hi is not None and num > hi):
        raise bad(f"`{name}` must be between {lo} and {hi}, got {value}.")
    return num
