"""The Milvus side of :class:`MilvusSegmentStore`: connection, collection schema, index choice, guards.

One collection per store. Its properties carry what the local store keeps in its manifest:
``tlrag.model`` and ``tlrag.dim`` (the model/dimension guard), ``tlrag.next_id`` (the id counter, so an
id is never issued twice, even after deletes or by another process), ``tlrag.meta_keys`` (metadata
keys seen, for the same ``FilterError`` on a misspelt key) and ``tlrag.index``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from ._errors import (
    DimensionMismatchError,
    InvalidInputError,
    ModelMismatchError,
    StoreError,
    UnsupportedFormatError,
)
from ._models import resolve_model

__all__ = ["INDEXES", "connect", "milvus_errors", "open_or_create", "search_params", "redact", "Props"]

#: Index types: the first four run on milvus-lite; AUTOINDEX and DISKANN need a Milvus cluster / Zilliz.
INDEXES = ("FLAT", "IVF_FLAT", "IVF_SQ8", "HNSW", "AUTOINDEX", "DISKANN")
_LITE_INDEXES = ("FLAT", "IVF_FLAT", "IVF_SQ8", "HNSW")
_MAX_TEXT = 65_535
_MAX_KEY = 2_048
PROP_MODEL, PROP_DIM, PROP_NEXT, PROP_KEYS, PROP_INDEX = (
    "tlrag.model", "tlrag.dim", "tlrag.next_id", "tlrag.meta_keys", "tlrag.index")

T = TypeVar("T")


def redact(uri: str) -> str:
    """The URI without credentials (``user:password@`` and query strings never reach messages or reprs)."""
    uri = re.sub(r"//[^/@]*@", "//", uri)
    return uri.split("?", 1)[0]


def is_lite(uri: str) -> bool:
    return "://" not in uri


@contextlib.contextmanager
def milvus_errors(uri: str, what: str) -> Iterator[None]:
    """Turn pymilvus exceptions into :class:`StoreError` naming the call and the server (no token)."""
    from pymilvus.exceptions import MilvusException

    try:
        yield
    except MilvusException as exc:
        msg = getattr(exc, "message", None) or str(exc)
        raise StoreError(
            f"Milvus at {redact(uri)} refused {what}: {msg}; check that the server is reachable and the "
            "collection was created by twelvelabs-rag (MilvusSegmentStore)"
        ) from None


def connect(uri: str, token: str | None, timeout: float | None) -> Any:
    """A ``MilvusClient`` for a server URI or a milvus-lite file path (whose directory must exist)."""
    try:
        from pymilvus import MilvusClient
    except ImportError:
        raise StoreError("MilvusSegmentStore needs pymilvus: pip install 'twelvelabs-rag[milvus]'") from None
    if not isinstance(uri, str) or not uri:
        raise InvalidInputError(f"uri must be a Milvus URL (http://host:19530) or a milvus-lite file path, got {uri!r}")
    if is_lite(uri):
        parent = Path(uri).expanduser().resolve().parent
        if not parent.is_dir():
            raise InvalidInputError(f"the directory of the milvus-lite file {uri} does not exist; "
                                    f"create {parent} first")
        uri = str(Path(uri).expanduser().resolve())
    logging.getLogger("pymilvus").setLevel(logging.CRITICAL)  # errors reach the caller as typed exceptions
    with milvus_errors(uri, "the connection"):
        kw: dict[str, Any] = {"uri": uri}
        if token:
            kw["token"] = token
        if timeout is not None:
            kw["timeout"] = timeout
        return MilvusClient(**kw)


def _schema(client: Any, dim: int) -> Any:
    from pymilvus import DataType

    s = client.create_schema(auto_id=False, enable_dynamic_field=False)
    s.add_field("id", DataType.INT64, is_primary=True)
    s.add_field("video_id", DataType.VARCHAR, max_length=_MAX_KEY, is_partition_key=True)
    s.add_field("start", DataType.DOUBLE)
    s.add_field("end", DataType.DOUBLE)
    s.add_field("scope", DataType.VARCHAR, max_length=16)
    s.add_field("option", DataType.VARCHAR, max_length=256)
    s.add_field("text", DataType.VARCHAR, max_length=_MAX_TEXT, nullable=True)
    s.add_field("metadata", DataType.JSON)
    s.add_field("external_id", DataType.VARCHAR, max_length=_MAX_KEY, nullable=True)
    s.add_field("ukey", DataType.VARCHAR, max_length=_MAX_KEY * 2)  # the upsert key (video, scope, option, start, end)
    s.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
    return s


def _index_params(client: Any, index: str, n_lists: int) -> Any:
    ip = client.prepare_index_params()
    params: dict[str, Any] = {}
    if index in ("IVF_FLAT", "IVF_SQ8"):
        params = {"nlist": n_lists}
    elif index == "HNSW":
        params = {"M": 32, "efConstruction": 256}
    ip.add_index("vector", index_type=index, metric_type="IP", params=params)
    for scalar in ("ukey", "external_id"):
        with contextlib.suppress(Exception):
            ip.add_index(scalar, index_type="INVERTED")
    return ip


def search_params(index: str, k: int, nprobe: int, ef: int) -> dict[str, Any]:
    if index in ("IVF_FLAT", "IVF_SQ8"):
        return {"metric_type": "IP", "params": {"nprobe": nprobe}}
    if index == "HNSW":
        return {"metric_type": "IP", "params": {"ef": max(ef, k)}}
    return {"metric_type": "IP", "params": {}}


class Props:
    """The collection's tlrag properties (model, dim, next id, metadata keys, index)."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.model = str(raw[PROP_MODEL])
        self.dim = int(raw[PROP_DIM])
        self.next_id = int(raw[PROP_NEXT])
        self.meta_keys: set[str] = set(json.loads(raw.get(PROP_KEYS) or "[]"))
        self.index = str(raw.get(PROP_INDEX, "FLAT"))


