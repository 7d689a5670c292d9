# %% [markdown]
# # 01 · Quickstart: the twelvelabs-rag client
#
# Upload a few short clips as assets, index them into a Marengo 3.0 index, search them by text and
# by image, and ask Pegasus 1.5 about an asset -- or just the moment a search found (plain, streamed,
# and as JSON matching a schema). This is the current API flow; the classic one (`/tasks`, Pegasus 1.2
# on a `video_id`) is one argument away, see the last section.
#
# **No key needed.** Without `TWELVELABS_API_KEY` the notebook starts the in-process emulator
# (`twelvelabs_rag.testing.FakeTwelveLabs`): no network, instant tasks. With a key set, the same
# cells run against the real API.

# %%
import json
import os
import tempfile
from pathlib import Path

from twelvelabs_rag import APIStatusError, TwelveLabs
from twelvelabs_rag.testing.samples import make_clip, make_image

if os.environ.get("TWELVELABS_API_KEY"):
    client = TwelveLabs()  # key from TWELVELABS_API_KEY, base URL from TWELVELABS_BASE_URL or the default
    POLL = None  # the client's default polling interval
    MODE = "real API"
else:
    from twelvelabs_rag.testing import FakeTwelveLabs

    fake = FakeTwelveLabs(seed=0)
    client = fake.client()  # an ordinary TwelveLabs client whose transport is the emulator
    POLL = 0.0  # emulator tasks advance one step per poll: no need to wait between polls
    MODE = "emulator"
print(MODE, "-", client)  # the repr never shows the key

# %% [markdown]
# ## Sample clips
# The emulator does not look at pixels: a clip's meaning is a script of timed scenes kept in
# its `comment` tag (`[0-4] a red fox runs through snow`). `make_clip` writes a real H.264 MP4.

# %%
scratch = tempfile.TemporaryDirectory(prefix="tlrag-nb01-")  # removed in the last cell
work = Path(scratch.name)
scripts = {
    "fox.mp4": '[0-4] a red fox runs through deep snow | "a red fox hunts near the forest edge"\n'
    '[4-8] an eagle flies over a frozen lake | "an eagle circles above the ice"',
    "city.mp4": '[0-4] a yellow taxi drives through the rain at night | "the city glistens in the rain"\n'
    '[4-8] people eat noodles at a night market | "welcome to the night market"',
    "kitchen.mp4": '[0-4] a chef chops onions | "every good sauce starts with onions"\n'
    '[4-8] pasta boils in a pot on the stove | "the pasta needs about ten minutes"',
}
clips = {name: make_clip(work / name, script) for name, script in scripts.items()}
{name: path.stat().st_size for name, path in clips.items()}

# %% [markdown]
# ## Upload assets, then index them (with a progress bar)
# `assets.upload` sends a file once (direct up to 200 MB, else a resumable multipart session) and
# waits until the asset is `ready`; `indexes.indexed_assets.create_and_wait` indexes it into a
# `marengo3.0` index. Pegasus needs no index: it analyzes assets directly. The flow decision
# (`twelvelabs_rag.flow.choose_flow`) says which models a new index gets.

# %%
from tqdm import tqdm

from twelvelabs_rag.flow import choose_flow

flow = choose_flow()  # the current flow: marengo3.0 index, assets, pegasus1.5, embed v2
index = client.indexes.create(index_name="quickstart", models=flow.index_models)
video_ids, asset_ids = {}, {}
with tqdm(total=len(clips), unit="clip") as bar:
    for name, path in clips.items():
        asset = client.assets.upload(path)
        indexed = client.indexes.indexed_assets.create_and_wait(
            index.id,
            asset_id=asset.id,
            poll_interval=POLL,
            on_progress=lambda ia, name=name: bar.set_postfix_str(f"{name}: {ia.status}"),
        )
        video_ids[name], asset_ids[name] = indexed.id, asset.id  # search calls the indexed asset `video_id`
        bar.update(1)
names = {v: k for k, v in video_ids.items()}
print(flow.shape, [m["model_name"] for m in flow.index_models], index.id, asset_ids)

# %% [markdown]
# Lists are lazy iterators that walk every page:

# %%
for video in client.indexes.videos.list(index.id):
    print(video.id, video.system_metadata.filename, video.system_metadata.duration)

# %% [markdown]
# ## Search by text, then by image
# `search.query` yields every hit across pages; `search.create` returns one page.

