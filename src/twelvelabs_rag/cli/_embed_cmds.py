"""``tlrag embed video PATH|URL``: create a video embedding task, and add its segments to a local store.

Embed v2 (``client.embed.v2.tasks``, Marengo 3.0) by default: a local file becomes an asset first
(the same file is the same asset: ``twelvelabs_rag.dedupe.find_asset_upload``), a URL is embedded
directly. ``--classic`` (or a classic model such as ``Marengo-retrieval-2.7``) uses the v1
``/embed/tasks`` that ``tlrag store ingest`` reads.

```
tlrag embed video clip.mp4 --store ./segments    # embed v2 on the clip's asset, then into a local store
tlrag embed video clip.mp4 --wait                # ... only wait until it is ready
tlrag embed video clip.mp4 --classic             # v1: prints the task id for 'tlrag store ingest'
```
"""

from __future__ import annotations

import argparse
from typing import Any

from ..media_inputs import is_url
from ._api_cmds import existing_file, make_client, timed_out
from ._errors import CLIError
from ._store_cmds import fetch_ready_task, ingest_task, store_dir

__all__ = ["video"]


def _uses_v1(args: argparse.Namespace) -> bool:
    from ..models import find_model

    spec = find_model(args.model)
    return bool(args.classic) or (spec is not None and spec.surface == "classic")


def video(args: argparse.Namespace) -> int:
    if args.video_id is not None and args.store is None:
        raise CLIError("--video-id names the segments in a store: use it with --store DIR")
    if not _uses_v1(args):
        return _video_v2(args)
    return _video_v1(args)


def _v2_source(client: Any, args: argparse.Namespace) -> dict[str, Any]:
    """The ``media_source`` of the video: its URL, or the asset of the local file (uploaded once)."""
    from ..dedupe import find_asset_upload
    from ..moments import dedupe_metadata, file_sha256

    if is_url(args.source):
        return {"url": args.source.strip()}
    path = existing_file(args.source, "video file")
    digest = file_sha256(path)
    found = find_asset_upload(client, None, filename=path.name, size=path.stat().st_size, sha256=digest)
    if found is not None and found.upload_id is None:
        print(f"using asset {found.asset_id} (this file was uploaded before)", flush=True)
        if not found.asset_ready:
            client.assets.wait(found.asset_id, timeout=args.timeout, poll_interval=args.poll_interval)
        return {"asset_id": found.asset_id}
    asset = client.assets.upload(path, user_metadata=dedupe_metadata(sha256=digest), timeout=args.timeout,
                                 upload_id=found.upload_id if found is not None else None)
    print(f"uploaded asset {asset.id}", flush=True)
    return {"asset_id": asset.id}


def _video_v2(args: argparse.Namespace) -> int:
    from .._exceptions import TaskFailedError, WaitTimeoutError
    from ._store_cmds import add_v2_task

    path = store_dir(args.store) if args.store is not None else None
    with make_client(args, preflight=not args.no_preflight) as client:
        source = _v2_source(client, args)
        spec: dict[str, Any] = {"media_source": source, "embedding_option": ["visual", "audio", "transcription"],
                                "embedding_scope": ["clip"]}
        if args.clip_length is not None:
            if not 2 <= args.clip_length <= 10:
                raise CLIError(f"--clip-length {args.clip_length:g} is out of range for embed v2 (use 2 to 10 s)")
            spec["segmentation"] = {"strategy": "fixed", "fixed": {"duration_sec": args.clip_length}}
        created = client.embed.v2.tasks.create(input_type="video", model_name=args.model, video=spec)
        print(f"created embed v2 task {created.id} ({args.model})", flush=True)
        if not args.wait and path is None:
            print("next: run again with --store DIR to add its segments to a local store")
            return 0
        try:
            task = client.embed.v2.tasks.wait(created.id, timeout=args.timeout, poll_interval=args.poll_interval)
        except WaitTimeoutError as exc:
            raise timed_out(exc, "embedding", again="Run the same command again (the asset is reused)") from exc
        except TaskFailedError as exc:
            raise CLIError(f"embed v2 task {created.id} failed: {exc}") from exc
    if path is None:
        print(f"embed v2 task {created.id} is {task.status} ({len(task.data or [])} vectors)")
        return 0
    from ..store import SegmentStore

    if SegmentStore.exists(path):
        store = SegmentStore.open(path)
    else:
        path.mkdir(parents=True, exist_ok=True)
        store = SegmentStore.create(path, dim=int(task.matrix.shape[1]), model_name=args.model)
    try:
        meta = {"asset_id": source["asset_id"]} if "asset_id" in source else {"url": source["url"]}
        ids = add_v2_task(store, task, video_id=args.video_id or source.get("asset_id") or created.id, metadata=meta)
        store.save()
        print(f"added {len(ids)} segments of embed v2 task {created.id} to {path} (now {len(store)} segments)")
    finally:
        store.close()
    return 0


def _video_v1(args: argparse.Namespace) -> int:
    from .._exceptions import TaskFailedError, WaitTimeoutError

    source: dict[str, Any]
    if is_url(args.source):
        source = {"video_url": args.source.strip()}
    else:
        source = {"video_file": existing_file(args.source, "video file")}
    path = store_dir(args.store) if args.store is not None else None
    with make_client(args, preflight=not args.no_preflight) as client:
        created = client.embed.tasks.create(model_name=args.model, video_clip_length=args.clip_length, **source)
        print(f"created embedding task {created.id}", flush=True)
        if not args.wait and path is None:
            print(f"next: tlrag store ingest {created.id} --path DIR --wait")
            return 0
        try:
            status = client.embed.tasks.wait(created.id, timeout=args.timeout, poll_interval=args.poll_interval)
        except WaitTimeoutError as exc:
            raise timed_out(exc, "embedding",
                            again=f"Wait for it with 'tlrag store ingest {created.id} --path DIR --wait'") from exc
        except TaskFailedError as exc:
            raise CLIError(f"embedding task {created.id} failed: {exc}") from exc
        if path is None:
            print(f"embedding task {created.id} is {status.status}")
            return 0
        task = fetch_ready_task(client, created.id, args)
    print(ingest_task(task, path, video_id=args.video_id))
    return 0
