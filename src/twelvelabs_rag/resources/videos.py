"""``/indexes/{index_id}/videos``: list, retrieve (with vectors/transcript), update metadata, delete.

```python
video = client.indexes.videos.retrieve(index_id, video_id, embedding_option=["visual"], transcription=True)
client.indexes.videos.update(index_id, video_id, user_metadata={"reviewed": True, "draft": None})  # None deletes
```
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from .._pagination import AsyncPage, SyncPage
from .._request import RequestSpec, query_params
from ..types._fast import video_from_json
from ..types.videos import Video
from ._resource import AsyncResource, SyncResource, call_args, check_id, parse_json, validate

__all__ = ["Videos", "AsyncVideos"]

Range = float | Mapping[str, float]


def _list_target(index_id: str, user_metadata: Mapping[str, Any] | None, **kw: Any) -> tuple[str, dict[str, Any]]:
    check_id("index_id", index_id)
    params = {k: v for k, v in kw.items() if v is not None}
    for key, value in (user_metadata or {}).items():
        if key in params:
            raise ValueError(f"user_metadata key {key!r} collides with a list parameter of the same name")
        params[key] = value
    return f"indexes/{index_id}/videos", params


def _video_spec(method: str, index_id: str, video_id: str, **kw: Any) -> RequestSpec:
    check_id("index_id", index_id)
    check_id("video_id", video_id)
    return RequestSpec(method, f"indexes/{index_id}/videos/{video_id}", **kw)


def _retrieve_spec(index_id: str, video_id: str, embedding_option: str | Sequence[str] | None,
                   transcription: bool) -> RequestSpec:
    params = query_params({"embedding_option": embedding_option, "transcription": True if transcription else None})
    return _video_spec("GET", index_id, video_id, params=params)


def _update_spec(index_id: str, video_id: str, user_metadata: Mapping[str, Any]) -> RequestSpec:
    return _video_spec("PATCH", index_id, video_id, json={"user_metadata": dict(user_metadata)})


def _to_video(response: Any) -> Video:
    data = parse_json(response)
    if isinstance(data, dict):
        try:
            return video_from_json(data)
        except ValidationError:
            pass  # the validator below reports the shape problem as APIResponseValidationError
    return validate(Video, data, response)


class Videos(SyncResource):
    """``client.indexes.videos``."""

    def list(
        self,
        index_id: str,
        *,
        page_limit: int | None = None,
        sort_by: str | None = None,
        sort_option: str | None = None,
        filename: str | None = None,
        created_at: str | None = None,
        updated_at: str | None = None,
        duration: Range | None = None,
        fps: Range | None = None,
        width: Range | None = None,
        height: Range | None = None,
        size: Range | None = None,
        user_metadata: Mapping[str, Any] | None = None,
    ) -> SyncPage[Video]:
        """Every video of an index; ranges like ``duration={"gte": 5, "lte": 60}``; metadata filters by equality."""
        return self._list(*_list_target(**call_args(locals())), Video)

    def retrieve(
        self, index_id: str, video_id: str, *, embedding_option: str | Sequence[str] | None = None,
        transcription: bool = False,
    ) -> Video:
        """One video; ``embedding_option`` adds its vectors, ``transcription=True`` its transcript."""
        return _to_video(self._client._request(_retrieve_spec(index_id, video_id, embedding_option, transcription)))

    def update(self, index_id: str, video_id: str, *, user_metadata: Mapping[str, Any]) -> None:
        """Merge ``user_metadata`` into the video's metadata; a ``None`` value deletes that key."""
        self._client._request(_update_spec(index_id, video_id, user_metadata))

    def delete(self, index_id: str, video_id: str) -> None:
        """Delete a video from an index."""
        self._client._request(_video_spec("DELETE", index_id, video_id))


class AsyncVideos(AsyncResource):
    """``client.indexes.videos`` of the async client."""

    def list(
        self,
        index_id: str,
        *,
        page_limit: int | None = None,
        sort_by: str | None = None,
        sort_option: str | None = None,
        filename: str | None = None,
        created_at: str | None = None,
        updated_at: str | None = None,
        duration: Range | None = None,
        fps: Range | None = None,
        width: Range | None = None,
        height: Range | None = None,
        size: Range | None = None,
        user_metadata: Mapping[str, Any] | None = None,
    ) -> AsyncPage[Video]:
        """Every video of an index (``async for``)."""
        return self._list(*_list_target(**call_args(locals())), Video)

    async def retrieve(
        self, index_id: str, video_id: str, *, embedding_option: str | Sequence[str] | None = None,
        transcription: bool = False,
    ) -> Video:
        """One video; ``embedding_option`` adds its vectors, ``transcription=True`` its transcript."""
        spec = _retrieve_spec(index_id, video_id, embedding_option, transcription)
        return _to_video(await self._client._request(spec))

    async def update(self, index_id: str, video_id: str, *, user_metadata: Mapping[str, Any]) -> None:
        """Merge ``user_metadata`` into the video's metadata; a ``None`` value deletes that key."""
        await self._client._request(_update_spec(index_id, video_id, user_metadata))

    async def delete(self, index_id: str, video_id: str) -> None:
        """Delete a video from an index."""
        await self._client._request(_video_spec("DELETE", index_id, video_id))
