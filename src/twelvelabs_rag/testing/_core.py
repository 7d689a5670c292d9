"""Shared state and helpers of the emulator: records, ids, the virtual clock, media resolution, paging."""

from __future__ import annotations

import hashlib
import math
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import unquote, urlparse

import numpy as np

from .. import _media
from ..models import find_model
from ._encoder import dimension_for, encode_bytes, encode_mix
from ._http import ApiError, Req, bad, parse_num
from ._script import Scene, parse_script

__all__ = ["Listed", "Media", "IndexRec", "VideoRec", "TaskRec", "EmbedTaskRec", "CoreState", "paginate"]



class Listed(Protocol):
    """What the list routes page and sort by: every emulator record has a creation stamp and sequence."""

    @property
    def seq(self) -> int: ...

    @property
    def created_at(self) -> str: ...


_T = TypeVar("_T", bound=Listed)

_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class Media:
    """A resolved media input: what the probe found plus the script it carries."""

    info: _media.MediaInfo
    digest: bytes
    filename: str | None = None
    url: str | None = None
    scenes: list[Scene] = field(default_factory=list)

    @property
    def text(self) -> str | None:
        return self.info.text

    @property
    def duration(self) -> float:
        return float(self.info.duration or 0.0)

    def scene_list(self) -> list[Scene]:
        """Scenes from the script; free text becomes one whole-length scene; no text -> none."""
        if self.scenes:
            return self.scenes
        if self.info.text and self.info.text.strip():
            return [Scene(0.0, max(self.duration, 0.001), self.info.text.strip())]
        return []


@dataclass
class IndexRec:
    id: str
    name: str
    models: list[dict[str, Any]]
    addons: list[str]
    created_at: str
    updated_at: str
    seq: int

    def marengo(self) -> dict[str, Any] | None:
        return next((m for m in self.models if m["model_name"].startswith("marengo")), None)

    def pegasus(self) -> dict[str, Any] | None:
        return next((m for m in self.models if m["model_name"].startswith("pegasus")), None)


@dataclass
class VideoRec:
    id: str
    index_id: str
    task_id: str
    media: Media
    user_metadata: dict[str, Any]
    stream: bool
    created_at: str
    updated_at: str
    seq: int
    indexed_at: str | None = None
    ready: bool = False
    #: Memoised answers, keyed by what they depend on: retrieve segments per embedding-option tuple,
    #: and the search clip matrix per (option, model).
    segment_cache: dict[tuple[str, ...], list[dict[str, Any]]] = field(default_factory=dict)
    clip_cache: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    #: The asset the video was indexed from (SDK 1.3.6 videos carry it; a POST /tasks upload gets one too).
    asset_id: str | None = None


@dataclass
class TaskRec:
    id: str
    index_id: str
    video_id: str
    statuses: tuple[str, ...]
    created_at: str
    updated_at: str
    seq: int
    step: int = 0
    fail: tuple[str, str] | None = None
    deleted_video: bool = False

    @property
    def status(self) -> str:
        if self.step >= len(self.statuses) - 1 and self.fail:
            return "failed"
        return self.statuses[min(self.step, len(self.statuses) - 1)]


@dataclass
class EmbedTaskRec:
    id: str
    model_name: str
    media: Media
    clip_length: float
    scopes: list[str]
    start: float
    end: float
    statuses: tuple[str, ...]
    created_at: str
    updated_at: str
    seq: int
    step: int = 0
    fail: tuple[str, str] | None = None

    @property
    def status(self) -> str:
        if self.step >= len(self.statuses) - 1 and self.fail:
            return "failed"
        return self.statuses[min(self.step, len(self.statuses) - 1)]


