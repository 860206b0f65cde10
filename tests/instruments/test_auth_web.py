"""Logging in over HTTP: cookies, CSRF on every form, throttling, sessions, audit."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from schouders.platform.models import AuditEntry, LoginSession, utcnow

from .conftest import GM_A, PASSWORD, csrf_from, instrument_routes, login


def attempt(client: TestClient, email: str, password: str):
    page = client.get("/instrumenten/inloggen")
    return client.post("/instrumenten/inloggen",
                       data={"email": email, "password": password,
                             "csrf_token": csrf_from(page.text)},
                       follow_redirects=False)


def test_login_sets_a_signed_httponly_samesite_cookie(app, world) -> None:
    client = TestClient(app)
    response = attempt(client, world.email("coord_a"), PASSWORD)
    assert response.status_code == 303
    cookie = next(h for h in response.headers.get_list("set-cookie")
                  if h.startswith("schouders_sessie="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    token, _, signature = cookie.split(";")[0].split("=", 1)[1].rpartition(".")
    assert len(signature) == 64 and token
    home = client.get("/instrumenten/")
    assert "Coord A" in home.text and "Twenterand" in home.text


def test_wrong_password_and_unknown_user_get_the_same_message(app, world) -> None:
    client = TestClient(app)
    wrong = attempt(client, world.email("coord_a"), "niet-het-wachtwoord")
    unknown = attempt(client, "niemand@example.nl", "niet-het-wachtwoord")
    assert wrong.status_code == unknown.status_code == 400
    assert "Onbekend e-mailadres of onjuist wachtwoord" in wrong.text
    assert "Onbekend e-mailadres of onjuist wachtwoord" in unknown.text
    assert "schouders_sessie=" not in wrong.headers.get("set-cookie", "")


def test_tampered_or_forged_session_cookie_is_not_logged_in(app, world) -> None:
    client = login(app, world.email("coord_a"))
    value = client.cookies.get("schouders_sessie")
    assert value
    token, _, signature = value.rpartition(".")
    forged = TestClient(app)
    forged.cookies.set("schouders_sessie", f"{token}x.{signature}")
    assert forged.get(f"/instrumenten/gemeente/{GM_A}", follow_redirects=False).status_code == 303
    unsigned = TestClient(app)
    unsigned.cookies.set("schouders_sessie", token)
    assert unsigned.get(f"/instrumenten/gemeente/{GM_A}",
                        follow_redirects=False).status_code == 303


def test_logout_ends_the_session_on_the_server(app, db, world) -> None:
    client = login(app, world.email("coord_a"))
    stolen = client.cookies.get("schouders_sessie")
    page = client.get("/instrumenten/")
    client.post("/instrumenten/uitloggen", data={"csrf_token": csrf_from(page.text)},
                follow_redirects=False)
    replay = TestClient(app)
    replay.cookies.set("schouders_sessie", stolen)
    assert replay.get(f"/instrumenten/gemeente/{GM_A}",
                      follow_redirects=False).status_code == 303
    with db.transaction() as session:
        assert session.scalars(select(LoginSession)).all() == []


def test_throttling_after_five_failures_per_account_and_ip(app, runtime, world) -> None:
    client = TestClient(app)
    email = world.email("coord_a")
    for _ in range(5):
        assert attempt(client, email, "fout-wachtwoord").status_code == 400
    blocked = attempt(client, email, PASSWORD)  # even the right password must wait
    assert blocked.status_code == 429
    assert "Te veel mislukte inlogpogingen" in blocked.text
    assert "Wacht 15 minuten" in blocked.text
    # another account from the same address is not affected
    assert attempt(client, world.email("coord_b"), PASSWORD).status_code == 303
    # the same account from another address is not affected
    other_ip = TestClient(app, client=("10.1.2.3", 5000))
    assert attempt(other_ip, email, PASSWORD).status_code == 303
    # after the window the account can log in again
    later = utcnow() + timedelta(minutes=15, seconds=5)
    runtime.clock = lambda: later
    assert attempt(client, email, PASSWORD).status_code == 303


def test_every_form_post_requires_a_valid_csrf_token(app, world) -> None:
    client = login(app, world.email("coord_a"))
    post_routes = [(path, r) for path, r in instrument_routes(app) if "POST" in r.methods]
    assert len(post_routes) >= 15
    values = {"gm_code": GM_A, "round_id": "1", "check_id": "1", "token": "x",
              "user_id": "1"}
    for template, _route in post_routes:
        path = template.format(**values)
        for data in ({}, {"csrf_token": "vervalst"}):
            response = client.post(path, data=data, follow_redirects=False)
            assert response.status_code == 403, (path, data, response.status_code)
            assert "Het formulier is verlopen" in response.text


def test_changing_api_calls_require_the_csrf_header(app, db, world) -> None:
    from schouders.instruments.visitatie import create_round, ensure_respondent

    from .conftest import viewer_of

    coord = viewer_of(db, world.ids["coord_a"])
    with db.transaction() as session:
        round_ = create_round(session, coord, GM_A, "Ronde")
        ensure_respondent(session, round_, world.ids["resp_a1"], actor=coord)
        round_id = round_.id
    client = login(app, world.email("resp_a1"))
    url = f"/instrumenten/api/rondes/{round_id}/mijn-antwoorden"
    assert client.put(url, json={"antwoorden": {"hb-01": 4}}).status_code == 403
    token = client.get("/instrumenten/api/sessie").json()["csrf_token"]
    saved = client.put(url, json={"antwoorden": {"hb-01": 4}}, headers={"X-CSRF-Token": token})
    assert saved.status_code == 200
    assert client.get(url).json()["antwoorden"] == {"hb-01": 4}


def test_login_and_changes_are_in_the_audit_log(app, db, world) -> None:
    client = login(app, world.email("coord_a"))
    page = client.get(f"/instrumenten/gemeente/{GM_A}")
    response = client.post(f"/instrumenten/gemeente/{GM_A}/rondes",
                           data={"csrf_token": csrf_from(page.text), "title": "Voorjaar",
                                 "opgaven": "Woningbouwopgave"},
                           follow_redirects=False)
    assert response.status_code == 303
    with db.transaction() as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        actions = [(r.actor, r.action, r.gm_code) for r in rows]
    assert (world.email("coord_a"), "user.login", None) in actions
    assert (world.email("coord_a"), "round.created", GM_A) in actions
    audit_page = client.get(f"/instrumenten/gemeente/{GM_A}/auditlog")
    assert "ronde aangemaakt" in audit_page.text and "Voorjaar" in audit_page.text


def test_security_headers_and_malformed_ids(app, world) -> None:
    client = login(app, world.email("coord_a"))
    page = client.get(f"/instrumenten/gemeente/{GM_A}")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-store"
    # the monitor's middleware, app-wide (the instruments have no copy of their own)
    assert page.headers["permissions-policy"].startswith("camera=()")
    assert 'style="' not in page.text  # the CSP allows no inline styles
    for path in ("/instrumenten/ronde/abc", "/instrumenten/ronde/99999999999",
                 "/instrumenten/apk/0/rapport"):
        response = client.get(path)
        assert response.status_code == 404 and "Pagina niet gevonden" in response.text, path
        assert 'class="site-header"' in response.text  # the monitor's error page
    api = client.get("/instrumenten/api/rondes/99999999999/scores")
    assert api.status_code == 422 and api.json()["fout"] == "Ongeldige invoer."
