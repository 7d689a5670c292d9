"""``python -m twelvelabs_rag.testing --host 127.0.0.1 --port 8765``: run the emulator until Ctrl-C.

Prints the base URL (``http://127.0.0.1:8765/v1.3``) on the first line of stdout.
"""

from __future__ import annotations

import argparse
import sys

from ._fake import API_PREFIX, FakeTwelveLabs
from ._server import make_server


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments and serve forever."""
    p = argparse.ArgumentParser(prog="python -m twelvelabs_rag.testing", description=__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--api-key", action="append", dest="api_keys",
                   help="accepted x-api-key (repeatable); default: any non-empty key")
    p.add_argument("--ready", action="store_true", help="indexing and embedding tasks are ready at once")
    args = p.parse_args(argv)
    kw = {"task_statuses": ("ready",), "embed_task_statuses": ("ready",)} if args.ready else {}
    fake = FakeTwelveLabs(api_keys=args.api_keys, seed=args.seed, **kw)
    server = make_server(fake, args.host, args.port)
    host, port = server.server_address[:2]
    print(f"http://{host}:{port}{API_PREFIX}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
