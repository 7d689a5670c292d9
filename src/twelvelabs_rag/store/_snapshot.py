"""Turn a store's state into a snapshot on disk and back (see :mod:`._persist` for the protocol)."""

from __future__ import annotations

import json
import mmap
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from ._errors import CorruptStoreError
from ._faiss import raw as _faiss
from ._persist import (
    abandon_generation,
    cleanup,
    commit_manifest,
    publish,
    read_manifest,
    write_file,
    write_npy,
)
from ._reading import BackgroundCheck, file_path, open_regular, read_bytes, read_npy
from ._state import DTYPES, DocLists, Docs, State, StringTable

__all__ = ["save_snapshot", "load_snapshot", "COLUMN_DTYPE"]

COLUMN_DTYPE = np.dtype(
    [("id", "<i8"), ("video", "<i4"), ("start", "<f4"), ("end", "<f4"), ("scope", "u1"), ("option", "u1")]
)


def save_snapshot(
    dirpath: Path,
    st: State,
    *,
    videos: StringTable,
    options: StringTable,
    scopes: StringTable,
    meta_keys: set[str],
    header: dict[str, Any],
    ann: np.ndarray | None,
) -> None:
    """Write generation ``header['generation']`` of a compacted state, manifest last, then clean up."""
    if st.dead_rows.size:
        raise AssertionError("save_snapshot needs a compacted state")
    g = header["generation"]
    try:
        _write_generation(dirpath, st, g, videos=videos, options=options, scopes=scopes, meta_keys=meta_keys,
                          header=header, ann=ann)
    except BaseException:
        # a failed save leaves no temp files and no files of the generation it did not publish
        abandon_generation(dirpath, g)
        raise


def _write_generation(dirpath: Path, st: State, g: int, *, videos: StringTable, options: StringTable,
                      scopes: StringTable, meta_keys: set[str], header: dict[str, Any], ann: np.ndarray | None) -> None:
    n = st.n
    files: dict[str, Any] = {}
    files["vectors"] = write_npy(dirpath, f"vectors.g{g}.npy", st.vec[:n], durable=False)
    cols = np.empty(n, dtype=COLUMN_DTYPE)
    for field, name in (("id", "ids"), ("video", "video"), ("start", "start"), ("end", "end"),
                        ("scope", "scope"), ("option", "option")):
        cols[field] = getattr(st, name)[:n]
    files["columns"] = write_npy(dirpath, f"columns.g{g}.npy", cols, durable=False)
    strings = json.dumps(
        {"videos": videos.values, "options": options.values, "scopes": scopes.values}, ensure_ascii=False
    ).encode()
    files["strings"] = write_file(dirpath, f"strings.g{g}.json", lambda w: w.write(strings), durable=False)

    def docs(w: Any) -> None:
        buf: list[str] = []
        texts, metas, ext = st.texts, st.metas, st.ext
        for i in range(n):
            t, m, e = texts[i], metas[i], ext[i]
            if t is None and m is None and e is None:
                continue
            tail = "}\n" if e is None else f',"e":{json.dumps(e, ensure_ascii=False)}}}\n'
            buf.append(f'{{"r":{i},"t":{json.dumps(t, ensure_ascii=False)},"m":{m if m is not None else "null"}{tail}')
            if len(buf) >= 4096:
                w.write("".join(buf).encode())
                buf.clear()
        if buf:
            w.write("".join(buf).encode())

    files["docs"] = write_file(dirpath, f"docs.g{g}.jsonl", docs, durable=False)
    if ann is not None:
        files["ann"] = write_file(dirpath, f"ann.g{g}.faiss", lambda w: w.write(ann), durable=False)
    publish(dirpath, [f["name"] for f in files.values()])  # fsync all, then rename: complete files only
    body = dict(header, count=n, files=files, meta_keys=sorted(meta_keys))
    commit_manifest(dirpath, body)
    cleanup(dirpath, {f["name"] for f in files.values()})


def load_snapshot(dirpath: Path, *, mmap: bool) -> dict[str, Any]:
    """Read the current snapshot (retrying if a concurrent save replaced it mid-read)."""
    for attempt in range(5):
        man = read_manifest(dirpath)
        try:
            return _load(dirpath, man, mmap)
        except FileNotFoundError:
            if attempt < 4 and read_manifest(dirpath).get("generation") != man.get("generation"):
                continue
            raise CorruptStoreError(
                f"a data file named by {dirpath / 'manifest.json'} is missing; restore the store from a backup"
            ) from None
    raise CorruptStoreError(f"{dirpath} kept changing while being opened; retry")  # pragma: no cover


