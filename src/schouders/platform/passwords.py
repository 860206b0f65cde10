"""Passwords: argon2id hashes (argon2-cffi), constant work for unknown accounts, and the rules a
new password must meet."""

from __future__ import annotations

import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from schouders.platform.common_passwords import COMMON_PASSWORDS, KEYBOARD_RUNS
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




def _stem(text: str) -> str:
    return text.lower().strip("0123456789!@#$%^&*()_-+=.,;:?/\\|~`'\" ")


def weakness(password: str, *, email: str | None = None, name: str | None = None) -> str | None:
    """Why a long-enough password is still easy to guess, or None. Simple rules: not a common
    password (or one with digits and symbols around it), not one repeated character or a
    short repeated pattern, not a keyboard or alphabet run, not the e-mail address or name."""
    lowered = password.lower()
    stem = _stem(password)
    if lowered in COMMON_PASSWORDS or stem in COMMON_PASSWORDS or len(stem) < 4:
        return "Dit wachtwoord staat in lijsten van veelgebruikte wachtwoorden."
    if len(set(lowered)) < 5:
        return "Gebruik meer verschillende tekens; herhalingen zijn snel te raden."
    for period in range(1, len(lowered) // 2 + 1):
        if len(lowered) % period == 0 and lowered == lowered[:period] * (len(lowered) // period):
            return "Een herhaald patroon is snel te raden."
    if any(lowered in run or stem in run for run in KEYBOARD_RUNS) or any(
        lowered in run[::-1] for run in KEYBOARD_RUNS
    ):
        return "Een reeks toetsen of letters op volgorde is snel te raden."
    personal = [part for part in ((email or "").lower().split("@")[0],
                                  *(name or "").lower().split()) if len(part) >= 4]
    if any(part in lowered for part in personal) and len(stem) - max(map(len, personal)) < 6:
        return "Gebruik niet (vooral) uw naam of e-mailadres."
    return None


def password_problems(password: str, repeat: str | None = None, *, email: str | None = None,
                      name: str | None = None) -> dict[str, str]:
    """Why ``password`` may not be used (field -> message); empty when it may."""
    errors: dict[str, str] = {}
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = f"Kies een wachtwoord van ten minste {MIN_PASSWORD_LENGTH} tekens."
    elif (reason := weakness(password, email=email, name=name)) is not None:
        errors["password"] = reason + " Kies bijvoorbeeld drie of vier losse woorden."
    elif repeat is not None and password != repeat:
        errors["password_repeat"] = "De twee wachtwoorden zijn niet gelijk."
    return errors
