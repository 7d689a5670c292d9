# %% [markdown]
# # 04 · Offline any-to-any search with a local `SegmentStore`
#
# Embed v2 video tasks (the current API; Marengo 3.0 on each clip's *asset*) give one vector per
# segment (per 4-second window here, for each of the visual, audio and transcription embeddings). They go into a local `SegmentStore` (FAISS-backed,
# on disk, no pickle). From then on, searching needs no API: text, image and audio queries are
# embedded once (and cached next to the store), and "more moments like this one" needs nothing at all.
#
# Without `TWELVELABS_API_KEY` the cells run on the in-process emulator (no network); with a key
# they run on the real API.

# %%
import os
import tempfile
from pathlib import Path

import numpy as np

from twelvelabs_rag import TwelveLabs
from twelvelabs_rag.store import SegmentStore
from twelvelabs_rag.testing.samples import make_audio, make_clip, make_image

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
scratch = tempfile.TemporaryDirectory(prefix="tlrag-nb04-")  # removed in the last cell
work = Path(scratch.name)
clips = {
    "wildlife.mp4": ("nature", '[0-4] a red fox runs through deep snow | "a red fox hunts near the forest edge"\n'
                     '[4-8] an eagle glides over a frozen lake | "an eagle scans the ice from above"\n'
                     '[8-12] the fox digs in the snow and catches a mouse | "the fox hunts by listening"'),
    "city.mp4": ("urban", '[0-4] a busy street at night with neon signs | "the city wakes up as the sun goes down"\n'
                 '[4-8] a yellow taxi drives through the rain | "a cab races through the downpour"\n'
                 '[8-12] people eat noodles at a night market | "welcome to the night market"'),
    "kitchen.mp4": ("food", '[0-4] a chef chops onions | "every good sauce starts with onions"\n'
                    '[4-8] pasta boils in a pot | "the pasta needs about ten minutes"\n'
                    '[8-12] the chef plates spaghetti with tomato sauce | "dinner is served"'),
    "beach.mp4": ("nature", '[0-4] a surfer rides a tall ocean wave | "a surfer catches the perfect wave"\n'
                  '[4-8] children build a sandcastle | "kids spend the afternoon building castles in the sand"\n'
                  '[8-12] the sun sets over the sea | "what a beautiful sunset"'),
}
paths = {name: make_clip(work / name, script) for name, (_, script) in clips.items()}

# %% [markdown]
# ## 1. Embed the videos (the only step that needs the API)
# Each clip is uploaded once as an asset, then embedded by an embed v2 task on that asset. (The
# classic flow's `client.embed.tasks` on the file gives the same kind of rows; `store.add_embedding_task`
# takes those.)

# %%
assets = {name: client.assets.upload(path) for name, path in paths.items()}
tasks = {
    name: client.embed.v2.tasks.create_and_wait(
        input_type="video", model_name="marengo3.0", poll_interval=POLL,
        video={"media_source": {"asset_id": asset.id}, "embedding_scope": ["clip"],
               "segmentation": {"strategy": "fixed", "fixed": {"duration_sec": 4}}},
    )
    for name, asset in assets.items()
}
first = next(iter(tasks.values()))
print(first.matrix.shape, sorted({d.embedding_option for d in first.data}))

# %% [markdown]
# ## 2. Fill a store on disk
# `add` files every segment (a row of `task.matrix`, with its window and embedding option) under
# the asset id; extra metadata (here the file name and a topic) goes with each row and can be
# filtered on.

# %%
store_dir = work / "segments.tlstore"
store = SegmentStore.create(store_dir, dim=first.matrix.shape[1], model_name="marengo3.0")
ids = {}
for name, task in tasks.items():
    ids[name] = store.add(
        task.matrix, video_ids=assets[name].id, starts=[d.start_sec for d in task.data],
        ends=[d.end_sec for d in task.data], options=[d.embedding_option for d in task.data], scopes="clip",
        metadatas=[{"filename": name, "topic": clips[name][0], "asset_id": assets[name].id}] * len(task.data),
    )
store.save()
video_name = {asset.id: name for name, asset in assets.items()}
store.stats()


# %%
def show(hits, n=5):
    """One line per hit: file, time range, which embedding matched, cosine similarity."""
    for h in hits[:n]:
        print(f"{h.metadata['filename']:13} {h.start:4.1f}-{h.end:4.1f}s  {h.option:13}  {h.score:.3f}")


# %% [markdown]
# ## 3. Any-to-any queries
# **Text → moments**

# %%
show(store.search_text("a yellow taxi in the rain", client=client, k=5))

