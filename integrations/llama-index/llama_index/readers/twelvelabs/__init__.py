"""TwelveLabs video reader for LlamaIndex: index videos, read them back as Documents.

Example (offline, against the bundled emulator)::

    import tempfile, pathlib
    from twelvelabs_rag.testing import FakeTwelveLabs
    from twelvelabs_rag.testing.samples import make_clip
    from llama_index.readers.twelvelabs import TwelveLabsVideoReader

    fake = FakeTwelveLabs(task_statuses=("ready",))  # the emulator indexes instantly
    client = fake.client()
    index = client.indexes.create(index_name="demo", models=[
        {"model_name": "marengo2.7", "model_options": ["visual", "audio"]},
        {"model_name": "pegasus1.2", "model_options": ["visual", "audio"]}])
    clip = make_clip(pathlib.Path(tempfile.mkdtemp()) / "fox.mp4", "[0-4] a red fox runs through snow")
    reader = TwelveLabsVideoReader(index_id=index.id, client=client, show_progress=False)
    docs = reader.load_data([clip])
    print(docs[0].metadata["filename"], docs[0].text[:60])
"""

from llama_index.readers.twelvelabs.base import DEFAULT_PROMPT, TwelveLabsVideoReader
from twelvelabs_rag.moments import parse_timestamped

__all__ = ["TwelveLabsVideoReader", "DEFAULT_PROMPT", "parse_timestamped"]
