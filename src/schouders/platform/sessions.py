"""Logging in and out: server-side sessions.

A session is a random token; the cookie carries the token (signed), the database only its SHA-256
digest. Logging in is throttled (``schouders.platform.throttle``) and hashes the password outside
any write transaction: a short transaction checks the limits and records the attempt, the password
is verified with no lock held, and a second short transaction records the outcome and opens the
session. Reading the session of a request takes no write lock; its ``last_seen_at`` is written at
most every SESSION_TOUCH_MINUTES.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from schouders.errors import SchoudersError
from schouders.platform import audit
from schouders.platform.access import Viewer
from schouders.platform.accounts import normalise_email, viewer_for
from schouders.platform.config import SESSION_HOURS, SESSION_TOUCH_MINUTES
from schouders.platform.db import Database
from schouders.platform.models import LoginAttempt, LoginSession, User, utcnow
from schouders.platform.passwords import (
    burn_verification_time,
    hash_password,
    needs_rehash,
    verify_password,
)
from schouders.platform.signing import new_token, token_digest
from schouders.platform.throttle import reserve, settle


class LoginFailed(SchoudersError):
    def __init__(self) -> None:
        super().__init__("Onbekend e-mailadres of onjuist wachtwoord.",
                         "Controleer uw gegevens en probeer het opnieuw.")


@dataclass(frozen=True)
class LoggedIn:
    viewer: Viewer
    token: str


@dataclass(frozen=True)
class PasswordCheck:
    ok: bool
    user_id: int | None
    password_hash: str | None  # the hash that was verified (to detect a change meanwhile)


def check_password(db: Database, email: str, password: str, ip: str,
                   now: datetime | None = None) -> PasswordCheck:
    """A throttled password check for ``email`` (raises LoginThrottled): the attempt is counted
    before verifying, the hashing runs outside any write transaction, a success is recorded."""
    now = now or utcnow()
    email = normalise_email(email)
    with db.transaction() as session:
        attempt = reserve(session, email, ip, now)
    with db.read() as session:
        user = session.scalar(select(User).where(User.email == email))
        known = (user.id, user.password_hash) if user is not None and user.active else None
    if known is None:
        burn_verification_time(password)
        return PasswordCheck(False, None, None)
    ok = verify_password(known[1], password)
    if ok:
        with db.transaction() as session:
            settle(session, attempt, True)
    return PasswordCheck(ok, known[0], known[1])


def log_in(
    db: Database, email: str, password: str, ip: str, now: datetime | None = None
) -> LoggedIn:
    """Check the password (throttled) and open a session; LoginFailed or LoginThrottled."""
    now = now or utcnow()
    checked = check_password(db, email, password, ip, now)
    if not checked.ok or checked.user_id is None or checked.password_hash is None:
        raise LoginFailed()
    new_hash = hash_password(password) if needs_rehash(checked.password_hash) else None
    with db.transaction() as session:
        user = session.get(User, checked.user_id)
        if user is None or not user.active or user.password_hash != checked.password_hash:
            raise LoginFailed()  # blocked or given a new password while we were checking
        if new_hash:
            user.password_hash = new_hash
        token = new_token()
        session.add(LoginSession(token_hash=token_digest(token), user_id=user.id,
                                 created_at=now, last_seen_at=now,
                                 expires_at=now + timedelta(hours=SESSION_HOURS)))
        session.execute(delete(LoginSession).where(LoginSession.expires_at < now))
        session.execute(delete(LoginAttempt).where(
            LoginAttempt.attempted_at < now - timedelta(days=1)))
        audit.record(session, audit.Actor(user.id, user.email), "user.login", "user", user.id,
                     at=now)
        viewer = viewer_for(session, user.id)
    assert viewer is not None
    return LoggedIn(viewer, token)


def open_session(session: Session, user: User, now: datetime | None = None) -> str:
    """A session for a user who just proved who they are in another way (accepting an invite)."""
    now = now or utcnow()
    token = new_token()
    session.add(LoginSession(token_hash=token_digest(token), user_id=user.id, created_at=now,
                             last_seen_at=now, expires_at=now + timedelta(hours=SESSION_HOURS)))
    return token


def viewer_of_token(session: Session, token: str, now: datetime | None = None) -> Viewer | None:
    now = now or utcnow()
    row = session.scalar(select(LoginSession).where(LoginSession.token_hash == token_digest(token)))
    if row is None or row.expires_at <= now:
        return None
    return viewer_for(session, row.user_id)


def current_viewer(db: Database, token: str, now: datetime | None = None) -> Viewer | None:
    """The viewer of a session token, read without the write lock. ``last_seen_at`` is updated
    only when it is older than SESSION_TOUCH_MINUTES (one short write now and then)."""
    now = now or utcnow()
    digest = token_digest(token)
    with db.read() as session:
        row = session.scalar(select(LoginSession).where(LoginSession.token_hash == digest))
        if row is None or row.expires_at <= now:
            return None
        seen = row.last_seen_at
        viewer = viewer_for(session, row.user_id)
    stale = now - timedelta(minutes=SESSION_TOUCH_MINUTES)
    if viewer is not None and (seen is None or seen < stale):
        with db.transaction() as session:
            session.execute(update(LoginSession).where(
                LoginSession.token_hash == digest,
                (LoginSession.last_seen_at.is_(None)) | (LoginSession.last_seen_at < stale),
            ).values(last_seen_at=now))
    return viewer


def log_out(session: Session, token: str) -> None:
    session.execute(delete(LoginSession).where(LoginSession.token_hash == token_digest(token)))
