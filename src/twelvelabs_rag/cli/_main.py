"""Argument parsing, dispatch and the one error boundary of ``tlrag``.

Every command is a function ``run(args) -> int``. Any error becomes one line on stderr,
``error: ...``, and a non-zero exit; ``--debug`` lets the traceback through instead.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from .._config import API_KEY_ENVS
from .._version import __version__
from ._errors import LOOPBACK_POLL_INTERVAL, CLIError, describe_error

__all__ = ["main", "build_parser", "CLIError"]

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
#: The most results ``--limit`` asks for (search pages through the API 50 at a time).
MAX_LIMIT = 10_000


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one ``error:`` line that points at ``--help``."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{message} (see '{self.prog} --help')")


def _common(debug_only: bool = False) -> argparse.ArgumentParser:
    # SUPPRESS defaults, so that an option given before the command is not reset by the subparser.
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                   help="show the full traceback on errors")
    if not debug_only:
        p.add_argument("--base-url", default=argparse.SUPPRESS, metavar="URL",
                       help="API base URL (default: $TWELVELABS_BASE_URL or https://api.twelvelabs.io/v1.3)")
        p.add_argument("--api-key", default=argparse.SUPPRESS, metavar="KEY",
                       help="API key (default: $TWELVELABS_API_KEY); never printed")
    return p


# -- argument types: bad values are usage errors that name the flag and the allowed range ---------


def bounded_int(low: int, high: int) -> Any:
    """An argparse type: an integer in ``[low, high]``."""

    def parse(value: str) -> int:
        try:
            n = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
        if not low <= n <= high:
            raise argparse.ArgumentTypeError(f"{value} is out of range (use {low} to {high})")
        return n

    parse.__name__ = "integer"
    return parse


def seconds(minimum: float = 0.0, *, allow_zero: bool = True) -> Any:
    """An argparse type: a finite number of seconds (``> minimum``, or ``>=`` with ``allow_zero``)."""

    def parse(value: str) -> float:
        try:
            x = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
        if not math.isfinite(x) or x < minimum or (x == minimum and not allow_zero):
            bound = f">= {minimum:g}" if allow_zero else f"> {minimum:g}"
            raise argparse.ArgumentTypeError(f"{value} is not a finite number of seconds {bound}")
        return x

    parse.__name__ = "seconds"
    return parse


def nonempty(value: str) -> str:
    """An argparse type: an id or a path that is not empty or blank."""
    if not value.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return value


def unit_interval(value: str) -> float:
    """An argparse type: a number from 0 to 1."""
    try:
        x = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 0.0 <= x <= 1.0:
        raise argparse.ArgumentTypeError(f"{value} is out of range (use 0 to 1)")
    return x


def _waits() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--timeout", type=seconds(allow_zero=False), default=None, metavar="SECONDS",
                   help="seconds to wait for each task (default: no limit)")
    p.add_argument("--poll-interval", type=seconds(), default=None, metavar="SECONDS",
                   help=f"seconds between task status checks (default: the client's 5, or {LOOPBACK_POLL_INTERVAL:g} "
                        "against a loopback base URL such as 'tlrag emulator')")
    return p


def build_parser() -> argparse.ArgumentParser:
    """The full ``tlrag`` parser (each leaf command sets ``func``)."""
    from ..testing._server_args import add_server_arguments
    from . import _api_cmds, _demo, _embed_cmds, _emulator_cmd, _store_cmds, _upload_cmd

    api, debug, waits = _common(), _common(debug_only=True), _waits()
    parser = _Parser(
        prog="tlrag",
        description="Video RAG on TwelveLabs: demo, emulator, indexes, uploads, search, analyze, local store.",
        parents=[api],
    )
    parser.add_argument("--version", action="version", version=f"tlrag {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    def add(container: Any, name: str, helptext: str, func: Any, parents: list[argparse.ArgumentParser]) -> Any:
        p = container.add_parser(name, help=helptext, description=helptext, parents=parents)
        p.set_defaults(func=func)
        return p

    p = add(sub, "demo", "run the end-to-end demo (the emulator without a key, the real API with one)",
            _demo.run, [debug])
    p.add_argument("--out", metavar="DIR", default=None, help="output directory (default: ./tlrag-demo-out)")
    p.add_argument("--quiet", action="store_true", help="print only the answers and the file paths")
    p.add_argument("--classic", action="store_true",
                   help="the classic flow: a marengo2.7 + pegasus1.2 index, /tasks uploads, Pegasus on video_id, "
                        "embed v1 (default: the current flow, marengo3.0 + assets + pegasus1.5 + embed v2)")
    p.add_argument("--keep-index", action="store_true",
                   help="with the real API, keep the demo's index (and assets) afterwards (deleted by default)")

    p = add(sub, "emulator", "serve the TwelveLabs emulator on loopback until interrupted",
            _emulator_cmd.run, [debug])
    add_server_arguments(p)

    idx = sub.add_parser("index", help="create, list or delete indexes", description="create, list or delete indexes")
    idx_sub = idx.add_subparsers(dest="index_command", metavar="ACTION", parser_class=_Parser)
    idx_sub.required = True
    p = add(idx_sub, "create", "create an index", _api_cmds.index_create, [api])
    p.add_argument("name", metavar="NAME", help="index name")
    p.add_argument("--models", default=None, metavar="LIST",
                   help="comma-separated model names (default: marengo3.0, the current flow: Pegasus 1.5/1.6 then "
                        "analyze assets without an index; with --classic: marengo2.7,pegasus1.2)")
    p.add_argument("--classic", action="store_true",
                   help="a classic index (/tasks uploads, Pegasus 1.2 by video_id), where the account still has them")
    p.add_argument("--options", default="visual,audio", metavar="LIST", help="model options (default: visual,audio)")
    p.add_argument("--thumbnails", action="store_true", help="add the thumbnail addon")
    p = add(idx_sub, "list", "list indexes", _api_cmds.index_list, [api])
    p.add_argument("--json", action="store_true", help="print JSON lines instead of a table")
    p = add(idx_sub, "delete", "delete an index and all its videos", _api_cmds.index_delete, [api])
    p.add_argument("index_id", metavar="INDEX_ID", type=nonempty)

    p = add(sub, "upload", "upload and index video files (assets on Marengo 3.0 indexes, tasks on classic ones; "
            "preflight, progress, skips files already indexed)", _upload_cmd.upload, [api, waits])
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--index", required=True, metavar="INDEX_ID", type=nonempty)
    p.add_argument("--resume", default=None, metavar="UPLOAD_ID",
                   help="continue this interrupted multipart upload (one file; current indexes). Without it an "
                        "interrupted upload of the same file is found and continued anyway")
    p.add_argument("--method", choices=("auto", "direct", "multipart"), default="auto",
                   help="asset upload method (current indexes): auto = direct up to 200 MB, else multipart; "
                        "multipart is resumable at any size")
    p.add_argument("--concurrency", type=bounded_int(1, 16), default=4, metavar="N",
                   help="multipart chunks sent at once, 1 to 16 (default: 4)")
    p.add_argument("--metadata", metavar="JSON", help="user metadata for every file, a JSON object")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--no-preflight", action="store_true",
                   help="skip the local checks of duration, resolution and format")

    p = add(sub, "search", "search an index by text or image", _api_cmds.search, [api])
    p.add_argument("query", nargs="?", metavar="QUERY", help="text query")
    p.add_argument("--index", required=True, metavar="INDEX_ID", type=nonempty)
    p.add_argument("--image", metavar="PATH", help="an image file as the query (with or without QUERY)")
    p.add_argument("--options", default="visual,audio", metavar="LIST", help="search options (default: visual,audio)")
    p.add_argument("--limit", type=bounded_int(1, MAX_LIMIT), default=10, metavar="N",
                   help=f"number of moments, 1 to {MAX_LIMIT} (default: 10)")
    p.add_argument("--json", action="store_true", help="print JSON lines instead of a table")
    p.add_argument("--no-preflight", action="store_true", help="skip the local checks of the --image file")

    p = add(sub, "analyze", "ask Pegasus about a video: an asset (--asset), a URL (--url), or a classic VIDEO_ID",
            _api_cmds.analyze, [api])
    p.add_argument("words", nargs="+", metavar="[VIDEO_ID] PROMPT",
                   help="the question; before it a VIDEO_ID of a classic (Pegasus 1.2) index, or use --asset/--url")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--asset", metavar="ASSET_ID", default=None, help="an asset (see the asset_id of 'tlrag upload')")
    src.add_argument("--url", metavar="URL", default=None, help="a direct http(s) URL of a video file")
    p.add_argument("--start", type=seconds(), default=None, metavar="SECONDS",
                   help="with --asset/--url: only the window from this second")
    p.add_argument("--end", type=seconds(), default=None, metavar="SECONDS",
                   help="with --asset/--url: only the window up to this second")
    p.add_argument("--stream", action="store_true", help="print the answer as it is generated")
    p.add_argument("--schema", metavar="FILE", help="a JSON schema file: the answer is JSON matching it")
    p.add_argument("--temperature", type=unit_interval, default=None, metavar="T", help="0 to 1")
    p.add_argument("--max-tokens", type=bounded_int(1, 1_000_000), default=None, metavar="N",
                   help="answer length limit")
    p.add_argument("--model", default=None, metavar="NAME",
                   help="Pegasus model name (default: pegasus1.5 with --asset/--url, the index's with a VIDEO_ID)")

    st = sub.add_parser("store", help="a local segment store: ingest embed tasks, search offline",
                        description="a local segment store: ingest embed tasks, search offline")
    st_sub = st.add_subparsers(dest="store_command", metavar="ACTION", parser_class=_Parser)
    st_sub.required = True
    p = add(st_sub, "ingest", "add a finished video embedding task to a store (created if missing)",
            _store_cmds.ingest, [api, waits])
    p.add_argument("task_id", metavar="TASK_ID", type=nonempty, help="a video embedding task (see 'tlrag embed video')")
    p.add_argument("--path", required=True, metavar="DIR", type=nonempty)
    p.add_argument("--video-id", default=None, metavar="ID", type=nonempty,
                   help="the id to file the segments under (default: the task id)")
    p.add_argument("--wait", action="store_true", help="wait for the task to be ready instead of failing")
    p = add(st_sub, "search", "search a store by text, image or an existing segment", _store_cmds.search, [api])
    p.add_argument("--path", required=True, metavar="DIR", type=nonempty)
    q = p.add_mutually_exclusive_group(required=True)
    q.add_argument("--text", metavar="TEXT")
    q.add_argument("--image", metavar="PATH")
    q.add_argument("--like", metavar="SEGMENT_ID", help="segments similar to this one (fully offline)")
    p.add_argument("--limit", type=bounded_int(1, MAX_LIMIT), default=10, metavar="N",
                   help=f"number of segments, 1 to {MAX_LIMIT} (default: 10)")
    p.add_argument("--video", metavar="VIDEO_ID", default=None, type=nonempty, help="only segments of this video")
    p.add_argument("--json", action="store_true", help="print JSON lines instead of a table")
    p = add(st_sub, "stats", "show what a store holds", _store_cmds.stats, [debug])
    p.add_argument("--path", required=True, metavar="DIR", type=nonempty)
    from . import _store_milvus_cmds  # push/pull, and --uri on search/stats (the Milvus backend)

    _store_milvus_cmds.register(st_sub, add, api, debug)

    emb = sub.add_parser("embed", help="create embedding tasks (what 'tlrag store ingest' adds to a store)",
                         description="create embedding tasks (what 'tlrag store ingest' adds to a store)")
    emb_sub = emb.add_subparsers(dest="embed_command", metavar="KIND", parser_class=_Parser)
    emb_sub.required = True
    p = add(emb_sub, "video", "start a video embedding task from a file or URL; --wait for it, --store to ingest it",
            _embed_cmds.video, [api, waits])
    p.add_argument("source", metavar="PATH|URL", help="a local video file or an http(s) URL")
    p.add_argument("--model", default="marengo3.0", metavar="NAME",
                   help="embedding model (default: marengo3.0 on embed v2; a classic model uses v1)")
    p.add_argument("--classic", action="store_true",
                   help="the v1 /embed/tasks API (its task id goes to 'tlrag store ingest') instead of embed v2")
    p.add_argument("--clip-length", type=seconds(allow_zero=False), default=None, metavar="SECONDS",
                   help="segment length (default: the API's, 6)")
    p.add_argument("--wait", action="store_true", help="wait until the task is ready")
    p.add_argument("--store", metavar="DIR", default=None, type=nonempty,
                   help="then add its segments to the segment store DIR (created if missing; implies --wait)")
    p.add_argument("--video-id", default=None, metavar="ID", type=nonempty,
                   help="with --store: the id to file the segments under")
    p.add_argument("--no-preflight", action="store_true", help="skip the local checks of the video file")
    return parser


def _secrets(args: argparse.Namespace) -> list[str]:
    keys = [getattr(args, "api_key", None)] + [os.environ.get(v) for v in API_KEY_ENVS]
    return [k.strip() for k in keys if isinstance(k, str) and k.strip()]


_RESUME_HINT = re.compile(r"assets\.upload\(\.\.\., upload_id=('[^']+')\)")


def for_cli(text: str, args: argparse.Namespace) -> str:
    """Reword the library's advice for Python callers into the command line's flags."""
    flag = "--no-preflight" if hasattr(args, "no_preflight") else "--no-preflight (on 'tlrag upload' or 'tlrag search')"
    text = text.replace("pass preflight=False", f"pass {flag}")
    index = getattr(args, "index", None) or "INDEX_ID"
    text = _RESUME_HINT.sub(lambda m: f"'tlrag upload FILE --index {index} --resume {m.group(1)[1:-1]}'", text)
    return text.replace("call assets.upload without upload_id", "run 'tlrag upload' without --resume")


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``tlrag`` with ``argv`` (default ``sys.argv[1:]``) and return the exit code.

    ```python
    from twelvelabs_rag.cli import main
    code = main(["--version"])  # prints "tlrag <version>", returns 0
    ```
    """
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except _UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except SystemExit as exc:  # --help / --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    for name in ("debug", "base_url", "api_key"):
        if not hasattr(args, name):
            setattr(args, name, False if name == "debug" else None)
    try:
        return int(args.func(args) or EXIT_OK)
    except KeyboardInterrupt:
        if args.debug:
            raise
        print("error: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        from .._exceptions import redact, redact_text

        shown: BaseException = exc
        for secret in _secrets(args):  # the traceback of --debug and the one-line message alike
            shown = redact(shown, secret)
        if not args.debug:
            text = for_cli(describe_error(shown), args)
            for secret in _secrets(args):
                text = redact_text(text, secret)
            print(f"error: {text}", file=sys.stderr)
            return EXIT_ERROR
        if shown is exc:
            raise
    raise shown  # --debug, and the exception itself echoed the key: its redacted stand-in
