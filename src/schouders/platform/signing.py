"""Random tokens, their digests (what the database keeps), and HMAC signing of cookie values and
CSRF tokens with one key (configured, or created once and kept in the database)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from schouders.platform.db import Database
from schouders.platform.models import AppSecret

SIGNING_KEY_NAME = "cookie_signing_key"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What the database stores instead of a session or invite token."""
    return hashlib.sha256(token.encode()).hexdigest()


class Signer:
    """HMAC-SHA256 signatures with one secret key, separated by purpose."""

    def __init__(self, key: str) -> None:
        self._key = key.encode()

    def mac(self, purpose: str, value: str) -> str:
        return hmac.new(self._key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()

    def sign(self, purpose: str, value: str) -> str:
        return f"{value}.{self.mac(purpose, value)}"

    def unsign(self, purpose: str, signed: str | None) -> str | None:
        if not signed or "." not in signed:
            return None
        value, _, signature = signed.rpartition(".")
        return value if hmac.compare_digest(signature, self.mac(purpose, value)) else None

    def matches(self, purpose: str, value: str, candidate: str | None) -> bool:
        return bool(candidate) and hmac.compare_digest(self.mac(purpose, value), candidate or "")


def signing_key(db: Database, configured: str | None) -> str:
    """The configured key, or the key kept in the database (created once, shared by processes)."""
    if configured:
        return configured
    with db.transaction() as session:
        existing = session.scalar(select(AppSecret.value).where(AppSecret.name == SIGNING_KEY_NAME))
        if existing:
            return existing
    try:
        with db.transaction() as session:
            session.add(AppSecret(name=SIGNING_KEY_NAME, value=secrets.token_hex(32)))
    except IntegrityError:
        pass  # another process created it first; use theirs
    with db.transaction() as session:
        value = session.scalar(select(AppSecret.value).where(AppSecret.name == SIGNING_KEY_NAME))
    assert value
    return value
