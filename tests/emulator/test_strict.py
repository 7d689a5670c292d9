"""Strict mode: unknown parameters and out-of-enum values get the API's 400, per route and index shape."""

from __future__ import annotations

import argparse

import httpx
import pytest
from _emulator_helpers import MARENGO3, MARENGO27, create_index, form, upload

from twelvelabs_rag.testing import FakeTwelveLabs
from twelvelabs_rag.testing._fake import ROUTES
from twelvelabs_rag.testing._http import DOCS_URL, ApiError, Req
from twelvelabs_rag.testing._server_args import add_server_arguments, build_fake
from twelvelabs_rag.testing._strict import EXEMPT_ROUTES, STRICT_ROUTES, Enum
from twelvelabs_rag.testing._strict_check import check


def _http(fake: FakeTwelveLabs) -> httpx.Client:
    return httpx.Client(transport=fake.transport(), base_url="http://emulator/v1.3", headers={"x-api-key": "k"})


def _refused(r: httpx.Response, code: str, *names: str) -> None:
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["code"] == code and body["docs_url"] == DOCS_URL, body
    for name in names:
        assert name in body["message"], body["message"]


def test_every_route_has_a_rule_and_no_rule_is_stale() -> None:
    names = {f"{m} {t}" for m, t, _ in ROUTES}
    assert names - set(STRICT_ROUTES) == set(), "new routes must be added to testing/_strict.py"
    assert set(STRICT_ROUTES) - names == set()
    assert EXEMPT_ROUTES <= names


def test_every_enum_in_the_table_has_values() -> None:
    def enums(schema):
        if isinstance(schema, Enum):
            yield schema
        for child in getattr(schema, "keys", {}).values():
            yield from enums(child)
        if hasattr(schema, "item"):
            yield from enums(schema.item)
        if hasattr(schema, "enum"):
            yield schema.enum

    found = 0
    for rule in STRICT_ROUTES.values():
        parts = [*rule.query.values(), *rule.form.values(), *rule.classic.values(), *rule.current.values()]
        for schema in parts + ([rule.body] if rule.body else []):
            for e in enums(schema):
                assert e.values and all(isinstance(v, str) and v for v in e.values)
                found += 1
    assert found > 50


def test_strict_is_per_emulator_with_a_class_default() -> None:
    assert FakeTwelveLabs.strict_default is True  # the project's conftest turns it on for its own tests
    assert FakeTwelveLabs().strict is True and FakeTwelveLabs(strict=False).strict is False
    lenient, strict = FakeTwelveLabs(strict=False), FakeTwelveLabs(strict=True)
    with _http(lenient) as a, _http(strict) as b:
        assert a.get("/indexes", params={"page_limt": "5"}).status_code == 200
        _refused(b.get("/indexes", params={"page_limt": "5"}), "parameter_unknown", "`page_limt`", "GET /indexes",
                 "page_limit")


def test_query_names_and_enums() -> None:
    with _http(FakeTwelveLabs(strict=True)) as http:
        _refused(http.get("/tasks", params={"status": "done"}), "parameter_invalid", "`status`", "'done'", "ready")
        _refused(http.get("/tasks", params={"sort_by": "name"}), "parameter_invalid", "sort_by", "created_at")
        _refused(http.get("/indexes", params={"model_options": "visual,logo"}), "parameter_invalid", "'logo'")
        assert http.get("/tasks", params=[("status", "ready"), ("status", "indexing")]).status_code == 200
        params = {"model_options": "visual,audio", "model_family": "marengo"}
        assert http.get("/indexes", params=params).status_code == 200
        r = http.get("/embed-v2/tasks", params={"status": "queued"})  # embed v2 nests its errors
        assert r.status_code == 400 and r.json()["error"]["code"] == "parameter_invalid"
        assert "processing" in r.json()["error"]["message"]


def test_json_keys_nested_and_model_names_from_the_registry() -> None:
    with _http(FakeTwelveLabs(strict=True)) as http:
        r = http.post("/indexes", json={"index_name": "x", "models": [{"model_name": "marengo3.0",
                                                                      "model_options": ["visual"], "modl": 1}]})
        _refused(r, "parameter_unknown", "`models[0].modl`", "POST /indexes")
        r = http.post("/indexes", json={"index_name": "x", "models": [{"model_name": "marengo9",
                                                                      "model_options": ["visual"]}]})
        _refused(r, "parameter_invalid", "'marengo9'", "marengo3.0")
        _refused(http.post("/indexes", json={"index_name": "x", "models": MARENGO3, "addons": ["thumbnails"]}),
                 "parameter_invalid", "thumbnail")
        r = http.post("/analyze", json={"video": {"type": "url", "url": "https://x/v.mp4", "uri": "y"},
                                        "prompt": "p", "stream": False})
        _refused(r, "parameter_unknown", "`video.uri`", "POST /analyze")
        r = http.post("/analyze", json={"video": {"type": "url", "url": "https://x/v.mp4"}, "prompt": "p",
                                        "stream": False, "response_format": {"type": "json_object"}})
        _refused(r, "parameter_invalid", "response_format.type", "json_schema")


