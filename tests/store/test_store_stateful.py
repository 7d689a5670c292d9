"""Hypothesis state machine: SegmentStore against a brute-force numpy model.

Random sequences of add (with upserts), delete by id, delete by filter, save, reopen (with and
without a save first, mmap and plain), search and search_batch (with and without ``where``) run
on the real store and on a dict-of-rows model. After every step the live id sets agree; every
search returns ``min(k, matches)`` hits, scores within 1e-5 of the model's cosine, ordered, and
a valid top-k (ties may come in any order).
"""

from __future__ import annotations

import math
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from twelvelabs_rag.store import FilterError, SegmentStore
from twelvelabs_rag.types import EmbeddingTask

pytestmark = pytest.mark.slow  # crash/stateful/congruence runs: deselect with -m 'not slow' for a quick loop

#: Any unknown model name is a user model of any dimension; a small one keeps the model fast.
MODEL = "stateful-test-model"
DIM = 16
TOL = 1e-5

VIDEOS = ["v0", "v1", "v2", "v3"]
STARTS = [0.0, 2.5, 5.0, 7.5, 10.0, 30.0, 45.5]
LENGTHS = [2.5, 6.0]
SCOPES = ["clip", "video"]
OPTIONS = ["visual-text", "audio"]
LANGS = ["en", "fr", "de"]
COLUMN_KEYS = ("id", "video_id", "start", "end", "scope", "option", "text")


@dataclass
class Row:
    vector: np.ndarray  # already L2-normalised (float64)
    video_id: str
    start: float
    end: float
    scope: str
    option: str
    text: str | None
    metadata: dict[str, Any] | None

    @property
    def key(self) -> tuple:
        return (self.video_id, self.start, self.end, self.scope, self.option)


@dataclass
class Model:
    """What the store must hold: live rows by id, plus the id high-water mark."""

    rows: dict[int, Row] = field(default_factory=dict)
    high: int = -1  # highest id ever handed out (durably or in this session)
    meta_keys: set[str] = field(default_factory=set)  # metadata keys any row ever carried

    def copy(self) -> Model:
        return Model(dict(self.rows), self.high, set(self.meta_keys))

    def unknown_key(self, where: dict | None) -> str | None:
        """A plain metadata key no row ever had: the store refuses it (typo guard)."""
        for key in where or {}:
            if key not in COLUMN_KEYS and not key.startswith("metadata.") and key not in self.meta_keys:
                return key
        return None

    def by_key(self) -> dict[tuple, int]:
        return {r.key: i for i, r in self.rows.items()}

    def matches(self, where: dict | None) -> list[int]:
        return [i for i, r in self.rows.items() if where is None or _eval(where, r)]


def _eval(where: dict, row: Row) -> bool:
    for key, cond in where.items():
        if key in ("video_id", "scope", "option"):
            value = getattr(row, key)
        elif key in ("start", "end"):
            value = getattr(row, key)
        else:
            value = (row.metadata or {}).get(key.removeprefix("metadata."), _MISSING)
        if isinstance(cond, dict):
            for op, arg in cond.items():
                if op == "$in":
                    ok = value in arg
                elif value is _MISSING:
                    ok = False
                elif op == "$gte":
                    ok = value >= arg
                elif op == "$gt":
                    ok = value > arg
                elif op == "$lte":
                    ok = value <= arg
                elif op == "$lt":
                    ok = value < arg
                else:  # pragma: no cover - strategy only draws the four above
                    raise AssertionError(op)
                if not ok:
                    return False
        elif value != cond:
            return False
    return True


_MISSING = object()


def _norm(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float64)
    return v / np.linalg.norm(v)


# ---------------------------------------------------------------- strategies

row_spec = st.tuples(
    st.sampled_from(VIDEOS),
    st.sampled_from(STARTS),
    st.sampled_from(LENGTHS),
    st.sampled_from(SCOPES),
    st.sampled_from(OPTIONS),
    st.one_of(st.none(), st.sampled_from(["a red fox", "snow", "", "ünïcode ✓"])),
    st.one_of(
        st.none(),
        st.fixed_dictionaries({"lang": st.sampled_from(LANGS)}),
        st.fixed_dictionaries({"lang": st.sampled_from(LANGS), "n": st.integers(0, 3), "tags": st.just(["x", "y"])}),
    ),
)


