# %% [markdown]
# # 03 · A LlamaIndex query engine over videos
#
# Reader → retriever → query engine (Pegasus answers, the retrieved clips are the sources) →
# streaming. Everything comes from the `llama-index-*-twelvelabs` packages.
#
# Without `TWELVELABS_API_KEY` the cells run on the in-process emulator (no network); with a key
# they run on the real API.

# %%
import os
import tempfile
from pathlib import Path

from twelvelabs_rag import TwelveLabs
from twelvelabs_rag.testing.samples import make_clip

if os.environ.get("TWELVELABS_API_KEY"):
    client = TwelveLabs()
    POLL = None
    MODE = "real API"
else:
    from twelvelabs_rag.testing import FakeTwelveLabs

    client = FakeTwelveLabs(seed=0).client()
    POLL = 0.0
    MODE = "emulator"
print(MODE)

# %%
scratch = tempfile.TemporaryDirectory(prefix="tlrag-nb03-")  # removed in the last cell
work = Path(scratch.name)
scripts = {
    "kitchen.mp4": '[0-4] a chef chops onions and garlic | "every good sauce starts with onions and garlic"\n'
    '[4-8] fresh pasta boils in a large pot | "the pasta needs about ten minutes"\n'
    '[8-12] the chef plates spaghetti with tomato sauce | "dinner is served"',
    "beach.mp4": '[0-4] a surfer rides a tall ocean wave | "a surfer catches the perfect wave"\n'
    '[4-8] children build a sandcastle | "kids spend the afternoon building castles in the sand"\n'
    '[8-12] the sun sets over the sea | "what a beautiful sunset"',
    "wildlife.mp4": '[0-4] a red fox runs through deep snow | "a red fox hunts near the forest edge"\n'
    '[4-8] an eagle glides over a frozen lake | "an eagle scans the ice from above"',
}
paths = [make_clip(work / name, script) for name, script in scripts.items()]
from twelvelabs_rag.flow import choose_flow

# The current flow: a Marengo 3.0 index (Pegasus 1.5 needs no index, it analyzes assets).
# choose_flow("classic").index_models would give the older Marengo 2.7 + Pegasus 1.2 index.
index = client.indexes.create(index_name="nb03-llamaindex", models=choose_flow().index_models)

# %% [markdown]
# ## 1. Read: index the files and load them as Documents
# `TwelveLabsVideoReader` preflights every file, uploads the new ones as assets (a file already
# uploaded, even one still processing, is not uploaded twice), indexes them, and returns one
# `Document` per video: Pegasus 1.5's timestamped description of the asset plus the transcript.
# Metadata carries `video_id` (the indexed asset) and `asset_id`. `mode="segments"` gives one
# Document per timestamped chunk.

# %%
from llama_index.readers.twelvelabs import TwelveLabsVideoReader

reader = TwelveLabsVideoReader(index_id=index.id, client=client, poll_interval=POLL, show_progress=False)
documents = reader.load_data(paths)
for doc in documents:
    print(doc.metadata["filename"], doc.metadata["asset_id"], "|", doc.text[:80].replace("\n", " "), "...")
video_of = {doc.metadata["filename"]: doc.metadata["video_id"] for doc in documents}
asset_of = {doc.metadata["filename"]: doc.metadata["asset_id"] for doc in documents}

# %%
segments = TwelveLabsVideoReader(index_id=index.id, client=client, mode="segments", show_progress=False).load_data(
    video_ids=[video_of["beach.mp4"]]
)
[(d.metadata["start"], d.metadata["end"], d.text) for d in segments]

# %% [markdown]
# ## 2. Retrieve clips
# `TwelveLabsRetriever` runs TwelveLabs search: one node per clip, with `video_id`, `asset_id`,
# `start`, `end`, `rank` and `filename` in the metadata (node ids are unique per clip, so LlamaIndex
# never merges two). Marengo 3.0 ranks clips without a score; the node's `score` is then `1 / rank`,
# an order, not a relevance, and the metadata says so: `score_kind="rank"`.

# %%
from llama_index.retrievers.twelvelabs import TwelveLabsRetriever

retriever = TwelveLabsRetriever(index.id, client=client, similarity_top_k=3, search_options=("visual", "audio"))
for hit in retriever.retrieve("pasta cooking on the stove"):
    meta = hit.node.metadata
    # Marengo 3.0 returns ranks, not scores: the node score is 1/rank, so print the rank itself.
    print(f"{meta['filename']:12} {meta['start']:4.1f}-{meta['end']:4.1f}s  rank={meta['rank']} "
          f"({meta['score_kind']})  {hit.node.text}")

# %% [markdown]
# ## 3. Query engine
# A query engine hands its LLM only a prompt, so `TwelveLabsPegasus` is bound to one video: here
# the asset of the best match, narrowed to that moment (`start_time`/`end_time`).
# `response_mode="simple_summarize"` makes exactly one Pegasus call.

# %%
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.llms.twelvelabs import TwelveLabsPegasus

question = "How is the pasta served?"
best = retriever.retrieve(question)[0].node.metadata
llm = TwelveLabsPegasus(asset_id=best["asset_id"], start_time=best["start"], end_time=best["end"],
                        client=client, temperature=0.2)
engine = RetrieverQueryEngine.from_args(retriever, llm=llm, response_mode="simple_summarize")
response = engine.query(question)
print(response.response)
for source in response.source_nodes:
    meta = source.node.metadata
    print(f"  source: {meta['filename']} {meta['start']:.0f}-{meta['end']:.0f}s")

# %% [markdown]
# ## 4. Streaming
# With `streaming=True` the answer arrives as Pegasus generates it (NDJSON events underneath).

# %%
streaming_engine = RetrieverQueryEngine.from_args(
    retriever, llm=TwelveLabsPegasus(asset_id=asset_of["beach.mp4"], client=client), streaming=True,
    response_mode="simple_summarize",
)
streamed = streaming_engine.query("What happens when the sun sets over the sea?")
chunks = []
for delta in streamed.response_gen:
    chunks.append(delta)
    print(delta, end="", flush=True)
print(f"\n({len(chunks)} chunks)")

# %% [markdown]
# The LLM can also be used on its own, for example for a quick summary of one video:

# %%
print(TwelveLabsPegasus(asset_id=asset_of["wildlife.mp4"], client=client).complete("Summarise the video.").text)

# %%
assert chunks and response.source_nodes
client.indexes.delete(index.id)
scratch.cleanup()  # the clips, stores and images written above
