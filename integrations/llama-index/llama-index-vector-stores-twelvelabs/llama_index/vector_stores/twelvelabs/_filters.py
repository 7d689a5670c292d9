"""LlamaIndex ``MetadataFilters`` -> the segment store's ``where`` dict (private).

Keys ``video_id``, ``start``, ``end``, ``scope`` and ``option`` address the store's typed columns;
every other key addresses node metadata (``metadata.<key>``, so a key no node has yet simply
matches nothing instead of raising).
"""

from __future__ import annotations

from typing import Any

from llama_index.core.vector_stores.types import FilterCondition, FilterOperator, MetadataFilter, MetadataFilters

from twelvelabs_rag.store import FilterError

__all__ = ["COLUMN_KEYS", "to_where", "SUPPORTED_OPERATORS"]

#: Node metadata keys stored as columns of the segment store.
COLUMN_KEYS = ("video_id", "start", "end", "scope", "option")

_OPS = {
    FilterOperator.NE: "$ne",
    FilterOperator.GT: "$gt",
    FilterOperator.GTE: "$gte",
    FilterOperator.LT: "$lt",
    FilterOperator.LTE: "$lte",
    FilterOperator.IN: "$in",
    FilterOperator.NIN: "$nin",
}
SUPPORTED_OPERATORS = (FilterOperator.EQ, *_OPS)


def _key(key: str) -> str:
    return key if key in COLUMN_KEYS else f"metadata.{key}"


def _one(f: MetadataFilter) -> dict[str, Any]:
    op = f.operator
    if op == FilterOperator.EQ:
        return {_key(f.key): {"$eq": f.value}}
    if op in _OPS:
        value = f.value
        if op in (FilterOperator.IN, FilterOperator.NIN) and not isinstance(value, list):
            raise FilterError(f"{op.name} on {f.key!r} needs a list of values, got {value!r}")
        return {_key(f.key): {_OPS[op]: value}}
    names = ", ".join(o.name for o in SUPPORTED_OPERATORS)
    raise FilterError(
        f"filter operator {op.name} on {f.key!r} is not supported by TwelveLabsSegmentVectorStore; use one of {names}"
    )


def to_where(filters: MetadataFilters | None) -> dict[str, Any] | None:
    """Translate (possibly nested) ``MetadataFilters`` with AND / OR / NOT into a ``where`` dict.

    Example:
        ```python
        from llama_index.core.vector_stores import MetadataFilter, MetadataFilters, FilterOperator
        f = MetadataFilters(filters=[MetadataFilter(key="video_id", value="v1"),
                                     MetadataFilter(key="lang", value=["en"], operator=FilterOperator.IN)])
        assert to_where(f) == {"$and": [{"video_id": {"$eq": "v1"}}, {"metadata.lang": {"$in": ["en"]}}]}
        ```
    """
    if filters is None or not filters.filters:
        return None
    parts = [to_where(f) if isinstance(f, MetadataFilters) else _one(f) for f in filters.filters]
    parts = [p for p in parts if p]
    if not parts:
        return None
    condition = filters.condition or FilterCondition.AND
    if condition == FilterCondition.AND:
        return parts[0] if len(parts) == 1 else {"$and": parts}
    if condition == FilterCondition.OR:
        return parts[0] if len(parts) == 1 else {"$or": parts}
    if condition == FilterCondition.NOT:
        return {"$not": parts[0] if len(parts) == 1 else {"$and": parts}}
    raise FilterError(f"filter condition {condition!r} is not supported; use AND, OR or NOT")


def combine(*wheres: dict[str, Any] | None) -> dict[str, Any] | None:
    """AND several optional ``where`` dicts together."""
    parts = [w for w in wheres if w]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"$and": parts}
