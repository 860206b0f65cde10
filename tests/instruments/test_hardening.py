"""Regression tests from the attack probe: locking, throttling, JSON errors, password strength,
invite form, public URL and trusted proxies. Bounded in count and time; 127.0.0.1 only."""

from __future__ import annotations

import dataclasses
import sqlite3
import threading
import uuid
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from schouders.platform import sessions
from schouders.platform.accounts import admin_set_active
from schouders.platform.config import (
    SESSION_TOUCH_MINUTES,
    THROTTLE_ACCOUNT_FAILURES,
    THROTTLE_FAILURES,
    THROTTLE_IP_ATTEMPTS,
)
from schouders.platform.invites import WRONG_OR_BLOCKED, create_invite
from schouders.platform.models import LoginAttempt, LoginSession
from schouders.platform.passwords import password_problems
from schouders.platform.sessions import LoginFailed, log_in
from schouders.platform.signing import token_digest
from schouders.platform.throttle import LoginThrottled

from .conftest import GM_B, PASSWORD, csrf_from, login, viewer_of


def sqlite_path(database_url: str) -> str:
    return str(make_url(database_url).database)


def post_login(client: TestClient, email: str, password: str):
    page = client.get("/instrumenten/inloggen")
    return client.post("/instrumenten/inloggen", follow_redirects=False, data={
        "email": email, "password": password, "csrf_token": csrf_from(page.text)})


# --- b. no write lock while hashing, none for reading a session -----------------------------


