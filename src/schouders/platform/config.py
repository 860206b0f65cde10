"""Settings of the instruments, derived from the project Settings plus environment variables.

- ``SCHOUDERS_DATABASE_URL``: SQLAlchemy URL, e.g. ``postgresql+psycopg://user@host/db``.
  Default: an SQLite file ``instrumenten.sqlite`` under ``SCHOUDERS_HOME``.
- ``SCHOUDERS_SECRET_KEY``: key for signing cookies. Default: a random key generated once and kept
  in the database, so that several app processes sharing one database agree on it.
- ``SCHOUDERS_COOKIE_SECURE=1``: always mark cookies Secure (set this behind an HTTPS proxy).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from schouders.config import Settings
from schouders.instruments.db import default_sqlite_url

SESSION_HOURS = 10
INVITE_DAYS = 14
THROTTLE_FAILURES = 5
THROTTLE_WINDOW_MINUTES = 15
MIN_RESPONDENTS_FOR_SCORES = 2
MIN_PASSWORD_LENGTH = 10


@dataclass(frozen=True)
class InstrumentsConfig:
    database_url: str
    secret_key: str | None = None
    cookie_secure: bool = False


def instruments_config(settings: Settings, database_url: str | None = None) -> InstrumentsConfig:
    url = database_url or os.environ.get("SCHOUDERS_DATABASE_URL") or default_sqlite_url(
        settings.home
    )
    return InstrumentsConfig(
        database_url=url,
        secret_key=os.environ.get("SCHOUDERS_SECRET_KEY") or None,
        cookie_secure=os.environ.get("SCHOUDERS_COOKIE_SECURE", "") in ("1", "true", "yes"),
    )
