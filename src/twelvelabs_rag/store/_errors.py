"""Errors raised by :class:`~twelvelabs_rag.store.SegmentStore`.

::

    TwelveLabsError
    └── StoreError                      anything the store refuses or cannot do
        ├── StoreClosedError            the store was closed
        ├── ReadOnlyStoreError          a write on a store opened with ``read_only=True``
        ├── StoreLockedError            another writer (process or handle) holds the store's lock
        ├── StoreExistsError            ``create`` on a path that already holds a store  (also FileExistsError)
        ├── StoreNotFoundError          ``open`` on a path without a store               (also FileNotFoundError)
        ├── CorruptStoreError           a tampered, truncated or missing file
        ├── StoreWriteError             ``save`` could not write (disk full, ...)        (also OSError)
        ├── UnsupportedFormatError      written by a newer (or unknown) format version
        ├── SegmentNotFoundError        an id that is not (or no longer) in the store   (also KeyError)
        ├── InvalidInputError           bad arguments                                    (also ValueError)
        │   ├── DimensionMismatchError  a vector of the wrong length
        │   ├── ModelMismatchError      a vector or task of another embedding model
        │   ├── InvalidVectorError      NaN, inf or all-zero vectors
        │   ├── ColumnLengthError       columns of different lengths in one ``add``
        │   └── FilterError             unknown ``where`` key or operator, or a badly typed value
"""

from __future__ import annotations

from .._exceptions import TwelveLabsError

__all__ = [
    "StoreError",
    "StoreClosedError",
    "ReadOnlyStoreError",
    "StoreLockedError",
    "CorruptStoreError",
    "StoreWriteError",
    "StoreExistsError",
    "StoreNotFoundError",
    "UnsupportedFormatError",
    "SegmentNotFoundError",
    "InvalidInputError",
    "DimensionMismatchError",
    "ModelMismatchError",
    "InvalidVectorError",
    "ColumnLengthError",
    "FilterError",
]


class StoreError(TwelveLabsError):
    """Base class of every error raised by the segment store."""


class StoreClosedError(StoreError):
    """The store was closed; open it again with ``SegmentStore.open(path)``."""


class ReadOnlyStoreError(StoreError):
    """A write was attempted on a store opened with ``read_only=True``."""


class StoreWriteError(StoreError, OSError):
    """``save`` failed to write its files (disk full, file too large, permissions).

    The previous snapshot is untouched and the store keeps its rows in memory: free the space
    (or fix the permissions) and call ``save()`` again. ``errno`` is the operating system's.
    """


class StoreLockedError(StoreError):
    """Another writer holds the store's lock file (a second process, or a second handle)."""


class StoreExistsError(StoreError, FileExistsError):
    """``SegmentStore.create`` was given a directory that already holds a store; open it instead."""


class StoreNotFoundError(StoreError, FileNotFoundError):
    """There is no segment store at the path (no ``manifest.json``)."""


class CorruptStoreError(StoreError):
    """A store file is missing, truncated, or does not match the checksum in the manifest."""


class UnsupportedFormatError(StoreError):
    """The store was written by a newer version of twelvelabs-rag (or is not a segment store)."""


class SegmentNotFoundError(StoreError, KeyError):
    """The segment id is not in the store (never assigned, deleted, or replaced by an upsert)."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class InvalidInputError(StoreError, ValueError):
    """An argument is invalid; the message names it and says how to fix it."""


class DimensionMismatchError(InvalidInputError):
    """A vector's length differs from the store's dimension."""


class ModelMismatchError(InvalidInputError):
    """A vector, task or video comes from another embedding model than the store's."""


class InvalidVectorError(InvalidInputError):
    """A vector holds NaN or inf, or is all zeros (cosine similarity is undefined)."""


class ColumnLengthError(InvalidInputError):
    """The columns given to ``add`` have different lengths."""


class FilterError(InvalidInputError):
    """A ``where`` filter uses an unknown key or operator, or a value of the wrong type."""
