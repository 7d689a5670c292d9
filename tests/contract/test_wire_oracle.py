"""The official SDK as an oracle for our wire format.

For every call both the official ``twelvelabs`` SDK (1.0.2 classic, 1.3.6 current) and our client
can make (``oracle_calls.CALLS``), both make it against identically prepared emulators; the first
request each sends is compared: method, route, parsed query, JSON body, multipart text fields and
file parts (field name and file name). Ids are normalised (24-hex -> ``<id>``), so the two emulators
need not share ids. Where we send something else on purpose, ``KNOWN_DIFFERENCES`` says what and why;
everything else must match.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from _sdkenv import SdkEnvError, ensure_sdk_venv
from oracle_calls import calls_for

from twelvelabs_rag import TwelveLabsError
from twelvelabs_rag.testing import FakeTwelveLabs, serve
from twelvelabs_rag.testing.samples import DEMO_SCRIPTS, make_audio, make_clip, make_image

pytestmark = pytest.mark.contract

RUNNER = Path(__file__).with_name("oracle_sdk.py")
VERSIONS = ("1.0.2", "1.3.6")
_HEX24 = re.compile(r"\b[0-9a-f]{24}\b")
_SCHEMA = {"type": "object", "properties": {"scenes": {"type": "array", "items": {"type": "string"}}},
           "required": ["scenes"]}

#: What we send on purpose that the SDK does not, and why. Each entry is removed from our side
#: (only) before the comparison; nothing else may differ.
KNOWN_DIFFERENCES: dict[str, str] = {
    "form:user_metadata.tlrag_upload_id":
        "every upload (POST /tasks, both files and URLs) carries the upload token that lets a retry find "
        "the task it created instead of uploading twice (docs/retries.md); the rest of user_metadata must be "
        "equal, and a user_metadata holding only the token counts as absent",
}


def _norm(value: Any) -> Any:
    if isinstance(value, str):
        return _HEX24.sub("<id>", value)
    if isinstance(value, list):
        return [_norm(v) for v in value]
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    return value


def _form_value(value: str) -> Any:
    """A multipart text field; JSON-encoded fields (filter, user_metadata) compare parsed, so that
    ``{"a": 1}`` and ``{"a":1}`` are the same value."""
    if value[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _shape(rec: Any, *, ours: bool) -> dict[str, Any]:
    """What the oracle compares of one recorded request."""
    form: dict[str, Any] = {}
    for key, values in rec.form.items():
        parsed = [_form_value(v) for v in values]
        extras = [k.split(".", 1)[1] for k in KNOWN_DIFFERENCES if k.startswith(f"form:{key}.")]
        if ours and extras:
            for p in parsed:
                for extra in extras:
                    if isinstance(p, dict):
                        p.pop(extra, None)
            parsed = [p for p in parsed if p != {}]
            if not parsed:
                continue
        form[key] = sorted(_norm(parsed), key=json.dumps)
    return {"method": rec.method, "route": rec.route,
            "query": sorted((k, _norm(v)) for k, v in rec.query),
            "json": _norm(rec.json), "form": form,
            "files": sorted((name, filename) for name, filename, _size in rec.files)}


def _setup(fake: FakeTwelveLabs, media: dict[str, Path], classic: bool) -> dict[str, Any]:
    """An index with one ready video, a ready embedding task and a search page token."""
    client = fake.client(poll_interval=0)
    try:
        models = [{"model_name": "marengo2.7" if classic else "marengo3.0", "model_options": ["visual", "audio"]}]
        if classic:
            models.append({"model_name": "pegasus1.2", "model_options": ["visual", "audio"]})
        index = client.indexes.create(index_name="oracle-setup", models=models)
        task = client.tasks.create_and_wait(index_id=index.id, file=media["clip"],
                                            user_metadata={"source": "oracle"})
        client.tasks.create_and_wait(index_id=index.id, url=media["video_url"])
        embed_model = "Marengo-retrieval-2.7" if classic else "marengo3.0"
        etask = client.embed.tasks.create_and_wait(model_name=embed_model, video_file=media["clip"])
        page = client.search.create(index_id=index.id, query_text="taxi", search_options=["visual"], page_limit=1)
        return {"index": index.id, "video": task.video_id, "task": task.id, "embed_task": etask.id,
                "page_token": page.page_info.next_page_token, "clip": str(media["clip"]),
                "image": str(media["image"]), "audio": str(media["audio"]), "video_url": media["video_url"],
                "marengo": models[0]["model_name"], "embed_model": embed_model, "schema": _SCHEMA,
                "options": ["visual-text", "audio"] if classic else ["visual", "audio"]}
    finally:
        client.close()


def _fake(media: dict[str, Path]) -> FakeTwelveLabs:
    fake = FakeTwelveLabs(seed=11)
    fake.add_media(media["video_url"], media["clip"])
    return fake


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("oracle-media")
    return {"clip": make_clip(root / "city.mp4", DEMO_SCRIPTS["city.mp4"]),
            "image": make_image(root / "taxi.png", "a yellow taxi drives through the rain"),
            "audio": make_audio(root / "talk.wav", "a taxi horn in the rain", seconds=4),
            "video_url": "https://cdn.example.com/street.mp4"}


def _sdk_requests(version: str, media: dict[str, Any], calls: list[dict]) -> tuple[dict[str, list], dict]:
    try:
        python = ensure_sdk_venv(version)
    except SdkEnvError as exc:
        pytest.fail(str(exc))
    fake = _fake(media)
    state = _setup(fake, media, classic=version.startswith("1.0"))
    start = len(fake.requests)
    with serve(fake) as base_url:
        args = {"base_url": base_url, "version": version, "state": state, "calls": calls}
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TWELVE", "VIRTUAL_ENV"))}
        proc = subprocess.run([str(python), str(RUNNER), json.dumps(args)], capture_output=True, text=True,
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


def _our_requests(version: str, media: dict[str, Any], calls: list[dict]) -> tuple[dict[str, list], dict]:
    fake = _fake(media)
    state = _setup(fake, media, classic=version.startswith("1.0"))
    per_call, errors = {}, {}
    client = fake.client(poll_interval=0, max_retries=0)
    try:
        scope = {"client": client, "S": state, "CLASSIC": version.startswith("1.0"), "json": json}
        for call in calls:
            start = len(fake.requests)
            try:
                eval(call["ours"], scope)  # the code strings are this suite's own table
                errors[call["name"]] = None
            except TwelveLabsError as exc:
                errors[call["name"]] = f"{type(exc).__name__}: {exc}"
            per_call[call["name"]] = fake.requests[start:]
    finally:
        client.close()
    return per_call, errors


_CACHE: dict[str, tuple] = {}


def _both(version: str, media: dict[str, Any]) -> tuple:
    if version not in _CACHE:
        calls = calls_for(version)
        _CACHE[version] = (_sdk_requests(version, media, calls), _our_requests(version, media, calls))
    return _CACHE[version]


def _differences(sdk: dict[str, Any], ours: dict[str, Any]) -> list[str]:
    out = []
    out = [f"{field}: SDK {sdk[field]!r} != ours {ours[field]!r}"
           for field in ("method", "route", "query", "json", "files") if sdk[field] != ours[field]]
    for key in sorted(set(sdk["form"]) | set(ours["form"])):
        if sdk["form"].get(key) != ours["form"].get(key):
            out.append(f"form[{key}]: SDK {sdk['form'].get(key)!r} != ours {ours['form'].get(key)!r}")
    return out


@pytest.mark.parametrize(("version", "name"), [(v, c["name"]) for v in VERSIONS for c in calls_for(v)])
def test_our_request_matches_the_sdk(version: str, name: str, media: dict[str, Any]) -> None:
    (sdk_calls, sdk_errors), (our_calls, our_errors) = _both(version, media)
    assert sdk_calls.get(name), f"SDK {version} sent no request for {name} ({sdk_errors.get(name)})"
    assert our_calls.get(name), f"our client sent no request for {name} ({our_errors.get(name)})"
    assert our_errors[name] is None, f"our client failed on {name}: {our_errors[name]}"
    assert sdk_errors[name] is None, f"SDK {version} failed on {name}: {sdk_errors[name]}"
    diffs = _differences(_shape(sdk_calls[name][0], ours=False), _shape(our_calls[name][0], ours=True))
    assert not diffs, f"{name} (SDK {version}) differs on the wire:\n" + "\n".join(diffs)


def test_the_upload_token_is_the_only_known_difference(media: dict[str, Any]) -> None:
    """The allowance is used (our tasks.create really sends the token) and hides nothing else."""
    (sdk_calls, _), (our_calls, _) = _both("1.3.6", media)
    ours = our_calls["tasks.create(file)"][0]
    assert "tlrag_upload_id" in json.loads(ours.form["user_metadata"][0])
    assert _shape(ours, ours=True)["form"]["user_metadata"] == [{"source": "oracle"}]
