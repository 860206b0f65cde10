"""Password checks are throttled, and counted before the password is verified.

Three limits, each over the last ``THROTTLE_WINDOW_MINUTES``:

- per (account, address): ``THROTTLE_FAILURES`` failures, then that pair is refused (even with the
  right password) until the oldest failure leaves the window; a success resets the count;
- per address: ``THROTTLE_IP_ATTEMPTS`` checks of any kind, also for unknown e-mail addresses, so
  one address can neither try many accounts nor load the server with password hashing;
- per account: ``THROTTLE_ACCOUNT_FAILURES`` failures from all addresses together.

:func:`reserve` checks the limits and records the attempt as failed *in one transaction*, under a
lock per address and per (account, address) (``pg_advisory_xact_lock`` on PostgreSQL; SQLite
serialises writers already). Concurrent attempts therefore count each other: ten requests at once
cannot all pass a check that allows five. The password is verified afterwards, outside any write
transaction; :func:`settle` then marks a success. Every form that checks a password (logging in,
accepting an invite for an existing account, changing one's own password) goes through here.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from math import ceil

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from schouders.errors import SchoudersError
from schouders.platform.accounts import normalise_email
from schouders.platform.config import (
    THROTTLE_ACCOUNT_FAILURES,
    THROTTLE_FAILURES,
    THROTTLE_IP_ATTEMPTS,
    THROTTLE_WINDOW_MINUTES,
)
from schouders.platform.models import LoginAttempt


class LoginThrottled(SchoudersError):
    status_code = 429

    def __init__(self, minutes: int, message: str = "Te veel mislukte inlogpogingen.") -> None:
        super().__init__(
            message,
            f"Wacht {minutes} {'minuut' if minutes == 1 else 'minuten'} en probeer het opnieuw.",
        )
        self.minutes = minutes
        self.headers = {"Retry-After": str(minutes * 60)}


def _wait(times: list[datetime], limit: int, now: datetime) -> int:
    """Minutes until fewer than ``limit`` of ``times`` (sorted) are inside the window."""
    if len(times) < limit:
        return 0
    release = times[len(times) - limit] + timedelta(minutes=THROTTLE_WINDOW_MINUTES)
    return max(1, ceil((release - now).total_seconds() / 60))


def throttle_wait(session: Session, email: str, ip: str, now: datetime) -> int:
    """Minutes to wait before ``email`` may try again from ``ip`` (0 = may try now)."""
    window_start = now - timedelta(minutes=THROTTLE_WINDOW_MINUTES)
    last_success = session.scalar(
        select(func.max(LoginAttempt.attempted_at)).where(
            LoginAttempt.email == email, LoginAttempt.ip == ip, LoginAttempt.succeeded.is_(True)
        )
    )
    since = max(window_start, last_success) if last_success else window_start
    failures = list(session.scalars(
        select(LoginAttempt.attempted_at)
        .where(LoginAttempt.email == email, LoginAttempt.ip == ip,
               LoginAttempt.succeeded.is_(False), LoginAttempt.attempted_at > since)
        .order_by(LoginAttempt.attempted_at)
    ))
    return _wait(failures, THROTTLE_FAILURES, now)


def address_wait(session: Session, ip: str, now: datetime) -> int:
    window_start = now - timedelta(minutes=THROTTLE_WINDOW_MINUTES)
    attempts = list(session.scalars(
        select(LoginAttempt.attempted_at)
        .where(LoginAttempt.ip == ip, LoginAttempt.attempted_at > window_start)
        .order_by(LoginAttempt.attempted_at)
    ))
    return _wait(attempts, THROTTLE_IP_ATTEMPTS, now)


def account_wait(session: Session, email: str, now: datetime) -> int:
    window_start = now - timedelta(minutes=THROTTLE_WINDOW_MINUTES)
    failures = list(session.scalars(
        select(LoginAttempt.attempted_at)
        .where(LoginAttempt.email == email, LoginAttempt.succeeded.is_(False),
               LoginAttempt.attempted_at > window_start)
        .order_by(LoginAttempt.attempted_at)
    ))
    return _wait(failures, THROTTLE_ACCOUNT_FAILURES, now)


def _lock_key(*parts: str) -> int:
    digest = hashlib.sha256("\x00".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _lock(session: Session, email: str, ip: str) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite: the transaction began with BEGIN IMMEDIATE, writers are serialised
    for key in (_lock_key("ip", ip), _lock_key("pair", email, ip)):  # always in this order
        session.execute(select(func.pg_advisory_xact_lock(key)))


def reserve(session: Session, email: str, ip: str, now: datetime) -> int:
    """Check every limit and record the attempt (as failed, until :func:`settle`), in the
    caller's write transaction. Raises LoginThrottled; returns the attempt's id."""
    email = normalise_email(email)
    _lock(session, email, ip)
    wait = address_wait(session, ip, now)
    if wait:
        raise LoginThrottled(wait, "Te veel inlogpogingen vanaf uw adres.")
    wait = max(throttle_wait(session, email, ip, now), account_wait(session, email, now))
    if wait:
        raise LoginThrottled(wait)
    attempt = LoginAttempt(email=email, ip=ip, attempted_at=now, succeeded=False)
    session.add(attempt)
    session.flush()
    return attempt.id


def settle(session: Session, attempt_id: int, succeeded: bool) -> None:
    if succeeded:
        session.execute(update(LoginAttempt).where(LoginAttempt.id == attempt_id)
                        .values(succeeded=True))
