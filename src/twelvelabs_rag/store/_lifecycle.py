"""A store's core on disk: make one (in memory or at a new path), open one, save one.

Functions of :class:`~._core.StoreCore` only; ``SegmentStore`` wraps what they return.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import numpy as np

from ._core import StoreCore, register_writer, shared_writer
from ._errors import (
    DimensionMismatchError,
    InvalidInputError,
    StoreError,
    StoreExistsError,
    StoreLockedError,
    StoreWriteError,
)
from ._ingest import check_model
from ._models import ModelInfo, resolve_model
from ._persist import MANIFEST, MAX_DIM, acquire_lock, manifest_identity, release_lock
from ._snapshot import load_snapshot, save_snapshot

__all__ = ["new_core", "create", "open_core", "exists", "open_or_create", "save"]

_INDEXES = ("flat", "ivf")


def _settings(dim: Any, model_name: str, index: str) -> tuple[int, ModelInfo, str]:
    """Validated ``(dim, model, index)`` of a new or opened store."""
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or not 0 < dim <= MAX_DIM:
        raise InvalidInputError(f"dim must be an integer in 1..{MAX_DIM} (1024 for Marengo 2.7, 512 for 3.0), "
                                f"got {dim!r}")
    info = resolve_model(model_name)
    if info.dim is not None and info.dim != dim:
        raise DimensionMismatchError(f"{info.name} vectors are {info.dim}-d, not {dim}; use dim={info.dim}")
    if index not in _INDEXES:
        hint = (" (HNSW was measured and not adopted: lower recall on video-like segment data and no "
                "deletes in faiss; see benchmarks/README.md)" if index == "hnsw" else "")
        raise InvalidInputError(f"index must be 'flat' (exact) or 'ivf' (approximate), got {index!r}{hint}")
    return int(dim), info, index


def new_core(dim: Any, model_name: str, index: str) -> StoreCore:
    """An empty in-memory core."""
    return StoreCore(*_settings(dim, model_name, index))


def create(path: str | os.PathLike[str] | None, dim: Any, model_name: str, index: str) -> StoreCore:
    """A new empty core, saved (generation 1) and locked at ``path`` unless ``path`` is None."""
    settings = _settings(dim, model_name, index)
    if path is None:
        return StoreCore(*settings)
    p = as_path(path)
    if (p / MANIFEST).exists():
        raise StoreExistsError(f"a segment store already exists at {p}; open it with SegmentStore.open({str(p)!r})")
    if p.exists() and not p.is_dir():
        raise StoreExistsError(f"{p} exists and is not a directory; a store is a directory: choose another path")
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreWriteError(exc.errno, f"cannot create the store directory {p}: {exc.strerror or exc}; "
                              "choose a path in a writable directory (no parent may be a file)") from None
    core = StoreCore(*settings, path=p, lock_fd=_lock(p))
    register_writer(p, core)
    try:
        if (p / MANIFEST).exists():
            raise StoreExistsError(f"a segment store already exists at {p}; open it with SegmentStore.open(path)")
        save(core)
    except BaseException:
        core.release_handle()
        raise
    return core


def open_core(path: str | os.PathLike[str], *, mmap: bool, read_only: bool) -> StoreCore:
    """The core of the store at ``path``: this process's writer when it has one, else loaded from disk."""
    p = as_path(path)
    if not read_only:
        core = shared_writer(p)
        if core is not None:  # this process has it open for writing: share that writer
            return core
    lock = None if read_only else _lock(p) if p.is_dir() else None
    try:
        snap = load_snapshot(p, mmap=mmap)
        man = snap["manifest"]
        core = StoreCore(*_settings(man["dim"], man["model_name"], man.get("index", "flat")), path=p,
                         read_only=read_only, mmap=mmap)
        core.load(snap)
    except BaseException:
        release_lock(lock)
        raise
    core.lock_fd = lock
    if lock is not None:
        register_writer(p, core)
    return core


