"""Issue 11 §1: the store is one state owner (``StoreCore``) with reads and writes as functions of it.

``SegmentStore`` is a handle; these tests drive the functions on a core directly (no handle), check
that the handle answers exactly as they do, and that the modules of ``store/`` import one way.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

import twelvelabs_rag.store as store_pkg
from twelvelabs_rag.store import SegmentStore, StoreClosedError, _lifecycle, _reads, _writes

DIM = 8
MODEL = "shape-model"


def _columns(n: int) -> dict[str, object]:
    return {"video_ids": [f"v{i % 3}" for i in range(n)], "starts": [float(i) for i in range(n)],
            "ends": [float(i) + 1 for i in range(n)], "scopes": "clip", "options": "visual",
            "texts": [f"t{i}" for i in range(n)], "metadatas": [{"i": i} for i in range(n)]}


def _store_imports() -> dict[str, set[str]]:
    """``module -> store modules it imports`` for every module of store/, imports under TYPE_CHECKING included."""
    root = Path(store_pkg.__file__).parent
    names = {p.stem for p in root.glob("*.py")}
    graph: dict[str, set[str]] = {}
    for path in root.glob("*.py"):
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                deps.update([node.module] if node.module else [a.name for a in node.names])
        graph[path.stem] = deps & names
    return graph


def test_store_modules_import_one_way_and_only_the_package_imports_the_facade() -> None:
    graph = _store_imports()
    assert {m for m, deps in graph.items() if "_store" in deps} == {"__init__"}
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        for dep in sorted(graph[module]):
            assert dep not in path, f"import cycle: {' -> '.join((*path, dep))}"
            if dep not in done:
                visit(dep, (*path, dep))
        done.add(module)

    for module in sorted(graph):
        visit(module, (module,))


def test_reads_and_writes_are_functions_of_a_core_and_the_handle_answers_the_same() -> None:
    x = np.random.default_rng(3).standard_normal((12, DIM)).astype(np.float32)
    core = _lifecycle.new_core(DIM, MODEL, "flat")
    ids = _writes.add(core, x, **_columns(12))
    assert ids == list(range(12)) and core.dirty and core.next_id == 12
    assert _writes.delete(core, [ids[0]], {"video_id": "v0"}) == 1
    handle = SegmentStore(dim=DIM, model_name=MODEL)
    handle.add(x, **_columns(12))
    handle.delete([ids[0]], where={"video_id": "v0"})

    q, where = x[3] + 0.1, {"start": {"$gte": 2}}
    assert _reads.search(core, q, 4, where) == handle.search(q, k=4, where=where)
    assert _reads.search_batch(core, x[:3], 2, None) == handle.search_batch(x[:3], k=2)
    assert _reads.search_like(core, 5, 3, None) == handle.search_like(5, k=3)
    assert _reads.ids(core, {"video_id": "v0"}).tolist() == handle.ids(where={"video_id": "v0"}).tolist() == [3, 6, 9]
    assert [s.id for s in _reads.scan(core, None, False, 4)] == [s.id for s in handle.scan(batch_size=4)]
    got, want = _reads.get(core, [7, 0, 2]), handle.get([7, 0, 2])
    assert [(s.id, s.text, s.metadata) for s in got] == [(s.id, s.text, s.metadata) for s in want] == \
        [(7, "t7", {"i": 7}), (2, "t2", {"i": 2})]
    assert _reads.stats(core) == handle.stats()


def test_compact_publishes_a_new_state_and_leaves_the_one_a_reader_holds_intact() -> None:
    x = np.random.default_rng(5).standard_normal((10, DIM)).astype(np.float32)
    core = _lifecycle.new_core(DIM, MODEL, "flat")
    _writes.add(core, x, **_columns(10))
    _writes.delete(core, [1], None)  # 10% dead: below the automatic compaction
    held = core.state
    held_vectors = held.matrix().copy()
    _writes.compact(core)
    assert core.state is not held and core.state.n == 9 and held.n == 10
    assert np.array_equal(held.matrix(), held_vectors)  # a reader's state is never rewritten by compaction
    assert _reads.ids(core).tolist() == [0, *range(2, 10)]


def test_a_core_whose_last_handle_closed_refuses_writes_and_frees_its_directory(tmp_path: Path) -> None:
    core = _lifecycle.create(tmp_path / "s", DIM, MODEL, "flat")
    x = np.random.default_rng(1).standard_normal((2, DIM)).astype(np.float32)
    _writes.add(core, x, **_columns(2))
    assert core.release_handle()  # the last (only) handle let go
    with pytest.raises(StoreClosedError):
        _writes.add(core, x, **_columns(2))
    with pytest.raises(StoreClosedError):
        _writes.delete(core, [0], None)
    with pytest.raises(StoreClosedError):
        _lifecycle.save(core)
    with SegmentStore.open(tmp_path / "s") as again:  # the lock went with the last handle; nothing was saved
        assert len(again) == 0