def non_unit_row(vec: np.ndarray, step: int = 8192) -> int | None:
    """The first row that is not a finite unit vector (NaN, inf, or a tampered value), else ``None``."""
    for i in range(0, vec.shape[0], step):
        block = np.ascontiguousarray(vec[i : i + step], dtype=np.float32)
        sq = np.empty(block.shape[0], dtype=np.float32)
        if block.size:  # faiss's SIMD kernel: about 2x numpy's einsum, and it releases the GIL
            _faiss.fvec_norms_L2sqr(faiss.swig_ptr(sq), faiss.swig_ptr(block), block.shape[1], block.shape[0])
        bad = ~(np.abs(sq - 1.0) < 1e-3)  # NaN compares False, so it is caught too
        if bad.any():
            return i + int(np.flatnonzero(bad)[0])
    return None


def non_unit_row_numpy(vec: np.ndarray) -> int | None:
    """:func:`non_unit_row` with numpy only, for the background check: faiss's kernel would start an
    OpenMP team in that thread, whose workers spin on the cores the first queries need."""
    block = np.asarray(vec, dtype=np.float32)
    sq = np.einsum("ij,ij->i", block, block)
    bad = ~(np.abs(sq - 1.0) < 1e-3)
    return int(np.flatnonzero(bad)[0]) if bad.any() else None


def _load(dirpath: Path, man: dict[str, Any], mmap: bool) -> dict[str, Any]:
    n, dim = man["count"], man["dim"]
    # shapes and dtypes come from the manifest: a header claiming anything else is refused unread
    vec = read_npy(dirpath, man, "vectors", shape=(n, dim), dtype=np.float32, mmap=mmap)
    mapped = isinstance(vec, np.memmap)
    if not mapped:
        bad = non_unit_row(vec)
        if bad is not None:
            raise CorruptStoreError(f"vector row {bad} of {dirpath} is not a finite unit vector (NaN or edited); "
                                    "restore the store from a backup")
    # mapped: the columns' crc is checked in the background too (their consistency checks below run now)
    cols = read_npy(dirpath, man, "columns", shape=(n,), dtype=COLUMN_DTYPE, mmap=mapped)
    try:
        strings = json.loads(read_bytes(dirpath, man, "strings"))
        videos = StringTable(strings["videos"])
        options = StringTable(strings["options"])
        scopes = StringTable(strings["scopes"])
        if not all(isinstance(v, str) for t in (videos, options, scopes) for v in t.values):
            raise ValueError("non-string entry")
        if len(videos.codes) != len(videos) or len(options.codes) != len(options) or len(scopes.codes) != len(scopes):
            raise ValueError("duplicate entry")
        for t in (videos, options, scopes):
            for v in t.values:
                v.encode("utf-8")  # an escaped lone surrogate would make every later save fail
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:  # (UnicodeError is a ValueError)
        raise CorruptStoreError(f"the string tables of {dirpath} are damaged ({exc})") from None
    ids = np.ascontiguousarray(cols["id"])
    checks = [
        (n == 0 or bool((np.diff(ids) > 0).all()) and int(ids[0]) >= 0, "ids are not increasing"),
        (n == 0 or int(ids[-1]) < man["next_id"], "an id is beyond next_id"),
        (n == 0 or int(cols["video"].max()) < len(videos) and int(cols["video"].min()) >= 0, "bad video code"),
        (n == 0 or int(cols["option"].max()) < len(options), "bad option code"),
        (n == 0 or int(cols["scope"].max()) < len(scopes), "bad scope code"),
        (bool(np.isfinite(cols["start"]).all() and np.isfinite(cols["end"]).all()), "bad times"),
    ]
    for ok, what in checks:
        if not ok:
            raise CorruptStoreError(f"the columns of {dirpath} are inconsistent ({what}); restore from a backup")
    ext_index = ExtIndex()
    docs = Docs(load=_docs_loader(dirpath, man, n, ids, ext_index))
    ext_index.docs = docs
    ann: np.ndarray | Path | None = None
    check = None
    if mapped:  # crc32 of every mapped file (columns, IVF index, then vectors + their rows) in the background
        items = [(*file_path(dirpath, man, "columns"), cols)]
        if "ann" in man["files"]:
            ann_path, ann_entry = file_path(dirpath, man, "ann")
            items.append((ann_path, ann_entry, np.memmap(ann_path, dtype=np.uint8, mode="r")))
            ann = _map_index(ann_path)
        items.append((*file_path(dirpath, man, "vectors"), vec))
        check = BackgroundCheck(items, non_unit_row_numpy)
    elif "ann" in man["files"]:
        ann = np.frombuffer(read_bytes(dirpath, man, "ann"), dtype=np.uint8)
    st = State(
        vec=vec,
        n=n,
        ids=ids,
        video=np.ascontiguousarray(cols["video"]),
        start=np.ascontiguousarray(cols["start"]),
        end=np.ascontiguousarray(cols["end"]),
        scope=np.ascontiguousarray(cols["scope"]),
        option=np.ascontiguousarray(cols["option"]),
        live=np.ones(n, dtype=DTYPES["live"]),
        dead_rows=np.zeros(0, dtype=np.int64),
        docs=docs,
    )
    return {
        "state": st,
        "videos": videos,
        "options": options,
        "scopes": scopes,
        "manifest": man,
        "ann": ann,
        "meta_keys": set(man.get("meta_keys") or []),
        "check": check,
        "ext_index": ext_index,
    }


