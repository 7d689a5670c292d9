"""The official SDK as an oracle for our wire format.

For every call both the official ``twelvelabs`` SDK (1.0.2 classic, 1.3.6 current) and our client
can make (``oracle_calls.ALL_CALLS``: 45 calls for SDK 1.0.2; 180 for SDK 1.3.6, of which 142 are on
the current surface: assets, multipart uploads, indexed assets, embed v2, analyze sync/stream/tasks/
batches, Marengo 3.0 search, entity collections, knowledge stores, Responses, data connectors and
imports), both make it against identically prepared emulators (``oracle_setup``, strict mode on),
ours twice: through the sync client and through the async twin (``oracle_async``). The
first request each sends is compared (``oracle_compare``): method, route, parsed query, JSON body,
multipart text fields and file parts (field name, file name and size). For the page walks (``PAGE_WALKS``:
pagers walked to the end one item per page) and the bulk upload every request is compared, so a
filter lost on page 2 shows. Ids are normalised, so the two emulators need not share ids. Where we
send something else on purpose, ``KNOWN_DIFFERENCES`` says what and why, and every entry must
still be needed; ``SDK_CANNOT`` lists the calls the SDK cannot make at all (ours is then checked
against the spec). Everything else must match.

Not compared because only one side has the call: the 4 SDK-only calls of ``SDK_ONLY`` (SDK 1.3.6
``data_connectors.create_connection_picker_token``, ``tasks.list`` range filters, ``indexes.list``
date filters, ``multipart_upload.wait_for_upload_completion``), which must still pass the strict
emulator; our helpers beyond their first request where the SDK has no twin (waits, ``assets.upload``
after the session create).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from _sdkenv import SdkEnvError, ensure_sdk_venv
from oracle_async import blocking
from oracle_calls import calls_for
from oracle_compare import KNOWN_DIFFERENCES, SDK_CANNOT, allow, allow_walk, shape
from oracle_setup import prepare

from twelvelabs_rag.testing import serve
from twelvelabs_rag.testing.samples import DEMO_SCRIPTS, make_audio, make_clip, make_image

pytestmark = pytest.mark.contract

RUNNER = Path(__file__).with_name("oracle_sdk.py")
VERSIONS = ("1.0.2", "1.3.6")


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("oracle-media")
    return {"clip": make_clip(root / "city.mp4", DEMO_SCRIPTS["city.mp4"]),
            "image": make_image(root / "taxi.png", "a yellow taxi drives through the rain"),
            "audio": make_audio(root / "talk.wav", "a taxi horn in the rain", seconds=4),
            "portrait": make_image(root / "portrait.png", "a woman in a green raincoat"),
            "video_url": "https://cdn.example.com/street.mp4", "video_url2": "https://cdn.example.com/market.mp4",
            "image_url": "https://cdn.example.com/taxi.png",
            "image_url2": "https://cdn.example.com/portrait.png"}


def _sdk_requests(version: str, media: dict[str, Any], calls: list[dict]) -> tuple[dict[str, list], dict]:
    try:
        python = ensure_sdk_venv(version)
    except SdkEnvError as exc:
        pytest.fail(str(exc))
    fake, state = prepare(media, classic=version.startswith("1.0"))
    start = len(fake.requests)
    with serve(fake) as base_url:
        args = {"base_url": base_url, "version": version, "state": state, "calls": calls}
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TWELVE", "VIRTUAL_ENV"))}
        proc = subprocess.run([str(python), str(RUNNER)], input=json.dumps(args), capture_output=True, text=True,
                              timeout=300, env=env, check=False)
    reports = {}
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            item = json.loads(line)
            reports[item["name"]] = item["error"]
    if "done" not in reports:
        pytest.fail(f"SDK {version} oracle runner crashed (exit {proc.returncode}):\n{proc.stdout[-2000:]}\n"
                    f"{proc.stderr[-3000:]}")
    per_call: dict[str, list] = {}
    current = None
    for rec in fake.requests[start:]:
        marker = re.search(r"/__oracle__/(\d+)$", rec.path)
        if marker:
            current = calls[int(marker.group(1))]["name"]
            per_call[current] = []
        elif current is not None:
            per_call[current].append(rec)
    return per_call, reports


def _our_requests(version: str, media: dict[str, Any], calls: list[dict],
                  twin: str) -> tuple[dict[str, list], dict]:
    fake, state = prepare(media, classic=version.startswith("1.0"))
    per_call, errors = {}, {}
    loop = asyncio.new_event_loop()
    if twin == "sync":
        client, close = fake.client(poll_interval=0, max_retries=0), None
    else:
        aclient = fake.async_client(poll_interval=0, max_retries=0)
        client, close = blocking(aclient, loop.run_until_complete), aclient.aclose
    try:
        scope = {"client": client, "S": state, "CLASSIC": version.startswith("1.0"), "json": json}
        for call in calls:
            if call["ours"] is None:
                continue
            start = len(fake.requests)
            try:
                eval(call["ours"], scope)  # the code strings are this suite's own table
                errors[call["name"]] = None
            except Exception as exc:  # reported per call (a TypeError is a missing/misspelled parameter)
                errors[call["name"]] = f"{type(exc).__name__}: {exc}"
            per_call[call["name"]] = fake.requests[start:]
    finally:
        if close is None:
            client.close()
        else:
            loop.run_until_complete(close())
        loop.close()
    return per_call, errors


_SDK: dict[str, tuple] = {}
_OURS: dict[tuple[str, str], tuple] = {}
_USED: dict[str, set[str]] = {}


def _both(version: str, media: dict[str, Any], twin: str = "sync") -> tuple:
    """(SDK requests, errors), (our requests, errors) of every call, our client being the ``twin``."""
    calls = calls_for(version)
    if version not in _SDK:
        _SDK[version] = _sdk_requests(version, media, calls)
    if (version, twin) not in _OURS:
        _OURS[version, twin] = _our_requests(version, media, calls, twin)
    return _SDK[version], _OURS[version, twin]


def _differences(sdk: dict[str, Any], ours: dict[str, Any]) -> list[str]:
    out = [f"{field}: SDK {sdk[field]!r} != ours {ours[field]!r}"
           for field in ("method", "route", "query", "json", "files") if sdk[field] != ours[field]]
    for key in sorted(set(sdk["form"]) | set(ours["form"])):
        if sdk["form"].get(key) != ours["form"].get(key):
            out.append(f"form[{key}]: SDK {sdk['form'].get(key)!r} != ours {ours['form'].get(key)!r}")
    return out


_EVERY = {c["name"]: c["every_request"] for v in VERSIONS for c in calls_for(v)}
_PARAMS = [(v, c["name"]) for v in VERSIONS for c in calls_for(v)
           if c["name"] not in SDK_CANNOT and c["ours"] is not None]
_SDK_ONLY = [(v, c["name"]) for v in VERSIONS for c in calls_for(v) if c["ours"] is None]


@pytest.mark.parametrize("twin", ["sync", "async"])
@pytest.mark.parametrize(("version", "name"), _PARAMS)
def test_our_request_matches_the_sdk(version: str, name: str, twin: str, media: dict[str, Any]) -> None:
    (sdk_calls, sdk_errors), (our_calls, our_errors) = _both(version, media, twin)
    assert sdk_calls.get(name), f"SDK {version} sent no request for {name} ({sdk_errors.get(name)})"
    assert our_calls.get(name), f"our client sent no request for {name} ({our_errors.get(name)})"
    assert our_errors[name] is None, f"our client failed on {name}: {our_errors[name]}"
    assert sdk_errors[name] is None, f"SDK {version} failed on {name}: {sdk_errors[name]}"
    sdk, ours, used = allow(sdk_calls[name], our_calls[name])
    _USED.setdefault(version, set()).update(used)
    diffs = _differences(sdk, ours)
    assert not diffs, f"{name} (SDK {version}) differs on the wire:\n" + "\n".join(diffs)
    if _EVERY[name]:
        assert len(our_calls[name]) > 1, f"{name}: the walk has one request only; seed more items"
        pairs, used = allow_walk(sdk_calls[name], our_calls[name])
        _USED[version].update(used)
        assert len(pairs) == len(our_calls[name]) - 1, (
            f"{name}: a different page walk: SDK {[(r.route, r.query) for r in sdk_calls[name]]} != ours "
            f"{[(r.route, r.query) for r in our_calls[name]]}")
        for n, (sdk, ours) in enumerate(pairs, 2):
            diffs = _differences(sdk, ours)
            assert not diffs, f"{name} (SDK {version}) request {n} differs:\n" + "\n".join(diffs)


@pytest.mark.parametrize(("version", "name"), _SDK_ONLY)
def test_sdk_only_calls_pass_the_strict_emulator(version: str, name: str, media: dict[str, Any]) -> None:
    """Calls our client does not have: the SDK's request must not be refused by strict mode."""
    (sdk_calls, sdk_errors), _ = _both(version, media)
    assert sdk_calls.get(name), f"SDK {version} sent no request for {name} ({sdk_errors.get(name)})"
    assert sdk_errors[name] is None, f"SDK {version} failed on {name}: {sdk_errors[name]}"


