"""Failed password checks, per (account, address): after ``THROTTLE_FAILURES`` failures for one
account from one address within ``THROTTLE_WINDOW_MINUTES``, further checks from that address are
refused (even with the right password) until the oldest failure leaves the window. A successful
login resets the count. Every form that checks a password (logging in, accepting an invite for an
existing account, changing one's own password) counts here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from math import ceil

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from schouders.errors import SchoudersError
from schouders.platform.accounts import normalise_email
from schouders.platform.config import THROTTLE_FAILURES, THROTTLE_WINDOW_MINUTES
from schouders.platform.models import LoginAttempt


class LoginThrottled(SchoudersError):
    def __init__(self, minutes: int) -> None:
        super().__init__(
            "Te veel mislukte inlogpogingen.",
            f"Wacht {minutes} {'minuut' if minutes == 1 else 'minuten'} en probeer het opnieuw.",
        )
        self.minutes = minutes


def throttle_wait(session: Session, email: str, ip: str, now: datetime) -> int:
    """Minutes to wait before ``email`` may try again from ``ip`` (0 = may try now)."""
    window_start = now - timedelta(minutes=THROTTLE_WINDOW_MINUTES)
    last_success = session.scalar(
        select(func.max(LoginAttempt.attempted_at)).where(
            LoginAttempt.email == email, LoginAttempt.ip == ip, LoginAttempt.succeeded.is_(True)
        )
    )
    since = max(window_start, last_success) if last_success else window_start
    failures = list(
        session.scalars(
            select(LoginAttempt.attempted_at)
            .where(
                LoginAttempt.email == email,
                LoginAttempt.ip == ip,
                LoginAttempt.succeeded.is_(False),
                LoginAttempt.attempted_at > since,
            )
            .order_by(LoginAttempt.attempted_at)
        )
    )
    if len(failures) < THROTTLE_FAILURES:
        return 0
    # Free again when enough failures have left the window.
    release = failures[len(failures) - THROTTLE_FAILURES] + timedelta(
        minutes=THROTTLE_WINDOW_MINUTES
    )
    return max(1, ceil((release - now).total_seconds() / 60))


def record_failed_attempt(session: Session, email: str, ip: str, now: datetime) -> None:
    """A wrong password given elsewhere than the login form (accepting an invite)."""
    session.add(LoginAttempt(email=normalise_email(email), ip=ip, attempted_at=now,
                             succeeded=False))
