"""Routes of async analyze: ``/analyze/tasks`` and ``/analyze/batches`` (JSON Lines results).

Tasks walk ``queued`` -> ``processing`` -> ``ready`` one step on every read of any analyze task or
batch (list, retrieve, results), deterministically and without sleeping. Answers come from the same
generator as ``POST /analyze``; ``time_based_metadata`` with ``segment_definitions`` answers a JSON
string keyed by definition id, one segment per scene of the window (or per given ``time_ranges``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..models import models_for
from ._analyze import cap_tokens
from ._analyze_segments import check_tokens, segments
from ._core import Media, paginate
from ._http import ApiError, Req, Resp, bad, missing
from ._script import Scene

__all__ = ["AnalyzeAsyncRoutes"]

_TASK_MODELS = tuple(m.name for m in models_for("analyze_tasks"))
_BATCH_MODELS = tuple(m.name for m in models_for("analyze_batches"))
_MODES = ("general", "time_based_metadata")
_STATUSES = ("queued", "processing", "ready")
_TERMINAL = ("ready", "failed", "canceled")
_DAY = 24 * 3600


@dataclass
class AnalyzeTaskRec:
    task_id: str
    body: dict[str, Any]
    model: str
    mode: str
    media: Media
    scenes: list[Scene]
    prompt: str
    created_at: str
    seq: int
    custom_id: str | None = None
    batch_id: str | None = None
    step: int = 0
    canceled: str | None = None  # error code when canceled
    fail: dict[str, Any] | None = None
    completed_at: str | None = None
    result: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def status(self) -> str:
        if self.canceled:
            return "canceled"
        if self.step >= len(_STATUSES) - 1 and self.fail:
            return "failed"
        return _STATUSES[min(self.step, len(_STATUSES) - 1)]


@dataclass
class BatchRec:
    batch_id: str
    model: str
    mode: str
    task_ids: list[str]
    created_at: str
    expires_at: str
    seq: int
    canceling: bool = False
    canceled_at: str | None = None
    completed_at: str | None = None


class AnalyzeAsyncRoutes:
    """Mixin of FakeTwelveLabs: async analyze tasks and batches (state created on first use)."""

    def _aa_state(self) -> tuple[dict[str, AnalyzeTaskRec], dict[str, BatchRec]]:
        if getattr(self, "_analyze_tasks", None) is None:
            self._analyze_tasks: dict[str, AnalyzeTaskRec] = {}
            self._batches: dict[str, BatchRec] = {}
            self._analyze_failures: list[dict[str, Any]] = []
        return self._analyze_tasks, self._batches

    def fail_analyze_task_next(self, code: str = "video_processing_failed",
                               message: str = "The video could not be analyzed.") -> None:
        """Make the next analyze task (or batch item) end ``failed`` with this error."""
        with self._lock:  # type: ignore[attr-defined]
            self._aa_state()
            self._analyze_failures.append({"code": code, "message": message})

    # ------------------------------------------------------------------ request checks
    def _aa_new_task(self, body: dict[str, Any], model: str, mode: str, batch_id: str | None = None) -> AnalyzeTaskRec:
        segmenting = mode == "time_based_metadata" and (body.get("response_format") or {}).get(
            "type") == "segment_definitions"
        if segmenting and not body.get("prompt") and not body.get("prompt_v2"):
            prompt = ""  # the segment definitions are the instructions
        else:
            prompt = self._analyze_prompt(body)  # type: ignore[attr-defined]
        custom_id = body.get("custom_id")
        if custom_id is not None and (not isinstance(custom_id, str) or not 1 <= len(custom_id) <= 64
                                      or not all(c.isalnum() or c in "_-" for c in custom_id)):
            raise bad("`custom_id` must be 1-64 characters of letters, digits, _ or -.")
        check_tokens(body, model, mode)
        for key in ("min_segment_duration", "max_segment_duration"):
            value = body.get(key)
            if value is not None and (mode != "time_based_metadata" or not isinstance(value, (int, float))
                                      or value < 2):
                raise bad(f"`{key}` must be a number >= 2 and needs analysis_mode time_based_metadata.")
        start, end = body.get("start_time"), body.get("end_time")
        if start is not None and end is not None and end - start > 2 * 3600:
            raise bad("The analysis window is longer than 2 hours; split it into several tasks.",
                      "video_duration_too_long")
        media, scenes = self._analyze_scenes(body, model)  # type: ignore[attr-defined]
        if start is None and end is None and media.duration > 2 * 3600:
            raise bad("Videos longer than 2 hours need start_time/end_time (a window of at most 2 hours).",
                      "video_duration_too_long")
        fmt = body.get("response_format")
        if fmt is not None and (not isinstance(fmt, dict) or fmt.get("type") not in ("json_schema",
                                                                                      "segment_definitions")):
            raise bad("`response_format.type` must be json_schema or segment_definitions.")
        if isinstance(fmt, dict) and fmt.get("type") == "segment_definitions":
            if mode != "time_based_metadata":
                raise bad("`segment_definitions` needs analysis_mode time_based_metadata.")
            defs = fmt.get("segment_definitions")
            if not isinstance(defs, list) or not 1 <= len(defs) <= 20 or not all(
                    isinstance(d, dict) and d.get("id") and d.get("description") for d in defs):
                raise bad("`segment_definitions` must be 1 to 20 objects with an id and a description.")
        tasks, _ = self._aa_state()
        now = self.now()  # type: ignore[attr-defined]
        task = AnalyzeTaskRec(self.new_id("analyze-task"), body, model, mode, media, scenes, prompt, now,  # type: ignore[attr-defined]
                              self.next_seq(), custom_id, batch_id)  # type: ignore[attr-defined]
        if self._analyze_failures:
            task.fail = self._analyze_failures.pop(0)
        tasks[task.task_id] = task
        return task

    # ------------------------------------------------------------------ progress and answers
    def step_analyze_async(self) -> None:
        """Every unfinished analyze task moves one status forward (on any read of tasks or batches)."""
        tasks, batches = self._aa_state()
        for t in tasks.values():
            if t.status not in _TERMINAL:
                t.step += 1
                if t.status in _TERMINAL:
                    t.completed_at = self.now()  # type: ignore[attr-defined]
        for b in batches.values():
            if b.canceling and b.canceled_at is None:
                b.canceled_at = self.now()  # type: ignore[attr-defined]
            elif b.completed_at is None and not b.canceling and all(tasks[i].status in _TERMINAL for i in b.task_ids):
                b.completed_at = self.now()  # type: ignore[attr-defined]

    def _aa_result(self, t: AnalyzeTaskRec) -> dict[str, Any]:
        if t.result is None:
            fmt = t.body.get("response_format") or {}
            if fmt.get("type") == "segment_definitions":
                text = json.dumps(segments(fmt, t.scenes, t.body))
            else:
                text = self.generate_text(t.body, t.prompt, t.media, t.scenes)  # type: ignore[attr-defined]
            limit = t.body.get("max_tokens")
            words, finish, usage, error = cap_tokens(text, None if limit == "unlimited" else limit, t.prompt, t.scenes)
            t.result = {"generation_id": self.new_id("generation"), "data": " ".join(words),  # type: ignore[attr-defined]
                        "finish_reason": finish, "usage": usage, "_warning": error}
        return t.result

    def _aa_error(self, t: AnalyzeTaskRec) -> dict[str, Any] | None:
        if t.status == "canceled":
            return {"code": t.canceled, "message": "The task was canceled."}
        if t.status == "failed":
            return t.fail
        if t.status == "ready":
            return self._aa_result(t).get("_warning")
        return None

    def analyze_task_json(self, t: AnalyzeTaskRec) -> dict[str, Any]:
        video = t.body.get("video") or {}
        source = {"type": video.get("type")} if video else {"type": "image"}
        for key in ("url", "asset_id"):
            if video.get(key):
                source[key] = video[key]
        if video:
            source["system_metadata"] = {"duration": round(t.media.duration, 3)}
        params = {k: t.body.get(k) for k in ("prompt", "prompt_v2", "image", "response_format", "temperature",
                                             "max_tokens", "min_segment_duration", "max_segment_duration",
                                             "start_time", "end_time") if t.body.get(k) is not None}
        params["analysis_mode"] = t.mode
        out: dict[str, Any] = {"task_id": t.task_id, "custom_id": t.custom_id, "status": t.status,
                               "created_at": t.created_at, "video_source": source, "request_params": params}
        if t.batch_id:
            out["batch_id"] = t.batch_id
        if t.completed_at:
            out["completed_at"] = t.completed_at
        if t.status == "ready":
            out["result"] = {k: v for k, v in self._aa_result(t).items() if not k.startswith("_")}
        error = self._aa_error(t)
        if error:
            out["error"] = error
        return out

    def _aa_task(self, req: Req) -> AnalyzeTaskRec:
        task = self._aa_state()[0].get(req.params["task_id"])
        if task is None:
            raise ApiError(404, "resource_not_exist", f"Analyze task with id {req.params['task_id']} does not exist.")
        return task

    # ------------------------------------------------------------------ task handlers
    def create_analyze_task(self, req: Req) -> Resp:
        body = req.require_json("POST /analyze/tasks")
        model = body.get("model_name") or "pegasus1.5"
        if model not in _TASK_MODELS:
            raise bad(f"Unknown model_name {model!r} for analyze tasks; use one of {', '.join(_TASK_MODELS)}.")
        mode = body.get("analysis_mode") or "general"
        if mode not in _MODES:
            raise bad(f"`analysis_mode` must be general or time_based_metadata, got {mode!r}.")
        if body.get("video") is None and body.get("image") is None:
            raise missing("video")
        task = self._aa_new_task(body, model, mode)
        return Resp(202, {"task_id": task.task_id, "status": task.status})

    def list_analyze_tasks(self, req: Req) -> Resp:
        items = list(self._aa_state()[0].values())
        filters: tuple[tuple[str, Callable[[AnalyzeTaskRec], object]], ...] = (
            ("status", lambda t: t.status), ("analysis_mode", lambda t: t.mode),
            ("asset_id", lambda t: (t.body.get("video") or {}).get("asset_id")),
            ("video_url", lambda t: (t.body.get("video") or {}).get("url")))
        for key, get in filters:
            wanted = req.q(key)
            if wanted:
                items = [t for t in items if get(t) == wanted]
        out = paginate(req, items, self.analyze_task_json, sortable=False)
        self.step_analyze_async()
        return Resp(200, out)

    def get_analyze_task(self, req: Req) -> Resp:
        out = self.analyze_task_json(self._aa_task(req))
        self.step_analyze_async()
        return Resp(200, out)

    def cancel_analyze_task(self, req: Req) -> Resp:
        task = self._aa_task(req)
        if task.status in ("ready", "failed"):
            raise ApiError(409, "task_not_cancelable", f"Analyze task {task.task_id} is already {task.status}.")
        if not task.canceled:
            task.canceled, task.completed_at = "user_canceled", self.now()  # type: ignore[attr-defined]
        return Resp(200, {"task_id": task.task_id, "status": "canceled"})

    def delete_analyze_task(self, req: Req) -> Resp:
        task = self._aa_task(req)
        if task.status not in _TERMINAL:
            raise ApiError(409, "task_in_progress", f"Analyze task {task.task_id} is {task.status}; cancel it or wait "
                                                    "until it finishes before deleting it.")
        del self._aa_state()[0][task.task_id]
        return Resp(204)

    # ------------------------------------------------------------------ batches
    def create_analyze_batch(self, req: Req) -> Resp:
        body = req.require_json("POST /analyze/batches")
        model = body.get("model_name")
        if not model:
            raise missing("model_name")
        if model not in _BATCH_MODELS:
            raise bad(f"Batches support model_name {', '.join(_BATCH_MODELS)} only, got {model!r}.")
        mode = body.get("analysis_mode")
        if mode not in _MODES:
            raise bad("`analysis_mode` must be general or time_based_metadata.") if mode else missing("analysis_mode")
        requests = body.get("requests")
        if not isinstance(requests, list) or not 1 <= len(requests) <= 1000:
            raise bad("`requests` must be a list of 1 to 1,000 items.")
        _, batches = self._aa_state()
        if sum(1 for b in batches.values() if self._batch_status(b) in ("pending", "processing")) >= 5:
            raise ApiError(409, "too_many_active_batches", "At most 5 batches may be active; wait for one to finish.")
        defaults = body.get("defaults") or {}
        if not isinstance(defaults, dict):
            raise bad("`defaults` must be an object.")
        items: list[dict[str, Any]] = []
        for i, item in enumerate(requests):
            if not isinstance(item, dict):
                raise bad(f"`requests[{i}]` must be an object.")
            video = item.get("video")
            if not isinstance(video, dict) or video.get("type") != "asset_id" or not video.get("asset_id"):
                raise bad(f"`requests[{i}].video` must be {{\"type\": \"asset_id\", \"asset_id\": ...}}.")
            merged = {**defaults, **item, "model_name": model}
            if not merged.get("prompt"):
                raise missing(f"requests[{i}].prompt")
            prompt = merged.pop("prompt")
            merged["prompt_v2" if isinstance(prompt, dict) else "prompt"] = prompt
            items.append(merged)
        batch_id = self.new_id("batch")  # type: ignore[attr-defined]
        tasks = [self._aa_new_task(m, model, mode, batch_id) for m in items]  # 404 for an unknown asset
        now = self.now()  # type: ignore[attr-defined]
        batch = BatchRec(batch_id, model, mode, [t.task_id for t in tasks], now, self.now(_DAY),  # type: ignore[attr-defined]
                         self.next_seq())  # type: ignore[attr-defined]
        batches[batch_id] = batch
        out = self._batch_json(batch)
        out = {k: out[k] for k in ("batch_id", "status", "total_items", "created_at", "expires_at")}
        out["items"] = [{"task_id": t.task_id, "custom_id": t.custom_id} for t in tasks]
        return Resp(202, out)

    def _batch_status(self, b: BatchRec) -> str:
        tasks = self._aa_state()[0]
        states = [tasks[i].status for i in b.task_ids if i in tasks]
        if b.canceling:
            return "canceled" if b.canceled_at else "canceling"
        if all(s in _TERMINAL for s in states):
            return "completed"
        return "pending" if all(s == "queued" for s in states) else "processing"

    def _batch_json(self, b: BatchRec) -> dict[str, Any]:
        tasks = self._aa_state()[0]
        states = [tasks[i].status for i in b.task_ids if i in tasks]
        out: dict[str, Any] = {
            "batch_id": b.batch_id, "analysis_mode": b.mode, "model_name": b.model, "status": self._batch_status(b),
            "total_items": len(b.task_ids), "created_at": b.created_at, "expires_at": b.expires_at,
            "queued_items": states.count("queued"), "processing_items": states.count("processing"),
            "ready_items": states.count("ready"), "failed_items": states.count("failed"),
            "canceled_items": states.count("canceled")}
        if b.completed_at and not b.canceling:
            out["completed_at"] = b.completed_at
        if b.canceled_at:
            out["canceled_at"] = b.canceled_at
        return out

    def _batch(self, req: Req) -> BatchRec:
        batch = self._aa_state()[1].get(req.params["batch_id"])
        if batch is None:
            raise ApiError(404, "resource_not_exist", f"Batch with id {req.params['batch_id']} does not exist.")
        return batch

    def list_analyze_batches(self, req: Req) -> Resp:
        items = list(self._aa_state()[1].values())
        if statuses := req.q_all("status"):
            items = [b for b in items if self._batch_status(b) in statuses]
        if modes := req.q_all("analysis_mode"):
            items = [b for b in items if b.mode in modes]
        out = paginate(req, items, self._batch_json, sortable=False)
        self.step_analyze_async()
        return Resp(200, out)

    def get_analyze_batch(self, req: Req) -> Resp:
        out = self._batch_json(self._batch(req))
        self.step_analyze_async()
        return Resp(200, out)

    def cancel_analyze_batch(self, req: Req) -> Resp:
        batch = self._batch(req)
        if self._batch_status(batch) in ("completed", "canceled", "expired"):
            raise ApiError(409, "batch_not_cancelable", f"Batch {batch.batch_id} is already finished.")
        batch.canceling = True
        tasks = self._aa_state()[0]
        for tid in batch.task_ids:
            t = tasks.get(tid)
            if t is not None and t.status not in _TERMINAL:
                t.canceled, t.completed_at = "batch_canceled", self.now()  # type: ignore[attr-defined]
        return Resp(200, self._batch_json(batch))

    def delete_analyze_batch(self, req: Req) -> Resp:
        batch = self._batch(req)
        if self._batch_status(batch) not in ("completed", "canceled", "expired"):
            raise ApiError(409, "batch_in_progress", f"Batch {batch.batch_id} is still running; cancel it or wait.")
        del self._aa_state()[1][batch.batch_id]
        return Resp(204)

    def analyze_batch_results(self, req: Req) -> Resp:
        batch = self._batch(req)
        tasks = self._aa_state()[0]
        lines = []
        for tid in batch.task_ids:
            t = tasks.get(tid)
            if t is None:
                continue
            rec: dict[str, Any] = {"task_id": t.task_id, "custom_id": t.custom_id, "status": t.status}
            if t.status == "ready":
                rec["data"] = {k: v for k, v in self._aa_result(t).items() if not k.startswith("_")}
            error = self._aa_error(t)
            if error:
                rec["error"] = error
            lines.append(json.dumps(rec, separators=(",", ":")).encode() + b"\n")
        self.step_analyze_async()
        return Resp(200, stream=_chunks(lines), content_type="application/jsonl")


def _chunks(lines: list[bytes]) -> Iterator[bytes]:
    yield from lines


