"""``tlrag store push`` / ``pull``, and ``--uri`` on ``tlrag store search`` / ``stats`` (Milvus backend).

The copy logic lives in :mod:`twelvelabs_rag.store._sync`; this module only parses and prints.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ._errors import CLIError
from ._milvus_open import TOKEN_ENV, open_milvus
from ._store_cmds import open_store

__all__ = ["register"]


def _bar(desc: str, quiet: bool) -> Any:
    """``(done, total)`` callback: a tqdm bar on a terminal, else one line per batch on stderr."""
    state: dict[str, Any] = {"bar": None}

    def update(done: int, total: int) -> None:
        if quiet:
            return
        if sys.stderr.isatty():
            try:
                from tqdm import tqdm
            except ImportError:
                tqdm = None
            if tqdm is not None:
                if state["bar"] is None:
                    state["bar"] = tqdm(total=total, desc=desc, unit="row", file=sys.stderr, ncols=80)
                state["bar"].update(done - state["bar"].n)
                return
        print(f"{desc}: {done}/{total} rows", file=sys.stderr, flush=True)

    update.close = lambda: state["bar"] is not None and state["bar"].close()  # type: ignore[attr-defined]
    return update


def push(args: argparse.Namespace) -> int:
    from ..store._sync import push as do_push

    local = open_store(args.path, read_only=True)
    try:
        remote = open_milvus(args, args.to, model_name=local.model_name, dim=local.dim)
        try:
            bar = _bar("push", args.quiet)
            result = do_push(local, remote, batch_size=args.batch_size, progress=bar)
            bar.close()
            count = len(remote)
        finally:
            remote.close()
    finally:
        local.close()
    kind = "full push" if result.full else "incremental push"
    print(f"{kind}: {result.added} rows sent, {result.deleted} removed; {remote.collection} now holds {count} segments")
    return 0


def pull(args: argparse.Namespace) -> int:
    from ..store import SegmentStore
    from ..store._sync import pull as do_pull

    where = _where(args.where)
    remote = open_milvus(args, getattr(args, "from"))
    try:
        path = Path(args.path).expanduser()
        if SegmentStore.exists(path):
            local = SegmentStore.open(path)
        elif not path.exists() or (path.is_dir() and not any(path.iterdir())):
            local = SegmentStore.create(path, dim=remote.dim, model_name=remote.model_name)
        else:
            raise CLIError(f"{path} is not a segment store; choose a new or empty --path")
        try:
            bar = _bar("pull", args.quiet)
            n = do_pull(remote, local, where=where, batch_size=args.batch_size, progress=bar)
            bar.close()
            local.save()
            total = len(local)
        finally:
            local.close()
    finally:
        remote.close()
    print(f"pulled {n} segments into {path} (now {total} segments)")
    return 0


def _where(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        where = json.loads(text)
    except ValueError as exc:
        raise CLIError(f"--where must be a JSON object such as '{{\"video_id\": \"v1\"}}': {exc}") from None
    if not isinstance(where, dict):
        raise CLIError("--where must be a JSON object such as '{\"video_id\": \"v1\"}'")
    return where


def _with_uri(local_func: Any) -> Any:
    """Wrap ``search``/``stats``: with ``--uri`` they run on a Milvus collection, else on ``--path``."""

    def run(args: argparse.Namespace) -> int:
        uri = getattr(args, "uri", None)
        if uri is None:
            if getattr(args, "path", None) is None:
                raise CLIError("give --path DIR (a local store) or --uri URI (a Milvus collection)")
            return int(local_func(args))
        if getattr(args, "path", None) is not None:
            raise CLIError("give either --path or --uri, not both")
        return int(local_func(args))  # its open_segments(args) opens the collection of --uri

    return run


def _milvus_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--collection", default="tlrag_segments", metavar="NAME",
                   help="collection (default: tlrag_segments)")
    p.add_argument("--token", default=None, metavar="TOKEN",
                   help=f"Milvus token (default: ${TOKEN_ENV}); never printed")


def register(st_sub: Any, add: Any, api: argparse.ArgumentParser, debug: argparse.ArgumentParser) -> None:
    """Add ``push``/``pull`` and the ``--uri`` options to the ``tlrag store`` subcommands."""
    p = add(st_sub, "push", "copy a local store into a Milvus collection (incremental, resumable)", push, [debug])
    p.add_argument("--path", required=True, metavar="DIR", help="the local store")
    p.add_argument("--to", required=True, metavar="URI", help="Milvus URI (http://host:19530) or a milvus-lite file")
    p.add_argument("--index", default="FLAT", help="index type when the collection is created (default: FLAT)")
    p.add_argument("--batch-size", type=int, default=2000, metavar="N")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    _milvus_args(p)
    p = add(st_sub, "pull", "copy (a subset of) a Milvus collection into a local store", pull, [debug])
    p.add_argument("--from", required=True, metavar="URI", help="Milvus URI or a milvus-lite file")
    p.add_argument("--path", required=True, metavar="DIR", help="the local store (created if missing)")
    p.add_argument("--where", default=None, metavar="JSON", help='a filter, e.g. \'{"video_id": "v1"}\'')
    p.add_argument("--batch-size", type=int, default=2000, metavar="N")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    _milvus_args(p)
    for name in ("search", "stats"):
        sp = st_sub.choices[name]
        for action in sp._actions:
            if "--path" in action.option_strings:
                action.required = False
                action.default = None
        sp.add_argument("--uri", default=None, metavar="URI", help="search a Milvus collection instead of --path")
        _milvus_args(sp)
        sp.set_defaults(func=_with_uri(sp.get_default("func")))
