# %% [markdown]
# # 01 · Quickstart: the twelvelabs-rag client
#
# Index a few short clips, search them by text and by image, and ask Pegasus about a video
# (plain, streamed, and as JSON matching a schema).
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
# ## Create an index and upload with a progress bar
# `tasks.create_and_wait` uploads (after a local preflight of duration and resolution), then polls
# the task until it is `ready`; `on_progress` sees every poll.

# %%
from tqdm import tqdm

index = client.indexes.create(
    index_name="quickstart",
    models=[
        {"model_name": "marengo3.0", "model_options": ["visual", "audio"]},
        {"model_name": "pegasus1.2", "model_options": ["visual", "audio"]},
    ],
)
video_ids = {}
with tqdm(total=len(clips), unit="clip") as bar:
    for name, path in clips.items():
        task = client.tasks.create_and_wait(
            index_id=index.id,
            file=path,
            poll_interval=POLL,
            on_progress=lambda t, name=name: bar.set_postfix_str(f"{name}: {t.status}"),
        )
        video_ids[name] = task.video_id
        bar.update(1)
names = {v: k for k, v in video_ids.items()}
print(index.id, video_ids)

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
# ## Analyze with Pegasus: plain, streamed, structured

# %%
fox = video_ids["fox.mp4"]
answer = client.analyze(video_id=fox, prompt="What animal is in this video, and where is it?")
print(answer.data)
print(answer.finish_reason, answer.usage)

# %%
from twelvelabs_rag.types import TextGeneration

for event in client.analyze(video_id=fox, prompt="Describe the scenes one by one.", stream=True):
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
structured = client.analyze(video_id=fox, prompt="Which animals appear, and where?", response_format=schema)
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

# %%
client.indexes.delete(index.id)
client.close()
scratch.cleanup()  # the clips, stores and images written above
