"""A random walk over the emulator's state: paging, counts and visibility stay consistent."""

from __future__ import annotations

import functools

import httpx
import pytest
from _emulator_helpers import form
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from twelvelabs_rag.testing import FakeTwelveLabs
from twelvelabs_rag.testing.samples import DEMO_SCRIPTS

pytestmark = pytest.mark.slow  # crash/stateful/congruence runs: deselect with -m 'not slow' for a quick loop

SCRIPTS = list(DEMO_SCRIPTS.values())


class EmulatorMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.fake = FakeTwelveLabs(task_statuses=("validating", "indexing", "ready"))
        self.http = httpx.Client(transport=self.fake.transport(), base_url="http://e/v1.3",
                                 headers={"x-api-key": "k"})
        self.indexes: list[str] = []
        self.videos: dict[str, tuple[str, str]] = {}  # video id -> (index id, task id)
        for i, script in enumerate(SCRIPTS):
            self.fake.add_media(f"https://cdn.example/{i}.mp4", _clip_bytes(script))

    def teardown(self) -> None:
        self.http.close()

    @rule(name=st.text("abcdef", min_size=1, max_size=4))
    def create_index(self, name: str) -> None:
        r = self.http.post("/indexes", json={"index_name": name, "models": [
            {"model_name": "marengo3.0", "model_options": ["visual", "audio"]}]})
        if name in [self.http.get(f"/indexes/{i}").json()["index_name"] for i in self.indexes]:
            assert r.json()["code"] == "index_name_already_exists"
        else:
            assert r.status_code == 201
            self.indexes.append(r.json()["_id"])

    @precondition(lambda self: self.indexes)
    @rule(data=st.data(), clip=st.integers(0, len(SCRIPTS) - 1))
    def upload(self, data, clip: int) -> None:
        ix = data.draw(st.sampled_from(self.indexes))
        r = self.http.post("/tasks", files=form(index_id=ix, video_url=f"https://cdn.example/{clip}.mp4"))
        assert r.status_code == 200
        self.videos[r.json()["video_id"]] = (ix, r.json()["_id"])

    @rule()
    def advance(self) -> None:
        self.fake.advance()

    @precondition(lambda self: self.videos)
    @rule(data=st.data())
    def poll(self, data) -> None:
        vid = data.draw(st.sampled_from(sorted(self.videos)))
        assert self.http.get(f"/tasks/{self.videos[vid][1]}").status_code == 200

    @precondition(lambda self: self.videos)
    @rule(data=st.data())
    def delete_video(self, data) -> None:
        vid = data.draw(st.sampled_from(sorted(self.videos)))
        ix, task = self.videos[vid]
        ready = self.fake.tasks[task].status == "ready"  # (a GET would move the task on)
        r = self.http.delete(f"/indexes/{ix}/videos/{vid}")
        assert r.status_code == (204 if ready else 400)
        if ready:
            del self.videos[vid]

    @precondition(lambda self: self.indexes)
    @rule(data=st.data())
    def delete_index(self, data) -> None:
        ix = data.draw(st.sampled_from(self.indexes))
        assert self.http.delete(f"/indexes/{ix}").status_code == 204
        self.indexes.remove(ix)
        self.videos = {v: rec for v, rec in self.videos.items() if rec[0] != ix}

    @invariant()
    def paging_and_counts_agree(self) -> None:
        for ix in self.indexes:
            walked, page = [], 1
            while True:
                chunk = self.http.get(f"/indexes/{ix}/videos", params={"page": page, "page_limit": 2}).json()
                if not chunk["data"]:
                    break
                walked += [v["_id"] for v in chunk["data"]]
                page += 1
            assert len(walked) == len(set(walked))
            ready = {v for v, (i, t) in self.videos.items() if i == ix and self.fake.tasks[t].status == "ready"}
            assert set(walked) == ready
            assert self.http.get(f"/indexes/{ix}").json()["video_count"] == len(ready)
            if ready:
                res = self.http.post("/search", files=form(index_id=ix, query_text="fox taxi chef",
                                                           search_options="visual", page_limit=50)).json()
                assert {d["video_id"] for d in res["data"]} <= ready


@functools.cache
def _clip_bytes(script: str) -> bytes:
    import tempfile
    from pathlib import Path

    from twelvelabs_rag.testing.samples import make_clip

    with tempfile.TemporaryDirectory() as tmp:
        return make_clip(Path(tmp) / "c.mp4", script, fps=2).read_bytes()


EmulatorMachine.TestCase.settings = settings(max_examples=25, stateful_step_count=20, deadline=None)
TestEmulatorState = EmulatorMachine.TestCase