def test_embed_v2_answers_in_its_nested_error_shape() -> None:
    with _http(FakeTwelveLabs(strict=True)) as http:
        r = http.post("/embed-v2", json={"input_type": "text", "model_name": "marengo3.0",
                                         "text": {"input_text": "x", "truncate": True}})
        assert r.status_code == 400 and r.json()["error"]["code"] == "parameter_unknown"
        assert "`text.truncate`" in r.json()["error"]["message"]
        r = http.post("/embed-v2", json={"input_type": "pdf", "model_name": "marengo3.0"})
        assert r.json()["error"]["code"] == "parameter_invalid" and "multi_input" in r.json()["error"]["message"]


def test_form_fields_follow_the_index_shape(tmp_path) -> None:
    fake = FakeTwelveLabs(strict=True)
    with _http(fake) as http:
        classic, current = create_index(http, "c", MARENGO27), create_index(http, "n", MARENGO3)
        for ix in (classic, current):
            ok = http.post("/search", files=form(index_id=ix, query_text="fox", search_options="visual"))
            assert ok.status_code == 200, ok.text
            _refused(http.post("/search", files=form(index_id=ix, query_text="fox", search_options="visual",
                                                     page_limt=5)), "parameter_unknown", "`page_limt`")
            _refused(http.post("/search", files=form(index_id=ix, query_text="fox", search_options="visual",
                                                     group_by="scene")), "parameter_invalid", "group_by")
        relevance = form(threshold="high", sort_option="clip_count", adjust_confidence_level=0.5, group_by="video")
        base = form(index_id=classic, query_text="fox", search_options="visual")
        assert http.post("/search", files=base + relevance).status_code == 200
        r = http.post("/search", files=form(index_id=current, query_text="fox", search_options="visual",
                                            threshold="high"))
        _refused(r, "parameter_unknown", "`threshold`", "Marengo 3.0 index")
        _refused(http.post("/search", files=base + form(threshold="max")), "parameter_invalid", "threshold")


def test_query_enums_follow_the_index_shape(tmp_path) -> None:
    from twelvelabs_rag.testing.samples import make_clip

    clip = make_clip(tmp_path / "a.mp4", "[0-4] a fox")
    fake = FakeTwelveLabs(strict=True)
    with _http(fake) as http:
        for models, good, wrong in ((MARENGO27, "visual-text", "transcription"), (MARENGO3, "transcription",
                                                                                  "visual-text")):
            ix = create_index(http, models[0]["model_name"], models)
            vid = upload(http, fake, ix, clip)["video_id"]
            assert http.get(f"/indexes/{ix}/videos/{vid}", params={"embedding_option": good}).status_code == 200
            _refused(http.get(f"/indexes/{ix}/videos/{vid}", params={"embedding_option": wrong}),
                     "parameter_invalid", "embedding_option", repr(wrong))


def test_video_list_takes_root_user_metadata_filters_but_indexed_assets_do_not(tmp_path) -> None:
    fake = FakeTwelveLabs(strict=True)
    with _http(fake) as http:
        ix = create_index(http, "n", MARENGO3)
        # twelvelabs-api.md §4.1: the SDK wrapper sends user-metadata filters as root query keys
        assert http.get(f"/indexes/{ix}/videos", params={"category": "news"}).status_code == 200
        assert http.get(f"/indexes/{ix}/videos", params={"user_metadata[category]": "news"}).status_code == 200
        # twelvelabs-api-current.md §2 / §12: indexed assets take user_metadata[key] and range objects only
        listed = http.get(f"/indexes/{ix}/indexed-assets", params={"user_metadata[category]": "news",
                                                                   "duration[gte]": "1"})
        assert listed.status_code == 200, listed.text
        _refused(http.get(f"/indexes/{ix}/indexed-assets", params={"category": "news"}), "parameter_unknown",
                 "`category`", "user_metadata")


def test_wrong_body_kind_is_left_to_the_handler() -> None:
    with _http(FakeTwelveLabs(strict=True)) as http:
        r = http.post("/tasks", json={"index_id": "x", "video_url": "https://x/v.mp4"})
        assert r.status_code == 400 and "multipart" in r.json()["message"]


def test_exempt_routes_and_the_unit_check() -> None:
    check(Req("PUT", "/_upload/u/1", "PUT /_upload/{upload_id}/{chunk_index}", query=[("X-Amz-Signature", "s")]),
          None)
    with pytest.raises(ApiError) as exc:
        check(Req("DELETE", "/assets/a", "DELETE /assets/{asset_id}", query=[("force", "yes")]), None)
    assert exc.value.code == "parameter_invalid" and "`force`" in exc.value.message
    with pytest.raises(ApiError) as exc:
        check(Req("POST", "/tasks/t/x", "POST /nowhere"), None)
    assert exc.value.status == 500 and "STRICT_ROUTES" in exc.value.message


def test_server_flag() -> None:
    p = argparse.ArgumentParser()
    add_server_arguments(p)
    assert build_fake(p.parse_args(["--strict"])).strict is True
    assert p.parse_args([]).strict is False  # without the flag the class default decides (lenient for users)


@pytest.mark.parametrize("module", ["_strict", "_strict_check"])
def test_module_docstring_examples_run(module: str) -> None:
    import importlib
    import re

    doc = importlib.import_module(f"twelvelabs_rag.testing.{module}").__doc__
    (block,) = re.findall(r"```python\n(.*?)```", doc, re.S)
    exec(compile(block, module, "exec"), {})


def test_docs_strict_block_runs() -> None:
    import re
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "emulator.md").read_text()
    (block,) = [b for b in re.findall(r"```python\n(.*?)```", doc, re.S) if "strict=True" in b]
    exec(compile(block, "docs/emulator.md", "exec"), {})
