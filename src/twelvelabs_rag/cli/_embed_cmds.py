"""``tlrag embed video PATH|URL``: create the video embedding task that ``tlrag store ingest`` adds to a store.

```
tlrag embed video clip.mp4                       # prints the task id, returns at once
tlrag embed video clip.mp4 --wait                # ... and waits until it is ready
tlrag embed video clip.mp4 --store ./segments    # ... and adds its segments to a local store
```
"""

from __future__ import annotations

import argparse
from typing import Any

from ._api_cmds import existing_file, make_client, timed_out
from ._main import CLIError
from ._store_cmds import fetch_ready_task, ingest_task, store_dir

__all__ = ["video"]


def _is_url(value: str) -> bool:
    return value.strip().lower().startswith(("http://", "https://"))


def video(args: argparse.Namespace) -> int:
    from .._exceptions import TaskFailedError, WaitTimeoutError

    source: dict[str, Any]
    if _is_url(args.source):
        source = {"video_url": args.source.strip()}
    else:
        source = {"video_file": existing_file(args.source, "video file")}
    if args.video_id is not None and args.store is None:
        raise CLIError("--video-id names the segments in a store: use it with --store DIR")
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
            raise timed_out(exc, "embedding", again=f"Wait for it with 'tlrag store ingest {created.id} --path DIR --wait'") from exc
        except TaskFailedError as exc:
            raise CLIError(f"embedding task {created.id} failed: {exc}") from exc
        if path is None:
            print(f"embedding task {created.id} is {status.status}")
            return 0
        task = fetch_ready_task(client, created.id, args)
    print(ingest_task(task, path, video_id=args.video_id))
    return 0
