# %% [markdown]
# # 02 · Video RAG with LangChain
#
# Loader → retriever → Pegasus chat that answers about the **retrieved moment** (asset + time range),
# then structured output. Everything comes from `langchain-twelvelabs`, on the current API: a
# Marengo 3.0 index, videos uploaded as assets, Pegasus 1.5 analyzing the asset directly.
# (`api_shape="classic"` on the loader gives the older `/tasks` + Pegasus 1.2 flow.)
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
scratch = tempfile.TemporaryDirectory(prefix="tlrag-nb02-")  # removed in the last cell
work = Path(scratch.name)
scripts = {
    "wildlife.mp4": '[0-4] a red fox runs through deep snow | "a red fox hunts near the forest edge"\n'
    '[4-8] an eagle glides over a frozen lake | "an eagle scans the ice from above"\n'
    '[8-12] the fox digs in the snow and catches a mouse | "the fox hunts by listening"',
    "city.mp4": '[0-4] a busy street at night with neon signs | "the city wakes up as the sun goes down"\n'
    '[4-8] a yellow taxi drives through the rain | "a cab races through the downpour"\n'
    '[8-12] people eat noodles at a night market | "welcome to the night market"',
    "kitchen.mp4": '[0-4] a chef chops onions | "every good sauce starts with onions"\n'
    '[4-8] pasta boils in a pot | "the pasta needs about ten minutes"\n'
    '[8-12] the chef plates spaghetti with tomato sauce | "dinner is served"',
}
paths = [make_clip(work / name, script) for name, script in scripts.items()]

# %% [markdown]
# ## 1. Load: index the videos and describe each one
# `TwelveLabsVideoLoader` creates a Marengo 3.0 index (or uses `index_id=`), uploads each file it has
# not seen before as an asset (multipart with resume for large files; the same file, even one still
# processing, is reused), indexes the asset, and returns one `Document` per video with Pegasus'
# timestamped description and the transcript. Metadata carries `video_id` and `asset_id`.

# %%
from langchain_twelvelabs import TwelveLabsVideoLoader

loader = TwelveLabsVideoLoader(
    paths,
    index_name="nb02-langchain",
    client=client,
    poll_interval=POLL,
    show_progress=False,
)
docs = loader.load()
index_id = docs[0].metadata["index_id"]
for doc in docs:
    print(doc.metadata["filename"], doc.metadata["asset_id"], "|", doc.page_content[:90].replace("\n", " "), "...")

# %% [markdown]
# ## 2. Retrieve moments
# `TwelveLabsSearchRetriever` runs TwelveLabs search on the index: one `Document` per clip, with
# `video_id`, `asset_id`, `start`, `end`, `filename` and `rank` in its metadata (Marengo 3.0 ranks
# hits; it returns no scores). `format_citation` turns one into `[file mm:ss-mm:ss]`.

# %%
from langchain_twelvelabs import TwelveLabsSearchRetriever, format_citation

retriever = TwelveLabsSearchRetriever(index_id=index_id, k=3, client=client)
moments = retriever.invoke("an animal hunting in the snow")
for doc in moments:
    print(format_citation(doc), doc.metadata["rank"], doc.page_content)

# %% [markdown]
# ## 3. Answer with cited moments
# The chain retrieves moments, puts them (with their citations) into the prompt, and asks Pegasus
# about the best moment itself: its asset, from `start` to `end`. The answer comes back together
# with the moments it was grounded on.

# %%
from langchain_core.output_parsers import StrOutputParser
from langchain_core.runnables import RunnableLambda, RunnablePassthrough

from langchain_twelvelabs import ChatTwelveLabsPegasus

chat = ChatTwelveLabsPegasus(client=client, temperature=0.2)


def ask_pegasus(inputs):
    found = "\n".join(f"- {format_citation(d)} {d.page_content}" for d in inputs["moments"])
    prompt = f"Answer in one sentence. Moments found by search:\n{found}\n\nQuestion: {inputs['question']}"
    best = inputs["moments"][0].metadata
    return chat.invoke(prompt, asset_id=best["asset_id"], start_time=best["start"], end_time=best["end"])


rag = {"moments": retriever, "question": RunnablePassthrough()} | RunnablePassthrough.assign(
    answer=RunnableLambda(ask_pegasus) | StrOutputParser()
)
result = rag.invoke("How does the fox find its prey?")
print(result["answer"])
print("sources:", ", ".join(format_citation(d) for d in result["moments"]))

# %% [markdown]
# Streaming works as with any chat model:

# %%
city = next(d.metadata["asset_id"] for d in docs if d.metadata["filename"] == "city.mp4")
for chunk in chat.stream("What is the weather like in this video?", asset_id=city):
    print(chunk.text, end="", flush=True)
print()

# %% [markdown]
# ## 4. Structured output
# `with_structured_output` sends the schema as the analyze `response_format`: Pegasus answers
# with JSON that is parsed into the pydantic model.

# %%
from pydantic import BaseModel, Field


class VideoFacts(BaseModel):
    """Facts about one video."""

    subjects: list[str] = Field(description="the main things or beings shown")
    setting: str = Field(description="where it takes place")


kitchen = next(d.metadata["asset_id"] for d in docs if d.metadata["filename"] == "kitchen.mp4")
facts = ChatTwelveLabsPegasus(client=client, asset_id=kitchen).with_structured_output(VideoFacts)
answer = facts.invoke("What is shown, and where?")
answer

# %%
assert isinstance(answer, VideoFacts)
client.indexes.delete(index_id)
scratch.cleanup()  # the clips, stores and images written above