def read_props(client: Any, uri: str, collection: str) -> Props:
    with milvus_errors(uri, f"describe_collection({collection!r})"):
        desc = client.describe_collection(collection)
    raw = desc.get("properties") or {}
    if PROP_MODEL not in raw or PROP_DIM not in raw or PROP_NEXT not in raw:
        raise UnsupportedFormatError(
            f"collection {collection!r} at {redact(uri)} was not created by twelvelabs-rag (no tlrag.* properties); "
            "pick another collection name"
        )
    return Props(raw)


def write_props(client: Any, uri: str, collection: str, values: dict[str, str]) -> None:
    with milvus_errors(uri, "alter_collection_properties"):
        client.alter_collection_properties(collection, properties=values)


def open_or_create(client: Any, uri: str, collection: str, *, dim: int | None, model_name: str | None,
                   index: str, n_lists: int) -> Props:
    """Open ``collection`` (checking model and dimension) or create it; returns its properties."""
    if index not in INDEXES:
        raise InvalidInputError(f"index must be one of {', '.join(INDEXES)}, got {index!r} (FLAT is exact)")
    with milvus_errors(uri, f"has_collection({collection!r})"):
        exists = client.has_collection(collection)
    if exists:
        props = read_props(client, uri, collection)
        if model_name is not None and resolve_model(model_name).name != resolve_model(props.model).name:
            raise ModelMismatchError(
                f"collection {collection!r} holds {props.model!r} vectors, not {model_name!r}; their spaces are not "
                "comparable, so use another collection name for this model"
            )
        if dim is not None and int(dim) != props.dim:
            raise DimensionMismatchError(
                f"collection {collection!r} holds {props.dim}-d vectors, not {dim}-d; "
                f"use dim={props.dim} or another collection"
            )
        with milvus_errors(uri, f"load_collection({collection!r})"):
            client.load_collection(collection)
        return props
    if model_name is None:
        raise InvalidInputError(f"collection {collection!r} does not exist yet; "
                                "pass model_name= (e.g. 'marengo3.0') to create it")
    info = resolve_model(model_name)
    if dim is None:
        dim = info.dim
    if isinstance(dim, bool) or not isinstance(dim, int) or dim <= 0:
        raise InvalidInputError(f"dim must be a positive integer (1024 for Marengo 2.7, 512 for 3.0), got {dim!r}")
    if info.dim is not None and info.dim != dim:
        raise DimensionMismatchError(f"{info.name} vectors are {info.dim}-d, not {dim}; use dim={info.dim}")
    if is_lite(uri) and index not in _LITE_INDEXES:
        raise InvalidInputError(f"milvus-lite supports {', '.join(_LITE_INDEXES)}; "
                                f"{index} needs a Milvus cluster or Zilliz Cloud")
    initial = {PROP_MODEL: info.name, PROP_DIM: str(dim), PROP_NEXT: "0", PROP_KEYS: "[]", PROP_INDEX: index}
    with milvus_errors(uri, f"create_collection({collection!r})"):
        client.create_collection(collection, schema=_schema(client, dim),
                                 index_params=_index_params(client, index, n_lists),
                                 consistency_level="Strong", properties=initial)
    return read_props(client, uri, collection)


def call(uri: str, what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    with milvus_errors(uri, what):
        return fn(*args, **kwargs)
