"""Accounts: municipalities, users, memberships and one-time invite links."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from schouders.errors import SchoudersError
from schouders.instruments import audit
from schouders.instruments.access import (
    ANALYST,
    COORDINATOR,
    MEMBER_ROLES,
    RESPONDENT,
    ROLE_LABELS,
    Forbidden,
    Viewer,
    require_admin,
    require_viewer,
)
from schouders.instruments.audit import Actor
from schouders.instruments.config import INVITE_DAYS, MIN_PASSWORD_LENGTH
from schouders.instruments.models import (
    Invite,
    Membership,
    Municipality,
    Respondent,
    Round,
    User,
    utcnow,
)
from schouders.instruments.security import (
    hash_password,
    new_token,
    token_digest,
    verify_password,
)

GM_CODE = re.compile(r"^GM\d{4}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Which roles each kind of user may hand out through an invite.
INVITABLE_BY_ADMIN = (COORDINATOR, ANALYST, RESPONDENT)
INVITABLE_BY_COORDINATOR = (RESPONDENT, ANALYST)


class FieldErrors(SchoudersError):
    """Input errors, one message per form field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("Controleer de gemarkeerde velden.", "; ".join(errors.values()))
        self.errors = errors


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_gm_code(value: str) -> str:
    code = value.strip().upper()
    if not GM_CODE.match(code):
        raise FieldErrors({"gm_code": "Gebruik een gemeentecode als GM0363 (GM en vier cijfers)."})
    return code


def password_problems(password: str, repeat: str | None = None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = f"Kies een wachtwoord van ten minste {MIN_PASSWORD_LENGTH} tekens."
    elif repeat is not None and password != repeat:
        errors["password_repeat"] = "De twee wachtwoorden zijn niet gelijk."
    return errors


def create_user(
    session: Session,
    email: str,
    name: str,
    password: str,
    *,
    is_admin: bool = False,
    actor: Actor | Viewer = audit.CLI,
) -> User:
    email = normalise_email(email)
    errors: dict[str, str] = {}
    if not EMAIL.match(email):
        errors["email"] = "Vul een geldig e-mailadres in."
    if not name.strip():
        errors["name"] = "Vul een naam in."
    errors.update(password_problems(password))
    if not errors and session.scalar(select(User.id).where(User.email == email)):
        errors["email"] = "Er bestaat al een account met dit e-mailadres."
    if errors:
        raise FieldErrors(errors)
    user = User(email=email, name=name.strip(), password_hash=hash_password(password),
                is_admin=is_admin, active=True)
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.created", "user", user.id,
                 details={"email": email, "beheerder": is_admin})
    return user


def add_municipality(
    session: Session, gm_code: str, name: str, actor: Actor | Viewer = audit.CLI
) -> Municipality:
    code = check_gm_code(gm_code)
    if not name.strip():
        raise FieldErrors({"name": "Vul de naam van de gemeente in."})
    existing = session.get(Municipality, code)
    if existing is not None:
        return existing
    municipality = Municipality(gm_code=code, name=name.strip())
    session.add(municipality)
    session.flush()
    audit.record(session, actor, "municipality.created", "municipality", code, gm_code=code,
                 details={"naam": municipality.name})
    return municipality


def set_membership(
    session: Session, user: User, gm_code: str, role: str, actor: Actor | Viewer = audit.CLI
) -> Membership:
    """Give ``user`` ``role`` in ``gm_code``; an existing stronger role is kept."""
    if role not in MEMBER_ROLES:
        raise FieldErrors({"role": "Kies respondent, coördinator of analist."})
    if session.get(Municipality, gm_code) is None:
        raise FieldErrors({"gm_code": f"Gemeente {gm_code} heeft nog geen toegang."})
    membership = session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.gm_code == gm_code)
    )
    strength = {RESPONDENT: 0, ANALYST: 1, COORDINATOR: 2}
    if membership is None:
        membership = Membership(user_id=user.id, gm_code=gm_code, role=role)
        session.add(membership)
    elif strength[role] > strength[membership.role]:
        membership.role = role
    else:
        return membership
    session.flush()
    audit.record(session, actor, "membership.set", "user", user.id, gm_code=gm_code,
                 details={"email": user.email, "rol": role})
    return membership


def viewer_for(session: Session, user_id: int) -> Viewer | None:
    user = session.get(User, user_id)
    if user is None or not user.active:
        return None
    roles = {
        m.gm_code: m.role
        for m in session.scalars(select(Membership).where(Membership.user_id == user_id))
    }
    return Viewer(user.id, user.email, user.name, user.is_admin, roles)


def municipalities_of(session: Session, viewer: Viewer) -> list[Municipality]:
    if not viewer.roles:
        return []
    query = select(Municipality).where(Municipality.gm_code.in_(list(viewer.roles)))
    return list(session.scalars(query.order_by(Municipality.name)))


def members(session: Session, gm_code: str) -> list[tuple[User, str]]:
    rows = session.execute(
        select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.gm_code == gm_code)
        .order_by(User.name)
    )
    return [(user, role) for user, role in rows]


