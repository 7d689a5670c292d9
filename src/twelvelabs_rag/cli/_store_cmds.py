"""``tlrag store``: a local SegmentStore filled from video embedding tasks, searched offline.

``ingest`` and text/image queries need the API (to fetch a task, to embed the query); ``--like``
and ``stats`` never touch the network.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ._api_cmds import _not_found, existing_file, make_client
from ._main import CLIError
from ._output import span, table

__all__ = ["ingest", "search", "stats", "open_store", "add_task"]


def add_task(store: Any, task: Any, *, video_id: str | None = None, metadata: dict[str, Any] | None = None) -> list[int]:
    """Add a ready embedding task's segments, filed under ``video_id`` (default: the task id)."""
    if video_id is None:
        return list(store.add_embedding_task(task, metadata=metadata))
    ve = task.video_embedding
    segments = list(ve.segments) if ve is not None else []
    if not segments:
        raise CLIError(f"embedding task {task.id} has no segments to add")
    return list(store.add(
        ve.matrix,
        video_ids=video_id,
        starts=[float(s.start_offset_sec) for s in segments],
        ends=[float(s.end_offset_sec) for s in segments],
        scopes=[s.embedding_scope or "clip" for s in segments],
        options=[s.embedding_option or "visual" for s in segments],
        metadatas=[dict(metadata) for _ in segments] if metadata else None,
    ))


def _missing(path: Path) -> CLIError:
    return CLIError(f"no segment store at {path} (create one with 'tlrag store ingest TASK_ID --path {path}')")


def open_store(path_arg: str, *, read_only: bool) -> Any:
    """Open the store at ``path_arg`` or fail with one line that says how to create one."""
    from ..store import SegmentStore

    path = Path(path_arg).expanduser()
    if not path.exists():
        raise _missing(path)
    if not path.is_dir():
        raise CLIError(f"{path} is a file, not a segment store directory")
    if not (path / "manifest.json").is_file():
        raise _missing(path)
    return SegmentStore.open(path, read_only=read_only)


def ingest(args: argparse.Namespace) -> int:
    from ..store import SegmentStore

    path = Path(args.path).expanduser()
    if path.exists() and not path.is_dir():
        raise CLIError(f"{path} is a file, not a segment store directory")
    with make_client(args) as client:
        try:
            task = client.embed.tasks.retrieve(args.task_id, embedding_option=None)
        except Exception as exc:
            if _not_found(exc):
                raise CLIError(f"embedding task {args.task_id!r} not found") from exc
            raise
    if task.status != "ready" or task.video_embedding is None or not task.video_embedding.segments:
        raise CLIError(f"embedding task {args.task_id} is {task.status!r}, not ready: wait for it, then ingest again")
    matrix = task.video_embedding.matrix
    if (path / "manifest.json").is_file():
        store = SegmentStore.open(path)
    elif not path.exists() or not any(path.iterdir()):
        store = SegmentStore.create(path, dim=int(matrix.shape[1]), model_name=task.model_name or "marengo3.0")
    else:
        raise CLIError(f"{path} is a non-empty directory but not a segment store; choose a new or empty --path")
    try:
        meta = task.video_embedding.metadata
        filename = meta.input_filename if meta is not None else None
        ids = add_task(store, task, video_id=args.video_id, metadata={"filename": filename} if filename else None)
        store.save()
        print(f"added {len(ids)} segments of task {task.id} to {path} (now {len(store)} segments)")
    finally:
        store.close()
    return 0


def search(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise CLIError("--limit must be at least 1")
    where = {"video_id": args.video} if args.video else None
    image = existing_file(args.image, "image file") if args.image else None
    store = open_store(args.path, read_only=True)
    try:
        if args.like is not None:
            try:
                seed = int(args.like)
            except ValueError as exc:
                raise CLIError(f"--like takes a segment id (an integer from 'tlrag store search'), not {args.like!r}") \
                    from exc
            hits = [h for h in store.search_like(seed, k=args.limit + 1, where=where) if h.id != seed][: args.limit]
        else:
            with make_client(args) as client:
                if image is not None:
                    hits = store.search_image(image, client=client, k=args.limit, where=where)
                else:
                    hits = store.search_text(args.text, client=client, k=args.limit, where=where)
    finally:
        store.close()
    if args.json:
        for h in hits:
            print(json.dumps({"id": h.id, "score": h.score, "video_id": h.video_id, "start": h.start, "end": h.end,
                              "scope": h.scope, "option": h.option, "metadata": h.metadata}))
        return 0
    rows = [(h.id, h.video_id, (h.metadata or {}).get("filename"), span(h.start, h.end), h.option, float(h.score))
            for h in hits]
    print(table(rows, ["segment", "video_id", "file", "moment", "option", "score"]))
    return 0


def stats(args: argparse.Namespace) -> int:
    store = open_store(args.path, read_only=True)
    try:
        info = store.stats()
    finally:
        store.close()
    items = info.items() if isinstance(info, dict) else vars(info).items()
    width = max((len(str(k)) for k, _ in items), default=0)
    for key, value in items:
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items())
        print(f"{str(key).ljust(width)}  {value}")
    return 0
