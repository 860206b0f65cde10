"""Own password change, password reset and blocking by the beheerder, and throttling of every
form that checks a password (login, invite for an existing account, password change)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from schouders.platform.invites import create_invite
from schouders.platform.models import AuditEntry, LoginSession, User
from schouders.platform.passwords import verify_password

from .conftest import GM_A, GM_B, PASSWORD, csrf_from, login, viewer_of

NEW_PASSWORD = "een-ander-lang-wachtwoord"


def sessions_of(db, user_id: int) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count(LoginSession.id))
                              .where(LoginSession.user_id == user_id)) or 0


def test_own_password_change_needs_current_and_ends_other_sessions(app, db, world) -> None:
    other_device = login(app, world.email("resp_a1"))
    client = login(app, world.email("resp_a1"))
    page = client.get("/instrumenten/account")
    assert page.status_code == 200 and "Wachtwoord wijzigen" in page.text
    token = csrf_from(page.text)
    wrong = client.post("/instrumenten/account/wachtwoord", data={
        "csrf_token": token, "current_password": "fout-fout-fout", "password": "kort",
        "password_repeat": "kort"})
    assert wrong.status_code == 400
    assert "Uw huidige wachtwoord klopt niet." in wrong.text
    assert "ten minste 10 tekens" in wrong.text
    assert 'id="current_password-fout"' in wrong.text and 'id="password-fout"' in wrong.text
    done = client.post("/instrumenten/account/wachtwoord", data={
        "csrf_token": token, "current_password": PASSWORD, "password": NEW_PASSWORD,
        "password_repeat": NEW_PASSWORD}, follow_redirects=False)
    assert done.status_code == 303
    assert client.get("/instrumenten/account").status_code == 200  # this session stays
    assert other_device.get("/instrumenten/account", follow_redirects=False).status_code == 303
    assert sessions_of(db, world.ids["resp_a1"]) == 1
    login(app, world.email("resp_a1"), NEW_PASSWORD)
    with db.transaction() as session:
        actions = session.scalars(select(AuditEntry.gm_code).where(
            AuditEntry.action == "user.password_changed")).all()
    assert sorted(a or "" for a in actions) == ["", GM_A]


def test_password_change_form_is_throttled(app, world) -> None:
    client = login(app, world.email("resp_a1"))
    token = csrf_from(client.get("/instrumenten/account").text)
    data = {"csrf_token": token, "current_password": "geraden-wachtwoord",
            "password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD}
    statuses = [client.post("/instrumenten/account/wachtwoord", data=data).status_code
                for _ in range(6)]
    assert statuses == [400] * 5 + [429]
    right = dict(data, current_password=PASSWORD)
    assert client.post("/instrumenten/account/wachtwoord", data=right).status_code == 429


def test_invite_for_an_existing_account_cannot_be_used_to_guess_its_password(
        app, db, world) -> None:
    """The coördinator of B invites a user of A: the link must not become an unthrottled way
    to guess that user's password (and so read A's answers)."""
    coord_b = viewer_of(db, world.ids["coord_b"])
    with db.transaction() as session:
        created = create_invite(session, coord_b, GM_B, "respondent", world.email("coord_a"))
    attacker = TestClient(app)
    url = f"/instrumenten/uitnodiging/{created.token}"
    token = csrf_from(attacker.get(url).text)
    statuses = [attacker.post(url, data={"csrf_token": token, "password": f"gok-{i}-gok-gok"},
                              follow_redirects=False).status_code for i in range(6)]
    assert statuses == [400] * 5 + [429]
    right = attacker.post(url, data={"csrf_token": token, "password": PASSWORD},
                          follow_redirects=False)
    assert right.status_code == 429 and "Te veel mislukte" in right.text
    # the failures count for the login form too
    page = attacker.get("/instrumenten/inloggen")
    response = attacker.post("/instrumenten/inloggen", data={
        "email": world.email("coord_a"), "password": PASSWORD,
        "csrf_token": csrf_from(page.text)})
    assert response.status_code == 429


def test_beheerder_sets_a_new_password_and_blocks(app, db, world) -> None:
    victim = login(app, world.email("resp_a1"))
    admin = login(app, world.email("beheerder"))
    page = admin.get("/instrumenten/beheer")
    token = csrf_from(page.text)
    uid = world.ids["resp_a1"]
    mismatch = admin.post(f"/instrumenten/beheer/accounts/{uid}/wachtwoord", data={
        "csrf_token": token, "password": NEW_PASSWORD, "password_repeat": "iets-anders-dan"})
    assert mismatch.status_code == 400 and "niet gelijk" in mismatch.text
    assert f'id="u{uid}_password_repeat-fout"' in mismatch.text
    done = admin.post(f"/instrumenten/beheer/accounts/{uid}/wachtwoord", data={
        "csrf_token": token, "password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD},
        follow_redirects=False)
    assert done.status_code == 303
    assert victim.get("/instrumenten/account", follow_redirects=False).status_code == 303
    with db.transaction() as session:
        user = session.get(User, uid)
        assert user is not None and verify_password(user.password_hash, NEW_PASSWORD)
    # the coördinator of the user's municipality sees that it happened
    coord = login(app, world.email("coord_a"))
    log = coord.get(f"/instrumenten/gemeente/{GM_A}/auditlog").text
    assert "wachtwoord opnieuw ingesteld door beheerder" in log

    blocked = admin.post(f"/instrumenten/beheer/accounts/{uid}/status",
                         data={"csrf_token": token, "actief": "nee"}, follow_redirects=False)
    assert blocked.status_code == 303
    client = TestClient(app)
    page = client.get("/instrumenten/inloggen")
    refused = client.post("/instrumenten/inloggen", data={
        "email": world.email("resp_a1"), "password": NEW_PASSWORD,
        "csrf_token": csrf_from(page.text)})
    assert refused.status_code == 400
    admin.post(f"/instrumenten/beheer/accounts/{uid}/status",
               data={"csrf_token": token, "actief": "ja"})
    login(app, world.email("resp_a1"), NEW_PASSWORD)
    # the beheerder cannot lock himself out
    own = admin.post(f"/instrumenten/beheer/accounts/{world.ids['beheerder']}/status",
                     data={"csrf_token": token, "actief": "nee"})
    assert own.status_code == 400


def test_only_the_beheerder_resets_passwords(app, db, world) -> None:
    uid = world.ids["resp_a1"]
    for who in ("coord_a", "coord_b", "resp_a1"):
        client = login(app, world.email(who))
        token = csrf_from(client.get("/instrumenten/").text)
        for path, data in ((f"/instrumenten/beheer/accounts/{uid}/wachtwoord",
                            {"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD}),
                           (f"/instrumenten/beheer/accounts/{uid}/status", {"actief": "nee"})):
            response = client.post(path, data={"csrf_token": token, **data})
            assert response.status_code == 403, (who, path)
    with db.transaction() as session:
        user = session.get(User, uid)
        assert user is not None and user.active
        assert verify_password(user.password_hash, PASSWORD)


def test_cli_sets_a_new_password(db, world, database_url) -> None:
    from typer.testing import CliRunner

    from schouders.instruments.cli import instruments_cli

    runner = CliRunner()
    email = world.email("beheerder").upper()
    short = runner.invoke(instruments_cli, ["wachtwoord-instellen", email, "--wachtwoord", "kort",
                                            "--database-url", database_url])
    assert short.exit_code == 1 and "10 tekens" in short.output
    unknown = runner.invoke(instruments_cli, ["wachtwoord-instellen", "niemand@example.nl",
                                              "--wachtwoord", NEW_PASSWORD,
                                              "--database-url", database_url])
    assert unknown.exit_code == 1 and "Geen account" in unknown.output
    done = runner.invoke(instruments_cli, ["wachtwoord-instellen", email, "--wachtwoord",
                                           NEW_PASSWORD, "--database-url", database_url])
    assert done.exit_code == 0, done.output
    with db.transaction() as session:
        user = session.get(User, world.ids["beheerder"])
        assert user is not None and verify_password(user.password_hash, NEW_PASSWORD)
        entry = session.scalar(select(AuditEntry).where(
            AuditEntry.action == "user.password_reset"))
        assert entry is not None and entry.actor == "opdrachtregel"


def test_next_after_login_is_only_a_local_path() -> None:
    from schouders.instruments.web.pages_auth import safe_next

    for bad in ("//evil.example", "https://evil.example", "/\\evil.example", "/\t/evil.example",
                "/\n/evil.example", " /x", ""):
        assert safe_next(bad, "/instrumenten/") == "/instrumenten/", bad
    assert safe_next("/instrumenten/ronde/3?x=1", "/") == "/instrumenten/ronde/3?x=1"
