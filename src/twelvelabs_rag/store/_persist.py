"""On-disk snapshots: generation-suffixed data files plus a JSON manifest written last.

Layout of a store directory::

    manifest.json            format version, dim, model, counts, next id, generation, files + crc32
    vectors.g<N>.npy         (count, dim) float32 unit vectors, row order = id order
    columns.g<N>.npy         structured: id i8, video i4, start f4, end f4, scope u1, option u1
    strings.g<N>.json        code tables: video ids, options, scopes
    docs.g<N>.jsonl          {"r": row, "t": text, "m": metadata} for rows that have either
    ann.g<N>.faiss           the ANN index (only for index="ivf")
    store.lock               fcntl lock held by the one writer
    query_cache/             embedded queries, ``<sha256>.npy``

Every data file is written to ``*.tmp``, fsynced and renamed; then the directory is fsynced, then the
manifest is replaced the same way, then the other generations are removed. A crash at any point
leaves either the old or the new manifest, and both name complete files. Nothing is pickled.
"""

from __future__ import annotations

import io
import json
import os
import re
import threading
import time
import zlib
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from ._errors import CorruptStoreError, StoreLockedError, StoreNotFoundError, UnsupportedFormatError

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
    "read_manifest",
    "file_path",
    "read_npy",
    "read_bytes",
    "cleanup",
    "fsync_dir",
    "BackgroundCheck",
]

FORMAT = "twelvelabs-rag.segment-store"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
LOCK = "store.lock"
_GEN_RE = re.compile(r"^[a-z_]+\.g(\d+)\.[a-z]+$")


