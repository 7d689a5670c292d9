"""Commands that talk to the API: ``index``, ``upload``, ``search``, ``analyze``.

They use ``--base-url``/``TWELVELABS_BASE_URL`` and ``--api-key``/``TWELVELABS_API_KEY`` through the
client's own resolution, so the rules (and the error naming a missing key) are the client's.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path
from typing import Any

from ._main import CLIError
from ..resources._files import file_name
from ._output import Progress, clock, span, table

__all__ = ["make_client", "require_index", "load_json_object", "index_create", "index_list", "index_delete",
           "upload", "search", "analyze"]


def make_client(args: argparse.Namespace, **options: Any) -> Any:
    """A ``TwelveLabs`` client from the command line options (explicit > env > default)."""
    from .. import TwelveLabs

    return TwelveLabs(api_key=args.api_key, base_url=args.base_url, **options)


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
    try:
        value = json.loads(p.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise CLIError(f"{what} file {path} is not UTF-8 text") from exc
    except json.JSONDecodeError as exc:
        raise CLIError(f"{what} file {path} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    if not isinstance(value, dict):
        raise CLIError(f"{what} file {path} must hold a JSON object, not {type(value).__name__}")
    return value


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def index_create(args: argparse.Namespace) -> int:
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
            print(json.dumps(ix.model_dump(mode="json", by_alias=True)))
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


def _indexed_as(path: Path, already: dict[str, list[tuple[str, float | None]]]) -> str | None:
    """The id of a video with this file's name and size (size unknown counts as a match)."""
    size = path.stat().st_size
    for video_id, known in already.get(file_name(path, path.name), []):  # the name the server was sent
        if known is None or abs(known - size) < 1:
            return video_id
    return None


def upload(args: argparse.Namespace) -> int:
    paths = [existing_file(p, "video file") for p in args.paths]
    metadata = None
    if args.metadata:
        try:
            metadata = json.loads(args.metadata)
        except json.JSONDecodeError as exc:
            raise CLIError(f"--metadata is not valid JSON: {exc.msg}") from exc
        if not isinstance(metadata, dict):
            raise CLIError("--metadata must be a JSON object, e.g. '{\"category\": \"nature\"}'")
    with make_client(args, preflight=not args.no_preflight) as client:
        require_index(client, args.index)
        already = _videos_by_name(client, args.index)
        rows: list[tuple[Any, ...]] = []
        todo = []
        for p in paths:
            video_id = _indexed_as(p, already)
            if video_id is not None:
                rows.append((file_name(p, p.name), video_id, "skipped (already indexed)", None))
            elif p not in todo:
                todo.append(p)
        if not args.no_preflight:
            preflight(todo)
        with Progress(len(todo), "upload", enabled=not args.no_progress and bool(todo)) as bar:
            for p in todo:
                shown = file_name(p, p.name)  # printable even when the name is not valid UTF-8
                bar.status(f"{shown}: uploading")
                task = client.tasks.create_and_wait(
                    index_id=args.index, file=p, user_metadata=metadata, timeout=args.timeout,
                    poll_interval=args.poll_interval,
                    on_progress=lambda t, name=shown: bar.status(f"{name}: {t.status}"),
                )
                duration = task.system_metadata.duration if task.system_metadata else None
                rows.append((shown, task.video_id, task.status, clock(duration)))
                bar.step(f"{shown} {task.status}")
    print(table(rows, ["file", "video_id", "status", "duration"]))
    return 0


def search(args: argparse.Namespace) -> int:
    if not args.query and not args.image:
        raise CLIError("give a text QUERY, --image PATH, or both")
    if args.limit < 1:
        raise CLIError("--limit must be at least 1")
    kwargs: dict[str, Any] = {"search_options": tuple(_csv(args.options)), "page_limit": min(args.limit, 50)}
    if args.query:
        kwargs["query_text"] = args.query
    if args.image:
        kwargs["query_media_type"] = "image"
        kwargs["query_media_file"] = existing_file(args.image, "image file")
    with make_client(args) as client:
        require_index(client, args.index)
        items = list(itertools.islice(client.search.query(index_id=args.index, **kwargs), args.limit))
        names = _filenames(client, args.index) if items and not args.json else {}
    if args.json:
        for item in items:
            print(json.dumps(item.model_dump(mode="json", exclude_none=True)))
        return 0
    by_id = {v: k for k, v in names.items()}
    rows = [(it.rank or i, by_id.get(it.video_id or "", ""), it.video_id, span(it.start, it.end))
            for i, it in enumerate(items, 1)]
    headers = ["rank", "file", "video_id", "moment"]
    if any(it.score is not None or it.confidence for it in items):  # Marengo 2.7 indexes also score
        rows = [(*row, it.score, it.confidence) for row, it in zip(rows, items, strict=True)]
        headers += ["score", "confidence"]
    print(table(rows, headers))
    return 0


def analyze(args: argparse.Namespace) -> int:
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
