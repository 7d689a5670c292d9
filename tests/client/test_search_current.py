"""Search on Marengo 3.0 (rank, transcription, transcription_options, up to 10 query images), classic kept.

Also the one declaration of the search parameters (SearchParams) behind create/query of both twins.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest

from twelvelabs_rag import InvalidRequestError
from twelvelabs_rag.resources.search import AsyncSearch, Search, SearchParams
from twelvelabs_rag.testing import FakeTwelveLabs
from twelvelabs_rag.testing.samples import make_clip, png_bytes

SCRIPT = ('[0-4] a red fox runs through snow | "look at that fox"\n'
          '[4-8] a brown dog swims in a lake | "the water is cold"\n'
          "[8-12] a child flies a kite on a beach")


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("s3") / "animals.mp4", SCRIPT)


async def _do(x: Any) -> Any:
    return await x if hasattr(x, "__await__") else x


def _library(fake: FakeTwelveLabs, clip: Path, model: str, options: list[str]) -> str:
    c = fake.client()
    index = c.indexes.create(index_name=model, models=[{"model_name": model, "model_options": options}])
    c.tasks.create_and_wait(index_id=index.id, file=clip)
    return index.id


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_marengo30_result_shape_and_transcription(clip: Path, mode: str) -> None:
    fake = FakeTwelveLabs()
    index_id = _library(fake, clip, "marengo3.0", ["visual", "audio"])
    c = fake.client() if mode == "sync" else fake.async_client()
    res = await _do(c.search.create(index_id=index_id, query_text="a fox in the snow",
                                    search_options=["visual", "audio", "transcription"], group_by="clip"))
    assert [i.rank for i in res.data] == list(range(1, len(res.data) + 1)) and res.data[0].start == 0
    assert all(i.score is None and i.confidence is None for i in res.data)  # 3.0: rank only
    assert res.data[0].transcription == "look at that fox"
    # lexical transcription search: only clips that say one of the query's words
    lex = await _do(c.search.create(index_id=index_id, query_text="cold water", search_options=["transcription"],
                                    transcription_options=["lexical"]))
    assert [(i.start, i.transcription) for i in lex.data] == [(4, "the water is cold")]
    sem = await _do(c.search.create(index_id=index_id, query_text="cold water", search_options=["transcription"],
                                    transcription_options=["lexical", "semantic"]))
    assert {i.start for i in sem.data} >= {i.start for i in lex.data}  # lexical only narrows
    fox = await _do(c.search.create(index_id=index_id, query_text="the fox", search_options=["transcription"],
                                    transcription_options=["lexical"]))
    assert [i.start for i in fox.data] == [0]
    rec = fake.calls("POST /search")[-2]  # the lexical+semantic search: repeated parts
    assert rec.form["transcription_options"] == ["lexical", "semantic"] and rec.form["search_options"] == [
        "transcription"]


async def test_ten_query_images_repeat_the_parts(clip: Path) -> None:
    fake = FakeTwelveLabs()
    index_id = _library(fake, clip, "marengo3.0", ["visual"])
    for i in range(10):
        fake.add_media(f"https://img.example/{i}.png", png_bytes("a red fox in the snow" if i == 0 else f"snow {i}"))
    urls = [f"https://img.example/{i}.png" for i in range(10)]
    res = fake.client().search.create(index_id=index_id, query_media_url=urls, query_text="fox")
    assert res.data[0].start == 0
    rec = fake.calls("POST /search")[-1]
    assert rec.form["query_media_url"] == urls and rec.form["query_media_type"] == ["image"]


def test_classic_index_keeps_score_and_confidence(clip: Path) -> None:
    fake = FakeTwelveLabs()
    index_id = _library(fake, clip, "marengo2.7", ["visual", "audio"])
    res = fake.client().search.create(index_id=index_id, query_text="a fox", threshold="low", sort_option="score")
    assert res.data and all(i.score is not None and i.confidence for i in res.data)
    assert fake.calls("POST /search")[-1].form["threshold"] == ["low"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"query_media_url": [f"https://x/{i}.png" for i in range(11)]}, "at most 10 query images"),
        ({"query_text": "x", "search_options": ["visual"], "transcription_options": ["lexical"]},
         "add 'transcription' to search_options"),
    ],
)
def test_current_checks_send_nothing(kwargs: dict, message: str) -> None:
    fake = FakeTwelveLabs()
    with pytest.raises(InvalidRequestError, match=message):
        fake.client().search.create(index_id="i1", **kwargs)
    assert fake.requests == []


@pytest.mark.parametrize("method", [Search.create, Search.query, AsyncSearch.create, AsyncSearch.query])
def test_one_declaration_of_the_parameters(method: Any) -> None:
    params = inspect.signature(method).parameters
    assert set(list(params)[1:]) == set(SearchParams.__required_keys__ | SearchParams.__optional_keys__)
    assert len(params) == 17  # self + the 16 search keywords
    assert params["index_id"].default is inspect.Parameter.empty and params["search_options"].default == ("visual",)
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in list(params.values())[1:])


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_keywords_are_checked_like_a_signature(mode: str) -> None:
    fake = FakeTwelveLabs()
    c = fake.client() if mode == "sync" else fake.async_client()
    with pytest.raises(TypeError, match="search.create\\(\\): .*query_txt"):
        await _do(c.search.create(index_id="i1", query_txt="typo"))
    with pytest.raises(TypeError, match="search.query\\(\\): .*index_id"):
        c.search.query(query_text="no index")
    assert fake.requests == []
