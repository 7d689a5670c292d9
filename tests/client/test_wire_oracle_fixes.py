"""Wire differences the SDK oracle (tests/contract/test_wire_oracle.py) found in our client, pinned at
the transport for both twins so they cannot come back without the contract suite."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from .conftest import Harness

UPLOAD_ID = "a" * 24
STATUS = {"upload_id": UPLOAD_ID, "status": "active", "total_size": 10, "chunk_size": 10, "total_chunks": 1,
          "uploaded_chunks": [], "page_info": {"page": 1, "limit_per_page": 10, "total_page": 1, "total_results": 1}}


async def test_multipart_status_asks_for_the_first_page_like_the_sdk(make: Callable[..., Harness]) -> None:
    """SDK 1.3.6's ``multipart_upload.get_status(upload_id)`` sends ``page=1``; ours sent no page."""
    seen: list[Any] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(list(request.url.params.multi_items()))
        return httpx.Response(200, json=STATUS)

    h = make(handler)
    await h.call(h.client.assets.multipart.get_status, UPLOAD_ID)
    await h.call(h.client.assets.multipart.get_status, UPLOAD_ID, page=2, page_limit=5)
    assert seen == [[("page", "1")], [("page", "2"), ("page_limit", "5")]]