# %% [markdown]
# **Image → moments** (the emulator reads a PNG's `Description` text chunk as what it shows)

# %%
query_image = make_image(work / "wave.png", "a surfer riding a big ocean wave")
show(store.search_image(query_image, client=client, k=5))

# %% [markdown]
# **Audio → moments** (a WAV's comment chunk is what it says)

# %%
query_audio = make_audio(work / "market.wav", "welcome to the night market", seconds=2)
show(store.search_audio(query_audio, client=client, k=5))

# %% [markdown]
# **Moment → similar moments**: a stored segment is the query; no API call, no query embedding.

# %%
seed = next(s for s in store.get(ids["wildlife.mp4"]) if s.start == 0 and s.option == "visual")
print("like:", video_name[seed.video_id], seed.start, seed.end, seed.option)
show(store.search_like(seed.id, k=5, where={"option": "visual"}))

# %% [markdown]
# ## 4. Filters
# `where` is evaluated on the columns before the search, so results are exact and there are
# always `min(k, matches)` of them. Keys: `video_id`, `start`, `end`, `scope`, `option`, `text`
# and metadata keys; operators `$eq $ne $in $nin $gt $gte $lt $lte`, and `$and $or $not`.

# %%
show(store.search_text("animals in the snow", client=client, k=3, where={"topic": "nature", "option": "visual"}))
print()
show(store.search_text("animals in the snow", client=client, k=3,
                       where={"$and": [{"start": {"$gte": 4}}, {"filename": {"$ne": "wildlife.mp4"}}]}))

# %% [markdown]
# ## 5. Offline, for real
# Query vectors are cached in the store directory, so after the client is closed (or in a new
# process, with no key at all) the same queries still work. Reopen the store read-only and
# memory-mapped, the way a search service would:

# %%
client.close()
store.close()
reader = SegmentStore.open(store_dir, read_only=True, mmap=True)
show(reader.search_text("a yellow taxi in the rain", k=3))  # no client: served from the query cache

# %% [markdown]
# ## 6. Plots
# A timeline per video of where each query's best moments fall (opacity = score), and a 2-D
# projection of every segment (PCA through numpy's SVD): colour is the video, marker the embedding.

# %%
import matplotlib.pyplot as plt

from twelvelabs_rag.cli import Hit, timeline_figure

queries = {
    "text: taxi in the rain": reader.search_text("a yellow taxi in the rain", k=3),
    "image: wave.png": reader.search_image(query_image, k=3),
    "audio: market.wav": reader.search_audio(query_audio, k=3),
    "like: fox in snow": reader.search_like(seed.id, k=3, where={"option": "visual"}),
}
names = list(clips)
# A hit's opacity is its score (the legend shows the scale); hits under the relevance floor (0.05)
# are unrelated moments, not matches: they are left out, and a note under the plot counts them.
hits = [Hit(label, h.metadata["filename"], h.start, h.end, h.score) for label, found in queries.items() for h in found]
fig = timeline_figure({name: 12.0 for name in names}, hits, title="Where each query's top moments fall",
                      figure=plt.figure())
# %%
segments = reader.get([i for name in names for i in ids[name]])
X = np.stack([s.vector for s in segments])
X = X - X.mean(axis=0)
_, singular, vt = np.linalg.svd(X, full_matrices=False)
xy = X @ vt[:2].T
explained = (singular[:2] ** 2).sum() / (singular**2).sum()
fig, ax = plt.subplots(figsize=(6, 4.5))
markers = {"visual": "o", "audio": "^", "transcription": "s"}
for colour, name in zip(["tab:red", "tab:blue", "tab:green", "tab:orange"], names, strict=False):  # more colours than names is fine
    for option, marker in markers.items():
        mask = np.array([s.metadata["filename"] == name and s.option == option for s in segments])
        if mask.any():
            ax.scatter(xy[mask, 0], xy[mask, 1], color=colour, marker=marker, alpha=0.8,
                       label=name if option == "visual" else None)
ax.set_xlabel("first principal component")
ax.set_ylabel("second principal component")
ax.set_title(f"Segments in 2-D (PCA, {explained:.0%} of the variance)")
video_legend = ax.legend(title="video (colour)", frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
ax.add_artist(video_legend)
ax.legend(handles=[plt.Line2D([], [], color="grey", marker=m, linestyle="", label=o) for o, m in markers.items()],
          title="embedding (marker)", frameon=False, loc="lower left", bbox_to_anchor=(1.01, 0))
fig.tight_layout()

# %%
assert xy.shape == (len(segments), 2)
reader.close()
scratch.cleanup()  # the clips, stores and images written above
