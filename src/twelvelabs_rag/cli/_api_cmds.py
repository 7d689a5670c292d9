"""Commands that talk to the API: ``index``, ``upload``, ``search``, ``analyze``.

They use ``--base-url``/``TWELVELABS_BASE_URL`` and ``--api-key``/``TWELVELABS_API_KEY`` through the
client's own resolution, so the rules (and the error naming a missing key) are the client's.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
from pathlib import Path
from typing import Any

from ..resources._files import file_name
from ._main import CLIError
from ._output import Progress, clock, span, table

__all__ = ["make_client", "require_index", "load_json_object", "index_create", "index_list", "index_delete",
           "upload", "search", "analyze"]


def _loopback(base_url: str) -> bool:
    import ipaddress
    from urllib.parse import urlsplit

    host = (urlsplit(base_url).hostname or "").strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def poll_interval(args: argparse.Namespace, base_url: str) -> float | None:
    """``--poll-interval``, else a fast default against a loopback server (the emulator), else the client's."""
    from ._main import LOOPBACK_POLL_INTERVAL

    given = getattr(args, "poll_interval", None)
    if given is not None:
        return float(given)
    return LOOPBACK_POLL_INTERVAL if _loopback(base_url) else None


def make_client(args: argparse.Namespace, **options: Any) -> Any:
    """A ``TwelveLabs`` client from the command line options (explicit > env > default).

    A missing key or a bad base URL is reported in the command line's terms (``--api-key``,
    ``TWELVELABS_API_KEY``, ``--base-url``), before any request.
    """
    from .. import TwelveLabs
    from .._config import resolve_base_url
    from .._exceptions import ConfigurationError
    from ._main import KEY_ENV_VARS

    key = args.api_key or next((os.environ[v] for v in KEY_ENV_VARS if os.environ.get(v, "").strip()), None)
    if not key or not key.strip():
        raise CLIError(f"no TwelveLabs API key: pass --api-key KEY or set {KEY_ENV_VARS[0]} "
                       "(to try things without one, run 'tlrag emulator' and use the key it prints)")
    try:
        base_url = resolve_base_url(args.base_url)
    except ConfigurationError as exc:
        raise CLIError(f"--base-url / TWELVELABS_BASE_URL must start with http:// or https:// "
                       f"(got {(args.base_url or os.environ.get('TWELVELABS_BASE_URL', '')).strip()!r}), "
                       "e.g. https://api.twelvelabs.io/v1.3") from exc
    interval = poll_interval(args, base_url)
    if interval is not None:
        options.setdefault("poll_interval", interval)
    return TwelveLabs(api_key=args.api_key, base_url=args.base_url, **options)


def timed_out(exc: Any, what: str, *, again: str = "Run the same command again to keep waiting "
                                                   "(nothing is uploaded twice)") -> CLIError:
    """A WaitTimeoutError in the command line's terms: the task goes on; how to resume, or a larger --timeout."""
    return CLIError(f"{what} task {exc.task_id} is still {exc.last_status!r} after the --timeout; it keeps running "
                    f"on the server. {again}, or give a larger --timeout")


def _cli_hint(message: str) -> str:
    return message.replace("pass preflight=False", "pass --no-preflight")


def preflight(paths: list[Path]) -> None:
    """Check every file against the API's limits before any upload; one line names every failure."""
    from .. import PreflightError
    from .. import preflight as check

    problems = []
    for p in paths:
        try:
            check(p, kind="video")
        except PreflightError as exc:
            problems.append(_cli_hint(str(exc)).rstrip("."))
    if len(problems) == 1:
        raise CLIError(problems[0])
    if problems:
        raise CLIError(f"{len(problems)} files fail the preflight checks, nothing was uploaded: " + "; ".join(problems))


def _not_found(exc: Exception) -> bool:
    from .._exceptions import APIStatusError, NotFoundError

    if isinstance(exc, NotFoundError):
        return True
    return isinstance(exc, APIStatusError) and exc.status_code == 400 and (exc.code or "").endswith("not_exist")


def require_index(client: Any, index_id: str) -> Any:
    """Retrieve an index, or fail with one clear line when it does not exist."""
    try:
        return client.indexes.retrieve(index_id)
    except Exception as exc:
        if _not_found(exc):
            raise CLIError(f"index {index_id!r} not found (see 'tlrag index list')") from exc
        raise


def existing_file(path: str, what: str = "file") -> Path:
    """``path`` as a Path, or a CLIError naming it when it is missing or not a file."""
    p = Path(path).expanduser()
    if not p.exists():
        raise CLIError(f"no such {what}: {path}")
    if not p.is_file():
        raise CLIError(f"not a {what}: {path}")
    return p


