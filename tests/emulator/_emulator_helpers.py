"""Helpers shared by the emulator tests (imported via the path conftest adds)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from twelvelabs_rag.testing import FakeTwelveLabs

MARENGO3 = [{"model_name": "marengo3.0", "model_options": ["visual", "audio"]}]
MARENGO27 = [{"model_name": "marengo2.7", "model_options": ["visual", "audio"]}]
PEGASUS = [{"model_name": "pegasus1.2", "model_options": ["visual", "audio"]}]

def form(**fields) -> list:
    """Multipart parts from keyword fields (lists become repeated parts)."""
    parts = []
    for name, value in fields.items():
        for v in value if isinstance(value, list) else [value]:
            parts.append((name, (None, str(v).lower() if isinstance(v, bool) else str(v))))
    return parts


def create_index(http: httpx.Client, name: str = "idx", models=None, addons=None) -> str:
    body = {"index_name": name, "models": models or MARENGO3 + PEGASUS}
    if addons:
        body["addons"] = addons
    r = http.post("/indexes", json=body)
    assert r.status_code == 201, r.text
    return r.json()["_id"]


def upload(http: httpx.Client, fake: FakeTwelveLabs, index_id: str, path: Path, *, metadata=None,
           ready: bool = True, stream: bool | None = None) -> dict:
    parts = form(index_id=index_id)
    if metadata is not None:
        parts += form(user_metadata=json.dumps(metadata))
    if stream is not None:
        parts += form(enable_video_stream=stream)
    r = http.post("/tasks", files=parts + [("video_file", (path.name, path.read_bytes(), "video/mp4"))])
    assert r.status_code == 200, r.text
    if ready:
        fake.advance(r.json()["_id"], steps=10)
    return r.json()
