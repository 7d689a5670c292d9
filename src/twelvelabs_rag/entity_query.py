"""Resolve an entity by name to the ``<@entity_id>`` token Marengo 3.0 search understands.

Used by the LangChain and LlamaIndex retrievers (``entity=...``) so a user can ask for
``"Ana is cooking"`` without looking up ids. One exact (case-insensitive) name match is required:
none or several raise :class:`EntityLookupError`, whose message says how to fix it.

```python
from twelvelabs_rag.entity_query import with_mention
assert with_mention("<@e1>", "is cooking") == "<@e1> is cooking"
assert with_mention("<@e1>", None) == "<@e1>"
```
"""

from __future__ import annotations

from typing import Any

from ._exceptions import InvalidRequestError

__all__ = ["EntityLookupError", "find_entity", "afind_entity", "with_mention"]


class EntityLookupError(InvalidRequestError):
    """No entity, or more than one, carries the requested name."""


def with_mention(mention: str, text: str | None) -> str:
    """The search text with the entity token first (``"<@id> rest"``)."""
    rest = (text or "").strip()
    return f"{mention} {rest}" if rest else mention


def _pick(name: str, found: list[Any], where: str) -> Any:
    wanted = name.strip().casefold()
    exact = [e for e in found if (e.name or "").strip().casefold() == wanted]
    if not exact:
        raise EntityLookupError(f"no entity named {name!r} in {where}; create it with "
                                "client.entity_collections.entities.create(...) or check the spelling")
    if len(exact) > 1:
        ids = ", ".join(e.id for e in exact)
        raise EntityLookupError(f"{len(exact)} entities are named {name!r} in {where} ({ids}); "
                                "pass entity_collection_id=... or use the id as '<@id>' in the query")
    return exact[0]


def _check(name: str) -> None:
    if not isinstance(name, str) or not name.strip():
        raise EntityLookupError("entity name is empty: pass the name of an entity of your entity collections")


def find_entity(client: Any, name: str, *, entity_collection_id: str | None = None) -> Any:
    """The one entity called ``name`` (in one collection, or across all of them)."""
    _check(name)
    collections = ([entity_collection_id] if entity_collection_id
                   else [c.id for c in client.entity_collections.list()])
    found = [e for cid in collections for e in client.entity_collections.entities.list(cid, name=name.strip())]
    where = f"collection {entity_collection_id}" if entity_collection_id else "your entity collections"
    return _pick(name, found, where)


async def afind_entity(aclient: Any, name: str, *, entity_collection_id: str | None = None) -> Any:
    """Async twin of :func:`find_entity`."""
    _check(name)
    if entity_collection_id:
        collections = [entity_collection_id]
    else:
        collections = [c.id async for c in aclient.entity_collections.list()]
    found = []
    for cid in collections:
        found.extend([e async for e in aclient.entity_collections.entities.list(cid, name=name.strip())])
    where = f"collection {entity_collection_id}" if entity_collection_id else "your entity collections"
    return _pick(name, found, where)
