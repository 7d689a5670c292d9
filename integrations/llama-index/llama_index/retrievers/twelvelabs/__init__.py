"""TwelveLabs search retriever for LlamaIndex: one node per matching clip.

Example (offline, against the bundled emulator)::

    import tempfile, pathlib
    from twelvelabs_rag.testing import FakeTwelveLabs
    from twelvelabs_rag.testing.samples import make_clip
    from llama_index.retrievers.twelvelabs import TwelveLabsRetriever

    fake = FakeTwelveLabs(task_statuses=("ready",))  # the emulator indexes instantly
    client = fake.client()
    index = client.indexes.create(index_name="demo", models=[{"model_name": "marengo2.7", "model_options": ["visual", "audio"]}])
    clip = make_clip(pathlib.Path(tempfile.mkdtemp()) / "fox.mp4", "[0-4] a red fox runs through snow\\n[4-8] a dog sleeps")
    client.tasks.create_and_wait(index_id=index.id, file=clip)
    retriever = TwelveLabsRetriever(index.id, client=client, similarity_top_k=2)
    print(retriever.retrieve("fox in the snow")[0].node.metadata["start"])
"""

from llama_index.retrievers.twelvelabs.base import TwelveLabsRetriever, clip_node_id

__all__ = ["TwelveLabsRetriever", "clip_node_id"]