class CoreState:
    """Ids, clock, records and media resolution; the route mixins build on it."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._counter = 0
        self._tick = 0
        self._lock = threading.RLock()
        self.indexes: dict[str, IndexRec] = {}
        self.videos: dict[str, VideoRec] = {}
        self.tasks: dict[str, TaskRec] = {}
        self.embed_tasks: dict[str, EmbedTaskRec] = {}
        self._media_registry: dict[str, bytes] = {}

    # ------------------------------------------------------------------ ids and time
    def new_id(self, kind: str = "") -> str:
        self._counter += 1
        return hashlib.sha256(f"{self.seed}:{kind}:{self._counter}".encode()).hexdigest()[:24]

    def next_seq(self) -> int:
        self._counter += 1
        return self._counter

    def now(self, offset: float = 0.0) -> str:
        t = _EPOCH + timedelta(seconds=self._tick + offset)
        return t.strftime("%Y-%m-%dT%H:%M:%SZ")

    def tick(self) -> None:
        self._tick += 1

    # ------------------------------------------------------------------ media
    def add_media(self, url: str, data: bytes | str | Path) -> None:
        """Register the bytes served for ``url`` (used by ``video_url``/``image_url``/``audio_url`` inputs)."""
        if isinstance(data, (str, Path)):
            data = Path(data).read_bytes()
        with self._lock:
            self._media_registry[url] = bytes(data)

    def media_from_bytes(self, data: bytes, filename: str | None = None, url: str | None = None) -> Media:
        info = _media.probe(data)
        return Media(info, hashlib.sha256(data).digest(), filename, url, parse_script(info.text))

    def media_from_url(self, url: str, field_name: str, default_kind: str = "video") -> Media:
        if not url or not url.strip():
            raise bad(f"`{field_name}` is empty; pass a direct, publicly reachable URL of the media file.")
        parsed = urlparse(url)
        name = Path(unquote(parsed.path)).name or None
        if url in self._media_registry:
            return self.media_from_bytes(self._media_registry[url], name, url)
        if parsed.scheme == "file":
            path = Path(unquote(parsed.path))
            if not path.is_file():
                raise bad(f"`{field_name}` points to {path}, which does not exist.", "parameter_invalid")
            return self.media_from_bytes(path.read_bytes(), name, url)
        if parsed.scheme not in ("http", "https"):
            raise bad(f"`{field_name}` must be an http(s) URL, got {url!r}.")
        # Unknown remote URL: a synthetic medium with no script (content-hash vectors).
        ext = (name or "").rsplit(".", 1)[-1].lower()
        if ext in ("png", "jpg", "jpeg") or default_kind == "image":
            info = _media.MediaInfo("image", "jpeg" if ext.startswith("j") else "png", 512, 512, None, 50_000)
        elif ext in ("wav", "mp3", "m4a") or default_kind == "audio":
            info = _media.MediaInfo("audio", ext or "wav", None, None, 10.0, 160_000)
        else:
            info = _media.MediaInfo("video", "mp4", 1280, 720, 30.0, 5_000_000, None, 30.0)
        return Media(info, hashlib.sha256(url.encode()).digest(), name, url, [])

    # ------------------------------------------------------------------ embeddings
    def clip_vector(self, media: Media, start: float, end: float, option: str, dim: int, salt: str = "") -> np.ndarray:
        """The vector of ``[start, end)`` of a medium for one embedding option."""
        parts = []
        for s in media.scene_list():
            overlap = min(end, s.end) - max(start, s.start)
            if overlap <= 0:
                continue
            if option in ("audio",):
                # The audio track: the speech, or, in a silent scene, the scene's own sound (which
                # the description stands in for).
                text = s.speech or s.visual
            elif option == "transcription":
                text = s.speech
            else:
                text = s.visual
            if text:
                parts.append((text, overlap))
        key = media.digest + f"|{option}|{start:.3f}|{end:.3f}|{salt}".encode()
        if not parts:
            return encode_bytes(key, dim, salt=option)
        # The script's meaning plus a small part from the file's bytes: two files with the same
        # script rank alike but never get identical vectors.
        v = encode_mix(parts, dim, salt=option) + 0.05 * encode_bytes(key, dim, salt=option)
        return (v / np.linalg.norm(v)).astype(np.float32)

    def video_segments(self, media: Media, model_name: str, options: Iterable[str], *, clip_length: float = 6.0,
                       start: float = 0.0, end: float | None = None,
                       scopes: Iterable[str] = ("clip",)) -> list[dict[str, Any]]:
        """Segments (``float``, offsets, option, scope) as the embed-task and video-retrieve answers carry them."""
        dim = dimension_for(model_name)
        end = media.duration if end is None else end
        bounds: list[tuple[float, float]] = []
        t = start
        while t < end - 1e-9:
            seg_end = min(t + clip_length, end)
            if seg_end - t >= 2.0 or not bounds:
                bounds.append((t, seg_end))
            t = seg_end
        scopes = list(scopes)
        out = []
        for option in options:
            if "clip" in scopes:
                for a, b in bounds:
                    out.append(_segment(self.clip_vector(media, a, b, option, dim), a, b, option, "clip"))
            if "video" in scopes:
                out.append(_segment(self.clip_vector(media, start, end, option, dim), start, end, option, "video"))
        return out


def _segment(vec: np.ndarray, a: float, b: float, option: str, scope: str) -> dict[str, Any]:
    return {"float": [round(float(x), 7) for x in vec], "start_offset_sec": round(a, 3),
            "end_offset_sec": round(b, 3), "embedding_option": option, "embedding_scope": scope}


def embedding_options(model_name: str) -> tuple[str, ...]:
    spec = find_model(model_name)
    return spec.embedding_options if spec is not None else ("visual", "audio", "transcription")


def paginate(req: Req, items: list[_T], serialize: Callable[[_T], dict[str, Any]], *,
             sortable: bool = True) -> dict[str, Any]:
    """Apply ``page``/``page_limit``/``sort_by``/``sort_option`` and build the list envelope."""
    page = parse_num(req.q("page"), "page", integer=True, lo=1, default=1)
    limit = parse_num(req.q("page_limit"), "page_limit", integer=True, lo=1, hi=50, default=10)
    if sortable:
        sort_by = req.q("sort_by") or "created_at"
        if sort_by not in ("created_at", "updated_at"):
            raise bad(f"`sort_by` must be created_at or updated_at, got {sort_by!r}.")
        option = req.q("sort_option") or "desc"
        if option not in ("asc", "desc"):
            raise bad(f"`sort_option` must be asc or desc, got {option!r}.")
        items = sorted(items, key=lambda r: (getattr(r, sort_by), r.seq), reverse=option == "desc")
    else:
        items = sorted(items, key=lambda r: (r.created_at, r.seq), reverse=True)
    total = len(items)
    chunk = items[(page - 1) * limit: page * limit]
    return {"data": [serialize(r) for r in chunk],
            "page_info": {"page": page, "limit_per_page": limit, "total_page": math.ceil(total / limit),
                          "total_results": total}}


def date_filter(req: Req, name: str, value: str) -> bool:
    """``created_at``/``updated_at`` filters: items on that date at or after the given time."""
    wanted = req.q(name)
    if not wanted:
        return True
    return value[:10] == wanted[:10] and value >= wanted if "T" in wanted else value[:10] == wanted[:10]


def require_not_error(cond: bool, err: ApiError) -> None:
    if not cond:
        raise err
