"""External ids come back from Milvus like from the local store: on ``get``, ``scan`` and every search path
(the framework vector stores key their documents on them). Regression: MilvusSegmentStore fetched the
``external_id`` field but left it out of the Segment and Hit records, so a LangChain/LlamaIndex store on
Milvus returned row numbers instead of the document ids."""

from __future__ import annotations

import numpy as np

from twelvelabs_rag.store import SegmentStore


def _rows() -> dict:
    vecs = np.eye(8, dtype=np.float32)[:3]
    return {"vectors": vecs, "video_ids": ["v1", "v1", "v2"], "starts": [0, 4, 0], "ends": [4, 8, 4],
            "scopes": "clip", "options": "visual", "external_ids": ["doc-a", None, "doc-c"]}


def test_external_ids_on_get_scan_and_search(make_milvus) -> None:
    milvus = make_milvus()
    local = SegmentStore.create(None, dim=8, model_name="milvus-test-model")
    for store in (local, milvus):
        rows = _rows()
        ids = store.add(rows.pop("vectors"), **rows)
        assert [s.external_id for s in store.get(ids)] == ["doc-a", None, "doc-c"]
        assert sorted(str(s.external_id) for s in store.scan()) == ["None", "doc-a", "doc-c"]
        q = np.eye(8, dtype=np.float32)[2]
        assert store.search(q, k=1)[0].external_id == "doc-c"  # unfiltered
        assert store.search(q, k=1, where={"video_id": "v2"})[0].external_id == "doc-c"  # filtered (exact path)
        assert store.ids(where={"external_id": {"$in": ["doc-a", "doc-c"]}}).tolist() == [ids[0], ids[2]]
    local.close()
