"""On-disk snapshots: generation-suffixed data files plus a JSON manifest written last.

Layout of a store directory::

    manifest.json            format version, dim, model, counts, next id, generation, files + crc32
    vectors.g<N>.npy         (count, dim) float32 unit vectors, row order = id order
    columns.g<N>.npy         structured: id i8, video i4, start f4, end f4, scope u1, option u1
    strings.g<N>.json        code tables: video ids, options, scopes
    docs.g<N>.jsonl          {"r": row, "t": text, "m": metadata} for rows that have either
    ann.g<N>.faiss           the ANN index (only for index="ivf")
    store.lock               kept for older readers; the writer's fcntl lock is on the directory itself
    query_cache/             embedded queries, ``<sha256>.npy``

Every data file is written to ``*.tmp``, fsynced and renamed; then the directory is fsynced, then the
manifest is replaced the same way, then the other generations are removed. A crash at any point
leaves either the old or the new manifest, and both name complete files. Nothing is pickled.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from ._errors import CorruptStoreError, StoreError, StoreLockedError, StoreNotFoundError, UnsupportedFormatError
from ._reading import read_limited

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "acquire_lock",
    "release_lock",
    "write_file",
    "write_npy",
    "publish",
    "commit_manifest",
    "save_steps",
    "read_manifest",
    "cleanup",
    "fsync_dir",
    "manifest_identity",
    "abandon_generation",
]

FORMAT = "twelvelabs-rag.segment-store"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
LOCK = "store.lock"
_GEN_RE = re.compile(r"^[a-z_]+\.g(\d+)\.[a-z]+$")


def acquire_lock(path: Path) -> int | None:
    """Take the writer lock (non-blocking); raise :class:`StoreLockedError` when another writer has it.

    The lock is held on the store *directory* (an ``fcntl.flock`` on its file descriptor), not on a
    file inside it: deleting or replacing ``store.lock`` cannot let a second writer in. ``store.lock``
    is still created so that stores stay recognisable to older versions.
    """
    if fcntl is None:  # pragma: no cover
        return None
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except NotADirectoryError:
        raise StoreNotFoundError(f"{path} is not a directory, so it cannot hold a segment store; "
                                 "pass the store's directory") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise StoreLockedError(
            f"another writer holds the lock on {path}; close the other SegmentStore (or process) first, "
            "or open this one with read_only=True"
        ) from None
    try:  # the legacy lock file: informative only
        os.close(os.open(path / LOCK, os.O_RDWR | os.O_CREAT, 0o666))  # the umask applies, as to every file
    except OSError:
        pass
    return fd


def release_lock(fd: int | None) -> None:
    if fd is None or fcntl is None:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _Crc:
    """A file writer that keeps a running crc32; big writes checksum one piece while writing it."""

    __slots__ = ("f", "crc", "size")
    PIECE = 16 << 20

    def __init__(self, f: BinaryIO) -> None:
        self.f, self.crc, self.size = f, 0, 0

    def write(self, data: Any) -> None:
        mv = memoryview(data).cast("B")
        self.size += mv.nbytes
        if mv.nbytes <= self.PIECE:
            self.crc = zlib.crc32(mv, self.crc)
            self.f.write(mv)
            return
        # zlib.crc32 and file writes both release the GIL: overlap them piece by piece
        for i in range(0, mv.nbytes, self.PIECE):
            piece = mv[i : i + self.PIECE]
            box: list[int] = []
            t = threading.Thread(target=lambda p=piece, c=self.crc, b=box: b.append(zlib.crc32(p, c)))
            t.start()
            self.f.write(piece)
            t.join()
            self.crc = box[0]


#: Called with the name of each step of a save as it completes (see :func:`save_steps`); empty in
#: normal use. Steps: ``"<file> written"`` (a durable file's temp is complete, before its rename),
#: ``"data published"`` (every data file renamed), ``"manifest.json written"`` (the new manifest's
#: temp file is complete, not yet renamed over the old one), ``"manifest committed"``.
_STEP_HOOKS: list[Callable[[str], None]] = []


def _step(name: str) -> None:
    for hook in list(_STEP_HOOKS):
        hook(name)


@contextlib.contextmanager
def save_steps(hook: Callable[[str], None]) -> Iterator[None]:
    """Run ``hook(step)`` after each step of every save in this block: a fault-injection seam for crash
    tests (raise from the hook to stop a save between two steps).

    ```python
    steps = []
    with save_steps(steps.append):
        pass  # store.save() here
    assert steps == []
    ```
    """
    _STEP_HOOKS.append(hook)
    try:
        yield
    finally:
        _STEP_HOOKS.remove(hook)


def write_file(dirpath: Path, name: str, fill: Any, *, durable: bool = True) -> dict[str, Any]:
    """Write ``name`` atomically (tmp, fsync, rename); ``fill(writer)`` writes the bytes.

    With ``durable=False`` the bytes stay in ``name.tmp``: call :func:`publish` on a group of such
    files, which fsyncs them all (one journal commit carries them together) and then renames them.
    """
    tmp = dirpath / (name + ".tmp")
    try:
        with open(tmp, "wb") as f:
            w = _Crc(f)
            fill(w)
            f.flush()
            if durable:
                os.fsync(f.fileno())
        if durable:
            _step(f"{name} written")
            os.replace(tmp, dirpath / name)
    except BaseException:
        _unlink(tmp)  # never leave a half-written temp file behind
        raise
    return {"name": name, "bytes": w.size, "crc32": w.crc}


def _unlink(p: Path) -> None:
    try:
        p.unlink()
    except OSError:
        pass


def publish(dirpath: Path, names: list[str]) -> None:
    """Fsync every ``name.tmp`` (biggest first), then rename each to ``name``."""
    tmps = sorted((dirpath / (n + ".tmp") for n in names), key=lambda p: -p.stat().st_size)
    for tmp in tmps:
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    for n in names:
        os.replace(dirpath / (n + ".tmp"), dirpath / n)
    _step("data published")


def write_npy(dirpath: Path, name: str, arr: np.ndarray, *, durable: bool = True) -> dict[str, Any]:
    """Write a numeric ``.npy`` without copying the data (header padded to 64 bytes, as numpy does)."""
    arr = np.ascontiguousarray(arr)

    def fill(w: _Crc) -> None:
        hdr = io.BytesIO()
        np.lib.format.write_array_header_1_0(hdr, np.lib.format.header_data_from_array_1_0(arr))
        w.write(hdr.getvalue())
        flat = arr.reshape(-1).view(np.uint8)
        step = 64 << 20
        for i in range(0, flat.size, step):
            w.write(flat[i : i + step])

    return write_file(dirpath, name, fill, durable=durable)


def _body_crc(body: dict[str, Any]) -> int:
    return zlib.crc32(json.dumps(body, sort_keys=True, separators=(",", ":")).encode())


def commit_manifest(dirpath: Path, body: dict[str, Any]) -> None:
    """Fsync the directory (data files), then atomically replace the manifest and fsync again."""
    fsync_dir(dirpath)
    body = dict(body, format=FORMAT, format_version=FORMAT_VERSION, saved_at=time.time())
    body["checksum"] = _body_crc(body)
    data = json.dumps(body, indent=1).encode()
    write_file(dirpath, MANIFEST, lambda w: w.write(data))
    fsync_dir(dirpath)
    _step("manifest committed")


#: The manifest is a few kilobytes (its largest part is the list of metadata keys).
MANIFEST_LIMIT = 16 << 20
#: Bounds of the manifest's integers (ids are int64; a generation is bumped once per save).
#: The largest vector dimension a store accepts (and a manifest may name).
MAX_DIM = 1 << 16
_INT_LIMITS = {"dim": (1, MAX_DIM), "count": (0, (1 << 62)), "next_id": (0, 1 << 62), "generation": (0, 1 << 62),
               "ann_trained_on": (0, 1 << 62)}
_INDEX_KINDS = ("flat", "ivf")
_FILE_KEYS = ("vectors", "columns", "strings", "docs")


def read_manifest(dirpath: Path) -> dict[str, Any]:
    """Parse and check the manifest (format, version, self-checksum, every field's type and range)."""
    p = dirpath / MANIFEST
    try:
        raw = read_limited(p, MANIFEST_LIMIT)
    except (FileNotFoundError, NotADirectoryError):
        if dirpath.is_dir() and any(_GEN_RE.match(q.name) for q in dirpath.iterdir()):
            raise CorruptStoreError(
                f"{p} is missing but {dirpath} holds snapshot data files (deleted manifest, or a crash during "
                "SegmentStore.create); restore the store from a backup or re-create it"
            ) from None
        raise StoreNotFoundError(
            f"no segment store at {dirpath} (no {MANIFEST}); create one with "
            "SegmentStore.create(path, dim=..., model_name=...)"
        ) from None
    except PermissionError as exc:
        raise StoreNotFoundError(f"cannot read {p} ({exc.strerror}); fix the permissions of the store") from None
    except CorruptStoreError:
        raise
    except OSError as exc:
        raise CorruptStoreError(f"cannot read {p} ({exc.strerror or exc}); restore the store from a backup") from None
    try:
        body = json.loads(raw)
        if not isinstance(body, dict):
            raise ValueError("not an object")
    except (ValueError, RecursionError) as exc:
        raise CorruptStoreError(f"{p} is not valid JSON ({exc}); restore the store from a backup") from None
    if body.get("format") != FORMAT:
        raise UnsupportedFormatError(f"{p} is not a twelvelabs-rag segment store manifest")
    version = body.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise UnsupportedFormatError(
            f"{dirpath} uses store format version {version!r}, newer than this library's {FORMAT_VERSION}; "
            "upgrade twelvelabs-rag to open it"
        )
    claimed = body.pop("checksum", None)
    if claimed != _body_crc(body):
        raise CorruptStoreError(f"{p} fails its checksum (edited or damaged); restore the store from a backup")
    _check_fields(p, body)
    return body


def _check_fields(p: Path, body: dict[str, Any]) -> None:
    """Every manifest field the loader uses has the right type and a sane value (checksums can be forged)."""

    def bad(what: str) -> CorruptStoreError:
        return CorruptStoreError(f"{p} has {what}; restore the store from a backup")

    body.setdefault("ann_trained_on", 0)
    body.setdefault("index", "flat")
    for key, (lo, hi) in _INT_LIMITS.items():
        v = body.get(key)
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise bad(f"a bad {key!r} ({v!r:.40}; expected an integer in [{lo}, {hi}])")
    if body["count"] > body["next_id"]:
        raise bad(f"count {body['count']} above next_id {body['next_id']}")
    name = body.get("model_name")
    if not isinstance(name, str) or not name.strip():
        raise bad("no valid 'model_name'")
    if body["index"] not in _INDEX_KINDS:
        raise bad(f"an unknown index kind {body['index']!r:.40}")
    if not isinstance(body.get("snapshot", ""), str):
        raise bad("a bad 'snapshot' token")
    keys = body.get("meta_keys", [])
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise bad("a bad 'meta_keys' (expected a list of strings)")
    files = body.get("files")
    if not isinstance(files, dict):
        raise bad("no list of data files")
    for key in _FILE_KEYS + (("ann",) if "ann" in files else ()):
        e = files.get(key)
        ok = (isinstance(e, dict) and isinstance(e.get("name"), str) and _GEN_RE.match(e["name"]) is not None
              and all(isinstance(e.get(f), int) and not isinstance(e.get(f), bool) and 0 <= e[f] < 1 << 62
                      for f in ("bytes", "crc32")))
        if not ok:
            raise bad(f"no valid entry for its {key!r} file")


def manifest_identity(dirpath: Path) -> tuple[int, str | None] | None:
    """``(generation, snapshot token)`` of the manifest on disk now (``None`` when there is none)."""
    try:
        man = read_manifest(dirpath)
    except StoreNotFoundError:
        return None
    return man["generation"], man.get("snapshot")


def cleanup(dirpath: Path, keep: set[str], *, only_generation: int | None = None) -> None:
    """Remove temp files and data files of other generations (never the ones in ``keep``).

    With ``only_generation`` remove only that generation's files and temp files (a failed save).
    """
    for p in dirpath.iterdir():
        name = p.name
        if name in keep:
            continue
        base = name[:-4] if name.endswith(".tmp") else name
        m = _GEN_RE.match(base)
        if only_generation is not None:
            if m is None or int(m.group(1)) != only_generation:
                continue
        elif not (name.endswith(".tmp") or m):
            continue
        try:
            p.unlink()
        except FileNotFoundError:
            pass


def abandon_generation(dirpath: Path, generation: int) -> None:
    """After a failed save: remove what it wrote, unless its manifest was already committed."""
    try:
        now = manifest_identity(dirpath)
        if now is not None and now[0] == generation:
            return  # the snapshot is published; its files are the store now
    except StoreError:
        pass  # an unreadable manifest is not generation ``generation``'s
    cleanup(dirpath, set(), only_generation=generation)
    _unlink(dirpath / (MANIFEST + ".tmp"))