@pytest.mark.parametrize("name", sorted(SDK_CANNOT))
def test_calls_the_sdk_cannot_make(name: str, media: dict[str, Any]) -> None:
    """The SDK still fails before sending (else: compare it like every other call), and ours sends
    the request the spec describes (spec-current §9: POST /connections:authorize {provider, redirect_uri})."""
    (sdk_calls, sdk_errors), (our_calls, our_errors) = _both("1.3.6", media)
    assert not sdk_calls.get(name) and "UnsupportedProtocol" in str(sdk_errors[name]), (
        f"SDK 1.3.6 now sends {name}: move it out of SDK_CANNOT so the oracle compares it ({sdk_errors[name]})")
    assert our_errors[name] is None, our_errors[name]
    ours = shape(our_calls[name][0])
    assert (ours["route"], ours["query"], ours["form"]) == ("POST /connections:authorize", [], {})
    assert ours["json"] == {"provider": "google_drive", "redirect_uri": "https://app.example.com/oracle",
                            "custom_id": "oracle-1"}


def test_every_known_difference_is_still_needed(media: dict[str, Any]) -> None:
    """Each allowance is used by some call (a stale entry would hide a future difference)."""
    for version in VERSIONS:
        (sdk_calls, _), (our_calls, _) = _both(version, media)
        for name in sdk_calls:
            if sdk_calls[name] and our_calls.get(name):
                _USED.setdefault(version, set()).update(allow(sdk_calls[name], our_calls[name])[2])
                if _EVERY[name]:
                    _USED[version].update(allow_walk(sdk_calls[name], our_calls[name])[1])
    assert set().union(*_USED.values()) == set(KNOWN_DIFFERENCES)


