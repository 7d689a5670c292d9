"""A ready ``client.analyze.tasks`` task as the answer ``client.analyze(stream=False)`` gives.

Framework LLMs run long videos (or ``async_task=True``) through analyze tasks and keep one answer
path: ``task_answer(task)`` is an :class:`~twelvelabs_rag.types.AnalyzeResponse` (``id``, ``data``,
``finish_reason``, ``usage``). ``whole_answer(result)`` types the result of ``client.analyze(...)``
called with request keywords (answer or stream) as the answer, or says it was a stream.

```python
from twelvelabs_rag.analyze_answer import task_answer, whole_answer
from twelvelabs_rag.types.analyze_async import AnalyzeTask
task = AnalyzeTask.model_validate({"task_id": "t", "status": "ready", "created_at": "2026-01-01T00:00:00Z",
    "result": {"generation_id": "g", "data": "a fox", "finish_reason": "stop", "usage": {"output_tokens": 2}}})
assert (task_answer(task).id, task_answer(task).data) == ("g", "a fox")
assert whole_answer(task_answer(task)).data == "a fox"
```
"""

from __future__ import annotations

from typing import Any

from ._exceptions import APIResponseValidationError
from .types import AnalyzeResponse

__all__ = ["task_answer", "whole_answer"]


def task_answer(task: Any) -> AnalyzeResponse:
    """The answer of a ready analyze task; a task without a result is an error that names its status."""
    result = getattr(task, "result", None)
    if result is None:
        raise APIResponseValidationError(f"analyze task {task.task_id} is {task.status!r} without a result; "
                                         "wait for it with client.analyze.tasks.wait(task_id)")
    return AnalyzeResponse.model_validate({
        "id": result.generation_id, "data": result.data, "finish_reason": result.finish_reason,
        "usage": result.usage.model_dump() if result.usage is not None else None})


def whole_answer(result: object) -> AnalyzeResponse:
    """``result`` of ``client.analyze(**request)`` as the answer; a stream there is a ``TypeError``
    (the request asked for ``stream=True``: iterate it instead)."""
    if not isinstance(result, AnalyzeResponse):
        raise TypeError(f"analyze() returned {type(result).__name__}, not an answer: the request asked for "
                        "stream=True; iterate the stream, or send stream=False")
    return result
