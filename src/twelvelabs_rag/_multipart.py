"""File inputs and the multipart/form-data body, rebuilt intact for every attempt.

A body is a list of text fields then file parts. File parts given as a path are streamed from
disk in chunks on each attempt (the sync client reads in the calling thread; the async client
reads through a worker thread), so a retry re-sends every field and every byte, and a 2 GB upload
is never held in memory.

```python
from twelvelabs_rag._multipart import MultipartBody, prepare_file
body = MultipartBody([("index_id", "i1")], [prepare_file("video_file", b"data", default_filename="v.mp4")])
assert body.to_bytes().count(b"name=\\"index_id\\"") == 1
```
"""

from __future__ import annotations

import mimetypes
import os
import secrets
import urllib.parse
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Union

import anyio

__all__ = ["FileInput", "FilePart", "MultipartBody", "prepare_file", "aprepare_file", "file_name", "wire_filename"]

#: A path, raw bytes, a binary file object, or ``(filename, bytes)``.
FileInput = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, IO[bytes], "tuple[str, bytes]"]

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class FilePart:
    """One file part: either ``data`` in memory or a ``path`` read on every attempt."""

    name: str
    filename: str
    content_type: str
    size: int
    data: bytes | None = None
    path: Path | None = None


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


#: Bytes kept as they are when a file name needs the percent-encoded fallback (RFC 3986 unreserved
#: plus a few harmless marks); everything else, ``%`` included, becomes ``%XX``.
_NAME_SAFE = " !#$&'()+,-.;=@[]^_`{}~"


def wire_filename(name: str) -> str:
    """The name as sent in ``filename="..."`` and in lookups: always encodable as UTF-8.

    A name that is valid Unicode is sent as UTF-8, as RFC 7578 and browsers do. A name holding lone
    surrogates (a file name that is not valid UTF-8, as ``os.fsdecode`` returns it) gets back its
    original bytes; if those decode as UTF-8 they are used, else every byte outside ``_NAME_SAFE``
    is percent-encoded (``%FF``; ``%`` itself becomes ``%25``), which is lossless and ASCII-only.

    ```python
    assert wire_filename("café.mp4") == "café.mp4"
    assert wire_filename("\\udcffclip%1.mp4") == "%FFclip%251.mp4"
    ```
    """
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        pass
    try:
        raw = os.fsencode(name)  # the original bytes of a name from os.fsdecode (surrogateescape)
    except UnicodeError:
        raw = name.encode("utf-8", "surrogatepass")  # lone surrogates that never were a file name
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return urllib.parse.quote(raw, safe=_NAME_SAFE)


def file_name(file: Any, default: str) -> str:
    """The filename a file input will be uploaded under (see :func:`wire_filename`)."""
    if isinstance(file, tuple):
        name = os.fsdecode(file[0]) if isinstance(file[0], bytes) else str(file[0])
    elif isinstance(file, (str, os.PathLike)):
        name = os.fsdecode(Path(file).name)
    else:
        attr = getattr(file, "name", None)
        if isinstance(attr, bytes):
            attr = os.fsdecode(attr)
        name = Path(attr).name if isinstance(attr, str) and attr and not attr.startswith("<") else default
    return wire_filename(name)


def prepare_file(name: str, file: Any, *, default_filename: str) -> FilePart:
    """Normalise a file input (reads file objects into memory; paths stay on disk)."""
    filename = file_name(file, default_filename)
    ctype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    if isinstance(file, tuple):
        if len(file) != 2:
            raise ValueError(f"{name}: a tuple file input must be (filename, bytes), got {len(file)} items")
        data = bytes(file[1])
        return FilePart(name, filename, ctype, len(data), data=data)
    if isinstance(file, (bytes, bytearray, memoryview)):
        data = bytes(file)
        return FilePart(name, filename, ctype, len(data), data=data)
    if isinstance(file, (str, os.PathLike)):
        path = Path(file)
        if not path.is_file():
            raise FileNotFoundError(f"{name}: no such file: {path}")
        return FilePart(name, filename, ctype, path.stat().st_size, path=path)
    if hasattr(file, "read"):
        data = file.read()
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError(f"{name}: the file object must be opened in binary mode ('rb')")
        return FilePart(name, filename, ctype, len(data), data=bytes(data))
    raise TypeError(f"{name}: expected a path, bytes, a binary file object or (filename, bytes); "
                    f"got {type(file).__name__}")


