"""Sync and async resources are twins: same public methods, same signatures."""

from __future__ import annotations

import inspect

import pytest

from twelvelabs_rag import (
    AsyncPage,
    AsyncResponseStream,
    AsyncStream,
    AsyncTwelveLabs,
    ResponseStream,
    Stream,
    SyncPage,
    TwelveLabs,
)
from twelvelabs_rag.resources import PAIRS
from twelvelabs_rag.resources.analyze_batches import AnalyzeBatches, AsyncAnalyzeBatches
from twelvelabs_rag.resources.analyze_tasks import AnalyzeTasks, AsyncAnalyzeTasks
from twelvelabs_rag.resources.embed_v2 import AsyncEmbedV2, AsyncEmbedV2Tasks, EmbedV2, EmbedV2Tasks

#: Current-API resources (embed v2, async analyze), checked like the classic ones.
PAIRS = [*PAIRS, (EmbedV2, AsyncEmbedV2), (EmbedV2Tasks, AsyncEmbedV2Tasks), (AnalyzeTasks, AsyncAnalyzeTasks),
         (AnalyzeBatches, AsyncAnalyzeBatches)]

#: Methods that return a lazy pager instead of a coroutine in the async twin.
PAGERS = {"list", "query", "list_by_asset", "list_items"}


def _public(cls: type) -> dict[str, object]:
    out = {}
    for name, member in inspect.getmembers(cls):
        if name.startswith("_") and name != "__call__":
            continue
        if callable(member) or isinstance(inspect.getattr_static(cls, name), property):
            out[name] = member
    return out


def _strip_return(sig: inspect.Signature) -> inspect.Signature:
    return sig.replace(return_annotation=inspect.Signature.empty)


@pytest.mark.parametrize(("sync_cls", "async_cls"), PAIRS, ids=[p[0].__name__ for p in PAIRS])
def test_same_methods_and_signatures(sync_cls: type, async_cls: type) -> None:
    sync_members, async_members = _public(sync_cls), _public(async_cls)
    assert set(sync_members) == set(async_members), (sync_cls.__name__, set(sync_members) ^ set(async_members))
    for name, member in sync_members.items():
        twin = async_members[name]
        if not inspect.isfunction(member):
            continue
        sync_sig, async_sig = inspect.signature(member), inspect.signature(twin)
        assert list(sync_sig.parameters) == list(async_sig.parameters), name
        for p_sync, p_async in zip(sync_sig.parameters.values(), async_sig.parameters.values(), strict=True):
            assert (p_sync.kind, p_sync.default) == (p_async.kind, p_async.default), (sync_cls.__name__, name, p_sync)
        assert not inspect.iscoroutinefunction(member), f"{sync_cls.__name__}.{name} must be sync"
        if name in PAGERS:
            assert not inspect.iscoroutinefunction(twin), f"{async_cls.__name__}.{name} returns an AsyncPage"
        else:
            assert inspect.iscoroutinefunction(twin), f"{async_cls.__name__}.{name} must be async"
        assert _strip_return(sync_sig).parameters.keys() == _strip_return(async_sig).parameters.keys()


def test_clients_expose_the_same_resources() -> None:
    names = {"indexes", "tasks", "search", "embed", "analyze"}
    sync_client, async_client = TwelveLabs(api_key="k"), AsyncTwelveLabs(api_key="k")
    for name in names:
        assert hasattr(sync_client, name) and hasattr(async_client, name)
    assert hasattr(sync_client.indexes, "videos") and hasattr(async_client.indexes, "videos")
    assert hasattr(sync_client.tasks, "transfers") and hasattr(async_client.tasks, "transfers")
    assert hasattr(sync_client.embed, "tasks") and hasattr(async_client.embed, "tasks")
    for path in ("embed.v2", "embed.v2.tasks", "analyze.tasks", "analyze.batches"):
        for client in (sync_client, async_client):
            obj = client
            for part in path.split("."):
                obj = getattr(obj, part)
    # current surface (assets area)
    assert hasattr(sync_client, "assets") and hasattr(async_client, "assets")
    assert hasattr(sync_client.assets, "multipart") and hasattr(async_client.assets, "multipart")
    assert hasattr(sync_client.indexes, "indexed_assets") and hasattr(async_client.indexes, "indexed_assets")


def test_design_contract_names_exist() -> None:
    """The names docs/design.md promises to D/E (a rename here breaks their packages)."""
    c = TwelveLabs(api_key="k")
    for path in ["indexes.create", "indexes.list", "indexes.retrieve", "indexes.update", "indexes.delete",
                 "indexes.videos.list", "indexes.videos.retrieve", "indexes.videos.update", "indexes.videos.delete",
                 "tasks.create", "tasks.list", "tasks.retrieve", "tasks.delete", "tasks.wait", "tasks.create_and_wait",
                 "tasks.create_many", "tasks.transfers.create", "tasks.transfers.get_status", "tasks.transfers.get_logs",
                 "search.create", "search.retrieve", "search.query", "embed.create", "embed.create_many",
                 "embed.tasks.create", "embed.tasks.list", "embed.tasks.status", "embed.tasks.retrieve",
                 "embed.tasks.wait", "embed.tasks.create_and_wait", "analyze.create"]:
        obj = c
        for part in path.split("."):
            obj = getattr(obj, part)
        assert callable(obj), path
    assert callable(c.analyze)
    sig = inspect.signature(TwelveLabs.__init__)
    for name in ["api_key", "base_url", "timeout", "max_retries", "http_client", "transport", "preflight",
                 "default_headers"]:
        assert name in sig.parameters


@pytest.mark.parametrize(("sync_cls", "async_cls"), [(SyncPage, AsyncPage), (Stream, AsyncStream),
                                                    (ResponseStream, AsyncResponseStream)])
def test_pagers_and_streams_are_twins(sync_cls: type, async_cls: type) -> None:
    public = lambda cls: {n for n in vars(cls) if not n.startswith("_")}  # noqa: E731
    assert public(sync_cls) == public(async_cls)
    assert hasattr(sync_cls, "__iter__") and hasattr(async_cls, "__aiter__")


def test_hosted_rag_resources_on_both_clients() -> None:
    sync_client, async_client = TwelveLabs(api_key="k"), AsyncTwelveLabs(api_key="k")
    for path in ["entity_collections.entities", "knowledge_stores.items", "knowledge_stores.item_collections",
                 "responses", "data_connectors.imports"]:
        for client in (sync_client, async_client):
            obj = client
            for part in path.split("."):
                obj = getattr(obj, part)
            assert type(obj).__name__.startswith("Async") == (client is async_client), path
