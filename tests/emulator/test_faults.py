"""Auth, fault injection, rate limits, the request log and the in-flight counter."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from _emulator_helpers import create_index, form

from twelvelabs_rag.testing import FakeTwelveLabs


def test_auth_missing_wrong_and_allow_list() -> None:
    fake = FakeTwelveLabs(api_keys=["tlk_good"])
    with httpx.Client(transport=fake.transport(), base_url="http://e/v1.3") as http:
        r = http.get("/indexes")
        assert (r.status_code, r.json()["code"]) == (401, "api_key_invalid") and "x-api-key" in r.json()["message"]
        r = http.get("/indexes", headers={"x-api-key": "tlk_bad"})
        assert r.status_code == 401 and "tlk_bad" not in r.text
        assert http.get("/indexes", headers={"x-api-key": "tlk_good"}).status_code == 200
        assert http.get("/indexes", headers={"Authorization": "Bearer tlk_good"}).status_code == 401


def test_every_response_has_the_api_version_header(http: httpx.Client) -> None:
    for r in (http.get("/indexes"), http.get("/nope"), http.get("/indexes", headers={"x-api-key": ""})):
        assert r.headers["x-api-version"] == "1.3"


def test_unknown_route_and_missing_prefix(fake: FakeTwelveLabs) -> None:
    with httpx.Client(transport=fake.transport(), headers={"x-api-key": "k"}) as http:
        r = http.get("http://e/indexes")
        assert r.status_code == 404 and "/v1.3" in r.json()["message"]
        assert http.get("http://e/v1.3/nothing").status_code == 404


def test_fail_next_with_retry_after_and_times(http: httpx.Client, fake: FakeTwelveLabs) -> None:
    fake.fail_next("GET /indexes", 429, retry_after=2, times=2)
    fake.fail_next("GET /indexes", 503)
    first, second, third, ok = (http.get("/indexes") for _ in range(4))
    assert (first.status_code, first.headers["retry-after"], first.json()["code"]) == (429, "2", "too_many_requests")
    assert second.status_code == 429 and third.status_code == 503 and ok.status_code == 200
    fake.fail_next("*", 500, body={"code": "x", "message": "custom"})
    assert http.post("/indexes", json={}).json() == {"code": "x", "message": "custom"}
    fake.fail_next("POST /search", 429, body=b"")
    r = http.post("/search", files=form(index_id="x"))
    assert r.status_code == 429 and r.content == b""  # the documented empty 429 body
    assert [c.status for c in fake.calls("GET /indexes")] == [429, 429, 503, 200]


def test_drop_next_raises_a_connection_error(http: httpx.Client, fake: FakeTwelveLabs) -> None:
    fake.drop_next("GET /indexes")
    with pytest.raises(httpx.RemoteProtocolError):
        http.get("/indexes")
    assert http.get("/indexes").status_code == 200
    assert fake.requests[0].status is None and fake.in_flight == 0


def test_cut_stream(http: httpx.Client, fake: FakeTwelveLabs, library: dict) -> None:
    fake.cut_stream_next()
    lines = []
    with pytest.raises(httpx.RemoteProtocolError), http.stream(
            "POST", "/analyze", json={"video_id": library["videos"]["city.mp4"], "prompt": "x"}) as r:
        for line in r.iter_lines():
            lines.append(line)
    assert lines and "stream_end" not in "".join(lines)


def test_latency_is_awaited_not_blocking(fake: FakeTwelveLabs) -> None:
    fake.add_latency("GET /indexes", 0.2)

    async def main() -> None:
        async with httpx.AsyncClient(transport=fake.async_transport(), base_url="http://e/v1.3",
                                     headers={"x-api-key": "k"}) as http:
            results = await asyncio.gather(*(http.get("/indexes") for _ in range(10)))
            assert all(r.status_code == 200 for r in results)

    asyncio.run(main())
    # All ten were inside the emulator's latency at once: a blocking sleep would have served them
    # one after another (max_in_flight 1). Counted, not timed, so a loaded machine cannot fail it.
    assert fake.max_in_flight == 10 and fake.in_flight == 0


def test_sync_latency_and_request_log(http: httpx.Client, fake: FakeTwelveLabs) -> None:
    fake.add_latency("*", 0.05)
    ix = create_index(http)
    r = http.post("/tasks", files=form(index_id=ix, video_url="https://x/v.mp4")
                  + [("extra", ("notes.txt", b"12345", "text/plain"))])
    rec = fake.calls("POST /tasks")[0]
    assert rec.ended_at - rec.started_at >= 0.05
    # the log keeps what was sent even when strict mode (on in this suite) refuses the unknown part
    assert fake.strict and r.json()["code"] == "parameter_unknown" and "`extra`" in r.json()["message"]
    assert rec.form["index_id"] == [ix] and rec.files == [("extra", "notes.txt", 5)] and rec.status == 400
    created = fake.calls("POST /indexes")[0]
    assert created.json["index_name"] == "idx" and created.path == "/v1.3/indexes"
    assert "tlk_test" not in repr(fake.requests)


def test_rate_limit_headers_and_429() -> None:
    clock = [1000.0]
    fake = FakeTwelveLabs(time_fn=lambda: clock[0])
    fake.rate_limit("POST /search", 2)
    with httpx.Client(transport=fake.transport(), base_url="http://e/v1.3", headers={"x-api-key": "k"}) as http:
        q = form(index_id=create_index(http), query_text="fox", search_options="visual")
        first = http.post("/search", files=q)
        assert first.status_code == 200
        assert [first.headers[f"x-ratelimit-{k}"] for k in ("limit", "remaining", "used", "reset")] == [
            "2", "1", "1", "1060"]
        assert http.post("/search", files=q).headers["x-ratelimit-remaining"] == "0"
        clock[0] += 15
        limited = http.post("/search", files=q)
        assert (limited.status_code, limited.json()["code"]) == (429, "too_many_requests")
        assert limited.headers["retry-after"] == "45" and "rate limit" in limited.json()["message"]
        assert "x-ratelimit-limit" not in http.get("/indexes").headers
        clock[0] += 46
        assert http.post("/search", files=q).status_code == 200


def test_rate_limit_categories_are_shared(http: httpx.Client, fake: FakeTwelveLabs) -> None:
    fake.rate_limit("embed", 1)
    assert http.post("/embed", files=form(model_name="marengo3.0", text="x")).status_code == 200
    r = http.post("/embed/tasks", files=form(model_name="marengo3.0", video_url="https://x/v.mp4"))
    assert r.status_code == 429
    fake.rate_limit("embed", None)
    files = form(model_name="marengo3.0", video_url="https://x/v.mp4")
    assert http.post("/embed/tasks", files=files).status_code == 200


def test_threaded_clients_share_state_safely(fake: FakeTwelveLabs) -> None:
    import concurrent.futures

    def work(i: int) -> int:
        with httpx.Client(transport=fake.transport(), base_url="http://e/v1.3", headers={"x-api-key": "k"}) as h:
            return h.post("/indexes", json={"index_name": f"n{i}", "models": [
                {"model_name": "marengo3.0", "model_options": ["visual"]}]}).status_code

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        assert set(pool.map(work, range(40))) == {201}
    assert len(fake.indexes) == 40 and len(set(fake.indexes)) == 40


def test_ids_are_deterministic_per_seed() -> None:
    def ids(seed: int) -> list[str]:
        fake = FakeTwelveLabs(seed=seed)
        with httpx.Client(transport=fake.transport(), base_url="http://e/v1.3", headers={"x-api-key": "k"}) as h:
            return [create_index(h, f"n{i}") for i in range(3)]

    assert ids(1) == ids(1) != ids(2)
