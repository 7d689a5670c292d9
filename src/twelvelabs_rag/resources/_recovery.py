"""Finding the task an interrupted upload may have created (pure functions; see docs/retries.md).

```python
from twelvelabs_rag.resources._recovery import lookup_since
assert lookup_since(None, elapsed=1.0) is None  # no server Date header: no trusted time window
```
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from .._config import UPLOAD_LOOKUP_SKEW, UPLOAD_TOKEN_KEY
from .._exceptions import APIConnectionError
from ..types.tasks import Task, TaskCreated

__all__ = ["RECOVERY_CANDIDATES", "lookup_since", "recent_candidates", "token_of", "pick_recovered_task", "parse_time"]

#: At most this many recent tasks are examined after an interrupted upload.
RECOVERY_CANDIDATES = 5


def parse_time(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def lookup_since(date_header: str | None, elapsed: float) -> float | None:
    """Server-clock epoch before which no task can come from this upload (None without a ``Date`` header).

    Using the server's own ``Date`` and the client's monotonic elapsed time avoids clock skew.
    """
    if not date_header:
        return None
    try:
        server_now = parsedate_to_datetime(date_header).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
    return server_now - max(0.0, elapsed) - UPLOAD_LOOKUP_SKEW


def recent_candidates(tasks: Sequence[Task], *, filename: str | None) -> list[Task]:
    """The newest tasks (same filename when known) that an interrupted upload may have created (pure).

    No time filter here: each candidate is verified by the upload token, which is exact whatever
    the clocks say; time only matters for a candidate that cannot be verified (see :func:`pick_recovered_task`).
    """
    out = []
    for task in tasks:
        meta_name = task.system_metadata.filename if task.system_metadata else None
        if filename is not None and meta_name is not None and meta_name != filename:
            continue
        out.append(task)
    return out[:RECOVERY_CANDIDATES]


def token_of(task: Task) -> Any:
    meta = (task.model_extra or {}).get("user_metadata")
    return meta.get(UPLOAD_TOKEN_KEY) if isinstance(meta, dict) else None


def pick_recovered_task(verdicts: list[tuple[Task, bool | None]], *, since: float | None,
                        by_filename: bool) -> TaskCreated | None:
    """Pick the task an interrupted upload created (pure).

    A verified token match wins; verified mismatches are ignored. Candidates that could not be
    verified are ignored when they predate ``since`` (server clock); one left over is accepted when
    it matched by filename inside that window, more (or any without a window) make the client
    give up rather than risk a duplicate. Nothing left means nothing was created: None (upload again).
    """
    for task, match in verdicts:
        if match:
            return TaskCreated(id=task.id, video_id=task.video_id)
    unknown = []
    for task, match in verdicts:
        if match is not None:
            continue
        created = parse_time(task.created_at)
        if since is not None and created is not None and created < since:
            continue
        unknown.append(task)
    if not unknown:
        return None
    if since is not None and by_filename and len(unknown) == 1:
        return TaskCreated(id=unknown[0].id, video_id=unknown[0].video_id)
    raise APIConnectionError(
        f"{len(unknown)} recent task(s) may be this upload but none could be verified; not uploading again. "
        "List the index's tasks to check before retrying."
    )
