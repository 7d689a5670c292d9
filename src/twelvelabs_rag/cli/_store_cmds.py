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
from ._errors import CLIError
from ._output import span, table

__all__ = ["ingest", "search", "stats", "open_store", "open_segments", "add_task", "add_v2_task", "store_dir",
           "fetch_ready_task", "ingest_task"]


def add_task(store: Any, task: Any, *, video_id: str | None = None,
             metadata: dict[str, Any] | None = None) -> list[int]:
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


def add_v2_task(store: Any, task: Any, *, video_id: str, metadata: dict[str, Any]) -> list[int]:
    """Add the clip vectors of a ready embed-v2 video task (``data[i]`` with ``start_sec``/``end_sec``)."""
    rows = [i for i, d in enumerate(task.data or []) if d.embedding_scope != "asset" and d.start_sec is not None]
    if not rows:
        raise CLIError(f"embed v2 task {task.id} has no clip segments to add")
    data = [task.data[i] for i in rows]
    return list(store.add(
        task.matrix[rows],
        video_ids=video_id,
        starts=[float(d.start_sec) for d in data],
        ends=[float(d.end_sec if d.end_sec is not None else d.start_sec) for d in data],
        scopes=["clip"] * len(data),
        options=[d.embedding_option or "visual" for d in data],
        metadatas=[dict(metadata) for _ in data],
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
    if not SegmentStore.exists(path):
        raise _missing(path)
    return SegmentStore.open(path, read_only=read_only)


def open_segments(args: argparse.Namespace, *, read_only: bool) -> Any:
    """The segments a command reads: the Milvus collection of ``--uri``, else the local store of ``--path``."""
    uri = getattr(args, "uri", None)
    if uri is not None:
        from ._milvus_open import open_collection

        return open_collection(args, uri)
    return open_store(args.path, read_only=read_only)


def store_dir(path_arg: str) -> Path:
    """The ``--path`` of a store to write: a store, a new or an empty directory (checked, not created yet)."""
    from ..store import SegmentStore

    path = Path(path_arg).expanduser()
    if path.exists() and not path.is_dir():
        raise CLIError(f"{path} is a file, not a segment store directory")
    if path.exists() and not SegmentStore.exists(path) and any(path.iterdir()):
        raise CLIError(f"{path} is a non-empty directory but not a segment store; choose a new or empty --path")
    return path


def _make_dir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CLIError(f"cannot create the store directory {path}: {exc.strerror or exc}; "
                       "choose a --path in a directory you can write to") from exc


def fetch_ready_task(client: Any, task_id: str, args: argparse.Namespace) -> Any:
    """The embedding task with its vectors; waits for it with ``--wait``, else fails when it is not ready."""
    from .._exceptions import TaskFailedError, WaitTimeoutError
    from ._api_cmds import timed_out

    try:
        if getattr(args, "wait", False):
            client.embed.tasks.wait(task_id, timeout=args.timeout, poll_interval=args.poll_interval)
        task = client.embed.tasks.retrieve(task_id, embedding_option=None)
    except WaitTimeoutError as exc:
        raise timed_out(exc, "embedding", again="Run the same command again to keep waiting") from exc
    except TaskFailedError as exc:
        raise CLIError(f"embedding task {task_id} failed: {exc}") from exc
    except Exception as exc:
        if _not_found(exc):
            raise CLIError(f"embedding task {task_id!r} not found (create one with 'tlrag embed video PATH')") from exc
        raise
    if task.status != "ready" or task.video_embedding is None or not task.video_embedding.segments:
        raise CLIError(f"embedding task {task_id} is {task.status!r}, not ready: add --wait to wait for it")
    return task


def ingest_task(task: Any, path: Path, *, video_id: str | None) -> str:
    """Add a ready task's segments to the store at ``path`` (created if missing); returns the report line."""
    from ..store import SegmentStore

    matrix = task.video_embedding.matrix
    if SegmentStore.exists(path):
        store = SegmentStore.open(path)
    else:
        _make_dir(path)
        store = SegmentStore.create(path, dim=int(matrix.shape[1]), model_name=task.model_name or "marengo3.0")
    try:
        meta = task.video_embedding.metadata
        filename = meta.input_filename if meta is not None else None
        ids = add_task(store, task, video_id=video_id, metadata={"filename": filename} if filename else None)
        store.save()
        return f"added {len(ids)} segments of task {task.id} to {path} (now {len(store)} segments)"
    finally:
        store.close()


def ingest(args: argparse.Namespace) -> int:
    path = store_dir(args.path)
    with make_client(args) as client:
        task = fetch_ready_task(client, args.task_id, args)
    print(ingest_task(task, path, video_id=args.video_id))
    return 0


def search(args: argparse.Namespace) -> int:
    if args.text is not None and not args.text.strip():
        raise CLIError("--text is empty: give some words to search for")
    where = {"video_id": args.video} if args.video else None
    image = existing_file(args.image, "image file") if args.image else None
    store = open_segments(args, read_only=True)
    try:
        if args.like is not None:
            try:
                seed = int(args.like)  # any size: the store says "not in the store" for ids it cannot hold
            except ValueError as exc:
                raise CLIError(f"--like takes a segment id (an integer from 'tlrag store search'), not {args.like!r}") \
                    from exc
            hits = [h for h in store.search_like(seed, k=args.limit + 1, where=where) if h.id != seed][: args.limit]
        else:
            with make_client(args) as client:
                if image is not None:
                    hits = store.search_image(image, client=client, k=args.limit, where=where)
                else:
                    hits = store.search_text(args.text.strip(), client=client, k=args.limit, where=where)
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
    store = open_segments(args, read_only=True)
    try:
        info = store.stats()
    finally:
        store.close()
    items = [(k, v) for k, v in (info.items() if isinstance(info, dict) else vars(info).items())
             if k != "read_only"]  # a property of this command's handle (opened read-only), not of the store
    width = max((len(str(k)) for k, _ in items), default=0)
    for key, value in items:
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items())
        print(f"{str(key).ljust(width)}  {value}")
    return 0
