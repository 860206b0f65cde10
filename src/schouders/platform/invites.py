"""One-time invite links: a random token (only its digest is stored), valid for INVITE_DAYS,
giving one role in one municipality to one e-mail address."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from schouders.errors import SchoudersError
from schouders.platform import audit
from schouders.platform.access import (
    ANALYST,
    COORDINATOR,
    RESPONDENT,
    ROLE_LABELS,
    Forbidden,
    Viewer,
    require_viewer,
)
from schouders.platform.accounts import (
    ADMIN_HAS_NO_ROLES,
    EMAIL,
    create_user,
    normalise_email,
    set_membership,
)
from schouders.platform.audit import Actor
from schouders.platform.config import INVITE_DAYS
from schouders.platform.errors import FieldErrors
from schouders.platform.models import Invite, Municipality, User, utcnow
from schouders.platform.passwords import password_problems, verify_password
from schouders.platform.signing import new_token, token_digest

# Which roles each kind of user may hand out through an invite.
INVITABLE_BY_ADMIN = (COORDINATOR, ANALYST, RESPONDENT)
INVITABLE_BY_COORDINATOR = (RESPONDENT, ANALYST)
AcceptHook = Callable[[Session, Invite, User, Actor, datetime], None]
WRONG_OR_BLOCKED = ("Het wachtwoord klopt niet bij het bestaande account, of het account is "
                    "geblokkeerd (neem dan contact op met de beheerder).")


@dataclass(frozen=True)
class CreatedInvite:
    invite: Invite
    token: str  # shown once; the database keeps only its digest


def create_invite(
    session: Session,
    viewer: Viewer | None,
    gm_code: str,
    role: str,
    email: str,
    *,
    round_id: int | None = None,
    now: datetime | None = None,
) -> CreatedInvite:
    """A one-time link giving ``role`` in ``gm_code`` to ``email``. ``round_id`` (a visitatie
    round) is checked by the instrument that passes it."""
    viewer = require_viewer(viewer)
    now = now or utcnow()
    allowed = INVITABLE_BY_ADMIN if viewer.is_admin else (
        INVITABLE_BY_COORDINATOR if viewer.role_in(gm_code) == COORDINATOR else ()
    )
    if not allowed:
        raise Forbidden("Alleen een beheerder of de coördinator van de gemeente kan uitnodigen.")
    errors: dict[str, str] = {}
    email = normalise_email(email)
    if not EMAIL.match(email):
        errors["email"] = "Vul een geldig e-mailadres in."
    if role not in allowed:
        errors["role"] = "Kies een van: " + ", ".join(ROLE_LABELS[r] for r in allowed) + "."
    if session.get(Municipality, gm_code) is None:
        errors["gm_code"] = f"Gemeente {gm_code} heeft nog geen toegang."
    if "email" not in errors and session.scalar(
        select(User.id).where(User.email == email, User.is_admin.is_(True))
    ):
        errors["email"] = ADMIN_HAS_NO_ROLES
    if errors:
        raise FieldErrors(errors)
    token = new_token()
    invite = Invite(
        token_hash=token_digest(token), gm_code=gm_code, role=role, email=email,
        round_id=round_id, created_by=viewer.user_id, created_at=now,
        expires_at=now + timedelta(days=INVITE_DAYS),
    )
    session.add(invite)
    session.flush()
    audit.record(session, viewer, "invite.created", "invite", invite.id, gm_code=gm_code,
                 details={"email": email, "rol": role, "ronde": round_id}, at=now)
    return CreatedInvite(invite, token)


def open_invite(session: Session, token: str, now: datetime | None = None,
                *, lock: bool = False) -> Invite:
    """The invite for ``token`` if it can still be used; otherwise a clear error. With ``lock``
    the invite row is locked (PostgreSQL), so two people using one link at once cannot both."""
    now = now or utcnow()
    query = select(Invite).where(Invite.token_hash == token_digest(token))
    invite = session.scalar(query.with_for_update() if lock else query)
    if invite is None:
        raise SchoudersError("Deze uitnodigingslink is ongeldig.",
                             "Vraag de coördinator om een nieuwe uitnodiging.")
    if invite.used_at is not None:
        raise SchoudersError("Deze uitnodigingslink is al gebruikt.",
                             "Log in met uw account, of vraag om een nieuwe uitnodiging.")
    if invite.expires_at <= now:
        raise SchoudersError("Deze uitnodigingslink is verlopen.",
                             "Vraag de coördinator om een nieuwe uitnodiging.")
    return invite


def invite_has_account(session: Session, invite: Invite) -> bool:
    return session.scalar(select(User.id).where(User.email == invite.email)) is not None


def accept_invite(
    session: Session,
    token: str,
    *,
    name: str = "",
    password: str = "",
    password_repeat: str | None = None,
    now: datetime | None = None,
    on_accept: AcceptHook | None = None,
    verified_hash: str | None = None,
    new_hash: str | None = None,
) -> User:
    """Use an invite once: create the account (or confirm the existing one) and grant the role.
    ``on_accept`` lets the instrument that made the invite act on it in the same transaction
    (the visitatie adds the user as respondent to ``invite.round_id``).

    The web form verifies an existing account's password beforehand (throttled, outside this
    transaction) and passes the hash it verified (``verified_hash``), or hashes a new account's
    password beforehand (``new_hash``). A blocked account gets the same answer as a wrong
    password: the form must not tell whether a blocked account's password is right."""
    now = now or utcnow()
    invite = open_invite(session, token, now, lock=True)
    user = session.scalar(select(User).where(User.email == invite.email))
    if user is None:
        errors = password_problems(password, password_repeat, email=invite.email, name=name)
        if not name.strip():
            errors["name"] = "Vul uw naam in."
        if errors:
            raise FieldErrors(errors)
        user = create_user(session, invite.email, name, password,
                           actor=Actor(None, invite.email), password_hash=new_hash)
    else:
        if verified_hash is not None:
            right = user.password_hash == verified_hash
        else:
            right = verify_password(user.password_hash, password)
        if not (right and user.active):
            raise FieldErrors({"password": WRONG_OR_BLOCKED})
    actor = Actor(user.id, user.email)
    set_membership(session, user, invite.gm_code, invite.role, actor=actor)
    if on_accept is not None:
        on_accept(session, invite, user, actor, now)
    invite.used_at = now
    invite.used_by = user.id
    audit.record(session, actor, "invite.accepted", "invite", invite.id, gm_code=invite.gm_code,
                 details={"rol": invite.role, "ronde": invite.round_id}, at=now)
    return user


def pending_invites(session: Session, gm_code: str, now: datetime | None = None) -> list[Invite]:
    now = now or utcnow()
    return list(
        session.scalars(
            select(Invite)
            .where(Invite.gm_code == gm_code, Invite.used_at.is_(None), Invite.expires_at > now)
            .order_by(Invite.created_at.desc())
        )
    )
