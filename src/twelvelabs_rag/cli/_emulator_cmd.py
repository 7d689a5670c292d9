"""``tlrag emulator``: serve the in-memory TwelveLabs emulator over HTTP until interrupted.

The flags are the ones of ``python -m twelvelabs_rag.testing`` (one parser:
``twelvelabs_rag.testing._server_args``): ``--api-key``, ``--integration ID=DIR``, ``--instant-tasks``,
``--ready``.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import threading
from typing import Any

from ..testing._server_args import SAMPLE_KEY, build_fake, client_key, ready_line
from ._errors import CLIError

__all__ = ["run", "SAMPLE_KEY"]


def run(args: argparse.Namespace) -> int:
    from ..testing import serve

    stop = threading.Event()

    def _stop(signum: int, frame: Any) -> None:
        stop.set()

    # SIGINT too: a shell starts background jobs with SIGINT ignored, and `kill -INT` should still stop us.
    signals = (signal.SIGINT, signal.SIGTERM)
    main_thread = threading.current_thread() is threading.main_thread()
    old = {s: signal.signal(s, _stop) for s in signals} if main_thread else {}
    fake = build_fake(args)
    try:
        with contextlib.ExitStack() as stack:
            try:
                base_url = stack.enter_context(serve(fake, host=args.host, port=args.port))
            except OSError as exc:
                raise CLIError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc} "
                               "(choose another --port, or --port 0 for any free one)") from exc
            print(f"TwelveLabs emulator listening at {base_url}")
            print(f"export TWELVELABS_BASE_URL={base_url}")
            print(f"export TWELVELABS_API_KEY={client_key(args)}")
            for integration_id, files in args.integration:
                print(f"integration {integration_id!r}: {len(files)} files for POST /tasks/transfers/import/"
                      f"{integration_id}")
            print("(Ctrl-C to stop)", flush=True)
            if args.ready:
                print(ready_line(base_url, args), flush=True)
            try:
                while not stop.wait(0.5):
                    pass
            except KeyboardInterrupt:  # when not on the main thread (no handlers installed)
                pass
        print("emulator stopped", flush=True)
    finally:
        for signum, handler in old.items():
            signal.signal(signum, handler)
    return 0
