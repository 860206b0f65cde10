"""Accounts: municipalities with access, users, their role per municipality, passwords, blocking."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from schouders.platform import audit
from schouders.platform.access import (
    ANALYST,
    COORDINATOR,
    MEMBER_ROLES,
    RESPONDENT,
    Forbidden,
    Viewer,
    require_admin,
    require_viewer,
)
from schouders.platform.audit import Actor
from schouders.platform.errors import FieldErrors
from schouders.platform.models import LoginSession, Membership, Municipality, User, utcnow
from schouders.platform.passwords import hash_password, password_problems
from schouders.platform.signing import token_digest

GM_CODE = re.compile(r"^GM\d{4}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ROLE_STRENGTH = {RESPONDENT: 0, ANALYST: 1, COORDINATOR: 2}
ADMIN_HAS_NO_ROLES = ("Een beheerder krijgt geen rol in een gemeente: beheerders zien geen "
                      "antwoorden. Nodig een ander account uit.")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_gm_code(value: str) -> str:
    code = value.strip().upper()
    if not GM_CODE.match(code):
        raise FieldErrors({"gm_code": "Gebruik een gemeentecode als GM0363 (GM en vier cijfers)."})
    return code


def create_user(
    session: Session,
    email: str,
    name: str,
    password: str,
    *,
    is_admin: bool = False,
    actor: Actor | Viewer = audit.CLI,
    password_hash: str | None = None,
) -> User:
    """A new account. ``password_hash`` (of ``password``) lets the caller hash outside the
    write transaction."""
    email = normalise_email(email)
    errors: dict[str, str] = {}
    if not EMAIL.match(email):
        errors["email"] = "Vul een geldig e-mailadres in."
    if not name.strip():
        errors["name"] = "Vul een naam in."
    errors.update(password_problems(password, email=email, name=name))
    if not errors and session.scalar(select(User.id).where(User.email == email)):
        errors["email"] = "Er bestaat al een account met dit e-mailadres."
    if errors:
        raise FieldErrors(errors)
    user = User(email=email, name=name.strip(),
                password_hash=password_hash or hash_password(password),
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
    """Give ``user`` ``role`` in ``gm_code``; an existing stronger role is kept. A beheerder never
    gets a role in a municipality: beheerders see no answers (not even by inviting themselves)."""
    if user.is_admin:
        raise FieldErrors({"email": ADMIN_HAS_NO_ROLES})
    if role not in MEMBER_ROLES:
        raise FieldErrors({"role": "Kies respondent, coördinator of analist."})
    if session.get(Municipality, gm_code) is None:
        raise FieldErrors({"gm_code": f"Gemeente {gm_code} heeft nog geen toegang."})
    membership = session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.gm_code == gm_code)
    )
    if membership is None:
        membership = Membership(user_id=user.id, gm_code=gm_code, role=role)
        session.add(membership)
    elif ROLE_STRENGTH[role] > ROLE_STRENGTH[membership.role]:
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
    # A beheerder's memberships (possible in databases from before this rule) grant nothing.
    roles = {} if user.is_admin else {
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
    query = delete(LoginSession).where(LoginSession.user_id == user_id)
    if keep_digest is not None:
        query = query.where(LoginSession.token_hash != keep_digest)
    session.execute(query)


def new_password_problems(viewer: Viewer, current: str, new: str, repeat: str) -> dict[str, str]:
    errors = password_problems(new, repeat, email=viewer.email, name=viewer.name)
    if not errors and new == current:
        errors["password"] = "Kies een ander wachtwoord dan het huidige."
    return errors


def change_own_password(
    session: Session, viewer: Viewer | None, *, verified_hash: str, new_hash: str,
    session_token: str | None = None, now: datetime | None = None,
) -> None:
    """A logged-in user sets a new password. The caller verified the current password (throttled,
    outside this transaction: ``sessions.check_password``) against ``verified_hash`` and hashed the
    new one; if the password changed meanwhile, nothing happens. Other sessions end."""
    viewer = require_viewer(viewer)
    now = now or utcnow()
    user = session.get(User, viewer.user_id)
    if user is None:
        raise Forbidden()
    if user.password_hash != verified_hash:
        raise FieldErrors({"current_password": "Uw huidige wachtwoord klopt niet."})
    user.password_hash = new_hash
    _end_sessions(session, user.id, token_digest(session_token) if session_token else None)
    _audit_for_user(session, viewer, "user.password_changed", user, {"email": user.email}, now)


def admin_set_password(
    session: Session, viewer: Viewer | None, user_id: int, new: str, repeat: str,
    *, now: datetime | None = None, new_hash: str | None = None,
) -> User:
    """The beheerder sets a new password for an account (there is no e-mail reset). All sessions
    of that account end; the change is logged, also for the user's municipalities."""
    viewer = require_admin(viewer)
    user = session.get(User, user_id)
    if user is None:
        raise FieldErrors({"user_id": "Onbekend account."})
    reset_password(session, user, new, repeat, actor=viewer, now=now, new_hash=new_hash)
    return user


def reset_password(
    session: Session, user: User, new: str, repeat: str | None = None,
    *, actor: Actor | Viewer = audit.CLI, now: datetime | None = None,
    new_hash: str | None = None,
) -> None:
    """Set a new password without knowing the old one (beheerder, or the command line).
    ``new_hash`` (of ``new``) lets the caller hash outside the write transaction."""
    now = now or utcnow()
    errors = password_problems(new, repeat, email=user.email, name=user.name)
    if errors:
        raise FieldErrors(errors)
    user.password_hash = new_hash or hash_password(new)
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