def test_login_verifies_the_password_with_no_write_lock_held(app, world, backend, database_url,
                                                             monkeypatch) -> None:
    if backend != "sqlite":
        pytest.skip("the SQLite write lock is what queued every other request")
    seen: list[bool] = []
    verify = sessions.verify_password

    def verify_while_probing(stored: str, password: str) -> bool:
        probe = sqlite3.connect(sqlite_path(database_url), timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")  # fails at once if anyone holds the write lock
            probe.execute("ROLLBACK")
            seen.append(True)
        except sqlite3.OperationalError:
            seen.append(False)
        finally:
            probe.close()
        return verify(stored, password)

    monkeypatch.setattr(sessions, "verify_password", verify_while_probing)
    client = TestClient(app)
    assert post_login(client, world.email("coord_a"), "fout-fout-fout").status_code == 400
    assert post_login(client, world.email("coord_a"), PASSWORD).status_code == 303
    assert seen == [True, True]


def test_reading_a_session_takes_no_write_lock(app, world, backend, database_url) -> None:
    if backend != "sqlite":
        pytest.skip("PostgreSQL readers never wait for writers")
    client = login(app, world.email("resp_a1"))
    holder = sqlite3.connect(sqlite_path(database_url), timeout=5, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # a long writer (a slow login used to be one)
    holder.execute("DELETE FROM login_attempts WHERE id < 0")
    result: list[int] = []
    thread = threading.Thread(
        target=lambda: result.append(client.get("/instrumenten/api/sessie").status_code))
    try:
        thread.start()
        thread.join(timeout=8)  # the busy timeout is 30 s: waiting for the lock would fail here
        assert result == [200]
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        thread.join(timeout=40)


def test_last_seen_is_written_at_most_every_few_minutes(app, runtime, db, world) -> None:
    start = runtime.now()
    clock = [start]
    runtime.clock = lambda: clock[0]
    client = login(app, world.email("resp_a1"))
    token = client.cookies.get("schouders_sessie").rpartition(".")[0]

    def last_seen():
        with db.transaction() as session:
            return session.scalar(select(LoginSession.last_seen_at).where(
                LoginSession.token_hash == token_digest(token)))

    assert last_seen() == start
    clock[0] = start + timedelta(minutes=SESSION_TOUCH_MINUTES - 1)
    assert client.get("/instrumenten/api/sessie").status_code == 200
    assert last_seen() == start  # not written on every request
    clock[0] = start + timedelta(minutes=SESSION_TOUCH_MINUTES + 1)
    assert client.get("/instrumenten/api/sessie").status_code == 200
    assert last_seen() == clock[0]


# --- b. the login endpoint itself is rate-limited ---------------------------------------------


def test_login_is_limited_per_address_also_for_unknown_accounts(app, world) -> None:
    attacker = TestClient(app, client=("10.1.1.1", 40000))
    for i in range(THROTTLE_IP_ATTEMPTS):
        response = post_login(attacker, f"onbekend-{i}@example.nl", "gok-gok-gok-gok")
        assert response.status_code == 400, i
    refused = post_login(attacker, world.email("coord_a"), PASSWORD)
    assert refused.status_code == 429 and "vanaf uw adres" in refused.text
    assert refused.headers["retry-after"].isdigit()
    other = TestClient(app, client=("10.1.1.2", 40000))
    assert post_login(other, world.email("coord_a"), PASSWORD).status_code == 303


def test_login_is_limited_per_account_across_addresses(db, world) -> None:
    email = world.email("coord_a")
    for i in range(THROTTLE_ACCOUNT_FAILURES):
        with pytest.raises(LoginFailed):
            log_in(db, email, "gok-gok-gok-gok", f"10.2.0.{i}")
    with pytest.raises(LoginThrottled):
        log_in(db, email, PASSWORD, "10.2.1.1")
    # another account from those addresses is not affected
    assert log_in(db, world.email("coord_b"), PASSWORD, "10.2.0.1").viewer.email == world.email(
        "coord_b")


# --- c. concurrent attempts cannot pass the check together -------------------------------------


def test_concurrent_wrong_passwords_cannot_exceed_the_limit(db, world, monkeypatch) -> None:
    verified: list[int] = []
    verify = sessions.verify_password
    lock = threading.Lock()

    def counting(stored: str, password: str) -> bool:
        with lock:
            verified.append(1)
        return verify(stored, password)

    monkeypatch.setattr(sessions, "verify_password", counting)
    threads_count = 12
    barrier = threading.Barrier(threads_count)
    outcomes: list[str] = []

    def attempt() -> None:
        barrier.wait(timeout=30)
        try:
            log_in(db, world.email("coord_a"), "gok-gok-gok-gok", "10.3.0.1")
        except LoginThrottled:
            outcomes.append("throttled")
        except LoginFailed:
            outcomes.append("failed")

    threads = [threading.Thread(target=attempt) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["failed"] * THROTTLE_FAILURES + ["throttled"] * (
        threads_count - THROTTLE_FAILURES)
    assert len(verified) == THROTTLE_FAILURES
    with db.transaction() as session:
        assert session.scalar(select(func.count(LoginAttempt.id)).where(
            LoginAttempt.ip == "10.3.0.1")) == THROTTLE_FAILURES


# --- b. the JSON API answers JSON, also when something breaks ---------------------------------


def test_an_unexpected_error_in_the_api_is_a_json_500(app, world, monkeypatch) -> None:
    from schouders.instruments.web import api

    def broken(*args, **kwargs):
        raise RuntimeError("kapot")

    monkeypatch.setattr(api, "load_questionnaire", broken)
    response = TestClient(app, raise_server_exceptions=False).get("/instrumenten/api/vragenlijst")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["status"] == 500 and "kapot" not in response.text


# --- f. the invite form and passwords ----------------------------------------------------------


def test_invite_form_does_not_reveal_a_blocked_accounts_password(app, db, world) -> None:
    admin = viewer_of(db, world.ids["beheerder"])
    coord_b = viewer_of(db, world.ids["coord_b"])
    with db.transaction() as session:
        admin_set_active(session, admin, world.ids["resp_a1"], False)
        created = create_invite(session, coord_b, GM_B, "respondent", world.email("resp_a1"))
    holder = TestClient(app)
    url = f"/instrumenten/uitnodiging/{created.token}"
    token = csrf_from(holder.get(url).text)
    answers = [holder.post(url, data={"csrf_token": token, "password": password},
                           follow_redirects=False) for password in (PASSWORD, "gok-gok-gok-1")]
    assert [a.status_code for a in answers] == [400, 400]
    assert all(WRONG_OR_BLOCKED.split(",")[0] in a.text for a in answers)
    assert all("geblokkeerd; neem contact" not in a.text for a in answers)


@pytest.mark.parametrize("weak", ["aaaaaaaaaa", "wachtwoord123", "Welkom2024!", "1234567890",
                                  "qwertyuiop", "abcabcabcabc"])
def test_weak_passwords_are_refused(weak: str) -> None:
    assert "password" in password_problems(weak)


@pytest.mark.parametrize("good", ["correct-paard-batterij", "Tulpen fiets regen 7"])
def test_good_passwords_are_accepted(good: str) -> None:
    assert password_problems(good, good) == {}


def test_a_new_account_with_a_weak_password_is_refused_on_the_invite_form(app, db, world) -> None:
    coord_a = viewer_of(db, world.ids["coord_a"])
    email = f"nieuw-{uuid.uuid4().hex[:6]}@example.nl"
    with db.transaction() as session:
        created = create_invite(session, coord_a, "GM1700", "respondent", email)
    client = TestClient(app)
    url = f"/instrumenten/uitnodiging/{created.token}"
    token = csrf_from(client.get(url).text)
    weak = client.post(url, follow_redirects=False, data={
        "csrf_token": token, "name": "Nieuw", "password": "aaaaaaaaaa",
        "password_repeat": "aaaaaaaaaa"})
    assert weak.status_code == 400 and "herhalingen zijn snel te raden" in weak.text
    good = client.post(url, follow_redirects=False, data={
        "csrf_token": token, "name": "Nieuw", "password": "correct-paard-batterij",
        "password_repeat": "correct-paard-batterij"})
    assert good.status_code == 303


# --- g. invite links from the configured public URL, not the Host header ------------------------


def invite_page(app, world, host: str) -> str:
    admin = login(app, world.email("beheerder"))
    page = admin.get("/instrumenten/beheer")
    response = admin.post("/instrumenten/beheer/uitnodigingen", headers={"host": host}, data={
        "csrf_token": csrf_from(page.text), "invite_gm_code": GM_B, "role": "analist",
        "email": f"x-{uuid.uuid4().hex[:6]}@example.nl"})
    assert response.status_code == 200, response.text[:300]
    return response.text


def test_invite_links_use_the_configured_public_url(app, runtime, world) -> None:
    runtime.config = dataclasses.replace(runtime.config,
                                         public_url="https://schouders.example.nl")
    html = invite_page(app, world, "evil.example")
    assert 'value="https://schouders.example.nl/instrumenten/uitnodiging/' in html
    assert "evil.example" not in html


def test_without_a_public_url_the_host_header_is_not_used(app, world) -> None:
    html = invite_page(app, world, "evil.example")
    assert "evil.example" not in html
    assert 'value="/instrumenten/uitnodiging/' in html and "SCHOUDERS_PUBLIC_URL" in html


def test_public_url_setting_is_checked(monkeypatch, settings) -> None:
    from schouders.errors import SchoudersError
    from schouders.platform.config import platform_config

    monkeypatch.setenv("SCHOUDERS_PUBLIC_URL", "https://schouders.example.nl/")
    assert platform_config(settings).public_url == "https://schouders.example.nl"
    monkeypatch.setenv("SCHOUDERS_PUBLIC_URL", "schouders.example.nl")
    with pytest.raises(SchoudersError):
        platform_config(settings)


# --- e. behind a trusted reverse proxy, users do not share its address ---------------------------


def recorded_ips(db) -> list[str]:
    with db.transaction() as session:
        return list(session.scalars(select(LoginAttempt.ip).order_by(LoginAttempt.id)))


@pytest.mark.parametrize("trusted, expected", [
    ("127.0.0.1", ["203.0.113.7", "198.51.100.9"]),  # the proxy's report is believed
    (None, ["127.0.0.1", "127.0.0.1"]),  # default: a forged X-Forwarded-For changes nothing
])
def test_forwarded_for_is_believed_only_from_a_trusted_proxy(app, db, world, monkeypatch,
                                                             trusted, expected) -> None:
    import socket
    import time

    import httpx
    import uvicorn

    from schouders.web.server import proxy_options

    monkeypatch.delenv("SCHOUDERS_FORWARDED_ALLOW_IPS", raising=False)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           **proxy_options(trusted)))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started:
        assert time.time() < deadline
        time.sleep(0.05)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            for forwarded in ("203.0.113.7", "198.51.100.9"):
                page = client.get("/instrumenten/inloggen")
                client.post("/instrumenten/inloggen", headers={"X-Forwarded-For": forwarded},
                            data={"email": world.email("coord_a"), "password": "gok-gok-gok-1",
                                  "csrf_token": csrf_from(page.text)})
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    assert recorded_ips(db) == expected


def test_proxy_options_from_the_environment(monkeypatch) -> None:
    from schouders.web.server import proxy_options

    monkeypatch.delenv("SCHOUDERS_FORWARDED_ALLOW_IPS", raising=False)
    assert proxy_options() == {"proxy_headers": False}
    monkeypatch.setenv("SCHOUDERS_FORWARDED_ALLOW_IPS", "10.0.0.5, 10.0.0.6")
    assert proxy_options() == {"proxy_headers": True, "forwarded_allow_ips": "10.0.0.5, 10.0.0.6"}
    assert proxy_options("") == {"proxy_headers": False}  # explicit: trust none