async def aprepare_file(name: str, file: Any, *, default_filename: str) -> FilePart:
    """:func:`prepare_file` in a worker thread, so the event loop never blocks on disk."""
    if isinstance(file, (bytes, bytearray, memoryview, tuple)):
        return prepare_file(name, file, default_filename=default_filename)
    return await anyio.to_thread.run_sync(lambda: prepare_file(name, file, default_filename=default_filename))


class MultipartBody:
    """A multipart/form-data body: text fields first, then file parts (the API's order)."""

    def __init__(self, fields: list[tuple[str, str]], files: list[FilePart] | None = None) -> None:
        self.fields = fields
        self.files = files or []
        self.boundary = secrets.token_hex(16)
        self._heads: list[bytes] = []
        pieces: list[bytes] = []
        for key, value in fields:
            pieces.append(
                f'--{self.boundary}\r\nContent-Disposition: form-data; name="{_quote(key)}"\r\n\r\n'.encode()
                + value.encode("utf-8")
                + b"\r\n"
            )
        self._fields_bytes = b"".join(pieces)
        for part in self.files:
            self._heads.append(
                (
                    f"--{self.boundary}\r\nContent-Disposition: form-data; name=\"{_quote(part.name)}\"; "
                    f'filename="{_quote(part.filename)}"\r\nContent-Type: {part.content_type}\r\n\r\n'
                ).encode()
            )
        self._tail = f"--{self.boundary}--\r\n".encode()

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    @property
    def content_length(self) -> int:
        n = len(self._fields_bytes) + len(self._tail)
        for head, part in zip(self._heads, self.files, strict=True):
            n += len(head) + part.size + 2
        return n

    @property
    def in_memory(self) -> bool:
        return all(p.data is not None for p in self.files)

    def headers(self) -> dict[str, str]:
        return {"content-type": self.content_type, "content-length": str(self.content_length)}

    def to_bytes(self) -> bytes:
        """The whole body (only for in-memory parts)."""
        out = [self._fields_bytes]
        for head, part in zip(self._heads, self.files, strict=True):
            if part.data is None:
                raise ValueError("to_bytes() needs in-memory parts; stream path parts with iter_chunks()")
            out += [head, part.data, b"\r\n"]
        out.append(self._tail)
        return b"".join(out)

    def _pieces(self) -> Iterator[bytes | Path]:
        """The body in order: bytes to send as they are, or the path of a part to read from disk."""
        yield self._fields_bytes
        for head, part in zip(self._heads, self.files, strict=True):
            yield head
            if part.data is not None:
                yield part.data
            else:
                assert part.path is not None
                yield part.path
            yield b"\r\n"
        yield self._tail

    def iter_chunks(self) -> Iterator[bytes]:
        """Yield the body, reading path parts from disk (a fresh read on every call)."""
        for piece in self._pieces():
            if isinstance(piece, bytes):
                yield piece
                continue
            with open(piece, "rb") as fh:
                while chunk := fh.read(CHUNK):
                    yield chunk

    async def aiter_chunks(self) -> AsyncIterator[bytes]:
        """Yield the body; path parts are read in a worker thread chunk by chunk."""
        for piece in self._pieces():
            if isinstance(piece, bytes):
                yield piece
                continue
            fh = await anyio.to_thread.run_sync(open, piece, "rb")
            try:
                while chunk := await anyio.to_thread.run_sync(fh.read, CHUNK):
                    yield chunk
            finally:
                await anyio.to_thread.run_sync(fh.close)
