"""Turn a TwelveLabs video embedding task into LlamaIndex nodes, one per segment (private)."""

from __future__ import annotations

from typing import Any

from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

from twelvelabs_rag.moments import clip_id, format_timestamp
from twelvelabs_rag.store import InvalidInputError

__all__ = ["nodes_from_embedding_task", "segment_node_id"]

_HIDDEN = ["scope", "option", "model_name", "task_id"]


def segment_node_id(video_id: str, start: float, end: float, scope: str, option: str) -> str:
    """Node id of one embedded segment: unique per (video, time range, scope, modality).

    Example:
        ```python
        assert segment_node_id("v1", 0, 6, "clip", "visual") == "v1@0.000-6.000#visual:clip"
        ```
    """
    return f"{clip_id(video_id, start, end)}#{option}:{scope}"


def nodes_from_embedding_task(
    task: Any,
    *,
    video_id: str | None = None,
    text: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> list[TextNode]:
    """One ``TextNode`` (with its ``embedding``) per segment of a retrieved embedding task.

    Args:
        task: an :class:`twelvelabs_rag.types.EmbeddingTask` retrieved with its vectors
            (``client.embed.tasks.create_and_wait(...)`` or ``client.embed.tasks.retrieve(id)``).
        video_id: the id to file the segments under (default: the task id).
        text: node text; default a readable line naming the video, the range and the modality.
        metadata: extra metadata copied onto every node (JSON-safe values).

    Each node's metadata holds ``video_id``, ``start``, ``end``, ``scope`` (``clip``/``video``),
    ``option`` (the modality: ``visual-text``/``audio`` for Marengo 2.7, ``visual``/``audio``/
    ``transcription`` for 3.0), ``model_name``, ``task_id`` and the source ``filename`` when known.

    Example:
        ```python
        import pathlib, tempfile
        from twelvelabs_rag.testing import FakeTwelveLabs
        from twelvelabs_rag.testing.samples import make_clip
        client = FakeTwelveLabs().client()
        clip = make_clip(pathlib.Path(tempfile.mkdtemp()) / "fox.mp4", "[0-4] a red fox\\n[4-8] an owl")
        task = client.embed.tasks.create_and_wait(model_name="marengo3.0", video_file=clip, video_clip_length=4)
        nodes = nodes_from_embedding_task(task, video_id="fox")
        assert nodes[0].metadata["video_id"] == "fox" and len(nodes[0].embedding) == 512
        ```
    """
    emb = getattr(task, "video_embedding", None)
    segments = list(getattr(emb, "segments", None) or [])
    if not segments:
        raise InvalidInputError(
            f"embedding task {getattr(task, 'id', '?')!r} carries no segments; wait until it is ready and "
            "retrieve it with its vectors (client.embed.tasks.create_and_wait / .retrieve)"
        )
    vid = video_id or str(task.id)
    info = getattr(emb, "metadata", None)
    filename = getattr(info, "input_filename", None) or getattr(info, "input_url", None)
    matrix = emb.matrix
    nodes = []
    for row, seg in enumerate(segments):
        start, end = float(seg.start_offset_sec or 0.0), float(seg.end_offset_sec or 0.0)
        scope, option = seg.embedding_scope or "clip", seg.embedding_option or "visual-text"
        meta: dict[str, Any] = {
            **(metadata or {}),
            "video_id": vid,
            "start": start,
            "end": end,
            "scope": scope,
            "option": option,
            "model_name": task.model_name,
            "task_id": str(task.id),
        }
        if filename:
            meta["filename"] = filename
        what = "whole video" if scope == "video" else f"{format_timestamp(start)} to {format_timestamp(end)}"
        body = text or f"Segment of video {filename or vid}, {what} ({option} embedding)."
        nodes.append(
            TextNode(
                id_=segment_node_id(vid, start, end, scope, option),
                text=body,
                metadata=meta,
                embedding=matrix[row].astype(float).tolist(),
                excluded_llm_metadata_keys=list(_HIDDEN),
                excluded_embed_metadata_keys=list(_HIDDEN),
                relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=vid)},
            )
        )
    return nodes
