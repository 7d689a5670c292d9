"""Routes for ``/tasks`` (video indexing) and ``/tasks/transfers`` (cloud import, classic)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import _limits
from ._core import Media, TaskRec, VideoRec, date_filter, paginate
from ._http import ApiError, Req, Resp, bad, not_found, parse_bool, parse_num, part_data
from ._indexes import IndexRoutes, check_user_metadata

__all__ = ["TaskRoutes", "TASK_STATUSES"]

TASK_STATUSES = ("validating", "pending", "queued", "indexing", "ready", "failed", "uploading")


class TaskRoutes(IndexRoutes):
    """Indexing tasks; a task's video becomes visible in its index when the task is ``ready``."""

    task_statuses: tuple[str, ...] = ("validating", "pending", "indexing", "ready")

    if TYPE_CHECKING:  # provided by AssetRoutes, a sibling mixin of FakeTwelveLabs
        def asset_for_upload(self, media: Media) -> str: ...

    def _init_tasks(self) -> None:
        self._task_failures: list[tuple[str, str]] = []
        self.integrations: dict[str, dict[str, bytes]] = {}
        # (not ``_imports``: ConnectorRoutes keeps its ``/connections`` imports under that name)
        self._transfer_imports: dict[str, list[dict[str, Any]]] = {}

    # ------------------------------------------------------------------ public helpers
    def fail_task_next(self, code: str = "video_processing_failed",
                       message: str = "The video could not be indexed (injected failure).") -> None:
        """Make the next created indexing or embedding task end ``failed`` instead of ``ready``."""
        with self._lock:
            self._task_failures.append((code, message))

    def fail_task(self, task_id: str, code: str = "video_processing_failed",
                  message: str = "The video could not be indexed (injected failure).") -> None:
        """Make an existing (not yet terminal) task end ``failed``."""
        with self._lock:
            task = self.tasks.get(task_id) or self.embed_tasks.get(task_id)
            if task is None:
                raise KeyError(task_id)
            task.fail = (code, message)

    def add_integration(self, integration_id: str, files: dict[str, bytes | str | Path]) -> None:
        """Register a cloud bucket for ``/tasks/transfers/import/{integration_id}``: filename -> bytes or path."""
        with self._lock:
            self.integrations[integration_id] = {
                name: (Path(d).read_bytes() if isinstance(d, (str, Path)) else bytes(d)) for name, d in files.items()}

    # ------------------------------------------------------------------ progression
    def step_task(self, task: TaskRec) -> None:
        if task.status in ("ready", "failed"):
            return
        task.step += 1
        task.updated_at = self.now()
        self._settle(task)

    def _settle(self, task: TaskRec) -> None:
        video = self.videos.get(task.video_id)
        if task.status == "ready" and video is not None and not video.ready:
            video.ready, video.indexed_at = True, self.now()

    # ------------------------------------------------------------------ serialisers
    def task_json(self, t: TaskRec, origin: str | None = None) -> dict[str, Any]:
        v = self.videos.get(t.video_id)
        media = v.media if v else None
        out = {"_id": t.id, "video_id": t.video_id, "index_id": t.index_id, "status": t.status,
               "created_at": t.created_at, "updated_at": t.updated_at,
               "system_metadata": {"filename": (media.filename if media else None) or f"{t.video_id}.mp4",
                                   "duration": media.duration if media else 0.0,
                                   "width": media.info.width if media else None,
                                   "height": media.info.height if media else None}}
        if origin is not None and v is not None and v.stream:
            hls = self.hls_json(v.id, origin)
            hls["status"] = "COMPLETE" if t.status == "ready" else ("ERROR" if t.status == "failed" else "PROCESSING")
            out["hls"] = hls
        return out

    # ------------------------------------------------------------------ media intake
    def video_media(self, req: Req, file_field: str, url_field: str) -> Media:
        url, part = req.f(url_field), req.file(file_field)
        if url:
            media = self.media_from_url(url, url_field)
        elif part is not None:
            media = self.media_from_bytes(part_data(part), part.filename or None)
        elif (text := req.f(file_field)) is not None:
            media = self.media_from_bytes(text.encode(), None)
        else:
            raise ApiError(400, "parameter_not_provided",
                           f"Provide the video as `{file_field}` (a file part) or `{url_field}` (a direct URL).")
        if media.info.kind is None:  # unknown bytes: a 10 s 640x360 video with no script
            media.info = replace(media.info, kind="video", width=640, height=360, duration=10.0, fps=25.0)
        return media

    def _new_task(self, index_id: str, media: Media, user_metadata: dict[str, Any], stream: bool) -> TaskRec:
        now = self.now()
        video = VideoRec(self.new_id("video"), index_id, "", media, user_metadata, stream, now, now, self.next_seq())
        task = TaskRec(self.new_id("task"), index_id, video.id, tuple(self.task_statuses), now, now, self.next_seq())
        video.task_id = task.id
        video.asset_id = self.asset_for_upload(media)
        if self._task_failures:
            task.fail = self._task_failures.pop(0)
        self.videos[video.id] = video
        self.tasks[task.id] = task
        self._settle(task)
        return task

    # ------------------------------------------------------------------ routes
    def create_task(self, req: Req) -> Resp:
        req.require_form("POST /tasks")
        ix = self.get_index_rec(req.f("index_id"))
        media = self.video_media(req, "video_file", "video_url")
        violation = _limits.api_problem(media.info, "video", pegasus_only=ix.marengo() is None)
        if violation:
            raise bad(violation[1], violation[0])
        stream = parse_bool(req.f("enable_video_stream"), "enable_video_stream", True)
        meta = check_user_metadata(req.f("user_metadata"))
        task = self._new_task(ix.id, media, meta, bool(stream))
        return Resp(200, {"_id": task.id, "video_id": task.video_id})

    def list_tasks(self, req: Req) -> Resp:
        items = list(self.tasks.values())
        if index_id := req.q("index_id"):
            items = [t for t in items if t.index_id == index_id]
        statuses = [s for value in req.q_all("status") for s in value.split(",") if s]
        for s in statuses:
            if s not in TASK_STATUSES:
                raise bad(f"Unknown task status {s!r}; use one of {', '.join(TASK_STATUSES)}.")
        if statuses:
            items = [t for t in items if t.status in statuses]
        if filename := req.q("filename"):
            items = [t for t in items if self.task_json(t)["system_metadata"]["filename"] == filename]
        for key in ("duration", "width", "height"):
            want = parse_num(req.q(key), key)
            if want is not None:
                items = [t for t in items if self.task_json(t)["system_metadata"][key] == want]
        items = [t for t in items if date_filter(req, "created_at", t.created_at)
                 and date_filter(req, "updated_at", t.updated_at)]
        return Resp(200, paginate(req, items, self.task_json))

    def get_task(self, req: Req) -> Resp:
        task = self.tasks.get(req.params["task_id"])
        if task is None:
            raise not_found("Task", req.params["task_id"])
        out = self.task_json(task, req.origin)
        self.step_task(task)  # each poll shows the current status, the next one shows the next status
        return Resp(200, out)

    def delete_task(self, req: Req) -> Resp:
        task = self.tasks.get(req.params["task_id"])
        if task is None:
            raise not_found("Task", req.params["task_id"])
        if task.status not in ("ready", "failed"):
            raise bad(f"Task {task.id} is {task.status}; only ready or failed tasks can be deleted.",
                      "task_cannot_be_deleted")
        if task.status == "ready" and task.video_id in self.videos:
            raise bad(f"Task {task.id} is ready; delete its video first "
                      f"(DELETE /indexes/{task.index_id}/videos/{task.video_id}).", "task_cannot_be_deleted")
        del self.tasks[task.id]
        self.videos.pop(task.video_id, None)
        return Resp(204)

    # ------------------------------------------------------------------ transfers (classic)
    def _integration(self, integration_id: str) -> dict[str, bytes]:
        bucket = self.integrations.get(integration_id)
        if bucket is None:
            raise not_found("Integration", integration_id)
        return bucket

    def import_transfer(self, req: Req) -> Resp:
        bucket = self._integration(req.params["integration_id"])
        body = req.require_json("POST /tasks/transfers/import/{integration_id}")
        ix = self.get_index_rec(body.get("index_id"))
        incremental = body.get("incremental_import", True) is not False
        retry_failed = bool(body.get("retry_failed", False))
        meta = check_user_metadata(body.get("user_metadata"))
        log: dict[str, Any] = {"index_id": ix.id, "index_name": ix.name, "created_at": self.now(),
                               "ended_at": self.now(), "tasks": [], "failed_files": [], "files": {}}
        previous = [entry for entry in self._transfer_imports.get(req.params["integration_id"], [])
                    if entry["index_id"] == ix.id]
        done = {name for entry in previous for name in entry["files"]}
        failed_before = {f["filename"] for entry in previous for f in entry["failed_files"]}
        videos, failed = [], []
        for name, data in sorted(bucket.items()):
            if incremental and name in done and (name not in failed_before or not retry_failed):
                continue
            media = self.media_from_bytes(data, name)
            violation = _limits.api_problem(media.info, "video") if media.info.kind else (
                "unsupported_media_type", "The file is not a video the API can index.")
            if violation:
                failed.append({"filename": name, "error_message": violation[1]})
                continue
            task = self._new_task(ix.id, media, dict(meta), True)
            log["tasks"].append(task.id)
            videos.append({"video_id": task.video_id, "filename": name})
        log["failed_files"] = failed
        log["files"] = {v["filename"]: v["video_id"] for v in videos} | {f["filename"]: None for f in failed}
        self._transfer_imports.setdefault(req.params["integration_id"], []).append(log)
        return Resp(200, {"videos": videos, "failed_files": failed})

    def transfer_status(self, req: Req) -> Resp:
        bucket = self._integration(req.params["integration_id"])
        ix = self.get_index_rec(req.q("index_id"))
        statuses = ("validating", "pending", "queued", "indexing", "ready", "failed")
        out: dict[str, list[dict[str, Any]]] = {s: [] for s in statuses}
        seen: set[str] = set()
        for entry in self._transfer_imports.get(req.params["integration_id"], []):
            if entry["index_id"] != ix.id:
                continue
            for f in entry["failed_files"]:
                seen.add(f["filename"])
                out["failed"].append({"filename": f["filename"], "created_at": entry["created_at"],
                                      "error_message": f["error_message"]})
            for tid in entry["tasks"]:
                task = self.tasks.get(tid)
                if task is None:
                    continue
                name = self.task_json(task)["system_metadata"]["filename"]
                seen.add(name)
                item = {"video_id": task.video_id, "filename": name, "created_at": task.created_at}
                if task.status == "failed":
                    item["error_message"] = (task.fail or ("", "indexing failed"))[1]
                out.setdefault(task.status, []).append(item)
        return Resp(200, {"not_imported": sorted(set(bucket) - seen), **out})

    def transfer_logs(self, req: Req) -> Resp:
        self._integration(req.params["integration_id"])
        data = []
        for entry in self._transfer_imports.get(req.params["integration_id"], []):
            counts = {s: 0 for s in ("ready", "validating", "queued", "pending", "indexing", "failed")}
            for tid in entry["tasks"]:
                task = self.tasks.get(tid)
                if task is not None and task.status in counts:
                    counts[task.status] += 1
            counts["failed"] += len(entry["failed_files"])
            data.append({"index_id": entry["index_id"], "index_name": entry["index_name"],
                         "created_at": entry["created_at"], "ended_at": entry["ended_at"],
                         "video_status": counts, "failed_files": entry["failed_files"]})
        return Resp(200, {"data": data})
