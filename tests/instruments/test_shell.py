"""One web shell: the instruments' pages use the monitor's base template, stylesheet, security
headers, error pages and language switch; the JSON API answers JSON errors; /instrumenten/api/docs
documents the JSON API from the OpenAPI description."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from schouders.instruments.web.english import ENGLISH
from schouders.instruments.web.shell import TEMPLATES
from schouders.web.i18n import ENGLISH as MONITOR_ENGLISH

from .conftest import GM_A, login

LITERAL = re.compile(r"""\bt(?:\.message)?\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")


def test_every_translated_text_of_the_instruments_has_english() -> None:
    missing = []
    for template in sorted(TEMPLATES.glob("*.html")):
        for match in LITERAL.finditer(template.read_text(encoding="utf-8")):
            text = match.group(1) if match.group(1) is not None else match.group(2)
            if text not in ENGLISH and text not in MONITOR_ENGLISH:
                missing.append((template.name, text))
    assert missing == []


def test_the_instruments_have_no_shell_of_their_own() -> None:
    web = TEMPLATES.parent
    assert not (TEMPLATES / "base.html").exists() and not (TEMPLATES / "error.html").exists()
    assert not list(web.rglob("*.css"))
    assert not (web.parent / "security.py").exists()


def test_pages_use_the_monitor_shell_and_stylesheet(app, world) -> None:
    client = TestClient(app)
    page = client.get("/instrumenten/inloggen")
    assert page.status_code == 200
    html = page.text
    assert 'class="site-header"' in html and 'class="site-footer"' in html
    assert re.search(r'href="/static/css/site\.css\?v=\w+"', html)
    assert "instrumenten.css" not in html
    # the monitor's navigation, with Instruments as the current section
    assert re.search(r'<a href="/instrumenten/" aria-current="page">Instrumenten</a>', html)
    assert client.get(re.search(r'href="(/static/css/site\.css[^"]*)"', html).group(1)
                      ).status_code == 200
    assert "permissions-policy" in page.headers  # SecurityHeadersMiddleware, app-wide


def test_english_with_the_language_switch_and_cookie(app, world) -> None:
    client = TestClient(app)
    dutch = client.get("/instrumenten/inloggen")
    assert '<html lang="nl"' in dutch.text and "<h1>Inloggen</h1>" in dutch.text
    assert 'href="/instrumenten/inloggen?lang=en"' in dutch.text
    english = client.get("/instrumenten/inloggen?lang=en")
    assert '<html lang="en"' in english.text
    assert "<h1>Log in</h1>" in english.text and "E-mail address" in english.text
    assert "Inloggen" not in english.text.split("<main", 1)[1]
    assert english.cookies.get("lang") == "en"
    # remembered: the next page without ?lang= is English too
    home = client.get("/instrumenten/")
    assert '<html lang="en"' in home.text and "Instruments for delivery capacity" in home.text
    logged_in = login(app, world.email("coord_a"), ip_client=TestClient(app))
    logged_in.cookies.set("lang", "en")
    assert "Your municipalities" in logged_in.get("/instrumenten/").text


def test_page_errors_are_the_monitor_error_page_in_both_languages(app, world) -> None:
    client = login(app, world.email("coord_a"))
    dutch = client.get("/instrumenten/gemeente/GM0678")  # no role there
    assert dutch.status_code == 404 and "Pagina niet gevonden" in dutch.text
    assert 'class="site-header"' in dutch.text and "Zoek een gemeente" in dutch.text
    english = client.get("/instrumenten/gemeente/GM0678?lang=en")
    assert english.status_code == 404 and "Page not found" in english.text
    assert "This municipality does not exist or you have no access to it." in english.text
    assert client.get(f"/instrumenten/gemeente/{GM_A}/auditlog").status_code == 200
    respondent = login(app, world.email("resp_a1"))
    refused = respondent.get(f"/instrumenten/gemeente/{GM_A}/auditlog?lang=en")
    assert refused.status_code == 403 and "No access" in refused.text
    assert "You have no access to this page." in refused.text


@pytest.mark.parametrize("path, status", [
    ("/instrumenten/api/bestaat-niet", 404),
    ("/instrumenten/api/rondes/1", 401),
    ("/instrumenten/api/rondes/abc", 422),
])
def test_api_errors_are_json(app, world, path: str, status: int) -> None:
    response = TestClient(app).get(path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["status"] == status and body["fout"]


def test_api_docs_page_lists_the_instruments_api(app, world) -> None:
    client = TestClient(app)
    docs = client.get("/instrumenten/api/docs")
    assert docs.status_code == 200 and 'class="site-header"' in docs.text
    assert "GET /instrumenten/api/sessie" in docs.text
    assert "PUT /instrumenten/api/rondes/{round_id}/mijn-antwoorden" in docs.text
    assert "/gemeenten?q=" not in docs.text  # only the instruments, not the monitor's API
    spec = client.get("/instrumenten/api/openapi.json").json()
    assert spec["paths"] and all(p.startswith("/instrumenten/api/") for p in spec["paths"])
    assert "/instrumenten/api/rondes/{round_id}/scores" in spec["paths"]


def test_main_app_serves_the_instruments_in_its_shell(tmp_path: Path, monkeypatch, backend,
                                                      database_url: str) -> None:
    from schouders.config import load_settings
    from schouders.web.app import create_app

    monkeypatch.setenv("SCHOUDERS_DATABASE_URL", database_url)
    app = create_app(load_settings(home=tmp_path / "home"), warm=False)
    with TestClient(app) as client:
        page = client.get("/instrumenten/inloggen?lang=en")
        assert page.status_code == 200 and "<h1>Log in</h1>" in page.text
        assert 'class="site-header"' in page.text
        assert client.get("/instrumenten/api/rondes/1").json()["status"] == 401
        assert client.get("/instrumenten/api/bestaat-niet").json()["status"] == 404
        docs = client.get("/instrumenten/api/docs")
        assert docs.status_code == 200 and "GET /instrumenten/api/register" in docs.text
        assert "<code>GET /api/gemeenten" not in docs.text


def test_round_and_questionnaire_pages_in_english(app, db, world) -> None:
    from schouders.instruments.visitatie import create_round, ensure_respondent

    from .conftest import viewer_of

    coord = viewer_of(db, world.ids["coord_a"])
    with db.transaction() as session:
        round_ = create_round(session, coord, GM_A, "Voorjaar", "Woningbouwopgave")
        ensure_respondent(session, round_, world.ids["resp_a1"], actor=coord)
        round_id = round_.id
    respondent = login(app, world.email("resp_a1"))
    fill = respondent.get(f"/instrumenten/ronde/{round_id}/invullen?lang=en").text
    assert "Save as draft" in fill and ">Submit</button>" in fill
    assert "Opslaan als concept" not in fill
    overview = login(app, world.email("coord_a")).get(f"/instrumenten/ronde/{round_id}?lang=en")
    assert "Invite respondents" in overview.text and "Close round" in overview.text
    assert "Note: 1 respondent has not submitted yet" in overview.text