def _range_clause() -> st.SearchStrategy[dict]:
    bound = st.sampled_from(STARTS + [1.0, 8.5, 50.0])
    return st.one_of(
        st.builds(lambda op, b: {op: b}, st.sampled_from(["$gte", "$gt", "$lte", "$lt"]), bound),
        st.builds(lambda a, b: {"$gte": min(a, b), "$lt": max(a, b)}, bound, bound),
    )


where_strategy = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {},
        optional={
            "video_id": st.one_of(
                st.sampled_from(VIDEOS + ["nope"]),
                st.lists(st.sampled_from(VIDEOS + ["nope"]), max_size=3, unique=True).map(lambda v: {"$in": v}),
            ),
            "scope": st.sampled_from(SCOPES),
            "option": st.one_of(
                st.sampled_from(OPTIONS), st.lists(st.sampled_from(OPTIONS), min_size=1, unique=True).map(lambda v: {"$in": v})
            ),
            "start": _range_clause(),
            "end": _range_clause(),
            "lang": st.sampled_from(LANGS),
            "metadata.lang": st.sampled_from(LANGS),
        },
    ),
)


# ---------------------------------------------------------------- the machine


class StoreMachine(RuleBasedStateMachine):
    """Drives one on-disk store and the model through the same operations."""

    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="tlrag-stateful-"))
        self.path = self.tmp / "store"
        self.store: SegmentStore | None = None
        self.model = Model()
        self.saved = Model()  # the model as of the last successful save
        self.vec_seed = 0

    @initialize(index_kind=st.just("flat"))
    def create(self, index_kind: str) -> None:
        self.store = SegmentStore.create(self.path, dim=DIM, model_name=MODEL, index=index_kind)
        self.store.save()
        self.saved = self.model.copy()

    def teardown(self) -> None:
        _close(self.store)
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- helpers

    def _vectors(self, n: int) -> np.ndarray:
        self.vec_seed += 1
        rng = np.random.default_rng(self.vec_seed)
        v = rng.standard_normal((n, DIM)) * rng.uniform(0.2, 5.0, size=(n, 1))
        return v.astype(np.float32)

    def _refused(self, where: dict | None, call) -> bool:
        """True when the model expects ``call`` to raise FilterError for an unseen metadata key."""
        key = self.model.unknown_key(where)
        if key is None:
            return False
        with pytest.raises(FilterError, match=f"unknown filter key '{key}'"):
            call()
        return True

    def _check_hits(self, hits: list, query: np.ndarray, k: int, where: dict | None) -> None:
        matching = self.model.matches(where)
        assert len(hits) == min(k, len(matching)), (len(hits), k, len(matching), where)
        q = _norm(query)
        expected = {i: float(self.model.rows[i].vector @ q) for i in matching}
        got_ids = [h.id for h in hits]
        assert len(set(got_ids)) == len(got_ids), f"duplicate ids in hits: {got_ids}"
        for h in hits:
            assert h.id in expected, f"hit {h.id} is not a live row matching {where}"
            assert math.isclose(h.score, expected[h.id], abs_tol=TOL), (h.id, h.score, expected[h.id])
            row = self.model.rows[h.id]
            assert (h.video_id, h.start, h.end, h.scope, h.option) == row.key
            assert h.text == row.text
            assert (h.metadata or None) == (row.metadata or None)
        scores = [h.score for h in hits]
        assert all(a >= b - TOL for a, b in zip(scores, scores[1:], strict=False)), f"not sorted: {scores}"
        if hits:
            floor = scores[-1]
            must = {i for i, s in expected.items() if s > floor + TOL}
            assert must <= set(got_ids), f"missing better rows {must - set(got_ids)}"

    # -- rules

    @rule(specs=st.lists(row_spec, min_size=1, max_size=12), from_live=st.integers(0, 3))
    def add(self, specs: list[tuple], from_live: int) -> None:
        # Re-use some live keys so that the add is partly an upsert.
        live_keys = list(self.model.by_key())
        specs = list(specs)
        for j in range(min(from_live, len(live_keys), len(specs))):
            vid, start, end, scope, option = live_keys[(self.vec_seed + 7 * j) % len(live_keys)]
            specs[j] = (vid, start, end - start, scope, option, *specs[j][5:])
        # One row per key inside one call (the issue does not define duplicates within a batch).
        uniq: dict[tuple, tuple] = {}
        for s in specs:
            uniq[(s[0], s[1], s[1] + s[2], s[3], s[4])] = s
        specs = list(uniq.values())
        vectors = self._vectors(len(specs))
        ids = self.store.add(
            vectors,
            video_ids=[s[0] for s in specs],
            starts=[s[1] for s in specs],
            ends=[s[1] + s[2] for s in specs],
            scopes=[s[3] for s in specs],
            options=[s[4] for s in specs],
            texts=[s[5] for s in specs],
            metadatas=[s[6] for s in specs],
        )
        ids = [int(i) for i in ids]
        assert len(ids) == len(specs)
        assert len(set(ids)) == len(ids)
        assert min(ids) > self.model.high, f"id reused or not monotonic: {ids} vs high {self.model.high}"
        assert ids == sorted(ids), f"ids of one add are not increasing: {ids}"
        by_key = self.model.by_key()
        for i, s, v in zip(ids, specs, vectors, strict=True):
            row = Row(_norm(v), s[0], s[1], s[1] + s[2], s[3], s[4], s[5], s[6])
            old = by_key.get(row.key)
            if old is not None:
                del self.model.rows[old]  # upsert: the replaced row is gone, the new one has a new id
            self.model.rows[i] = row
        self.model.high = max(ids)
        for s in specs:
            self.model.meta_keys |= set(s[6] or {})

    @precondition(lambda self: self.model.rows)
    @rule(data=st.data())
    def delete_ids(self, data: st.DataObject) -> None:
        live = sorted(self.model.rows)
        chosen = data.draw(st.lists(st.sampled_from(live), max_size=5, unique=True))
        ghosts = data.draw(st.lists(st.integers(self.model.high + 1, self.model.high + 50), max_size=2))
        n = self.store.delete(chosen + ghosts)
        assert n == len(chosen), (n, chosen, ghosts)
        for i in chosen:
            del self.model.rows[i]

    @rule(where=where_strategy.filter(lambda w: w))
    def delete_where(self, where: dict) -> None:
        if self._refused(where, lambda: self.store.delete(where=where)):
            return
        doomed = self.model.matches(where)
        n = self.store.delete(where=where)
        assert n == len(doomed), (n, len(doomed), where)
        for i in doomed:
            del self.model.rows[i]

    @rule()
    def save(self) -> None:
        self.store.save()
        self.saved = self.model.copy()

    @rule(save_first=st.booleans(), mmap=st.booleans(), mmap_writer=st.booleans())
    def reopen(self, save_first: bool, mmap: bool, mmap_writer: bool) -> None:
        if save_first:
            self.store.save()
            self.saved = self.model.copy()
        _close(self.store)
        self.store = None
        if mmap:
            # A read-only mmap view sees exactly the saved snapshot.
            view = SegmentStore.open(self.path, mmap=True, read_only=True)
            try:
                assert len(view) == len(self.saved.rows)
                self._compare_get(view, self.saved)
            finally:
                _close(view)
        # Unsaved work is gone after a reopen. Ids handed out in the lost session never became
        # durable, so the next ones only have to exceed the saved high-water mark.
        self.model = self.saved.copy()
        # A writable store may map its vectors too: later writes must copy, not scribble on the file.
        self.store = SegmentStore.open(self.path, mmap=mmap_writer)

    @rule(k=st.integers(1, 20), where=where_strategy, seed=st.integers(0, 2**32 - 1))
    def search(self, k: int, where: dict | None, seed: int) -> None:
        q = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
        if self._refused(where, lambda: self.store.search(q, k=k, where=where)):
            return
        hits = self.store.search(q, k=k, where=where)
        self._check_hits(hits, q, k, where)

    @precondition(lambda self: self.model.rows)
    @rule(k=st.integers(1, 8), data=st.data())
    def search_live_vector(self, k: int, data: st.DataObject) -> None:
        # Querying with a stored row's own vector must rank that row first (score 1).
        i = data.draw(st.sampled_from(sorted(self.model.rows)))
        q = (self.model.rows[i].vector * 3.0).astype(np.float32)
        hits = self.store.search(q, k=k)
        self._check_hits(hits, q, k, None)
        assert math.isclose(hits[0].score, 1.0, abs_tol=TOL)

    @rule(n=st.integers(1, 5), k=st.integers(1, 10), where=where_strategy, seed=st.integers(0, 2**32 - 1))
    def search_batch(self, n: int, k: int, where: dict | None, seed: int) -> None:
        qs = np.random.default_rng(seed).standard_normal((n, DIM)).astype(np.float32)
        if self._refused(where, lambda: self.store.search_batch(qs, k=k, where=where)):
            return
        results = self.store.search_batch(qs, k=k, where=where)
        assert len(results) == n
        for q, hits in zip(qs, results, strict=True):
            self._check_hits(list(hits), q, k, where)

    @precondition(lambda self: self.model.rows)
    @rule(data=st.data())
    def get(self, data: st.DataObject) -> None:
        live = sorted(self.model.rows)
        chosen = data.draw(st.lists(st.sampled_from(live), min_size=1, max_size=4, unique=True))
        gone = [i for i in range(self.model.high + 3) if i not in self.model.rows][:3]
        got = self.store.get(gone + chosen)  # ids not in the store are skipped
        assert [int(g.id) for g in got] == chosen
        self._compare_get(self.store, self.model, chosen)
        for g in got:
            assert np.allclose(g.vector, self.model.rows[int(g.id)].vector, atol=1e-6)

    @precondition(lambda self: self.model.rows)
    @rule(k=st.integers(1, 10), where=where_strategy, data=st.data())
    def search_like(self, k: int, where: dict | None, data: st.DataObject) -> None:
        i = data.draw(st.sampled_from(sorted(self.model.rows)))
        if self._refused(where, lambda: self.store.search_like(i, k=k, where=where)):
            return
        hits = self.store.search_like(i, k=k, where=where)
        assert i not in [h.id for h in hits]
        row = self.model.rows.pop(i)  # the model without the row itself
        try:
            self._check_hits(hits, row.vector.astype(np.float32), k, where)
        finally:
            self.model.rows[i] = row

    @rule(video=st.sampled_from(VIDEOS), n=st.integers(1, 4), option=st.sampled_from(OPTIONS))
    def ingest_task(self, video: str, n: int, option: str) -> None:
        # An embedding task's segments (video_id = task id); re-ingesting the same task upserts.
        vectors = self._vectors(n)
        segs = [
            {"float": v.tolist(), "start_offset_sec": STARTS[j], "end_offset_sec": STARTS[j] + LENGTHS[0],
             "embedding_option": option, "embedding_scope": "clip"}
            for j, v in enumerate(vectors)
        ]
        task = EmbeddingTask.model_validate(
            {"_id": video, "model_name": MODEL, "status": "ready", "video_embedding": {"segments": segs}}
        )
        ids = [int(i) for i in self.store.add_embedding_task(task)]
        assert len(ids) == n and min(ids) > self.model.high and ids == sorted(ids)
        by_key = self.model.by_key()
        for i, seg, v in zip(ids, segs, vectors, strict=True):
            row = Row(_norm(v), video, seg["start_offset_sec"], seg["end_offset_sec"], "clip", option, None, None)
            if row.key in by_key:
                del self.model.rows[by_key[row.key]]
            self.model.rows[i] = row
        self.model.high = max(ids)

    # -- invariants

    @invariant()
    def same_size(self) -> None:
        if self.store is not None:
            assert len(self.store) == len(self.model.rows)
            assert self.store.stats()["count"] == len(self.model.rows)

    def _compare_get(self, store: SegmentStore, model: Model, ids: list[int] | None = None) -> None:
        ids = sorted(model.rows) if ids is None else ids
        if not ids:
            return
        got = store.get(ids)
        assert [int(g.id) for g in got] == list(ids)
        for g in got:
            row = model.rows[int(g.id)]
            assert (g.video_id, g.start, g.end, g.scope, g.option) == row.key
            assert g.text == row.text
            assert (g.metadata or None) == (row.metadata or None)


def _close(store: Any) -> None:
    if store is not None and hasattr(store, "close"):
        store.close()


StoreMachine.TestCase.settings = settings(
    max_examples=120,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    derandomize=False,
)
TestStoreMachine = StoreMachine.TestCase


@pytest.mark.parametrize("n_add", [0, 3])
def test_machine_smoke(n_add: int) -> None:
    """A fixed short run, so a broken store fails with a readable trace before Hypothesis shrinks."""
    m = StoreMachine()
    try:
        m.create("flat")
        if n_add:
            m.add([("v0", 0.0, 2.5, "clip", "audio", "t", {"lang": "en"})] * n_add, 0)
            m.add([("v0", 0.0, 2.5, "clip", "audio", None, None), ("v1", 5.0, 6.0, "video", "visual-text", None, None)], 0)
        m.search(5, None, 1)
        m.search(5, {"video_id": "v0"}, 2)
        m.reopen(True, True, True)
        m.search_batch(2, 3, None, 3)
        m.same_size()
    finally:
        m.teardown()
