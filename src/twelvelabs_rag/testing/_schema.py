"""Generate a JSON value that validates against a (structured-output) JSON schema.

Covers what the analyze endpoint documents: object ``properties``/``required``, arrays with
``items``/``minItems``/``maxItems``, ``enum``, ``const``, ``anyOf``/``oneOf``/``allOf``, ``$ref``
into ``$defs``/``definitions``, numbers within (exclusive) minimum/maximum, string formats
(``date-time``, ``date``, ``time``, ``uuid``, ``email``, ``uri``) and simple ``pattern``s.
String and number values are filled from the video's script scenes so answers look relevant.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from typing import Any

from ._script import Scene

__all__ = ["generate", "unsupported_keyword", "SchemaError"]


class SchemaError(ValueError):
    """The schema cannot be used (unresolvable ``$ref``, unsatisfiable bounds)."""


def unsupported_keyword(schema: Any) -> str | None:
    """Return ``minLength``/``maxLength`` when the schema uses them anywhere (the API rejects them)."""
    if isinstance(schema, dict):
        for key in ("minLength", "maxLength"):
            if key in schema and not isinstance(schema.get(key), dict):
                return key
        for value in schema.values():
            found = unsupported_keyword(value)
            if found:
                return found
    elif isinstance(schema, list):
        for value in schema:
            found = unsupported_keyword(value)
            if found:
                return found
    return None


class _Gen:
    def __init__(self, root: dict[str, Any], scenes: list[Scene], fallback: str) -> None:
        self.root, self.scenes, self.fallback = root, scenes, fallback

    def scene(self, i: int) -> Scene | None:
        return self.scenes[i % len(self.scenes)] if self.scenes else None

    def resolve(self, ref: str) -> dict[str, Any]:
        if not ref.startswith("#/"):
            raise SchemaError(f"Only local $ref values are supported, got {ref!r}.")
        node: Any = self.root
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                raise SchemaError(f"The $ref {ref!r} does not resolve inside the schema.")
            node = node[part]
        if not isinstance(node, dict):
            raise SchemaError(f"The $ref {ref!r} does not point at a schema object.")
        return node

    def gen(self, schema: Any, name: str = "", i: int = 0, depth: int = 0) -> Any:
        if depth > 32:
            raise SchemaError("The schema nests too deeply (a recursive $ref without a base case?).")
        if schema is True or schema is None or schema == {}:
            return self.text(name, i)
        if not isinstance(schema, dict):
            raise SchemaError(f"Invalid schema node: {schema!r}.")
        if "$ref" in schema:
            return self.gen(self.resolve(schema["$ref"]), name, i, depth + 1)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return self.pick_enum(schema["enum"], i)
        for key in ("anyOf", "oneOf"):
            if key in schema:
                branches = [b for b in schema[key] if not (isinstance(b, dict) and b.get("type") == "null")]
                return self.gen((branches or schema[key])[0], name, i, depth + 1)
        if "allOf" in schema:
            merged: dict[str, Any] = {}
            for b in schema["allOf"]:
                b = self.resolve(b["$ref"]) if isinstance(b, dict) and "$ref" in b else b
                merged.update(b)
            return self.gen({**merged, **{k: v for k, v in schema.items() if k != "allOf"}}, name, i, depth + 1)
        typ = schema.get("type")
        if isinstance(typ, list):
            typ = next((t for t in typ if t != "null"), "null")
        if typ is None:
            typ = "object" if "properties" in schema else "array" if "items" in schema else "string"
        if typ == "object":
            props = schema.get("properties", {})
            return {key: self.gen(sub, key, i, depth + 1) for key, sub in props.items()}
        if typ == "array":
            lo = int(schema.get("minItems", 0))
            hi = schema.get("maxItems")
            n = max(lo, min(len(self.scenes) or 1, 10))
            if hi is not None:
                n = min(n, int(hi))
            if n < lo:
                raise SchemaError("minItems is larger than maxItems.")
            items = schema.get("items", {})
            return [self.gen(items, name, j, depth + 1) for j in range(n)]
        if typ in ("number", "integer"):
            return self.number(schema, name, i, typ == "integer")
        if typ == "boolean":
            return True
        if typ == "null":
            return None
        if typ == "string" or typ == "timestamp":
            return self.string(schema, name, i)
        raise SchemaError(f"Unsupported schema type {typ!r}.")

    def pick_enum(self, values: list[Any], i: int) -> Any:
        if not values:
            raise SchemaError("enum must not be empty.")
        scene = self.scene(i)
        words = set(re.findall(r"[a-z0-9]+", (scene.text if scene else self.fallback).lower()))
        for v in values:
            if isinstance(v, str) and set(re.findall(r"[a-z0-9]+", v.lower())) & words:
                return v
        return values[0]

    def text(self, name: str, i: int) -> str:
        scene = self.scene(i)
        if scene is None:
            return self.fallback
        low = name.lower()
        if any(k in low for k in ("title", "name", "label", "tag", "topic")):
            return " ".join(scene.visual.split()[:5])
        if any(k in low for k in ("speech", "transcript", "quote", "said")):
            return scene.speech  # nothing is said in a silent scene: an empty quote, not the picture
        return scene.visual

    def string(self, schema: dict[str, Any], name: str, i: int) -> str:
        fmt = schema.get("format")
        seed = hashlib.sha256(f"{name}:{i}".encode()).digest()
        if fmt == "date-time" or schema.get("type") == "timestamp":
            return "2026-01-01T00:00:00Z"
        if fmt == "date":
            return "2026-01-01"
        if fmt == "time":
            scene = self.scene(i)
            return f"00:00:{min(59, int(scene.start) if scene else 0):02d}"
        if fmt == "uuid":
            return str(uuid.UUID(bytes=seed[:16], version=4))
        if fmt == "email":
            return f"user{seed[0]}@example.com"
        if fmt in ("uri", "url"):
            return f"https://example.com/{seed.hex()[:8]}"
        value = self.text(name, i)
        pattern = schema.get("pattern")
        if pattern:
            value = _pattern_value(pattern, value)
        return value

    def number(self, schema: dict[str, Any], name: str, i: int, integer: bool) -> float | int:
        scene = self.scene(i)
        low = name.lower()
        if scene is not None and "start" in low:
            value: float = scene.start
        elif scene is not None and "end" in low:
            value = scene.end
        elif any(k in low for k in ("count", "total", "num_")):
            value = len(self.scenes)
        elif scene is not None and any(k in low for k in ("index", "number", "id", "rank")):
            value = i + 1
        else:
            value = 1 if integer else 0.5
        lo, hi = schema.get("minimum"), schema.get("maximum")
        xlo, xhi = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
        step = 1 if integer else 1e-6
        if isinstance(xlo, (int, float)) and not isinstance(xlo, bool):
            lo = xlo + step if lo is None else max(lo, xlo + step)
        if isinstance(xhi, (int, float)) and not isinstance(xhi, bool):
            hi = xhi - step if hi is None else min(hi, xhi - step)
        if lo is not None and value < lo:
            value = lo
        if hi is not None and value > hi:
            value = hi
        if integer:
            import math

            value = math.ceil(value) if lo is not None and math.ceil(value) <= (hi if hi is not None else math.inf) \
                else math.floor(value)
            if (lo is not None and value < lo) or (hi is not None and value > hi):
                raise SchemaError(f"No integer satisfies the bounds of {name or 'a number'}.")
            return int(value)
        if lo is not None and hi is not None and lo > hi:
            raise SchemaError(f"No number satisfies the bounds of {name or 'a number'}.")
        return float(value)


def _pattern_value(pattern: str, preferred: str) -> str:
    """Return ``preferred`` if it matches, else a string built from a simple pattern."""
    try:
        rx = re.compile(pattern)
    except re.error:
        return preferred
    if rx.fullmatch(preferred) or (not pattern.startswith("^") and rx.search(preferred)):
        return preferred
    candidates = [_expand(pattern.strip("^$")), "a", "A", "0", "00:00", "00:00:00", "2026-01-01", "x" * 8]
    for c in candidates:
        if c is not None and rx.fullmatch(c):
            return c
    return preferred


def _expand(p: str) -> str | None:
    """Expand a small regex subset: literals, classes, \\d \\w, quantifiers {n}, +, *, ?."""
    out, i = [], 0
    while i < len(p):
        ch = p[i]
        if ch == "\\" and i + 1 < len(p):
            nxt = p[i + 1]
            unit = {"d": "0", "w": "a", "s": " "}.get(nxt, nxt)
            i += 2
        elif ch == "[":
            j = p.find("]", i)
            if j < 0:
                return None
            body = p[i + 1:j]
            unit = "0" if "0-9" in body else "a" if "a-z" in body else "A" if "A-Z" in body else body[:1]
            i = j + 1
        elif ch in "().|":
            return None
        else:
            unit = ch
            i += 1
        count = 1
        if i < len(p) and p[i] == "{":
            j = p.find("}", i)
            count = int(p[i + 1:j].split(",")[0] or 0)
            i = j + 1
        elif i < len(p) and p[i] in "+*?":
            count = 1 if p[i] == "+" else 0
            i += 1
        out.append(unit * count)
    return "".join(out)


def generate(schema: dict[str, Any], scenes: list[Scene], fallback: str = "no description available") -> Any:
    """Build a value valid under ``schema``, drawing strings and times from ``scenes``.

    Example:
        ```python
        assert generate({"type": "object", "properties": {"n": {"type": "integer", "minimum": 3}}}, []) == {"n": 3}
        ```
    """
    return _Gen(schema, scenes, fallback).gen(schema)