# --- invites --------------------------------------------------------------------------------


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
    if round_id is not None:
        round_ = session.get(Round, round_id)
        if round_ is None or round_.gm_code != gm_code:
            errors["round_id"] = "Onbekende ronde."
        elif round_.status != "open":
            errors["round_id"] = "Deze ronde is gesloten."
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
) -> User:
    """Use an invite once: create the account (or confirm the existing one), grant the role, and
    add the user as respondent to the round the invite is for."""
    now = now or utcnow()
    invite = open_invite(session, token, now, lock=True)
    user = session.scalar(select(User).where(User.email == invite.email))
    if user is None:
        errors = password_problems(password, password_repeat)
        if not name.strip():
            errors["name"] = "Vul uw naam in."
        if errors:
            raise FieldErrors(errors)
        user = create_user(session, invite.email, name, password,
                           actor=Actor(None, invite.email))
    elif not verify_password(user.password_hash, password):
        raise FieldErrors({"password": "Het wachtwoord klopt niet bij het bestaande account."})
    elif not user.active:
        raise FieldErrors({"password": "Dit account is geblokkeerd; neem contact op met de "
                                       "beheerder."})
    actor = Actor(user.id, user.email)
    set_membership(session, user, invite.gm_code, invite.role, actor=actor)
    if invite.round_id is not None:
        from schouders.instruments.visitatie import ensure_respondent

        round_ = session.get(Round, invite.round_id, with_for_update=True)
        if round_ is not None and round_.status == "open":
            ensure_respondent(session, round_, user.id, actor=actor, now=now)
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


def respondent_rounds(session: Session, user_id: int) -> list[tuple[Round, Respondent]]:
    rows = session.execute(
        select(Round, Respondent)
        .join(Respondent, Respondent.round_id == Round.id)
        .where(Respondent.user_id == user_id)
        .order_by(Round.created_at.desc())
    )
    return [(round_, respondent) for round_, respondent in rows]



# --- passwords and blocking ---------------------------------------------------------------


def _audit_for_user(session: Session, actor: Actor | Viewer, action: str, user: User,
                    details: dict[str, object], now: datetime) -> None:
    """Record an account change in the platform log and in the log of each of the user's
    municipalities, so that their coördinator sees it too."""
    audit.record(session, actor, action, "user", user.id, details=details, at=now)
    for gm_code in session.scalars(select(Membership.gm_code).where(Membership.user_id == user.id)):
        audit.record(session, actor, action, "user", user.id, gm_code=gm_code, details=details,
                     at=now)


def _end_sessions(session: Session, user_id: int, keep_digest: str | None = None) -> None:
    from schouders.instruments.models import LoginSession

    query = delete(LoginSession).where(LoginSession.user_id == user_id)
    if keep_digest is not None:
        query = query.where(LoginSession.token_hash != keep_digest)
    session.execute(query)


def change_own_password(
    session: Session, viewer: Viewer | None, current: str, new: str, repeat: str,
    *, session_token: str | None = None, now: datetime | None = None,
) -> None:
    """A logged-in user sets a new password; needs the current one. Other sessions end."""
    viewer = require_viewer(viewer)
    now = now or utcnow()
    user = session.get(User, viewer.user_id)
    if user is None:
        raise Forbidden()
    errors: dict[str, str] = {}
    if not verify_password(user.password_hash, current):
        errors["current_password"] = "Uw huidige wachtwoord klopt niet."
    errors.update(password_problems(new, repeat))
    if not errors and new == current:
        errors["password"] = "Kies een ander wachtwoord dan het huidige."
    if errors:
        raise FieldErrors(errors)
    user.password_hash = hash_password(new)
    _end_sessions(session, user.id, token_digest(session_token) if session_token else None)
    _audit_for_user(session, viewer, "user.password_changed", user, {"email": user.email}, now)


def admin_set_password(
    session: Session, viewer: Viewer | None, user_id: int, new: str, repeat: str,
    *, now: datetime | None = None,
) -> User:
    """The beheerder sets a new password for an account (there is no e-mail reset). All sessions
    of that account end; the change is logged, also for the user's municipalities."""
    viewer = require_admin(viewer)
    user = session.get(User, user_id)
    if user is None:
        raise FieldErrors({"user_id": "Onbekend account."})
    reset_password(session, user, new, repeat, actor=viewer, now=now)
    return user


def reset_password(
    session: Session, user: User, new: str, repeat: str | None = None,
    *, actor: Actor | Viewer = audit.CLI, now: datetime | None = None,
) -> None:
    """Set a new password without knowing the old one (beheerder, or the command line)."""
    now = now or utcnow()
    errors = password_problems(new, repeat)
    if errors:
        raise FieldErrors(errors)
    user.password_hash = hash_password(new)
    _end_sessions(session, user.id)
    _audit_for_user(session, actor, "user.password_reset", user, {"email": user.email}, now)


def admin_set_active(
    session: Session, viewer: Viewer | None, user_id: int, active: bool,
    *, now: datetime | None = None,
) -> User:
    """Block (or unblock) an account: a blocked account cannot log in; its sessions end."""
    viewer = require_admin(viewer)
    now = now or utcnow()
    user = session.get(User, user_id)
    if user is None:
        raise FieldErrors({"user_id": "Onbekend account."})
    if user.id == viewer.user_id and not active:
        raise FieldErrors({"active": "U kunt uw eigen account niet blokkeren."})
    if user.active == active:
        return user
    user.active = active
    if not active:
        _end_sessions(session, user.id)
    _audit_for_user(session, viewer, "user.unblocked" if active else "user.blocked", user,
                    {"email": user.email}, now)
    return user
