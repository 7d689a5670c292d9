"""``tlrag upload``: put local video files into an index, the way the index's models want it.

- current indexes (Marengo 3.0): ``client.assets.upload`` (direct up to 200 MB, else a resumable
  multipart session; ``--resume UPLOAD_ID`` continues an interrupted one) then an indexed asset;
- classic indexes (Marengo 2.7 / Pegasus 1.2): ``POST /tasks``, as before.

The flow comes from :func:`twelvelabs_rag.flow.choose_flow` (the index's models); what is "already
there" from :mod:`twelvelabs_rag.dedupe` (a file is never uploaded twice, not even while an earlier
upload of it is still processing).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from .._multipart import file_name
from ._api_cmds import MAX_JSON_DEPTH, existing_file, json_depth, make_client, preflight, require_index, timed_out
from ._errors import CLIError
from ._output import Progress, clock, table

__all__ = ["upload"]


def _shown(path: Path) -> str:
    """The file name as the server gets it: printable and lossless even when it is not valid UTF-8."""
    return file_name(path, path.name)


def _metadata(args: argparse.Namespace) -> dict[str, Any]:
    if not args.metadata:
        return {}
    try:
        metadata = json.loads(args.metadata)
    except json.JSONDecodeError as exc:
        raise CLIError(f"--metadata is not valid JSON: {exc.msg}") from exc
    except RecursionError as exc:
        raise CLIError(f"--metadata nests too deeply; keep it under {MAX_JSON_DEPTH} levels") from exc
    if not isinstance(metadata, dict):
        raise CLIError("--metadata must be a JSON object, e.g. '{\"category\": \"nature\"}'")
    if json_depth(metadata) > MAX_JSON_DEPTH:
        raise CLIError(f"--metadata nests deeper than {MAX_JSON_DEPTH} levels; flatten it")
    return metadata


def upload(args: argparse.Namespace) -> int:
    from ..flow import choose_flow

    paths = list(dict.fromkeys(existing_file(p, "video file") for p in args.paths))
    metadata = _metadata(args)
    if args.resume is not None and len(paths) != 1:
        raise CLIError(f"--resume {args.resume} continues one interrupted upload: give exactly the one file it was "
                       f"uploading (got {len(paths)} files)")
    with make_client(args, preflight=not args.no_preflight) as client:
        flow = choose_flow(index=require_index(client, args.index))
        if flow.ingest == "assets":
            rows, headers = _by_assets(client, args, paths, metadata)
        else:
            if args.resume is not None or args.method != "auto":
                flag = "--resume" if args.resume is not None else "--method"
                raise CLIError(f"{flag} is for current (Marengo 3.0) indexes, which upload assets; index {args.index} "
                               "is a classic one (uploads go through /tasks): leave out " + flag)
            rows, headers = _by_tasks(client, args, paths, metadata)
    print(table(rows, headers))
    return 0


# -- current indexes: assets + indexed assets -------------------------------------------------------


def _upload_progress(bar: Progress, name: str) -> Any:
    def show(p: Any) -> None:
        pct = 100 * p.bytes_sent // p.total_bytes if p.total_bytes else 100
        chunks = f", chunk {p.chunks_done}/{p.total_chunks}" if (p.total_chunks or 0) > 1 else ""
        bar.status(f"{name}: uploading {pct}%{chunks}")

    return show


def _wait_asset(client: Any, asset_id: str, args: argparse.Namespace, bar: Progress, name: str) -> Any:
    from .._exceptions import WaitTimeoutError

    try:
        return client.assets.wait(asset_id, timeout=args.timeout, poll_interval=args.poll_interval,
                                  on_progress=lambda a: bar.status(f"{name}: asset {a.status}"))
    except WaitTimeoutError as exc:
        raise timed_out(exc, f"{name}: asset processing") from exc


def _wait_indexed(client: Any, index_id: str, indexed_id: str, args: argparse.Namespace, bar: Progress,
                  name: str) -> Any:
    from .._exceptions import WaitTimeoutError

    try:
        return client.indexes.indexed_assets.wait(index_id, indexed_id, timeout=args.timeout,
                                                  poll_interval=args.poll_interval,
                                                  on_progress=lambda ia: bar.status(f"{name}: {ia.status}"))
    except WaitTimeoutError as exc:
        raise timed_out(exc, f"{name}: indexing") from exc


def _by_assets(client: Any, args: argparse.Namespace, paths: list[Path],
               metadata: dict[str, Any]) -> tuple[list[tuple[Any, ...]], list[str]]:
    from ..dedupe import find_asset_upload
    from ..moments import dedupe_metadata, file_sha256

    rows: list[tuple[Any, ...]] = []
    plans: list[tuple[Path, str, Any]] = []  # (file, sha256, what the index/assets already hold or None)
    for p in paths:
        digest = file_sha256(p)
        found = find_asset_upload(client, args.index, filename=_shown(p), size=p.stat().st_size, sha256=digest)
        if found is not None and found.indexed and args.resume is None:
            rows.append((_shown(p), found.indexed_asset_id, found.asset_id, "skipped (already indexed)", None))
        else:
            plans.append((p, digest, None if args.resume is not None else found))
    sending = [(p, found) for p, _, found in plans if found is None or found.upload_id is not None]
    if not args.no_preflight:
        preflight([p for p, _ in sending])
    with Progress(len(plans), "upload", enabled=not args.no_progress and bool(plans)) as bar:
        for p, digest, found in plans:
            if found is None or found.upload_id is not None:  # new, or an interrupted multipart upload
                upload_id = args.resume if found is None else found.upload_id
                bar.status(f"{_shown(p)}: {'resuming' if upload_id else 'uploading'}")
                asset = client.assets.upload(p, user_metadata={**metadata, **dedupe_metadata(sha256=digest)},
                                             on_progress=_upload_progress(bar, _shown(p)), upload_id=upload_id,
                                             method=args.method, max_concurrency=args.concurrency, wait=False,
                                             preflight=not args.no_preflight)
                asset_id, how = asset.id, ("resumed" if upload_id else "uploaded")
                _wait_asset(client, asset_id, args, bar, _shown(p))
            else:
                asset_id, how = found.asset_id, "uploaded before"
                if not found.asset_ready:
                    _wait_asset(client, asset_id, args, bar, _shown(p))
            if found is not None and found.in_index:
                indexed_id = str(found.indexed_asset_id)
            else:
                indexed_id = client.indexes.indexed_assets.create(args.index, asset_id=asset_id,
                                                                  user_metadata=metadata or None).id
            indexed = _wait_indexed(client, args.index, indexed_id, args, bar, _shown(p))
            status = indexed.status if how == "uploaded" else f"{indexed.status} ({how})"
            rows.append((_shown(p), indexed.id, asset_id, status, _length(indexed)))
            bar.step(f"{_shown(p)} {indexed.status}")
    return rows, ["file", "video_id", "asset_id", "status", "duration"]


def _length(video: Any) -> str:
    meta = getattr(video, "system_metadata", None)
    return clock(meta.duration if meta is not None else None)


# -- classic indexes: /tasks ------------------------------------------------------------------------


def _wait_task(client: Any, task_id: str, args: argparse.Namespace, bar: Progress, name: str) -> Any:
    from .._exceptions import WaitTimeoutError

    try:
        return client.tasks.wait(task_id, timeout=args.timeout, poll_interval=args.poll_interval,
                                 on_progress=lambda t: bar.status(f"{name}: {t.status}"))
    except WaitTimeoutError as exc:
        raise timed_out(exc, f"{name}: indexing") from exc


def _by_tasks(client: Any, args: argparse.Namespace, paths: list[Path],
              metadata: dict[str, Any]) -> tuple[list[tuple[Any, ...]], list[str]]:
    from ..dedupe import find_upload
    from ..moments import dedupe_metadata, file_sha256

    rows: list[tuple[Any, ...]] = []
    todo: list[tuple[Path, str]] = []
    resume: list[tuple[Path, str]] = []  # (file, task id) of uploads whose task is still running
    for p in paths:
        digest = file_sha256(p)
        found = find_upload(client, args.index, filename=_shown(p), size=p.stat().st_size, sha256=digest)
        if found is None:
            todo.append((p, digest))
        elif found.in_progress:
            resume.append((p, str(found.task_id)))
        else:
            rows.append((_shown(p), found.video_id, "skipped (already indexed)", None))
    if not args.no_preflight:
        preflight([p for p, _ in todo])
    with Progress(len(todo) + len(resume), "upload", enabled=not args.no_progress and bool(todo or resume)) as bar:
        for p, task_id in resume:
            bar.status(f"{_shown(p)}: still indexing (task {task_id})")
            task = _wait_task(client, task_id, args, bar, _shown(p))
            rows.append((_shown(p), task.video_id, f"{task.status} (uploaded before)", _length(task)))
            bar.step(f"{_shown(p)} {task.status}")
        for p, digest in todo:
            bar.status(f"{_shown(p)}: uploading")
            created = client.tasks.create(index_id=args.index, file=p,
                                          user_metadata={**metadata, **dedupe_metadata(sha256=digest)})
            task = _wait_task(client, created.id, args, bar, _shown(p))
            rows.append((_shown(p), task.video_id, task.status, _length(task)))
            bar.step(f"{_shown(p)} {task.status}")
    return rows, ["file", "video_id", "status", "duration"]