def _map_index(p: Path) -> Any:
    """The faiss index in ``p``, mapped (its lists stay in the page cache); ``p`` itself when faiss cannot
    read it (``AnnIndex.load`` then reports why)."""
    try:
        return faiss.read_index(str(p), faiss.IO_FLAG_MMAP_IFC)
    except RuntimeError:
        return p


def _docs_loader(dirpath: Path, man: dict[str, Any], n: int, ids: np.ndarray,
                 ext_index: ExtIndex) -> Callable[[], DocLists]:
    """Check the docs file now (a regular file of the manifest's size, kept open through later saves) and
    return the function that reads, checks and parses it on first use (see :class:`~._state.Docs`)."""
    p, entry = file_path(dirpath, man, "docs")
    size = int(entry["bytes"])
    with open_regular(p) as f:  # mapped now: a later save may unlink this generation, the mapping stays
        data: Any = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
    if len(data) != size:
        raise CorruptStoreError(f"{p} has {len(data)} bytes but the manifest says {size} (truncated or replaced); "
                                "restore the store from a backup")

    def load() -> DocLists:
        raw = bytes(data)
        if zlib.crc32(raw) != entry.get("crc32"):
            raise CorruptStoreError(f"{p} fails its crc32 checksum (damaged or edited); "
                                    "restore the store from a backup")
        lists, named = parse_docs(raw, n, dirpath)
        ext_index.fill(named, ids)
        return lists

    return load


def parse_docs(docs: bytes, n: int, dirpath: Path) -> tuple[DocLists, dict[str, int]]:
    """The texts, metadata (compact JSON) and external ids of ``n`` rows from a docs file's bytes, and the
    rows of the external ids."""
    texts: list[str | None] = [None] * n
    metas: list[str | None] = [None] * n
    ext: list[str | None] = [None] * n
    named: dict[str, int] = {}
    try:
        # a "\ud800"-style escape may decode to a lone surrogate, which a later save could not encode
        escaped = b"\\ud" in docs or b"\\uD" in docs
        # split on "\n" only: str.splitlines() would also split inside texts at U+2028, U+2029, U+0085, ...
        # (decoded once: json.loads on str skips the per-line encoding detection bytes need)
        for line in docs.decode("utf-8").split("\n"):
            if not line:
                continue
            rec = json.loads(line)
            if not isinstance(rec, dict):
                raise ValueError("a record is not an object")
            r = rec["r"]
            if not isinstance(r, int) or not 0 <= r < n:
                raise ValueError(f"row {r!r} out of range")
            t, m = rec["t"], rec["m"]
            if not (t is None or isinstance(t, str)) or not (m is None or isinstance(m, dict)):
                raise ValueError(f"row {r}: text must be a string and metadata an object")
            e = rec.get("e")
            if not (e is None or isinstance(e, str) and e):
                raise ValueError(f"row {r}: a bad external id")
            texts[r] = t
            if e is not None:
                if e in named:
                    raise CorruptStoreError(f"the text/metadata file of {dirpath} repeats an external id; "
                                            "restore from a backup")
                ext[r] = e
                named[e] = r
            metas[r] = None if m is None else json.dumps(m, separators=(",", ":"), ensure_ascii=False)
            if escaped:
                (t or "").encode("utf-8")
                (e or "").encode("utf-8")
                (metas[r] or "").encode("utf-8")
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise CorruptStoreError(f"the text/metadata file of {dirpath} is damaged ({exc})") from None
    return (texts, metas, ext), named


class ExtIndex(dict[str, int]):
    """A loaded store's external-id index (external id -> segment id): filled when the docs file is
    parsed, on first use (see :class:`~._state.Docs`); every access parses it first if need be."""

    __slots__ = ("docs",)

    def __init__(self) -> None:
        super().__init__()
        self.docs: Docs | None = None

    def fill(self, rows: dict[str, int], ids: np.ndarray) -> None:
        """Add each external id with the segment id of its row."""
        dict.update(self, {e: int(ids[r]) for e, r in rows.items()})

    def _ready(self) -> None:
        docs = self.docs
        if docs is not None:
            docs.lists()  # its loader fills this index
            self.docs = None


def _lazy(name: str) -> Any:
    method = getattr(dict, name)

    def call(self: ExtIndex, *args: Any, **kw: Any) -> Any:
        self._ready()
        return method(self, *args, **kw)

    call.__name__ = name
    return call


for _name in ("__getitem__", "__setitem__", "__delitem__", "__contains__", "__len__", "__iter__", "__eq__",
              "__repr__", "get", "pop", "popitem", "setdefault", "keys", "items", "values", "update", "copy", "clear"):
    setattr(ExtIndex, _name, _lazy(_name))
del _name
