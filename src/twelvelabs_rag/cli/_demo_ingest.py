"""The demo's ingest steps, per flow (``twelvelabs_rag.flow``): how the clips get into the index, and
how their segment embeddings get into the local SegmentStore.

- current: ``client.assets.upload`` + ``indexes.indexed_assets`` / ``client.embed.v2.tasks`` on the assets;
- classic: ``client.tasks`` (``POST /tasks``) / ``client.embed.tasks`` (v1) on the files.
"""

from __future__ import annotations

import sys
from typing import Any

from ._output import Progress

__all__ = ["upload_clips", "embed_clips", "CLIP_SECONDS"]

#: The length of one embedded segment (both flows), seconds.
CLIP_SECONDS = 4


def upload_clips(ctx: Any) -> None:
    """Fill ``ctx.videos`` (file -> video_id), ``ctx.assets`` (file -> asset_id, current) and ``ctx.durations``."""
    clips = ctx.samples.clips
    with Progress(len(clips), "    upload", enabled=not ctx.quiet, stream=sys.stdout) as bar:
        for name, path in clips.items():
            bar.status(f"{name}: uploading")
            if ctx.flow.ingest == "assets":
                asset = ctx.client.assets.upload(  # waits until the asset is ready (client's poll interval)
                    path, on_progress=lambda p, name=name: bar.status(
                        f"{name}: {p.bytes_sent * 100 // max(1, p.total_bytes)}%"))
                bar.status(f"{name}: asset {asset.status}, indexing")
                indexed = ctx.client.indexes.indexed_assets.create_and_wait(
                    ctx.index_id, asset_id=asset.id, poll_interval=ctx.poll_interval,
                    on_progress=lambda ia, name=name: bar.status(f"{name}: {ia.status}"))
                ctx.videos[name], ctx.assets[name] = indexed.id, asset.id
                meta = indexed.system_metadata
                seconds = asset.duration or (meta.duration if meta else None)
            else:
                task = ctx.client.tasks.create_and_wait(
                    index_id=ctx.index_id, file=path, poll_interval=ctx.poll_interval,
                    on_progress=lambda t, name=name: bar.status(f"{name}: {t.status}"))
                ctx.videos[name] = task.video_id
                meta = task.system_metadata
                seconds = meta.duration if meta else None
            ctx.durations[name] = float(seconds) if seconds else 12.0
            bar.step(f"{name} ready")


def embed_clips(ctx: Any) -> tuple[dict[str, Any], int]:
    """Embed every clip (embed v2 on its asset, or a v1 task on its file); ``(name -> ready task, dim)``."""
    tasks: dict[str, Any] = {}
    with Progress(len(ctx.samples.clips), "    embed", enabled=not ctx.quiet, stream=sys.stdout) as bar:
        for name, clip in ctx.samples.clips.items():
            bar.status(f"{name}: embedding")
            def show(t: Any, name: str = name) -> None:
                bar.status(f"{name}: {t.status}")
            if ctx.flow.embed == "embed_v2":
                tasks[name] = ctx.client.embed.v2.tasks.create_and_wait(
                    input_type="video", model_name=ctx.flow.embed_model, poll_interval=ctx.poll_interval,
                    video={"media_source": {"asset_id": ctx.assets[name]},
                           "embedding_option": ["visual", "audio", "transcription"], "embedding_scope": ["clip"],
                           "segmentation": {"strategy": "fixed", "fixed": {"duration_sec": CLIP_SECONDS}}},
                    on_progress=show)
            else:
                tasks[name] = ctx.client.embed.tasks.create_and_wait(
                    model_name=ctx.flow.embed_model, video_file=clip, video_clip_length=CLIP_SECONDS,
                    poll_interval=ctx.poll_interval, on_progress=show)
            bar.step(f"{name} ready")
    first = next(iter(tasks.values()))
    dim = first.matrix.shape[1] if ctx.flow.embed == "embed_v2" else first.video_embedding.matrix.shape[1]
    return tasks, dim
