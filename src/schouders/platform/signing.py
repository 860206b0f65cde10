"""Passwords (argon2id), random tokens, and HMAC signing of cookie values and CSRF tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from schouders.instruments.db import Database
from schouders.instruments.models import AppSecret

_hasher = PasswordHasher()
SIGNING_KEY_NAME = "cookie_signing_key"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def burn_verification_time(password: str) -> None:
    """Spend as long as a real verification, so unknown accounts cannot be told apart by timing."""
    verify_password(_dummy_hash(), password)


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
