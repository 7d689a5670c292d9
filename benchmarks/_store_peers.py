"""The incumbents, driven the way their docs show: langchain-community ``FAISS`` and llama-index ``FaissVectorStore``.

Both are optional (``python3 dev.py bench`` installs them); every function returns ``None`` when
the package is missing so the benchmark still runs.
"""

from __future__ import annotations

import warnings

import faiss
import numpy as np

warnings.filterwarnings("ignore")


def langchain_available() -> bool:
    try:
        import langchain_community.vectorstores  # noqa: F401
    except ImportError:
        return False
    return True


def llama_available() -> bool:
    try:
        import llama_index.vector_stores.faiss  # noqa: F401
    except ImportError:
        return False
    return True


def langchain_inputs(data: dict) -> tuple[list, list[dict]]:
    n = data["x"].shape[0]
    texts = [f"segment {i}" for i in range(n)]
    metas = [
        {"video_id": v, "start": float(s), "end": float(e), "scope": sc, "option": o}
        for v, s, e, sc, o in zip(data["video_ids"], data["starts"].tolist(), data["ends"].tolist(),
                                  data["scopes"], data["options"], strict=True)
    ]
    return texts, metas


def langchain_build(data: dict, texts: list, metas: list):
    """An empty ``FAISS`` (inner product on unit vectors = cosine) plus one ``add_embeddings`` call."""
    from langchain_community.docstore.in_memory import InMemoryDocstore
    from langchain_community.vectorstores import FAISS
    from langchain_community.vectorstores.utils import DistanceStrategy
    from langchain_core.embeddings import Embeddings

    class NoEmbeddings(Embeddings):
        def embed_documents(self, texts):  # pragma: no cover - never called
            raise NotImplementedError

        def embed_query(self, text):  # pragma: no cover - never called
            raise NotImplementedError

    d = data["x"].shape[1]
    store = FAISS(NoEmbeddings(), faiss.IndexFlatIP(d), InMemoryDocstore(), {},
                  distance_strategy=DistanceStrategy.MAX_INNER_PRODUCT)
    # numpy rows (not lists): the cheapest input LangChain accepts, so this favours the peer
    store.add_embeddings(list(zip(texts, data["x"], strict=True)), metadatas=metas)
    return store


def langchain_search(store, q: np.ndarray, k: int, video_id: str | None = None, fetch_k: int = 20) -> list[int]:
    flt = None if video_id is None else {"video_id": video_id}
    docs = store.similarity_search_with_score_by_vector(q.tolist(), k=k, filter=flt, fetch_k=fetch_k)
    return [int(doc.page_content.split()[1]) for doc, _ in docs]


def llama_nodes(data: dict) -> list:
    from llama_index.core.schema import TextNode

    x = data["x"]
    return [
        TextNode(text=f"segment {i}", id_=f"n{i}", embedding=x[i].tolist(),
                 metadata={"video_id": v, "start": float(s), "end": float(e)})
        for i, (v, s, e) in enumerate(zip(data["video_ids"], data["starts"].tolist(), data["ends"].tolist(), strict=True))
    ]


def llama_build(data: dict, nodes: list):
    from llama_index.vector_stores.faiss import FaissVectorStore

    store = FaissVectorStore(faiss_index=faiss.IndexFlatIP(data["x"].shape[1]))
    store.add(nodes)
    return store


def llama_search(store, q: np.ndarray, k: int) -> list:
    from llama_index.core.vector_stores.types import VectorStoreQuery

    return store.query(VectorStoreQuery(query_embedding=q.tolist(), similarity_top_k=k)).ids
