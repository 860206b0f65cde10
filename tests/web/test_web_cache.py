"""The response cache keys on validated parameters only and is bounded in bytes; HEAD works.

Regression for an attack probe: unique junk query parameters filled the per-worker response
cache (582 -> 1,021 MB after 2,100 requests) and pushed out expensive pages.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from schouders.web.render import ResponseCache


@pytest.fixture
def cache(app: FastAPI) -> Iterator[ResponseCache]:
    """An empty response cache for this test (other modules share the app's)."""
    shared = app.state.responses
    app.state.responses = fresh = ResponseCache()
    yield fresh
    app.state.responses = shared


def test_junk_parameters_neither_fill_the_cache_nor_reach_links(cache: ResponseCache,
                                                                client: TestClient) -> None:
    client.get("/gemeente/GM0344")
    before = len(cache)
    for number in range(200):
        response = client.get(f"/gemeente/GM0344?junk{number}=x&utm_source={number}")
        assert response.status_code == 200
    assert len(cache) == before  # all 200 answered from the one cached page
    html = client.get("/gemeente/GM0344?evil=%22%3E%3Cscript%3E").text
    assert "evil" not in html and "junk" not in html
    assert 'href="/gemeente/GM0344.json"' in html


def test_validated_parameters_do_key_the_cache(cache: ResponseCache,
                                               client: TestClient) -> None:
    client.get("/indicator/overhead_pct")
    before = len(cache)
    client.get("/indicator/overhead_pct?jaar=2021")
    client.get("/indicator/overhead_pct?jaar=2021")
    assert len(cache) == before + 1
    html = client.get("/indicator/overhead_pct?jaar=2021").text
    assert 'href="/indicator/overhead_pct.csv?jaar=2021"' in html


def test_cache_is_bounded_in_bytes() -> None:
    cache = ResponseCache(max_bytes=1000)
    for number in range(50):
        cache.put(number, (b"x" * 100, 200, {}))
    assert cache.size <= 1000 and len(cache) == 10
    assert cache.get(0) is None and cache.get(49) is not None
    cache.put("huge", (b"x" * 900, 200, {}))  # more than a quarter of the budget: not kept
    assert cache.get("huge") is None


def test_head_is_get_without_body(client: TestClient) -> None:
    for path in ("/gemeente/GM0363", "/api/gemeenten/GM0363", "/health", "/landelijk.csv"):
        head = client.head(path)
        get = client.get(path)
        assert head.status_code == 200 == get.status_code, path
        assert head.content == b""
        assert head.headers["content-type"] == get.headers["content-type"]
    assert client.head("/gemeente/GM9999").status_code == 404


def test_wrong_method_names_the_allowed_one_in_json_on_the_api(client: TestClient) -> None:
    response = client.post("/api/gemeenten/GM0363")
    assert response.status_code == 405
    assert "GET" in response.headers["allow"]
    assert response.json()["status"] == 405


def test_start_page_twins_by_suffix(client: TestClient) -> None:
    assert client.get("/.json").json()["voorbeelden"]
    assert client.get("/.csv").headers["content-type"].startswith("text/csv")
