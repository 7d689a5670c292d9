"""Turn a store's state into a snapshot on disk and back (see :mod:`._persist` for the protocol)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from ._errors import CorruptStoreError
from ._persist import (
    abandon_generation,
    cleanup,
    commit_manifest,
    publish,
    read_manifest,
    write_file,
    write_npy,
)
from ._reading import BackgroundCheck, file_path, read_bytes, read_npy
from ._state import DTYPES, State, StringTable

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
            faiss.fvec_norms_L2sqr(faiss.swig_ptr(sq), faiss.swig_ptr(block), block.shape[1], block.shape[0])
        bad = ~(np.abs(sq - 1.0) < 1e-3)  # NaN compares False, so it is caught too
        if bad.any():
            return i + int(np.flatnonzero(bad)[0])
    return None


def _load(dirpath: Path, man: dict[str, Any], mmap: bool) -> dict[str, Any]:
    n, dim = man["count"], man["dim"]
    # shapes and dtypes come from the manifest: a header claiming anything else is refused unread
    vec = read_npy(dirpath, man, "vectors", shape=(n, dim), dtype=np.float32, mmap=mmap)
    if isinstance(vec, np.memmap):
        check = BackgroundCheck(*file_path(dirpath, man, "vectors"), vec, non_unit_row)
    else:
        check = None
        bad = non_unit_row(vec)
        if bad is not None:
            raise CorruptStoreError(f"vector row {bad} of {dirpath} is not a finite unit vector (NaN or edited); "
                                    "restore the store from a backup")
    cols = read_npy(dirpath, man, "columns", shape=(n,), dtype=COLUMN_DTYPE)
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
    texts: list[str | None] = [None] * n
    metas: list[str | None] = [None] * n
    ext: list[str | None] = [None] * n
    try:
        docs = read_bytes(dirpath, man, "docs")
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
            ext[r] = e
            metas[r] = None if m is None else json.dumps(m, separators=(",", ":"), ensure_ascii=False)
            if escaped:
                (t or "").encode("utf-8")
                (e or "").encode("utf-8")
                (metas[r] or "").encode("utf-8")
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise CorruptStoreError(f"the text/metadata file of {dirpath} is damaged ({exc})") from None
    ann = None
    if "ann" in man["files"]:
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
        texts=texts,
        metas=metas,
        ext=ext,
    )
    ext_index = {e: int(ids[r]) for r, e in enumerate(ext) if e is not None}
    if len(ext_index) != sum(e is not None for e in ext):
        raise CorruptStoreError(f"the text/metadata file of {dirpath} repeats an external id; restore from a backup")
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
