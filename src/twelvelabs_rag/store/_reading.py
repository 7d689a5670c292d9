"""Bounded, type-checked reads of store files: nothing is read before its type and size are known.

Every file is opened as a regular file (a device, FIFO or directory is refused without blocking),
read up to the size the manifest names, and ``.npy`` headers are checked against the shape and
dtype the manifest implies before any array is allocated. Memory-mapped vectors are verified in
the background (:class:`BackgroundCheck`).
"""

from __future__ import annotations

import io
import os
import stat
import threading
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from ._errors import CorruptStoreError

__all__ = ["open_regular", "read_limited", "file_path", "read_bytes", "load_npy", "read_npy", "BackgroundCheck"]


def open_regular(p: Path) -> io.BufferedReader:
    """Open ``p`` for reading if it is a regular file (never blocks on a FIFO, never reads a device)."""
    fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = "a directory" if stat.S_ISDIR(mode) else "not a regular file"
            raise CorruptStoreError(f"{p} is {kind}; restore the store from a backup")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_limited(p: Path, limit: int) -> bytes:
    """The bytes of the regular file ``p``, refusing (CorruptStoreError) files larger than ``limit``."""
    with open_regular(p) as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise CorruptStoreError(f"{p} is larger than {limit} bytes, far beyond any valid store file; "
                                "restore the store from a backup")
    return data


def file_path(dirpath: Path, manifest: dict[str, Any], key: str) -> tuple[Path, dict[str, Any]]:
    entry = manifest["files"].get(key)
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or "/" in entry["name"]:
        raise CorruptStoreError(f"the manifest of {dirpath} has no valid entry for {key!r}")
    p = dirpath / entry["name"]
    st = p.stat()  # FileNotFoundError: the caller retries (a concurrent save) or reports the missing file
    if not stat.S_ISREG(st.st_mode):
        raise CorruptStoreError(f"{p} is not a regular file; restore the store from a backup")
    if st.st_size != entry.get("bytes"):
        raise CorruptStoreError(
            f"{p} has {st.st_size} bytes but the manifest says {entry.get('bytes')} (truncated or replaced); "
            "restore the store from a backup"
        )
    return p, entry


def read_bytes(dirpath: Path, manifest: dict[str, Any], key: str) -> bytes:
    p, entry = file_path(dirpath, manifest, key)
    data = read_limited(p, int(entry["bytes"]))
    if len(data) != entry["bytes"] or zlib.crc32(data) != entry.get("crc32"):
        raise CorruptStoreError(f"{p} fails its crc32 checksum (damaged or edited); restore the store from a backup")
    return data


