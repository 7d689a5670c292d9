"""Commands that talk to the API: ``index``, ``search``, ``analyze`` (``upload`` is in ``_upload_cmd``).

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

from ._errors import CLIError
from ._output import clock, span, table

__all__ = ["make_client", "require_index", "load_json_object", "index_create", "index_list", "index_delete",
           "search", "analyze"]


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
    from ._errors import LOOPBACK_POLL_INTERVAL

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
    from .._config import API_KEY_ENVS, resolve_base_url
    from .._exceptions import ConfigurationError

    key = args.api_key or next((os.environ[v] for v in API_KEY_ENVS if os.environ.get(v, "").strip()), None)
    if not key or not key.strip():
        raise CLIError(f"no TwelveLabs API key: pass --api-key KEY or set {API_KEY_ENVS[0]} "
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
        raise CLIError(f"{what} file {path} is larger than {MAX_JSON_FILE_BYTES >> 20} MiB; "
                       f"a {what} is a small JSON file")
    try:
        value = json.loads(p.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise CLIError(f"{what} file {path} is not UTF-8 text") from exc
    except json.JSONDecodeError as exc:
        raise CLIError(f"{what} file {path} is not valid JSON: {exc.msg} "
                       f"at line {exc.lineno} column {exc.colno}") from exc
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
    from ..flow import choose_flow

    options = _csv(args.options)
    if args.models is None:
        names = [m["model_name"] for m in choose_flow("classic" if args.classic else "current").index_models]
    elif args.classic:
        raise CLIError("--classic picks the classic models itself: leave out --models, or leave out --classic")
    else:
        names = _csv(args.models)
    models = [{"model_name": m, "model_options": options} for m in names]
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
    rows: list[tuple[Any, ...]] = [(it.rank or i, by_id.get(it.video_id or "", ""), it.video_id, span(it.start, it.end))
            for i, it in enumerate(items, 1)]
    headers = ["rank", "file", "video_id", "moment"]
    if any(it.score is not None or it.confidence for it in items):  # Marengo 2.7 indexes also score
        rows = [(*row, it.score, it.confidence) for row, it in zip(rows, items, strict=True)]
        headers += ["score", "confidence"]
    print(table(rows, headers))
    return 0


def _analyze_target(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    """``(prompt, what to analyze)`` from ``[VIDEO_ID] PROMPT`` and ``--asset``/``--url``/``--start``/``--end``."""
    from ..flow import CURRENT

    words, given = list(args.words), args.asset is not None or args.url is not None
    if len(words) > 2 or (given and len(words) > 1):
        raise CLIError("give one PROMPT (quote it), after a VIDEO_ID or with --asset/--url, e.g. "
                       "tlrag analyze --asset ASSET_ID \"What happens?\"")
    if not given and len(words) == 1:
        raise CLIError("what should Pegasus watch? pass --asset ASSET_ID (see 'tlrag upload') or --url URL, or a "
                       "VIDEO_ID of a classic index before the PROMPT")
    prompt = words[-1]
    if not prompt.strip():
        raise CLIError("PROMPT is empty: ask something, e.g. tlrag analyze --asset ASSET_ID \"What happens?\"")
    if not given:
        if not words[0].strip():
            raise CLIError("VIDEO_ID is empty (see 'tlrag search' or the 'video_id' column of 'tlrag upload')")
        if args.start is not None or args.end is not None:
            raise CLIError("--start/--end window an asset or URL; a classic VIDEO_ID is analyzed whole: "
                           "use --asset ASSET_ID or --url URL for a window")
        return prompt, {"video_id": words[0]}
    if args.url is not None and not args.url.strip().lower().startswith(("http://", "https://")):
        raise CLIError(f"--url must be an http(s) URL of a video file, got {args.url!r}")
    if args.start is not None and args.end is not None and args.end <= args.start:
        raise CLIError(f"--end ({args.end:g}) must be after --start ({args.start:g})")
    video = {"type": "asset_id", "asset_id": args.asset} if args.asset is not None else \
        {"type": "url", "url": args.url.strip()}
    target: dict[str, Any] = {"video": video, "model_name": args.model or CURRENT.pegasus}
    for name, value in (("start_time", args.start), ("end_time", args.end)):
        if value is not None:
            target[name] = value
    return prompt, target


def analyze(args: argparse.Namespace) -> int:
    prompt, target = _analyze_target(args)
    schema = None
    if args.schema:
        schema = load_json_object(args.schema, "schema")
        if schema.get("type") == "json_schema" and isinstance(schema.get("json_schema"), dict):
            schema = schema["json_schema"]  # the API's response_format wrapper was given
    options: dict[str, Any] = {"prompt": prompt, **target}
    for name in ("temperature", "max_tokens"):
        if getattr(args, name) is not None:
            options[name] = getattr(args, name)
    if args.model and "video_id" in target:
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
