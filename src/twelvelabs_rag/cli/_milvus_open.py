"""Opening the Milvus collection a ``tlrag store`` command names (``--uri``, ``--collection``,
``--token``); a leaf module, so the local store commands and the Milvus ones both import it."""

from __future__ import annotations

import argparse
import os
from typing import Any

__all__ = ["TOKEN_ENV", "open_milvus", "open_collection"]

TOKEN_ENV = "MILVUS_TOKEN"


def open_milvus(args: argparse.Namespace, uri: str, *, model_name: str | None = None, dim: int | None = None) -> Any:
    """A MilvusSegmentStore on ``uri`` (token: ``--token``, else ``$MILVUS_TOKEN``); created when missing."""
    from ..store import MilvusSegmentStore

    token = getattr(args, "token", None) or os.environ.get(TOKEN_ENV) or None
    return MilvusSegmentStore(uri, token=token, collection=args.collection, model_name=model_name, dim=dim,
                              index=getattr(args, "index", None) or "FLAT")


def open_collection(args: argparse.Namespace, uri: str) -> Any:
    """The Milvus collection of ``--uri`` (with ``--collection``/``--token``), as the store commands read it."""
    return open_milvus(args, uri)
