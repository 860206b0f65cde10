"""Logging in and out: server-side sessions.

A session is a random token; the cookie carries the token (signed), the database only its SHA-256
digest. Logging in is throttled (``schouders.platform.throttle``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from schouders.errors import SchoudersError
from schouders.platform import audit
from schouders.platform.access import Viewer
from schouders.platform.accounts import normalise_email, viewer_for
from schouders.platform.config import SESSION_HOURS
from schouders.platform.db import Database
from schouders.platform.models import LoginAttempt, LoginSession, User, utcnow
from schouders.platform.passwords import (
    burn_verification_time,
    hash_password,
    needs_rehash,
    verify_password,
)
from schouders.platform.signing import new_token, token_digest
from schouders.platform.throttle import LoginThrottled, throttle_wait


class LoginFailed(SchoudersError):
    def __init__(self) -> None:
        super().__init__("Onbekend e-mailadres of onjuist wachtwoord.",
                         "Controleer uw gegevens en probeer het opnieuw.")


@dataclass(frozen=True)
class LoggedIn:
    viewer: Viewer
    token: str


def attempt_login(
    session: Session, email: str, password: str, ip: str, now: datetime | None = None
) -> LoggedIn | None:
    """Check the password and open a session. Returns None on a wrong password (the failed
    attempt is recorded in ``session``, so commit it); raises LoginThrottled when throttled."""
    now = now or utcnow()
    email = normalise_email(email)
    wait = throttle_wait(session, email, ip, now)
    if wait:
        raise LoginThrottled(wait)
    user = session.scalar(select(User).where(User.email == email))
    ok = False
    if user is None or not user.active:
        burn_verification_time(password)
    else:
        ok = verify_password(user.password_hash, password)
    session.add(LoginAttempt(email=email, ip=ip, attempted_at=now, succeeded=ok))
    if not ok or user is None:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    token = new_token()
    session.add(LoginSession(token_hash=token_digest(token), user_id=user.id, created_at=now,
                             expires_at=now + timedelta(hours=SESSION_HOURS)))
    session.execute(delete(LoginSession).where(LoginSession.expires_at < now))
    session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at < now - timedelta(days=1)))
    audit.record(session, audit.Actor(user.id, user.email), "user.login", "user", user.id, at=now)
    viewer = viewer_for(session, user.id)
    assert viewer is not None
    return LoggedIn(viewer, token)


def log_in(
    db: Database, email: str, password: str, ip: str, now: datetime | None = None
) -> LoggedIn:
    """Log in in its own transaction; a failure is committed before LoginFailed is raised."""
    with db.transaction() as session:
        result = attempt_login(session, email, password, ip, now)
    if result is None:
        raise LoginFailed()
    return result


def open_session(session: Session, user: User, now: datetime | None = None) -> str:
    """A session for a user who just proved who they are in another way (accepting an invite)."""
    now = now or utcnow()
    token = new_token()
    session.add(LoginSession(token_hash=token_digest(token), user_id=user.id, created_at=now,
                             expires_at=now + timedelta(hours=SESSION_HOURS)))
    return token


def viewer_of_token(session: Session, token: str, now: datetime | None = None) -> Viewer | None:
    now = now or utcnow()
    row = session.scalar(select(LoginSession).where(LoginSession.token_hash == token_digest(token)))
    if row is None or row.expires_at <= now:
        return None
    return viewer_for(session, row.user_id)


def log_out(session: Session, token: str) -> None:
    session.execute(delete(LoginSession).where(LoginSession.token_hash == token_digest(token)))
