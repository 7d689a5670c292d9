"""``tlrag demo``: the whole library end to end, on the embedded emulator or (with a key) the real API.

Two flows (``twelvelabs_rag.flow``): the current one by default (a Marengo 3.0 index, assets +
indexed assets, Pegasus 1.5 on assets, embed v2 into the local store) and ``--classic`` (a Marengo
2.7 + Pegasus 1.2 index, ``/tasks``, Pegasus on ``video_id``, embed v1). The output names the flow and
its models and prints the wall time of every step.

Steps: sample media -> index -> upload (progress bar) -> LangChain retrieval chain with citations ->
LlamaIndex query engine -> embeddings into a local SegmentStore -> offline any-to-any search ->
a PNG timeline of the hits. A failing step stops the demo with ``error: demo step N/8 (...) failed: ...``
and exit code 1. Missing packages are reported before anything starts (PyAV, the two integration
packages); without matplotlib only the PNG is skipped, with a note.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._config import API_KEY_ENVS
from ._errors import CLIError, describe_error
from ._output import clock, span, table

__all__ = ["run", "DemoContext", "STEPS"]

LANGCHAIN_QUESTION = "Which animal hunts in the snow, and how does it find its prey?"
LLAMAINDEX_QUESTION = "What is being cooked in the kitchen, and how is it served?"
TEXT_QUERY = "a yellow taxi in the rain at night"
#: The stored moment whose look-alikes step 7 finds: (clip, start second).
SIMILAR_SEED = ("winter_wildlife.mp4", 0.0)


@dataclass
class DemoContext:
    """Everything the steps share."""

    out: Path
    quiet: bool
    base_url: str
    api_key: str
    emulator: bool
    flow: Any = None  # twelvelabs_rag.flow.Flow
    client: Any = None
    samples: Any = None
    index_id: str | None = None
    videos: dict[str, str] = field(default_factory=dict)  # file name -> video_id
    assets: dict[str, str] = field(default_factory=dict)  # file name -> asset_id (current flow)
    durations: dict[str, float] = field(default_factory=dict)  # file name -> seconds
    store: Any = None
    segment_ids: dict[str, list[Any]] = field(default_factory=dict)
    hits: list[Any] = field(default_factory=list)  # _timeline.Hit
    answers: dict[str, str] = field(default_factory=dict)

    @property
    def poll_interval(self) -> float | None:
        # The emulator advances a task on every poll; the real API needs the client's patient default.
        return 0.02 if self.emulator else None

    def say(self, text: str = "") -> None:
        """Print unless --quiet."""
        if not self.quiet:
            print(text, flush=True)

    def essential(self, text: str = "") -> None:
        """Print always (answers and file paths)."""
        print(text, flush=True)

    def name_of(self, video_id: str) -> str:
        return next((n for n, v in self.videos.items() if v == video_id), video_id)

    def scene_at(self, name: str, start: float, end: float) -> str:
        """What the clip's script says happens in ``[start, end)`` (for readable tables)."""
        from ..testing import parse_script
        from ._demo_media import CLIPS

        best, overlap = "", 0.0
        for scene in parse_script(CLIPS.get(name, "")):
            o = min(end, scene.end) - max(start, scene.start)
            if o > overlap:
                best, overlap = scene.visual, o
        return best