def exists(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` holds a store's manifest (False for anything that is not a store path)."""
    try:
        p = as_path(path)
    except InvalidInputError:
        return False
    return (p / MANIFEST).is_file()


def open_or_create(path: str | os.PathLike[str], *, dim: int, model_name: str, index: str, mmap: bool) -> StoreCore:
    """:func:`open_core` (writable) the store at ``path``, or :func:`create` it; an existing one must match."""
    if not exists(path):
        try:
            return create(path, dim, model_name, index)
        except StoreExistsError:
            pass  # created concurrently: open it below
    core = open_core(path, mmap=mmap, read_only=False)
    try:
        if core.dim != dim:
            raise DimensionMismatchError(f"the store at {path} holds {core.dim}-d vectors, not {dim}-d; "
                                         "pass its dim or use another path")
        check_model(core.model.name, model_name, f"the store at {path}")
    except BaseException:
        core.release_handle()
        raise
    return core


def save(core: StoreCore) -> None:
    """Write the next snapshot of ``core`` (compacting first) and publish the compacted state."""
    with core.wlock:
        core.check_writable()
        if core.path is None:
            raise StoreError("an in-memory store cannot be saved; "
                             "create it with a path: SegmentStore.create(path, ...)")
        _check_generation(core, core.path)
        st = core.state.compacted()
        core.publish(st, dirty=False)
        ann = core.ann.serialize(st) if core.ann is not None else None
        # the token tells this writer's snapshots from others'
        generation, token = core.generation + 1, secrets.token_hex(8)
        header = {
            "dim": core.dim,
            "model_name": core.model.name,
            "index": core.index_kind,
            "next_id": core.next_id,
            "generation": generation,
            "ann_trained_on": core.ann.trained_on if core.ann is not None else 0,
            "snapshot": token,
        }
        try:
            save_snapshot(core.path, st, videos=core.videos, options=core.options, scopes=core.scopes,
                          meta_keys=core.meta_keys, header=header, ann=ann)
        except OSError as exc:
            if isinstance(exc, StoreError):
                raise
            raise StoreWriteError(
                exc.errno,
                f"could not save snapshot {generation} to {core.path}: {exc.strerror or exc}; "
                "the previous snapshot is intact and the rows are still in memory: free disk space "
                "(or fix permissions) and call save() again",
            ) from exc
        core.saved(generation, token)


def _check_generation(core: StoreCore, path: Path) -> None:
    """Refuse to save over a snapshot this core did not write (a second writer got in)."""
    expected = (core.generation, core.snapshot) if core.generation else None
    try:
        found = manifest_identity(path)
    except OSError as exc:
        raise StoreWriteError(exc.errno, f"cannot read the manifest of {path} before saving: "
                              f"{exc.strerror or exc}; fix the store directory and call save() again") from None
    if found != expected:
        raise StoreLockedError(
            f"another writer saved {path} (its manifest is {_describe(found)}, this handle last "
            f"saw {_describe(expected)}); this save is refused so that neither writer's rows are overwritten: "
            "close this store, reopen it and apply your changes again"
        )


def _describe(identity: tuple[int, str | None] | None) -> str:
    return "missing" if identity is None else f"generation {identity[0]} (snapshot {identity[1]})"


def as_path(path: Any) -> Path:
    """A store path: a non-empty ``str`` or ``os.PathLike`` without NUL bytes."""
    try:
        text = os.fspath(path)
    except TypeError:
        raise InvalidInputError(f"a store path must be a str or os.PathLike, got {type(path).__name__}") from None
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    if not text.strip():
        raise InvalidInputError("a store path must not be empty; pass a directory such as 'segments.tlstore' "
                                "(use path=None for an in-memory store)")
    if "\0" in text:
        raise InvalidInputError(f"a store path cannot contain NUL bytes: {text!r}")
    return Path(text)


def _lock(p: Path) -> int | None:
    try:
        return acquire_lock(p)
    except PermissionError as exc:
        raise StoreWriteError(exc.errno, f"cannot lock {p} for writing ({exc.strerror}); fix its permissions, "
                              "or open it with read_only=True") from None
