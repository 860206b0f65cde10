"""Settings of the platform, derived from the project Settings plus environment variables.

- ``SCHOUDERS_DATABASE_URL``: SQLAlchemy URL, e.g. ``postgresql+psycopg://user@host/db``.
  Default: an SQLite file ``instrumenten.sqlite`` under ``SCHOUDERS_HOME``.
- ``SCHOUDERS_SECRET_KEY``: key for signing cookies. Default: a random key generated once and kept
  in the database, so that several app processes sharing one database agree on it.
- ``SCHOUDERS_COOKIE_SECURE=1``: always mark cookies Secure (set this behind an HTTPS proxy).
- ``SCHOUDERS_PUBLIC_URL``: the address users reach the app at (``https://schouders.example.nl``);
  invite links are built from it, never from the request's Host header.
- ``SCHOUDERS_FORWARDED_ALLOW_IPS``: addresses of trusted reverse proxies whose
  ``X-Forwarded-For`` is believed (passed to uvicorn); default none, so clients cannot forge it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlsplit

from schouders.config import Settings
from schouders.errors import SchoudersError
from schouders.platform.db import default_sqlite_url

SESSION_HOURS = 10
# A session's "last seen" is written at most this often: reading a session never takes the write
# lock on every request.
SESSION_TOUCH_MINUTES = 5
INVITE_DAYS = 14
# Failed password checks per (account, address) within the window before that pair is refused.
THROTTLE_FAILURES = 5
THROTTLE_WINDOW_MINUTES = 15
# Any password checks (right or wrong, known or unknown account) per address within the window:
# bounds password guessing over many accounts, and the hashing load one address can cause.
THROTTLE_IP_ATTEMPTS = 30
# Failures for one account from all addresses together within the window.
THROTTLE_ACCOUNT_FAILURES = 20
MIN_PASSWORD_LENGTH = 10


@dataclass(frozen=True)
class PlatformConfig:
    database_url: str
    secret_key: str | None = None
    cookie_secure: bool = False
    public_url: str | None = None


def check_public_url(value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise SchoudersError(
            f"SCHOUDERS_PUBLIC_URL {value!r} is geen geldig adres.",
            "Gebruik bijvoorbeeld https://schouders.example.nl (zonder pad achter de naam, "
            "of met het pad waaronder de app draait).",
        )
    return value.strip().rstrip("/")


def platform_config(settings: Settings, database_url: str | None = None) -> PlatformConfig:
    url = database_url or os.environ.get("SCHOUDERS_DATABASE_URL") or default_sqlite_url(
        settings.home
    )
    public = os.environ.get("SCHOUDERS_PUBLIC_URL") or None
    return PlatformConfig(
        database_url=url,
        secret_key=os.environ.get("SCHOUDERS_SECRET_KEY") or None,
        cookie_secure=os.environ.get("SCHOUDERS_COOKIE_SECURE", "") in ("1", "true", "yes"),
        public_url=check_public_url(public) if public else None,
    )