def shown(path: Path) -> str:
    """A path relative to the working directory when it is inside it (shorter, and the same on every machine)."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# -- steps -------------------------------------------------------------------------------------


def step_media(ctx: DemoContext) -> None:
    from ._demo_media import make_samples

    ctx.samples = make_samples(ctx.out / "media")
    ctx.say(f"    {len(ctx.samples.clips)} clips of 12 s, one query image, one query audio "
            f"({ctx.samples.total_bytes // 1024} kB in {shown(ctx.out / 'media')})")


def step_index(ctx: DemoContext) -> None:
    name = f"tlrag-demo-{time.strftime('%Y%m%d-%H%M%S')}"
    models = ctx.flow.index_models
    index = ctx.client.indexes.create(index_name=name, models=models)
    ctx.index_id = index.id
    ctx.say(f"    index {name!r} ({index.id}) with " + ", ".join(m["model_name"] for m in models))


def step_upload(ctx: DemoContext) -> None:
    from ._demo_ingest import upload_clips

    upload_clips(ctx)
    if ctx.assets:
        rows = [(n, ctx.assets[n], v, clock(ctx.durations[n])) for n, v in ctx.videos.items()]
        ctx.say(table(rows, ["file", "asset_id", "video_id", "length"], indent="    "))
    else:
        ctx.say(table([(n, v, clock(ctx.durations[n])) for n, v in ctx.videos.items()],
                      ["file", "video_id", "length"], indent="    "))


def step_langchain(ctx: DemoContext) -> None:
    from ._demo_frameworks import langchain_answer

    langchain_answer(ctx, LANGCHAIN_QUESTION)


def step_llamaindex(ctx: DemoContext) -> None:
    from ._demo_frameworks import llamaindex_answer

    llamaindex_answer(ctx, LLAMAINDEX_QUESTION)


def step_embed(ctx: DemoContext) -> None:
    import shutil

    from ..store import SegmentStore
    from ._demo_ingest import embed_clips
    from ._store_cmds import add_task, add_v2_task

    path = ctx.out / "store"
    tasks, dim = embed_clips(ctx)
    model = ctx.flow.embed_model
    if SegmentStore.exists(path):  # the store of an earlier run of the demo in the same --out
        shutil.rmtree(path)
    store = SegmentStore.create(path, dim=dim, model_name=model)
    for name, task in tasks.items():
        video_id = ctx.videos.get(name, task.id)
        if ctx.flow.embed == "embed_v2":
            ctx.segment_ids[name] = add_v2_task(store, task, video_id=video_id,
                                                metadata={"filename": name, "asset_id": ctx.assets[name]})
        else:
            ctx.segment_ids[name] = add_task(store, task, video_id=video_id, metadata={"filename": name})
    store.save()
    ctx.store = store
    options = sorted({seg.option for ids in ctx.segment_ids.values() for seg in store.get(ids)})
    how = "embed v2 tasks on the assets" if ctx.flow.embed == "embed_v2" else "embed v1 tasks on the files"
    ctx.say(f"    {len(store)} segments ({dim}-d, {'/'.join(options)} per 4 s window) of {len(tasks)} videos "
            f"({how}, {model}) saved to {shown(path)}")


def _moments(ctx: DemoContext, label: str, hits: list[Any], *, show: int = 4, plot: int = 3) -> None:
    """Print hits as moments: one row per (video, time range), the best score, and which embeddings matched."""
    moments: dict[tuple[str, float, float], list[Any]] = {}
    for h in hits:
        moments.setdefault((h.video_id, h.start, h.end), []).append(h)
    rows, best = [], []
    for rank, group in enumerate(list(moments.values())[:show], 1):
        h = group[0]
        name = (h.metadata or {}).get("filename") or ctx.name_of(h.video_id)
        matched = "+".join(sorted({g.option for g in group}))
        rows.append((rank, name, span(h.start, h.end), float(h.score), matched, ctx.scene_at(name, h.start, h.end)))
        best.append((name, h))
    from ._timeline import Hit

    ctx.hits += [Hit(label, name, h.start, h.end, float(h.score)) for name, h in best[:plot]]
    if ctx.quiet and rows:
        ctx.essential(f"      best: {rows[0][1]} {rows[0][2]} (score {rows[0][3]:.3f})")
    ctx.say(table(rows, ["rank", "video", "moment", "score", "matched", "what is there (the clip's script)"],
                  indent="    ", max_width=46))


def step_any_to_any(ctx: DemoContext) -> None:
    from ._demo_media import QUERY_AUDIO_TEXT, QUERY_IMAGE_TEXT

    store, k = ctx.store, 16  # several embeddings (visual, audio, transcription) per moment
    ctx.essential(f"    text -> moments: {TEXT_QUERY!r}")
    _moments(ctx, f"text: {TEXT_QUERY}", store.search_text(TEXT_QUERY, client=ctx.client, k=k))
    image = ctx.samples.query_image
    ctx.essential(f"    image -> moments: {image.name} (its pixels 'show' {QUERY_IMAGE_TEXT!r})")
    _moments(ctx, f"image: {image.name}", store.search_image(image, client=ctx.client, k=k))
    audio = ctx.samples.query_audio
    ctx.essential(f"    audio -> moments: {audio.name} (it 'says' {QUERY_AUDIO_TEXT!r})")
    _moments(ctx, f"audio: {audio.name}", store.search_audio(audio, client=ctx.client, k=k))
    # Moment -> moments: a stored segment is the query, so this needs no API call at all.
    mine = [seg for seg in store.get(ctx.segment_ids[SIMILAR_SEED[0]]) if seg.start == SIMILAR_SEED[1]]
    visual = "visual" if any(seg.option == "visual" for seg in mine) else "visual-text"  # Marengo 2.7's name
    (seed,) = [seg for seg in mine if seg.option == visual]
    where = {"option": visual}
    similar = [h for h in store.search_like(seed.id, k=k, where=where)
               if (h.video_id, h.start, h.end) != (seed.video_id, seed.start, seed.end)]
    label = f"like: {SIMILAR_SEED[0]} {span(seed.start, seed.end)}"
    ctx.essential(f"    moment -> similar moments: {SIMILAR_SEED[0]} {span(seed.start, seed.end)} "
                  f"(segment {seed.id}, {visual}), offline")
    _moments(ctx, label, similar)


def step_timeline(ctx: DemoContext) -> None:
    from ._timeline import plot_timeline

    if not _importable("matplotlib"):
        ctx.essential("    timeline skipped: matplotlib is not installed (pip install 'twelvelabs-rag[plot]' draws it)")
        return
    path = plot_timeline(ctx.out / "timeline.png", ctx.durations, ctx.hits,
                         title="tlrag demo: where each query's top moments fall")
    ctx.essential(f"    timeline: {shown(path)}")


STEPS: list[tuple[str, Callable[[DemoContext], None]]] = [
    ("generate sample clips", step_media),
    ("create an index", step_index),
    ("upload and index the clips", step_upload),
    ("LangChain retrieval chain", step_langchain),
    ("LlamaIndex query engine", step_llamaindex),
    ("embeddings -> local SegmentStore", step_embed),
    ("offline any-to-any search", step_any_to_any),
    ("PNG timeline of the hits", step_timeline),
]


def _delete_index(ctx: DemoContext) -> None:
    """On the real API, remove the demo's index and assets again (best effort; --keep-index keeps them)."""
    if ctx.index_id is None:
        return
    try:
        ctx.client.indexes.delete(ctx.index_id)
        for asset_id in ctx.assets.values():  # the current flow's uploads outlive the index otherwise
            ctx.client.assets.delete(asset_id, force=True)
    except Exception as exc:  # the demo's own outcome matters more than the cleanup
        print(f"warning: could not delete the demo index {ctx.index_id} or its assets: {describe_error(exc)}",
              file=sys.stderr)
    else:
        extra = f" and its {len(ctx.assets)} assets" if ctx.assets else ""
        ctx.say(f"    deleted the demo index {ctx.index_id}{extra} (--keep-index keeps them)")


