"""Strict mode's check: one request against its route's rule in ``_strict.STRICT_ROUTES``.

``strict_gate`` is what ``FakeTwelveLabs._respond`` calls (under the emulator lock, before rate limits
and the handler); ``check`` is the pure part, given the index shape.

```python
from twelvelabs_rag.testing._http import Req
from twelvelabs_rag.testing._strict_check import check
check(Req("GET", "/tasks", "GET /tasks", query=[("status", "ready")]), None)  # allowed: no error
```
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..models import find_model
from ._embed_v2_wire import NestedApiError
from ._http import ApiError, Req
from ._strict import ANY, EXEMPT_ROUTES, STRICT_ROUTES, Csv, Each, Enum, ModelNames, Obj, Rule

__all__ = ["check", "strict_gate", "index_shape"]


def index_shape(fake: Any, req: Req) -> str | None:
    """``classic`` / ``current``: the surface of the index a request addresses (None: no or unknown index)."""
    index_id = req.params.get("index_id") or (req.f("index_id") if req.route == "POST /search" else None)
    ix = fake.indexes.get(index_id) if index_id else None
    if ix is None:
        return None
    model = ix.marengo() or ix.pegasus()
    spec = find_model(model["model_name"]) if model else None
    return spec.surface if spec is not None else None


def strict_gate(fake: Any, req: Req, handler: str) -> None:
    """Raise the 400 of strict mode in the error shape of the route (embed v2 nests it under ``error``)."""
    try:
        check(req, index_shape(fake, req))
    except ApiError as exc:
        if getattr(getattr(fake, handler), "nested_error_body", False):
            raise NestedApiError(exc.status, exc.code, exc.message) from None
        raise


def _shape_name(shape: str | None) -> str:
    return {"classic": "a classic (Marengo 2.7 / Pegasus 1.2) index", "current": "a Marengo 3.0 index"}.get(
        shape or "", "this route")


def _unknown(name: str, where: str, route: str, allowed: Any, shape: str | None) -> ApiError:
    on = f" on {_shape_name(shape)}" if shape else ""
    known = ", ".join(sorted(allowed)) or "none"
    return ApiError(400, "parameter_unknown",
                    f"Unknown {where} `{name}` for {route}{on}; remove it or use one of the documented "
                    f"parameters: {known}.")


def _invalid(name: str, value: Any, enum: Enum, route: str, shape: str | None) -> ApiError:
    on = f" on {_shape_name(shape)}" if shape else ""
    if isinstance(enum, ModelNames):
        return ApiError(400, "parameter_invalid", f"Unknown model_name {value!r} (`{name}`): {route} takes "
                                                  f"{', '.join(enum.values)} only; use one of those.")
    return ApiError(400, "parameter_invalid",
                    f"`{name}` of {route}{on} must be one of {', '.join(enum.values)}, got {value!r}; "
                    "use one of those values.")


def _check_value(name: str, value: Any, schema: Any, route: str, shape: str | None) -> None:
    if schema is ANY or value is None:
        return
    if isinstance(schema, Csv):
        for part in str(value).split(","):
            _check_value(name, part.strip(), schema.enum, route, shape)
    elif isinstance(schema, Enum):
        for v in (value if isinstance(value, list) else [value]):
            if not isinstance(v, str) or v not in schema.values:
                raise _invalid(name, v, schema, route, shape)
    elif isinstance(schema, Each):
        if isinstance(value, list):
            for i, item in enumerate(value):
                _check_value(f"{name}[{i}]", item, schema.item, route, shape)
    elif isinstance(schema, Obj) and isinstance(value, dict):
        for key, item in value.items():
            if key not in schema.keys:
                raise _unknown(f"{name}.{key}" if name else key, "JSON key", route, schema.keys, shape)
            _check_value(f"{name}.{key}" if name else key, item, schema.keys[key], route, shape)


def _allowed(base: Mapping[str, Any], rule: Rule, shape: str | None) -> dict[str, Any]:
    """``base`` plus the fields (or narrower enums) of the index's shape; an unknown shape gets the union."""
    out = dict(base)
    if shape == "classic":
        out.update(rule.classic)
    elif shape == "current":
        out.update(rule.current)
    else:
        for extra in (rule.classic, rule.current):
            for key, schema in extra.items():
                out.setdefault(key, schema)
    return out


def check(req: Req, shape: str | None) -> None:
    """Raise the API's 400 ``ApiError`` when ``req`` carries anything its route's rule does not list.

    ``shape`` is ``"classic"``/``"current"`` for the index the request addresses (None: no index or unknown).
    """
    if req.route in EXEMPT_ROUTES:
        return
    rule = STRICT_ROUTES.get(req.route)
    if rule is None:  # every ROUTES entry has a rule (tests/emulator/test_strict.py); a new one must add it
        raise ApiError(500, "internal_error", f"Strict mode has no parameter table for {req.route}; add it to "
                                              "twelvelabs_rag.testing._strict.STRICT_ROUTES.")
    query = dict(rule.query) if rule.form else _allowed(rule.query, rule, shape)
    for name, value in req.query:
        if name in query:
            _check_value(name, value, query[name], req.route, shape)
        elif not (rule.open_query or (rule.query_prefixes and name.startswith(rule.query_prefixes))):
            raise _unknown(name, "query parameter", req.route,
                           [*query, *(f"{prefix}key]" for prefix in rule.query_prefixes)], shape)
    # A body of the wrong kind (JSON to a multipart route, or the reverse) is left to the handler,
    # whose message names the content type to use.
    form = _allowed(rule.form, rule, shape) if rule.form else {}
    for name in (list(req.form) + list(req.files)) if rule.body is None else ():
        if name not in form:
            raise _unknown(name, "form field", req.route, form, shape)
        for value in req.form.get(name, []):
            _check_value(name, value, form[name], req.route, shape)
    if isinstance(req.json, dict) and not rule.form:
        if rule.body is None:
            if req.json:
                raise _unknown(next(iter(req.json)), "JSON key", req.route, {}, shape)
            return
        _check_value("", req.json, rule.body, req.route, shape)
