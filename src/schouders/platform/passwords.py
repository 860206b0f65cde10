"""Passwords: argon2id hashes (argon2-cffi), constant work for unknown accounts, and the rules a
new password must meet."""

from __future__ import annotations

import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from schouders.platform.config import MIN_PASSWORD_LENGTH

_hasher = PasswordHasher()


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




def password_problems(password: str, repeat: str | None = None) -> dict[str, str]:
    """Why ``password`` may not be used (field -> message); empty when it may."""
    errors: dict[str, str] = {}
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = f"Kies een wachtwoord van ten minste {MIN_PASSWORD_LENGTH} tekens."
    elif repeat is not None and password != repeat:
        errors["password_repeat"] = "De twee wachtwoorden zijn niet gelijk."
    return errors