def test_the_upload_token_is_allowed_and_hides_nothing_else(media: dict[str, Any]) -> None:
    """The allowance is used (our uploads really send the token) and the rest of user_metadata is compared."""
    (sdk_calls, _), (our_calls, _) = _both("1.3.6", media)
    for name in ("tasks.create(file)", "assets.create(file)"):
        raw = our_calls[name][0]
        assert "tlrag_upload_id" in json.loads(raw.form["user_metadata"][0])
        sdk, ours, used = allow(sdk_calls[name], our_calls[name])
        assert "upload token" in used and ours["form"]["user_metadata"] == sdk["form"]["user_metadata"] != []


def test_the_docstring_states_the_coverage() -> None:
    def compared(version: str) -> list[dict[str, Any]]:
        return [c for c in calls_for(version) if c["ours"] is not None]

    classic = {c["name"] for c in compared("1.0.2")}
    current = [c for c in compared("1.3.6") if c["name"] not in classic]
    doc = " ".join((__doc__ or "").split())
    assert f"{len(compared('1.0.2'))} calls for SDK 1.0.2;" in doc
    assert f"{len(compared('1.3.6'))} for SDK 1.3.6, of which {len(current)} are on the current surface" in doc
    assert f"the {len(_SDK_ONLY)} SDK-only calls" in doc
