"""``python -m twelvelabs_rag.testing --host 127.0.0.1 --port 8765``: run the emulator until Ctrl-C.

Prints the base URL (``http://127.0.0.1:8765/v1.3``) on the first line of stdout and a key to use
on the second (``TWELVELABS_API_KEY=...``); with ``--ready`` a third, machine-readable line
``{"ready": true, "base_url": ...}``. Flags (shared with ``tlrag emulator``): ``--api-key``,
``--integration ID=DIR``, ``--instant-tasks``, ``--seed``.
"""

from __future__ import annotations

import argparse
import sys

from ._fake import API_PREFIX
from ._server import make_server
from ._server_args import add_server_arguments, build_fake, client_key, ready_line


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments and serve until interrupted."""
    p = argparse.ArgumentParser(prog="python -m twelvelabs_rag.testing", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    add_server_arguments(p)
    args = p.parse_args(argv)
    fake = build_fake(args)
    try:
        server = make_server(fake, args.host, args.port)
    except OSError as exc:
        p.exit(1, f"error: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}\n")
    host, port = server.host_port()
    base_url = f"http://{host}:{port}{API_PREFIX}"
    print(base_url, flush=True)
    print(f"TWELVELABS_API_KEY={client_key(args)}", flush=True)
    if args.ready:
        print(ready_line(base_url, args), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
