"""Turn a TwelveLabs video embedding task into LlamaIndex nodes, one per segment (private)."""

from __future__ import annotations

from typing import Any

from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

from twelvelabs_rag.embedding_segments import segments_of
from twelvelabs_rag.moments import clip_id, format_timestamp

__all__ = ["nodes_from_embedding_task", "segment_node_id"]

_HIDDEN = ["scope", "option", "model_name", "task_id", "asset_id"]


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
    asset_id: str | None = None,
    model_name: str | None = None,
) -> list[TextNode]:
    """One ``TextNode`` (with its ``embedding``) per segment of a retrieved embedding task.

    Args:
        task: a ready embedding task with its vectors: classic (``client.embed.tasks``) or embed v2
            (``client.embed.v2.tasks``), or an indexed asset retrieved with
            ``embedding_option=["visual", "audio", "transcription"]`` (read by
            ``twelvelabs_rag.embedding_segments.segments_of``).
        asset_id: the asset the segments come from (an indexed asset names it; an embed v2 task does not).
        model_name: the model to record when the answer does not name one (embed v2 tasks).
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
    seg = segments_of(task, asset_id=asset_id)
    vid = video_id or seg.source_id
    filename = seg.filename
    nodes = []
    for row in range(len(seg.starts)):
        start, end, scope, option = seg.starts[row], seg.ends[row], seg.scopes[row], seg.options[row]
        meta: dict[str, Any] = {
            **(metadata or {}),
            "video_id": vid,
            "start": start,
            "end": end,
            "scope": scope,
            "option": option,
            "model_name": seg.model_name or model_name,
            "task_id": seg.source_id,
        }
        if seg.asset_id is not None:
            meta["asset_id"] = seg.asset_id
        if filename:
            meta["filename"] = filename
        what = "whole video" if scope == "video" else f"{format_timestamp(start)} to {format_timestamp(end)}"
        body = text or f"Segment of video {filename or vid}, {what} ({option} embedding)."
        nodes.append(
            TextNode(
                id_=segment_node_id(vid, start, end, scope, option),
                text=body,
                metadata=meta,
                embedding=seg.vectors[row].astype(float).tolist(),
                excluded_llm_metadata_keys=list(_HIDDEN),
                excluded_embed_metadata_keys=list(_HIDDEN),
                relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=vid)},
            )
        )
    return nodes
