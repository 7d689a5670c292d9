"""``/tasks/transfers/import/{integration_id}``: cloud-storage imports (classic API).

```python
result = client.tasks.transfers.create("my-s3-integration", index_id=index.id)
status = client.tasks.transfers.get_status("my-s3-integration", index_id=index.id)
```
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._request import RequestSpec, query_params
from ..types.tasks import TransferImportResult, TransferLogs, TransferStatus
from ._resource import AsyncResource, SyncResource, check_id, parse_model

__all__ = ["Transfers", "AsyncTransfers"]


def _create_spec(integration_id: str, index_id: str, incremental_import: bool | None, retry_failed: bool | None,
                 user_metadata: Mapping[str, Any] | None) -> RequestSpec:
    check_id("integration_id", integration_id)
    check_id("index_id", index_id)
    body: dict[str, Any] = {"index_id": index_id}
    for key, value in (("incremental_import", incremental_import), ("retry_failed", retry_failed),
                       ("user_metadata", dict(user_metadata) if user_metadata is not None else None)):
        if value is not None:
            body[key] = value
    return RequestSpec("POST", f"tasks/transfers/import/{integration_id}", json=body)


def _status_spec(integration_id: str, index_id: str) -> RequestSpec:
    check_id("integration_id", integration_id)
    check_id("index_id", index_id)
    return RequestSpec("GET", f"tasks/transfers/import/{integration_id}/status",
                       params=query_params({"index_id": index_id}))


def _logs_spec(integration_id: str) -> RequestSpec:
    check_id("integration_id", integration_id)
    return RequestSpec("GET", f"tasks/transfers/import/{integration_id}/logs")


class Transfers(SyncResource):
    """``client.tasks.transfers``."""

    def create(self, integration_id: str, *, index_id: str, incremental_import: bool | None = None,
               retry_failed: bool | None = None,
               user_metadata: Mapping[str, Any] | None = None) -> TransferImportResult:
        """Start importing every video of a cloud integration into an index."""
        spec = _create_spec(integration_id, index_id, incremental_import, retry_failed, user_metadata)
        return parse_model(TransferImportResult, self._client._request(spec))

    def get_status(self, integration_id: str, *, index_id: str) -> TransferStatus:
        """Per-status lists of the imported videos."""
        return parse_model(TransferStatus, self._client._request(_status_spec(integration_id, index_id)))

    def get_logs(self, integration_id: str) -> TransferLogs:
        """The import jobs of an integration, oldest first."""
        return parse_model(TransferLogs, self._client._request(_logs_spec(integration_id)))


class AsyncTransfers(AsyncResource):
    """``client.tasks.transfers`` of the async client."""

    async def create(self, integration_id: str, *, index_id: str, incremental_import: bool | None = None,
                     retry_failed: bool | None = None,
                     user_metadata: Mapping[str, Any] | None = None) -> TransferImportResult:
        """Start importing every video of a cloud integration into an index."""
        spec = _create_spec(integration_id, index_id, incremental_import, retry_failed, user_metadata)
        return parse_model(TransferImportResult, await self._client._request(spec))

    async def get_status(self, integration_id: str, *, index_id: str) -> TransferStatus:
        """Per-status lists of the imported videos."""
        return parse_model(TransferStatus, await self._client._request(_status_spec(integration_id, index_id)))

    async def get_logs(self, integration_id: str) -> TransferLogs:
        """The import jobs of an integration, oldest first."""
        return parse_model(TransferLogs, await self._client._request(_logs_spec(integration_id)))