def _npy_header(f: BinaryIO) -> tuple[tuple[int, ...], np.dtype, int]:
    """Parse a ``.npy`` header (no allocation): shape, dtype and the offset of the data."""
    version = np.lib.format.read_magic(f)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
    elif version == (2, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
    else:
        raise ValueError(f"unsupported .npy version {version}")
    if fortran or dtype.hasobject:
        raise ValueError("unexpected array layout")
    return tuple(int(s) for s in shape), dtype, f.tell()


def load_npy(p: Path, *, shape: tuple[int, ...], dtype: np.dtype, mmap: bool = False,
             crc: bool = False) -> tuple[np.ndarray, int | None]:
    """Read (or map) a ``.npy`` whose header must announce exactly ``shape`` and ``dtype``.

    The header and the file size are checked before anything is allocated, so a tampered header
    claiming a huge shape is refused (``ValueError``) instead of exhausting memory. With ``crc=True``
    also returns the crc32 of the whole file when it was read (``None`` when it was mapped).
    """
    with open_regular(p) as f:
        got_shape, got_dtype, offset = _npy_header(f)
        if got_shape != tuple(shape) or got_dtype != np.dtype(dtype):
            raise ValueError(f"header says {got_shape} {got_dtype}, expected {tuple(shape)} {np.dtype(dtype)}")
        nbytes = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
        size = os.fstat(f.fileno()).st_size
        if size != offset + nbytes:
            raise ValueError(f"{size} bytes on disk for a {offset}-byte header and {nbytes} bytes of data")
        if mmap and nbytes:  # (an empty array cannot be mapped: it is read, and its crc checked, below)
            return np.memmap(f, dtype=dtype, mode="r", offset=offset, shape=shape), None
        arr = np.empty(shape, dtype=dtype)
        flat = arr.reshape(-1).view(np.uint8)
        got = f.readinto(flat.data) if nbytes else 0
        if got != nbytes or f.read(1):
            raise ValueError("size does not match the header")
        value = None
        if crc:
            f.seek(0)
            value = zlib.crc32(flat.data, zlib.crc32(f.read(offset)))
    return arr, value


def read_npy(dirpath: Path, manifest: dict[str, Any], key: str, *, shape: tuple[int, ...], dtype: Any,
             mmap: bool = False) -> np.ndarray:
    """Load a ``.npy`` listed in the manifest, of the given shape and dtype; crc verified unless mapped.

    A mapped array is an ``np.memmap``: check it with :class:`BackgroundCheck`.
    """
    p, entry = file_path(dirpath, manifest, key)
    try:
        arr, crc = load_npy(p, shape=shape, dtype=np.dtype(dtype), mmap=mmap, crc=True)
    except (ValueError, OSError, EOFError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise CorruptStoreError(f"{p} is not a readable array ({exc}); restore the store from a backup") from None
    if crc is not None and crc != entry.get("crc32"):
        raise CorruptStoreError(f"{p} fails its crc32 checksum (damaged or edited); restore the store from a backup")
    return arr


class BackgroundCheck:
    """Verify memory-mapped files against their manifest crc32 in a daemon thread.

    ``open(mmap=True)`` returns at once. Whatever reads every row (an exact scan, ``get``, ``scan``
    with vectors, a write) calls :meth:`wait` first, so damaged data is refused
    (:class:`CorruptStoreError`) before such a call can return it. An IVF probe reads a few dozen
    rows: until the check is done it calls :meth:`verify_rows` on them instead (each must be a finite
    unit vector, the invariant every stored row keeps), and :meth:`raise_if_failed` reports a
    damage the background check has found since.
    """

    def __init__(self, items: list[tuple[Path, dict[str, Any], np.ndarray]],
                 row_check: Callable[[np.ndarray], int | None] | None = None) -> None:
        """Check each mapped ``(path, manifest entry, array)`` in turn; ``row_check`` also runs on the last
        array (the vectors: every row a finite unit vector)."""
        self._row_check = row_check
        self._done = threading.Event()
        self._error: CorruptStoreError | None = None
        # the files are opened now (a later save may unlink this generation; open files stay readable) and
        # read with read(), not through the mappings: the check never page-faults the process's mappings,
        # so it does not contend with the first queries for them
        files = []
        try:
            for p, e, a in items:
                files.append((p, e, a, open_regular(p)))
        except BaseException:
            for *_, f in files:
                f.close()
            raise
        threading.Thread(target=self._run, args=(files,), daemon=True, name="tlrag-store-verify").start()

    def _run(self, items: list[tuple[Path, dict[str, Any], np.ndarray, io.BufferedReader]]) -> None:
        path = items[0][0]
        try:
            for i, (path, entry, arr, f) in enumerate(items):
                rows = self._row_check is not None and i == len(items) - 1 and arr.ndim == 2
                offset = int(getattr(arr, "offset", 0))
                crc = zlib.crc32(f.read(offset))
                row_bytes = arr.shape[1] * arr.itemsize if rows else 1
                per = max(1, (16 << 20) // row_bytes)
                buf = np.empty((per, arr.shape[1]) if rows else per * row_bytes, dtype=arr.dtype if rows else np.uint8)
                done = 0
                while True:
                    got = f.readinto(buf.reshape(-1).view(np.uint8).data)
                    if not got:
                        break
                    chunk = buf.reshape(-1).view(np.uint8)[:got]
                    crc = zlib.crc32(chunk.data, crc)
                    if rows and self._row_check is not None:
                        block = buf[: got // row_bytes]
                        if (bad := self._row_check(block)) is not None:
                            self._error = CorruptStoreError(
                                f"vector row {done + bad} of {path} is not a finite unit vector (NaN or edited); "
                                "restore the store from a backup"
                            )
                            return
                        done += block.shape[0]
                if crc != entry.get("crc32"):
                    self._error = CorruptStoreError(
                        f"{path} fails its crc32 checksum (damaged or edited); restore the store from a backup"
                    )
                    return
        except (OSError, ValueError) as exc:
            self._error = CorruptStoreError(f"{path} cannot be verified ({exc}); restore the store from a backup")
        finally:
            for *_, f in items:
                f.close()
            self._done.set()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def wait(self) -> None:
        self._done.wait()
        self.raise_if_failed()

    def raise_if_failed(self) -> None:
        if self._error is not None:
            raise self._error

    def verify_rows(self, vec: np.ndarray, rows: np.ndarray) -> None:
        """Refuse (CorruptStoreError) if one of ``vec[rows]`` is not a finite unit vector."""
        if self._done.is_set():
            self.raise_if_failed()
            return
        block = np.take(vec, rows, axis=0)
        sq = np.einsum("ij,ij->i", block, block)
        bad = ~(np.abs(sq - 1.0) < 1e-3)  # NaN compares False, so it is caught too
        if bad.any():
            raise CorruptStoreError(f"vector row {int(rows[np.flatnonzero(bad)[0]])} of the mapped store is not a "
                                    "finite unit vector (NaN or edited); restore the store from a backup")