# %%
for hit in client.search.query(index_id=index.id, query_text="a taxi in the rain", search_options=("visual", "audio")):
    print(f"{names[hit.video_id]:12} {hit.start:5.1f}-{hit.end:5.1f}s  rank={hit.rank}")

# %%
query_image = make_image(work / "fox.png", "a red fox in the snow")
page = client.search.create(
    index_id=index.id, query_media_type="image", query_media_file=query_image, search_options=("visual",)
)
[(names[h.video_id], h.start, h.end) for h in page.data[:3]]

# %% [markdown]
# ## Analyze with Pegasus 1.5: plain, streamed, structured
# Pegasus is pointed at an asset (`video={"type": "asset_id", ...}`); `start_time`/`end_time` ask
# about one window, e.g. the moment a search found. `AssetIds` maps a hit's `video_id` to its asset.

# %%
from twelvelabs_rag.flow import AssetIds

fox = {"type": "asset_id", "asset_id": asset_ids["fox.mp4"]}
answer = client.analyze(video=fox, prompt="What animal is in this video, and where is it?", model_name=flow.pegasus)
print(answer.data)
print(answer.finish_reason, answer.usage)

top = next(iter(client.search.query(index_id=index.id, query_text="an eagle over a frozen lake")))
moment = {"type": "asset_id", "asset_id": AssetIds().resolve(client, index.id, top.video_id)}
window = client.analyze(video=moment, prompt="What happens here?", model_name=flow.pegasus,
                        start_time=top.start, end_time=top.end)
print(names[top.video_id], top.start, top.end, "->", window.data)

# %%
from twelvelabs_rag.types import TextGeneration

for event in client.analyze(video=fox, prompt="Describe the scenes one by one.", model_name=flow.pegasus,
                            stream=True):
    if isinstance(event, TextGeneration):
        print(event.text, end="", flush=True)
print()

# %% [markdown]
# With `response_format` (a JSON schema dict, or a pydantic model class) the answer is a JSON
# document matching the schema.

# %%
schema = {
    "type": "object",
    "properties": {
        "animals": {"type": "array", "items": {"type": "string"}},
        "setting": {"type": "string"},
    },
    "required": ["animals", "setting"],
}
structured = client.analyze(video=fox, prompt="Which animals appear, and where?", model_name=flow.pegasus,
                            response_format=schema)
facts = json.loads(structured.data)
facts

# %% [markdown]
# ## Errors are typed
# Every error derives from `TwelveLabsError`; API errors are `APIStatusError` subclasses chosen by
# status code (`NotFoundError` for 404, `BadRequestError` for 400, ...) and carry `status_code`,
# `code` and `message`. An unknown index id is a 400 `resource_not_exist`, as the API documents.

# %%
try:
    client.indexes.retrieve("0000000000000000deadbeef")
except APIStatusError as exc:
    print(type(exc).__name__, exc.status_code, exc.code, "-", exc.message)

# %% [markdown]
# ## Async twin
# `AsyncTwelveLabs` has the same surface with `await` (top-level `await` works in notebooks).

# %%
if MODE == "emulator":
    aclient = fake.async_client()
else:
    from twelvelabs_rag import AsyncTwelveLabs

    aclient = AsyncTwelveLabs()
async with aclient:
    hits = [h async for h in aclient.search.query(index_id=index.id, query_text="noodles at a night market")]
[(names[h.video_id], h.start, h.end) for h in hits[:3]]

# %% [markdown]
# ## The classic flow
# Accounts with existing `marengo2.7`/`pegasus1.2` indexes keep them: `choose_flow(api_shape="classic")`
# (or `choose_flow(index=...)`, which follows an index's models) gives the classic index models,
# `/tasks` uploads and Pegasus 1.2 by `video_id`.

# %%
classic = choose_flow(api_shape="classic")
old_index = client.indexes.create(index_name="quickstart-classic", models=classic.index_models)
task = client.tasks.create_and_wait(index_id=old_index.id, file=clips["fox.mp4"], poll_interval=POLL)
print(classic.shape, classic.pegasus, client.analyze(video_id=task.video_id, prompt="Which animal?").data)
client.indexes.delete(old_index.id)

# %%
client.indexes.delete(index.id)
client.close()
scratch.cleanup()  # the clips, stores and images written above