def load_json_object(path: str, what: str) -> dict[str, Any]:
    """Read a JSON object from a file, with errors that name the file and the problem."""
    p = existing_file(path, f"{what} file")
    if p.stat().st_size > MAX_JSON_FILE_BYTES:
        raise CLIError(f"{what} file {path} is larger than {MAX_JSON_FILE_BYTES >> 20} MiB; a {what} is a small JSON file")
    try:
        value = json.loads(p.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise CLIError(f"{what} file {path} is not UTF-8 text") from exc
    except json.JSONDecodeError as exc:
        raise CLIError(f"{what} file {path} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    except RecursionError as exc:
        raise CLIError(f"{what} file {path} nests too deeply to read; keep it under {MAX_JSON_DEPTH} levels") from exc
    if not isinstance(value, dict):
        raise CLIError(f"{what} file {path} must hold a JSON object, not {type(value).__name__}")
    if json_depth(value) > MAX_JSON_DEPTH:
        raise CLIError(f"{what} file {path} nests deeper than {MAX_JSON_DEPTH} levels; flatten it")
    return value


#: JSON files the CLI reads (``--schema``) are small and shallow; bigger or deeper is a mistake.
MAX_JSON_FILE_BYTES = 1 << 20
MAX_JSON_DEPTH = 32


def json_depth(value: Any) -> int:
    """How deeply a parsed JSON value nests (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def index_create(args: argparse.Namespace) -> int:
    if not args.name.strip():
        raise CLIError("NAME is empty: give the index a name, e.g. tlrag index create my-videos")
    options = _csv(args.options)
    models = [{"model_name": m, "model_options": options} for m in _csv(args.models)]
    if not models:
        raise CLIError("--models needs at least one model name, e.g. marengo3.0")
    with make_client(args) as client:
        index = client.indexes.create(index_name=args.name, models=models,
                                      addons=["thumbnail"] if args.thumbnails else None)
    print(f"created index {index.index_name!r}: {index.id}")
    return 0


def index_list(args: argparse.Namespace) -> int:
    with make_client(args) as client:
        indexes = list(client.indexes.list())
    if args.json:
        for ix in indexes:
            row = ix.model_dump(mode="json", by_alias=True)
            if isinstance(row.get("video_count"), float) and row["video_count"].is_integer():
                row["video_count"] = int(row["video_count"])  # a count, whatever the model's number type
            print(json.dumps(row))
        return 0
    rows = [(ix.id, ix.index_name, ",".join(m.model_name for m in ix.models), int(ix.video_count),
             clock(ix.total_duration)) for ix in indexes]
    print(table(rows, ["index_id", "name", "models", "videos", "duration"]))
    return 0


def index_delete(args: argparse.Namespace) -> int:
    with make_client(args) as client:
        require_index(client, args.index_id)
        client.indexes.delete(args.index_id)
    print(f"deleted index {args.index_id}")
    return 0


def _videos_by_name(client: Any, index_id: str) -> dict[str, list[tuple[str, float | None]]]:
    """``filename -> [(video_id, size in bytes or None), ...]`` of the videos already in an index."""
    names: dict[str, list[tuple[str, float | None]]] = {}
    for video in client.indexes.videos.list(index_id):
        meta = video.system_metadata
        if meta is not None and meta.filename:
            names.setdefault(meta.filename, []).append((video.id, meta.size))
    return names


def _filenames(client: Any, index_id: str) -> dict[str, str]:
    """``filename -> video_id`` (the first one) of the videos in an index."""
    return {name: videos[0][0] for name, videos in _videos_by_name(client, index_id).items()}


def _existing(client: Any, index_id: str, path: Path, digest: str) -> Any:
    """The core's one rule (``twelvelabs_rag.dedupe``): a finished video, or a task still indexing this file."""
    from ..dedupe import find_upload

    # the name the server was sent (printable and lossless even when it is not valid UTF-8)
    return find_upload(client, index_id, filename=file_name(path, path.name), size=path.stat().st_size, sha256=digest)


def _wait(client: Any, task_id: str, args: argparse.Namespace, bar: Progress, name: str) -> Any:
    from .._exceptions import WaitTimeoutError

    try:
        return client.tasks.wait(task_id, timeout=args.timeout, poll_interval=args.poll_interval,
                                 on_progress=lambda t: bar.status(f"{name}: {t.status}"))
    except WaitTimeoutError as exc:
        raise timed_out(exc, f"{name}: indexing") from exc


def _duration(task: Any) -> str:
    return clock(task.system_metadata.duration if task.system_metadata else None)


def upload(args: argparse.Namespace) -> int:
    from ..moments import dedupe_metadata, file_sha256

    paths = [existing_file(p, "video file") for p in args.paths]
    metadata: dict[str, Any] = {}
    if args.metadata:
        try:
            metadata = json.loads(args.metadata)
        except json.JSONDecodeError as exc:
            raise CLIError(f"--metadata is not valid JSON: {exc.msg}") from exc
        except RecursionError as exc:
            raise CLIError(f"--metadata nests too deeply; keep it under {MAX_JSON_DEPTH} levels") from exc
        if not isinstance(metadata, dict):
            raise CLIError("--metadata must be a JSON object, e.g. '{\"category\": \"nature\"}'")
        if json_depth(metadata) > MAX_JSON_DEPTH:
            raise CLIError(f"--metadata nests deeper than {MAX_JSON_DEPTH} levels; flatten it")
    with make_client(args, preflight=not args.no_preflight) as client:
        require_index(client, args.index)
        rows: list[tuple[Any, ...]] = []
        todo: list[tuple[Path, str]] = []
        resume: list[tuple[Path, str]] = []  # (file, task id) of uploads whose task is still running
        for p in dict.fromkeys(paths):
            digest = file_sha256(p)
            found = _existing(client, args.index, p, digest)
            if found is None:
                todo.append((p, digest))
            elif found.in_progress:
                resume.append((p, str(found.task_id)))
            else:
                rows.append((file_name(p, p.name), found.video_id, "skipped (already indexed)", None))
        if not args.no_preflight:
            preflight([p for p, _ in todo])
        with Progress(len(todo) + len(resume), "upload", enabled=not args.no_progress and bool(todo or resume)) as bar:
            for p, task_id in resume:
                shown = file_name(p, p.name)  # printable even when the name is not valid UTF-8
                bar.status(f"{shown}: still indexing (task {task_id})")
                task = _wait(client, task_id, args, bar, shown)
                rows.append((shown, task.video_id, f"{task.status} (uploaded before)", _duration(task)))
                bar.step(f"{shown} {task.status}")
            for p, digest in todo:
                shown = file_name(p, p.name)
                bar.status(f"{shown}: uploading")
                created = client.tasks.create(index_id=args.index, file=p,
                                              user_metadata={**metadata, **dedupe_metadata(sha256=digest)})
                task = _wait(client, created.id, args, bar, shown)
                rows.append((shown, task.video_id, task.status, _duration(task)))
                bar.step(f"{shown} {task.status}")
    print(table(rows, ["file", "video_id", "status", "duration"]))
    return 0


def search(args: argparse.Namespace) -> int:
    query = (args.query or "").strip()
    if args.query is not None and not query and not args.image:
        raise CLIError("QUERY is empty: give some words to search for, or --image PATH")
    if not query and not args.image:
        raise CLIError("give a text QUERY, --image PATH, or both")
    kwargs: dict[str, Any] = {"search_options": tuple(_csv(args.options)), "page_limit": min(args.limit, 50)}
    if query:
        kwargs["query_text"] = query
    if args.image:
        kwargs["query_media_type"] = "image"
        kwargs["query_media_file"] = existing_file(args.image, "image file")
    with make_client(args, preflight=not args.no_preflight) as client:
        require_index(client, args.index)
        items = list(itertools.islice(client.search.query(index_id=args.index, **kwargs), args.limit))
        names = _filenames(client, args.index) if items else {}
    by_id = {v: k for k, v in names.items()}
    if args.json:
        for item in items:
            row = item.model_dump(mode="json", exclude_none=True)
            print(json.dumps({**row, "file": by_id.get(item.video_id or "")}))
        return 0
    rows = [(it.rank or i, by_id.get(it.video_id or "", ""), it.video_id, span(it.start, it.end))
            for i, it in enumerate(items, 1)]
    headers = ["rank", "file", "video_id", "moment"]
    if any(it.score is not None or it.confidence for it in items):  # Marengo 2.7 indexes also score
        rows = [(*row, it.score, it.confidence) for row, it in zip(rows, items, strict=True)]
        headers += ["score", "confidence"]
    print(table(rows, headers))
    return 0


def analyze(args: argparse.Namespace) -> int:
    if not args.prompt.strip():
        raise CLIError("PROMPT is empty: ask something, e.g. tlrag analyze VIDEO_ID \"What happens?\"")
    if not args.video_id.strip():
        raise CLIError("VIDEO_ID is empty (see 'tlrag search' or the 'video_id' column of 'tlrag upload')")
    schema = None
    if args.schema:
        schema = load_json_object(args.schema, "schema")
        if schema.get("type") == "json_schema" and isinstance(schema.get("json_schema"), dict):
            schema = schema["json_schema"]  # the API's response_format wrapper was given
    options: dict[str, Any] = {"prompt": args.prompt, "video_id": args.video_id}
    for name in ("temperature", "max_tokens"):
        if getattr(args, name) is not None:
            options[name] = getattr(args, name)
    if args.model:
        options["model_name"] = args.model
    if schema is not None:
        options["response_format"] = schema
    with make_client(args) as client:
        if args.stream:
            return _analyze_stream(client, options)
        result = client.analyze(**options)
    text = result.data
    if schema is not None:
        try:
            text = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
        except json.JSONDecodeError:
            print("warning: the answer is not valid JSON (truncated?)", file=sys.stderr)
    print(text)
    if result.finish_reason == "length":
        print("warning: the answer was cut at max_tokens", file=sys.stderr)
    return 0


def _analyze_stream(client: Any, options: dict[str, Any]) -> int:
    from ..types import StreamEnd, TextGeneration

    finish = None
    stream = client.analyze(stream=True, **options)
    try:
        for event in stream:
            if isinstance(event, TextGeneration):
                print(event.text, end="", flush=True)
            elif isinstance(event, StreamEnd):
                finish = event.finish_reason
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()
    print()
    if finish == "length":
        print("warning: the answer was cut at max_tokens", file=sys.stderr)
    return 0