#: What the demo needs beyond the core: (module, what needs it, how to install it). Checked before step 1.
REQUIREMENTS = (
    ("av", "PyAV writes the sample clips (step 1)", "pip install 'twelvelabs-rag[media]'"),
    ("langchain_twelvelabs", "langchain-twelvelabs answers step 4",
     "pip install -e integrations/langchain (from the repository, after the core)"),
    ("llama_index.retrievers.twelvelabs", "llama-index-retrievers-twelvelabs answers step 5",
     "pip install -e integrations/llama-index/llama-index-retrievers-twelvelabs "
     "-e integrations/llama-index/llama-index-llms-twelvelabs (from the repository, after the core)"),
)


def _importable(module: str) -> bool:
    import importlib

    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


def missing_requirements() -> list[str]:
    """One ``what: how to install`` line per missing requirement (empty when the demo can run)."""
    return [f"{what}: {how}" for module, what, how in REQUIREMENTS if not _importable(module)]


def _api_key() -> tuple[str, str | None]:
    """``(variable name, key)`` of the first key variable that is set, else ``(TWELVELABS_API_KEY, None)``."""
    for var in API_KEY_ENVS:
        value = os.environ.get(var, "").strip()
        if value:
            return var, value
    return API_KEY_ENVS[0], None


def describe_flow(flow: Any) -> str:
    """The line that says which flow and which models the demo uses."""
    if flow.shape == "current":
        return (f"flow: current (assets + indexed assets on a {flow.marengo} index, {flow.pegasus} on assets, "
                f"embed v2 with {flow.embed_model}; 'tlrag demo --classic' runs the classic flow)")
    return (f"flow: classic (/tasks on a {flow.marengo} + {flow.pegasus} index, {flow.pegasus} on video_id, "
            f"embed v1 with {flow.embed_model}; for accounts that still have these models)")


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    out = Path(args.out or "tlrag-demo-out").expanduser().resolve()
    if out.exists() and not out.is_dir():
        raise CLIError(f"--out {out} exists and is not a directory")
    missing = missing_requirements()
    if missing:
        raise CLIError("the demo needs packages that are not installed, nothing was started: " + "; ".join(missing))
    key_var, key = _api_key()
    emulator = key is None
    with contextlib.ExitStack() as stack:
        if key is not None:
            from .._config import resolve_base_url

            base_url = resolve_base_url(None)
            print(f"mode: real TwelveLabs API at {base_url} ({key_var} is set)", flush=True)
        else:
            from ..testing import FakeTwelveLabs, serve
            from ._emulator_cmd import SAMPLE_KEY

            base_url = stack.enter_context(serve(FakeTwelveLabs(seed=0)))
            key = SAMPLE_KEY
            print(f"mode: embedded emulator at {base_url} (no TWELVELABS_API_KEY set; nothing leaves this machine)",
                  flush=True)
        from .. import TwelveLabs
        from ..flow import choose_flow

        out.mkdir(parents=True, exist_ok=True)
        flow = choose_flow("classic" if args.classic else "current")
        ctx = DemoContext(out=out, quiet=args.quiet, base_url=base_url, api_key=key, emulator=emulator, flow=flow)
        print(describe_flow(flow), flush=True)
        # The emulator advances a task or an asset on every poll; the real API needs the client's patient default.
        polling = ctx.poll_interval if emulator else None  # None: the client's default
        ctx.client = stack.enter_context(TwelveLabs(api_key=key, base_url=base_url, poll_interval=polling))
        if not emulator and not args.keep_index:
            stack.callback(_delete_index, ctx)
        stack.callback(lambda: ctx.store is not None and hasattr(ctx.store, "close") and ctx.store.close())
        timings: list[tuple[str, float]] = []
        for number, (title, func) in enumerate(STEPS, 1):
            ctx.say(f"\n[{number}/{len(STEPS)}] {title}")
            began = time.perf_counter()
            try:
                func(ctx)
            except Exception as exc:
                if args.debug:
                    raise
                raise CLIError(f"demo step {number}/{len(STEPS)} ({title}) failed: {describe_error(exc)}") from exc
            timings.append((title, time.perf_counter() - began))
            ctx.say(f"    ({timings[-1][1]:.2f} s)")
    ctx.essential("\nwall time per step:")
    ctx.essential(table([(i, title, f"{secs:.2f}") for i, (title, secs) in enumerate(timings, 1)],
                        ["step", "what", "seconds"], indent="    "))
    ctx.essential(f"\ndone ({flow.shape} flow) in {time.perf_counter() - started:.1f} s; outputs in {shown(out)}")
    return 0
