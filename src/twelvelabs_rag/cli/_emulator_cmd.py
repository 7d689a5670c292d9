"""``tlrag emulator``: serve the in-memory TwelveLabs emulator over HTTP until interrupted."""

from __future__ import annotations

import argparse
import signal
import threading
from typing import Any

__all__ = ["run", "SAMPLE_KEY"]

#: Any non-empty key works with a default emulator; this is the one its own clients use.
SAMPLE_KEY = "tlk_test"


def run(args: argparse.Namespace) -> int:
    from ..testing import FakeTwelveLabs, serve

    stop = threading.Event()

    def _stop(signum: int, frame: Any) -> None:
        stop.set()

    old = signal.signal(signal.SIGTERM, _stop) if threading.current_thread() is threading.main_thread() else None
    fake = FakeTwelveLabs(seed=args.seed)
    try:
        with serve(fake, host=args.host, port=args.port) as base_url:
            print(f"TwelveLabs emulator listening at {base_url}")
            print(f"export TWELVELABS_BASE_URL={base_url}")
            print(f"export TWELVELABS_API_KEY={SAMPLE_KEY}")
            print("(Ctrl-C to stop)", flush=True)
            try:
                while not stop.wait(0.5):
                    pass
            except KeyboardInterrupt:
                pass
        print("emulator stopped", flush=True)
    finally:
        if old is not None:
            signal.signal(signal.SIGTERM, old)
    return 0
