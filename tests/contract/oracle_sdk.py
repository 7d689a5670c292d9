"""Run the wire-oracle calls with the official SDK; run with the SDK venv's python.

    python oracle_sdk.py < args.json   # {"base_url": ..., "version": ..., "state": {...}, "calls": [...]}

(The arguments come on stdin: the state holds base64 media, more than one command-line argument may hold.)

Before each call it sends ``GET <base_url>/__oracle__/<n>`` so the emulator's request log can be cut
into the requests each call sent. A call that raises is reported (one JSON line) and the run goes on:
the requests it sent are what the oracle compares.
"""

from __future__ import annotations

import json
import os
import sys

ARGS = json.loads(sys.stdin.read())
os.environ["TWELVE_LABS_API_KEY"] = "tlk_oracle"  # SDK 1.0.x reads it at import time
os.environ["TWELVELABS_BASE_URL"] = ARGS["base_url"]

import httpx  # noqa: E402  (the SDK's own dependency)
import twelvelabs  # noqa: E402
from twelvelabs import TwelveLabs  # noqa: E402

client = TwelveLabs(api_key="tlk_oracle", base_url=ARGS["base_url"])
scope = {"client": client, "S": ARGS["state"], "CLASSIC": ARGS["version"].startswith("1.0"), "json": json,
         "T": twelvelabs}
with httpx.Client() as marker:
    for n, call in enumerate(ARGS["calls"]):
        marker.get(f"{ARGS['base_url']}/__oracle__/{n}", headers={"x-api-key": "tlk_oracle"})
        try:
            eval(call["sdk"], scope)  # the code strings are this test suite's own table
            error = None
        except Exception as exc:  # a failing call still sent its request
            error = f"{type(exc).__name__}: {exc}"[:500]
        print(json.dumps({"name": call["name"], "error": error}), flush=True)
print(json.dumps({"name": "done", "error": None}), flush=True)
