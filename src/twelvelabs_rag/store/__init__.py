"""Local, offline search over TwelveLabs segment embeddings: :class:`SegmentStore`.

```python
from twelvelabs_rag.store import SegmentStore

store = SegmentStore.create("fox.tlstore", dim=512, model_name="marengo3.0")
store.add_embedding_task(task)                  # a retrieved client.embed.tasks result
hits = store.search_text("a fox in the snow", client=client, where={"scope": "clip"})
store.save()
```
"""

from ._errors import (
    ColumnLengthError,
    CorruptStoreError,
    DimensionMismatchError,
    FilterError,
    InvalidInputError,
    InvalidVectorError,
    ModelMismatchError,
    ReadOnlyStoreError,
    SegmentNotFoundError,
    StoreClosedError,
    StoreError,
    StoreExistsError,
    StoreLockedError,
    StoreNotFoundError,
    StoreWriteError,
    UnsupportedFormatError,
)
from ._ingest import from_task as task_columns
from ._ingest import from_video as video_columns
from ._models import Hit, Segment
from ._persist import save_steps
from ._store import SegmentStore

__all__ = [
    "SegmentStore",
    "Hit",
    "Segment",
    "task_columns",
    "video_columns",
    "StoreError",
    "StoreClosedError",
    "ReadOnlyStoreError",
    "StoreLockedError",
    "StoreWriteError",
    "StoreExistsError",
    "StoreNotFoundError",
    "CorruptStoreError",
    "UnsupportedFormatError",
    "SegmentNotFoundError",
    "InvalidInputError",
    "DimensionMismatchError",
    "ModelMismatchError",
    "InvalidVectorError",
    "ColumnLengthError",
    "FilterError",
]

# The shared interface and the Milvus backend (pymilvus is imported only when a MilvusSegmentStore is made).
from ._milvus import MilvusSegmentStore
from ._protocol import SegmentIndex

__all__ += ["SegmentIndex", "MilvusSegmentStore"]
__all__ += ["save_steps"]
