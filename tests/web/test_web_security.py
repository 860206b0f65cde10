"""Security: headers, validation, no stack traces, caps and rate limits, missing warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from schouders.config import Settings, load_settings
from schouders.web.app import create_app
from schouders.web.ratelimit import RateLimiter

HOSTILE = [
    "/gemeente/GM0363'%20OR%201=1--",
    "/gemeente/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "/gemeente/GM0363?jaar=1900",
    "/gemeente/GM0363?jaar=abc",
    "/gemeente/GM0363?document=drop%20table",
    "/gemeente/GM0363?peers=%27;DROP%20TABLE%20iv3_fact;--",
    "/gemeente/GM0363?peiljaar=2099",
    "/gemeente/GM0363?jaar=2026&document=jaarrekening",
    "/gemeente/" + "x" * 500,
    "/vergelijken?gemeenten=GM0363,%27%20OR%201=1",
    "/vergelijken?groep=../../etc/passwd",
    "/indicator/overhead_pct;select",
    "/indicator/OVERHEAD",
    "/landelijk?indicator=__class__",
    "/?q=" + "%27" * 150,
    "/?q=" + "a" * 250,
    "/api/gemeenten/GM0363?jaar=99999",
    "/api/gemeenten?q=%00%01",
    "/api/indicatoren/..%2F..",
    "/gemeente/GM0363?format=xml",
]


@pytest.mark.parametrize("path", HOSTILE)
def test_hostile_input_never_errors(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code < 500, (path, response.status_code)
    if "q=" not in path:
        assert response.status_code >= 400, (path, response.status_code)
    body = response.text
    assert "Traceback" not in body and "duckdb" not in body.lower()
    assert "<script>alert" not in body


def test_security_headers_on_pages_errors_and_static(client: TestClient) -> None:
    for path in ("/", "/gemeente/GM9999", "/static/css/site.css", "/api/gemeenten", "/health"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert headers["x-frame-options"] == "DENY"


def test_no_inline_scripts_or_styles(client: TestClient) -> None:
    import re

    html = client.get("/gemeente/GM0363").text
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "<style" not in html and " style=" not in html


def test_unexpected_error_is_generic_without_trace(web_settings: Settings, monkeypatch) -> None:
    app = create_app(web_settings, warm=False)

    def explode(*args, **kwargs):
        raise RuntimeError("geheime-details-uit-de-stacktrace")

    monkeypatch.setattr("schouders.service.facade.build_profile", explode)
    with TestClient(app, raise_server_exceptions=False) as client:
        page = client.get("/gemeente/GM0363")
        assert page.status_code == 500
        assert "geheime-details" not in page.text and "Traceback" not in page.text
        assert "Er ging iets mis" in page.text
        assert "default-src 'self'" in page.headers["content-security-policy"]
        api = client.get("/gemeente/GM0363.json")
        assert api.status_code == 500 and "geheime" not in api.text
        assert api.json()["status"] == 500


def test_missing_warehouse_says_run_schouders_build(tmp_path: Path) -> None:
    app = create_app(load_settings(home=tmp_path / "leeg"), warm=True)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/gemeente/GM0363")
        assert response.status_code == 503
        assert "schouders build" in response.text
        assert client.get("/api/gemeenten").json()["status"] == 503
        assert client.get("/health").status_code == 200
        assert client.get("/").status_code == 503


def test_rate_limiter_answers_429(web_settings: Settings) -> None:
    app = create_app(web_settings, rate_limit=(2, 0.001), warm=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        codes = [client.get("/api/indicatoren").status_code for _ in range(4)]
        assert codes[:2] == [200, 200] and codes[-1] == 429
        assert client.get("/health").status_code == 200  # cheap routes are not limited


def test_token_bucket_refills() -> None:
    limiter = RateLimiter(burst=1, per_second=1.0)
    assert limiter.allow("a", now=0.0)
    assert not limiter.allow("a", now=0.1)
    assert limiter.allow("b", now=0.1)
    assert limiter.allow("a", now=1.2)
