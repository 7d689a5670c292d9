"""The emulator server's command-line flags, shared by ``python -m twelvelabs_rag.testing`` and ``tlrag emulator``.

``--host``, ``--port``, ``--seed``, ``--api-key KEY`` (repeatable; default: any non-empty key),
``--instant-tasks`` (indexing and embedding tasks are ready at once), ``--strict`` (reject parameters
and enum values the API spec does not list, see ``FakeTwelveLabs(strict=True)``), ``--integration ID=DIR``
(registers the files of DIR as the cloud bucket of the classic
``POST /tasks/transfers/import/{ID}``) and ``--ready`` (print one JSON line,
``{"ready": true, "base_url": ...}``, once the server listens: a script waits for that line
instead of sleeping).

```python
import argparse
from twelvelabs_rag.testing._server_args import add_server_arguments, build_fake
p = argparse.ArgumentParser(); add_server_arguments(p)
fake = build_fake(p.parse_args(["--api-key", "tlk_a", "--instant-tasks"]))
```
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

__all__ = ["add_server_arguments", "build_fake", "ready_line", "port_number", "integration_dir", "SAMPLE_KEY",
           "client_key"]

#: Any non-empty key works with a default emulator; this is the one the docs and the demo use.
SAMPLE_KEY = "tlk_test"

#: The biggest bucket ``--integration`` loads into memory (the emulator keeps files as bytes).
MAX_INTEGRATION_BYTES = 512 * 1024 * 1024


def port_number(value: str) -> int:
    """An argparse type: a TCP port, 0 (any free port) to 65535."""
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a port number: {value!r} (use 0 to 65535; 0 picks a free port)") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is out of range (use 0 to 65535; 0 picks a free port)")
    return port


def integration_dir(value: str) -> tuple[str, dict[str, Path]]:
    """An argparse type: ``ID=DIR`` -> ``(ID, {file name: path})`` for every regular file directly in DIR."""
    integration_id, sep, directory = value.partition("=")
    integration_id = integration_id.strip()
    if not sep or not integration_id or not directory:
        raise argparse.ArgumentTypeError(f"--integration takes ID=DIR (e.g. my-bucket=./videos), not {value!r}")
    path = Path(directory).expanduser()
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"--integration {integration_id}: {directory!r} is not a directory")
    files = {p.name: p for p in sorted(path.iterdir()) if p.is_file()}
    if not files:
        raise argparse.ArgumentTypeError(f"--integration {integration_id}: {directory!r} holds no files to import")
    total = sum(p.stat().st_size for p in files.values())
    if total > MAX_INTEGRATION_BYTES:
        raise argparse.ArgumentTypeError(
            f"--integration {integration_id}: {directory!r} holds {total >> 20} MiB; the emulator keeps buckets in "
            f"memory, so use at most {MAX_INTEGRATION_BYTES >> 20} MiB of files")
    return integration_id, files


def add_server_arguments(p: argparse.ArgumentParser) -> None:
    """Add the server flags to a parser (see the module docstring)."""
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default: 127.0.0.1)")
    p.add_argument("--port", type=port_number, default=0, help="port, 0 to 65535 (default 0: any free port)")
    p.add_argument("--seed", type=int, default=0, help="seed for ids and vectors (default: 0)")
    p.add_argument("--api-key", action="append", dest="api_keys", metavar="KEY",
                   help="the only accepted x-api-key (repeatable; default: any non-empty key)")
    p.add_argument("--integration", action="append", type=integration_dir, default=[], metavar="ID=DIR",
                   help="serve the files of DIR as bucket ID for POST /tasks/transfers/import/ID (repeatable)")
    p.add_argument("--instant-tasks", action="store_true", help="indexing and embedding tasks are ready at once")
    p.add_argument("--strict", action="store_true",
                   help="reject (400) query parameters, form fields, JSON keys and enum values the API does not list")
    p.add_argument("--ready", action="store_true",
                   help='once listening, print one JSON line {"ready": true, "base_url": ...} on stdout')


def build_fake(args: argparse.Namespace) -> Any:
    """The ``FakeTwelveLabs`` the flags describe (integrations registered)."""
    from ._fake import FakeTwelveLabs

    kw: dict[str, Any] = {}
    if args.instant_tasks:
        kw = {"task_statuses": ("ready",), "embed_task_statuses": ("ready",)}
    if getattr(args, "strict", False):
        kw["strict"] = True
    fake = FakeTwelveLabs(api_keys=args.api_keys, seed=args.seed, **kw)
    for integration_id, files in args.integration:
        fake.add_integration(integration_id, files)
    return fake


def client_key(args: argparse.Namespace) -> str:
    """A key the served emulator accepts: the first ``--api-key``, else :data:`SAMPLE_KEY`."""
    return args.api_keys[0] if args.api_keys else SAMPLE_KEY


def ready_line(base_url: str, args: argparse.Namespace) -> str:
    """The machine-readable line ``--ready`` prints (never a key: the caller chose it)."""
    return json.dumps({"ready": True, "base_url": base_url,
                       "integrations": [integration_id for integration_id, _ in args.integration]})
