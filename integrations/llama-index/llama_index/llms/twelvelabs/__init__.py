"""TwelveLabs Pegasus as a LlamaIndex LLM bound to one video.

Example (offline, against the bundled emulator)::

    import tempfile, pathlib
    from twelvelabs_rag.testing import FakeTwelveLabs
    from twelvelabs_rag.testing.samples import make_clip
    from llama_index.llms.twelvelabs import TwelveLabsPegasus

    fake = FakeTwelveLabs(task_statuses=("ready",))  # the emulator indexes instantly
    client = fake.client()
    index = client.indexes.create(index_name="demo", models=[
        {"model_name": "marengo2.7", "model_options": ["visual", "audio"]},
        {"model_name": "pegasus1.2", "model_options": ["visual", "audio"]}])
    clip = make_clip(pathlib.Path(tempfile.mkdtemp()) / "fox.mp4", "[0-4] a red fox runs through snow")
    task = client.tasks.create_and_wait(index_id=index.id, file=clip)
    llm = TwelveLabsPegasus(video_id=task.video_id, client=client)
    print(llm.complete("What animal appears?").text)
"""

from llama_index.llms.twelvelabs.base import PROMPT_TOKEN_LIMIT, TwelveLabsPegasus, json_schema_for

__all__ = ["TwelveLabsPegasus", "PROMPT_TOKEN_LIMIT", "json_schema_for"]
