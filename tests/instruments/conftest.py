"""Fixtures for the instruments: every database test runs on SQLite and, when
SCHOUDERS_TEST_POSTGRES_URL is set (see scripts/start_test_postgres.sh), on PostgreSQL too.

On PostgreSQL each test gets its own schema (via ``search_path`` in the URL), dropped afterwards.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from schouders.config import Settings, load_settings
from schouders.instruments.web.router import create_instruments_app
from schouders.instruments.web.runtime import InstrumentsRuntime, create_runtime
from schouders.platform.accounts import add_municipality, set_membership
from schouders.platform.db import Database
from schouders.platform.models import User
from schouders.platform.passwords import hash_password

POSTGRES_ENV = "SCHOUDERS_TEST_POSTGRES_URL"
PASSWORD = "correct-paard-batterij"
GM_A, NAME_A = "GM1700", "Twenterand"
GM_B, NAME_B = "GM0678", "Kapelle"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def postgres_base_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres" and not postgres_base_url():
        pytest.skip(
            f"{POSTGRES_ENV} is not set; start a server with "
            "'eval \"$(scripts/start_test_postgres.sh)\"' to run the PostgreSQL variant"
        )
    return request.param


@contextmanager
def fresh_database_url(backend: str, directory: Path) -> Iterator[str]:
    """An empty database: an SQLite file, or a new PostgreSQL schema dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{(directory / f'instr-{uuid.uuid4().hex[:8]}.sqlite').as_posix()}"
        return
    base = postgres_base_url()
    assert base
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture()
def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    with fresh_database_url(backend, tmp_path) as url:
        yield url


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return load_settings(home=tmp_path / "home")


@pytest.fixture()
def runtime(settings: Settings, database_url: str) -> Iterator[InstrumentsRuntime]:
    rt = create_runtime(settings, database_url)
    yield rt
    rt.close()


@pytest.fixture()
def db(runtime: InstrumentsRuntime) -> Database:
    return runtime.db


@pytest.fixture()
def app(settings: Settings, runtime: InstrumentsRuntime):
    return create_instruments_app(settings, runtime=runtime)


@dataclass
class World:
    """Two municipalities with users in every role, plus a platform administrator."""

    db: Database
    ids: dict[str, int] = field(default_factory=dict)

    def email(self, who: str) -> str:
        return f"{who}@example.nl"


WORLD_USERS = {
    # who: (gm_code, role) or None for the administrator
    "beheerder": None,
    "coord_a": (GM_A, "coordinator"),
    "analist_a": (GM_A, "analist"),
    "resp_a1": (GM_A, "respondent"),
    "resp_a2": (GM_A, "respondent"),
    "resp_a3": (GM_A, "respondent"),
    "coord_b": (GM_B, "coordinator"),
    "resp_b": (GM_B, "respondent"),
}


@lru_cache(maxsize=1)
def password_hash() -> str:
    """One argon2 hash of PASSWORD for all fixture users (hashing costs ~0.25 s each here)."""
    return hash_password(PASSWORD)


@pytest.fixture()
def world(db: Database) -> World:
    result = World(db)
    with db.transaction() as session:
        add_municipality(session, GM_A, NAME_A)
        add_municipality(session, GM_B, NAME_B)
        for who, membership in WORLD_USERS.items():
            user = User(email=result.email(who), name=who.replace("_", " ").title(),
                        password_hash=password_hash(), is_admin=membership is None, active=True)
            session.add(user)
            session.flush()
            if membership:
                set_membership(session, user, *membership)
            result.ids[who] = user.id
    return result


def instrument_routes(app) -> list[tuple[str, APIRoute]]:
    """(full path, route) for every route of the instruments router mounted in ``app``."""
    router = app.state.instruments_router
    return [("/instrumenten" + route.path, route) for route in router.routes
            if isinstance(route, APIRoute)]


def viewer_of(db: Database, user_id: int):
    from schouders.platform.accounts import viewer_for

    with db.transaction() as session:
        viewer = viewer_for(session, user_id)
    assert viewer is not None
    return viewer


def csrf_from(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "no csrf_token field on the page"
    return match.group(1)


def login(app, email: str, password: str = PASSWORD, ip_client: TestClient | None = None):
    """A TestClient logged in as ``email`` (its own cookie jar)."""
    client = ip_client or TestClient(app)
    page = client.get("/instrumenten/inloggen")
    response = client.post(
        "/instrumenten/inloggen",
        data={"email": email, "password": password, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:500]
    return client


def form_post(client: TestClient, page_path: str, post_path: str, data: dict,
              **kwargs):
    """POST a form the way a browser would: take the CSRF token from the page first."""
    page = client.get(page_path)
    assert page.status_code == 200, (page_path, page.status_code)
    return client.post(post_path, data={"csrf_token": csrf_from(page.text), **data},
                       follow_redirects=False, **kwargs)