def acquire_lock(path: Path) -> int | None:
    """Take the writer lock (non-blocking); raise :class:`StoreLockedError` when another writer has it."""
    if fcntl is None:  # pragma: no cover
        return None
    fd = os.open(path / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise StoreLockedError(
            f"another writer holds {path / LOCK}; close the other SegmentStore (or process) first, "
            "or open this one with read_only=True"
        ) from None
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
            t = threading.Thread(target=lambda p=piece, c=self.crc: box.append(zlib.crc32(p, c)))
            t.start()
            self.f.write(piece)
            t.join()
            self.crc = box[0]


def write_file(dirpath: Path, name: str, fill: Any, *, durable: bool = True) -> dict[str, Any]:
    """Write ``name`` atomically (tmp, fsync, rename); ``fill(writer)`` writes the bytes.

    With ``durable=False`` the bytes stay in ``name.tmp``: call :func:`publish` on a group of such
    files, which fsyncs them all (one journal commit carries them together) and then renames them.
    """
    tmp = dirpath / (name + ".tmp")
    with open(tmp, "wb") as f:
        w = _Crc(f)
        fill(w)
        f.flush()
        if durable:
            os.fsync(f.fileno())
    if durable:
        os.replace(tmp, dirpath / name)
    return {"name": name, "bytes": w.size, "crc32": w.crc}


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


def read_manifest(dirpath: Path) -> dict[str, Any]:
    """Parse and check the manifest (format, version, self-checksum)."""
    p = dirpath / MANIFEST
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        if dirpath.is_dir() and any(_GEN_RE.match(q.name) for q in dirpath.iterdir()):
            raise CorruptStoreError(
                f"{p} is missing but {dirpath} holds snapshot data files (deleted manifest, or a crash during "
                "SegmentStore.create); restore the store from a backup or re-create it"
            ) from None
        raise StoreNotFoundError(
            f"no segment store at {dirpath} (no {MANIFEST}); create one with "
            "SegmentStore.create(path, dim=..., model_name=...)"
        ) from None
    try:
        body = json.loads(raw)
        if not isinstance(body, dict):
            raise ValueError("not an object")
    except ValueError as exc:
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
    for key in ("dim", "count", "next_id", "generation"):
        if not isinstance(body.get(key), int) or body[key] < 0:
            raise CorruptStoreError(f"{p} has a bad {key!r}; restore the store from a backup")
    if not isinstance(body.get("files"), dict):
        raise CorruptStoreError(f"{p} lists no data files; restore the store from a backup")
    return body


def file_path(dirpath: Path, manifest: dict[str, Any], key: str) -> tuple[Path, dict[str, Any]]:
    entry = manifest["files"].get(key)
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or "/" in entry["name"]:
        raise CorruptStoreError(f"the manifest of {dirpath} has no valid entry for {key!r}")
    p = dirpath / entry["name"]
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise
    if size != entry.get("bytes"):
        raise CorruptStoreError(
            f"{p} has {size} bytes but the manifest says {entry.get('bytes')} (truncated or replaced); "
            "restore the store from a backup"
        )
    return p, entry


def read_bytes(dirpath: Path, manifest: dict[str, Any], key: str) -> bytes:
    p, entry = file_path(dirpath, manifest, key)
    data = p.read_bytes()
    if zlib.crc32(data) != entry.get("crc32"):
        raise CorruptStoreError(f"{p} fails its crc32 checksum (damaged or edited); restore the store from a backup")
    return data


def read_npy(dirpath: Path, manifest: dict[str, Any], key: str, *, mmap: bool = False) -> np.ndarray:
    """Load a ``.npy`` listed in the manifest; checksum verified unless memory-mapped."""
    p, entry = file_path(dirpath, manifest, key)
    try:
        if mmap:
            return np.load(p, mmap_mode="r", allow_pickle=False)
        with open(p, "rb") as f:
            version = np.lib.format.read_magic(f)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
            else:
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
            if fortran or dtype.hasobject:
                raise ValueError("unexpected array layout")
            header_len = f.tell()
            arr = np.empty(shape, dtype=dtype)
            flat = arr.reshape(-1).view(np.uint8)
            got = f.readinto(memoryview(flat))
            if got != flat.size or f.read(1):
                raise ValueError("size does not match the header")
            f.seek(0)
            crc = zlib.crc32(f.read(header_len))
        crc = zlib.crc32(flat, crc)
    except (ValueError, OSError, EOFError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise CorruptStoreError(f"{p} is not a readable array ({exc}); restore the store from a backup") from None
    if crc != entry.get("crc32"):
        raise CorruptStoreError(f"{p} fails its crc32 checksum (damaged or edited); restore the store from a backup")
    return arr


class BackgroundCheck:
    """Verify a memory-mapped ``.npy`` against its manifest crc32 in a daemon thread.

    ``open(mmap=True)`` returns at once; anything that reads the vectors calls :meth:`wait` first,
    so damaged data is refused (:class:`CorruptStoreError`) before any search can return it.
    """

    def __init__(self, path: Path, entry: dict[str, Any], arr: np.ndarray) -> None:
        self._done = threading.Event()
        self._error: CorruptStoreError | None = None
        # the header is read now: a later save may unlink this generation (the mapping stays valid)
        with open(path, "rb") as f:
            header = f.read(int(getattr(arr, "offset", 0)))
        threading.Thread(target=self._run, args=(path, entry, arr, header), daemon=True,
                         name="tlrag-store-verify").start()

    def _run(self, path: Path, entry: dict[str, Any], arr: np.ndarray, header: bytes) -> None:
        try:
            crc = zlib.crc32(header)
            flat = np.asarray(arr).reshape(-1).view(np.uint8)
            step = 32 << 20
            for i in range(0, flat.size, step):
                crc = zlib.crc32(flat[i : i + step], crc)
            if crc != entry.get("crc32"):
                self._error = CorruptStoreError(
                    f"{path} fails its crc32 checksum (damaged or edited); restore the store from a backup"
                )
        except (OSError, ValueError) as exc:
            self._error = CorruptStoreError(f"{path} cannot be verified ({exc}); restore the store from a backup")
        finally:
            self._done.set()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def wait(self) -> None:
        self._done.wait()
        if self._error is not None:
            raise self._error


def cleanup(dirpath: Path, keep: set[str]) -> None:
    """Remove temp files and data files of other generations (never the ones in ``keep``)."""
    for p in dirpath.iterdir():
        name = p.name
        if name in keep:
            continue
        if name.endswith(".tmp") or _GEN_RE.match(name):
            try:
                p.unlink()
            except FileNotFoundError:
                pass
