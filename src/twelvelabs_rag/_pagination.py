"""Lazy iterators over every page of a list (``page``-paged lists and token-paged search).

``SyncPage`` is what ``list()`` returns: iterate it for items, or call ``.pages()`` for the page
objects (``ListPage`` / ``SearchResults``). Pages are fetched only when iteration reaches them.
``AsyncPage`` is the async twin: ``async for`` over it, or ``await`` it first (which fetches the
first page and returns the same object).

```python
for index in client.indexes.list(page_limit=50):
    print(index.id, index.index_name)
first_page = next(client.indexes.list().pages())
```
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator
from typing import Any, Generic, TypeVar

__all__ = ["SyncPage", "AsyncPage"]

T = TypeVar("T")
P = TypeVar("P")


class SyncPage(Generic[T]):
    """Every item of a list endpoint, fetched page by page on demand."""

    def __init__(self, first: Callable[[], Any], following: Callable[[Any], Any | None]) -> None:
        self._first_fn = first
        self._following = following
        self._first: Any = None

    def pages(self) -> Iterator[Any]:
        """Yield each page object (with ``.data`` and ``.page_info``)."""
        if self._first is None:
            self._first = self._first_fn()
        page = self._first
        while page is not None:
            yield page
            page = self._following(page)

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page.data

    def first_page(self) -> Any:
        """The first page object (fetched once)."""
        return next(self.pages())

    def to_list(self) -> list[T]:
        """Every item of every page as a list."""
        return list(self)


class AsyncPage(Generic[T]):
    """Async twin of :class:`SyncPage`: ``async for item in client.indexes.list(): ...``."""

    def __init__(self, first: Callable[[], Awaitable[Any]], following: Callable[[Any], Awaitable[Any | None]]) -> None:
        self._first_fn = first
        self._following = following
        self._first: Any = None

    async def _ensure_first(self) -> Any:
        if self._first is None:
            self._first = await self._first_fn()
        return self._first

    async def pages(self) -> AsyncIterator[Any]:
        """Yield each page object (with ``.data`` and ``.page_info``)."""
        page = await self._ensure_first()
        while page is not None:
            yield page
            page = await self._following(page)

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page.data:
                yield item

    def __await__(self) -> Generator[Any, None, AsyncPage[T]]:
        async def _prefetch() -> AsyncPage[T]:
            await self._ensure_first()
            return self

        return _prefetch().__await__()

    async def first_page(self) -> Any:
        """The first page object (fetched once)."""
        return await self._ensure_first()

    async def to_list(self) -> list[T]:
        """Every item of every page as a list."""
        return [item async for item in self]
