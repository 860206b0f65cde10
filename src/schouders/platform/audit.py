"""Audit log: who changed what, when, in which municipality.

``ACTION_LABELS`` and ``OBJECT_LABELS`` name the platform's own actions; each instrument names its
actions beside its code (``schouders.instruments.labels``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from schouders.platform.access import ROLE_LABELS, Viewer
from schouders.platform.models import AuditEntry, utcnow

ACTION_LABELS = {
    "user.created": "account aangemaakt",
    "user.login": "ingelogd",
    "user.password_changed": "eigen wachtwoord gewijzigd",
    "user.password_reset": "wachtwoord opnieuw ingesteld door beheerder",
    "user.blocked": "account geblokkeerd",
    "user.unblocked": "account gedeblokkeerd",
    "municipality.created": "gemeente toegevoegd",
    "membership.set": "rol toegekend",
    "invite.created": "uitnodiging aangemaakt",
    "invite.accepted": "uitnodiging geaccepteerd",
}


OBJECT_LABELS = {
    "user": "account",
    "municipality": "gemeente",
    "invite": "uitnodiging",
}


@dataclass(frozen=True)
class Actor:
    """Who did it: a logged-in user, or the command line."""

    actor_id: int | None
    label: str

    @classmethod
    def of(cls, viewer: Viewer) -> Actor:
        return cls(viewer.user_id, viewer.email)


CLI = Actor(None, "opdrachtregel")


def record(
    session: Session,
    actor: Actor | Viewer,
    action: str,
    object_type: str,
    object_id: object,
    *,
    gm_code: str | None = None,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    who = Actor.of(actor) if isinstance(actor, Viewer) else actor
    session.add(
        AuditEntry(
            at=at or utcnow(),
            actor_id=who.actor_id,
            actor=who.label,
            gm_code=gm_code,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            details=json.dumps(details or {}, ensure_ascii=False, default=str, sort_keys=True),
        )
    )


def entries(session: Session, gm_code: str | None = None, limit: int = 200) -> list[AuditEntry]:
    """Newest first; only one municipality's entries when ``gm_code`` is given."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if gm_code is not None:
        query = query.where(AuditEntry.gm_code == gm_code)
    return list(session.scalars(query))


def details_of(entry: AuditEntry) -> dict[str, Any]:
    try:
        value = json.loads(entry.details or "{}")
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


ACCOUNT_ACTIONS = {"user.created", "municipality.created", "membership.set", "invite.created",
                   "invite.accepted", "user.password_changed", "user.password_reset",
                   "user.blocked", "user.unblocked"}
ACCOUNT_KEYS = ("email", "rol", "beheerder", "naam")


def summary(entry: AuditEntry, field_labels: dict[str, str], *, full: bool) -> str:
    """Details as one line. Without ``full`` (the platform administrator's view) only account
    details are shown; for everything else only *which* fields changed, never their contents."""
    details = details_of(entry)
    if isinstance(details.get("rol"), str):
        details["rol"] = ROLE_LABELS.get(details["rol"], details["rol"])
    if not full:
        if entry.action in ACCOUNT_ACTIONS:
            return "; ".join(f"{k}: {details[k]}" for k in ACCOUNT_KEYS if k in details)
        changed = details.get("wijzigingen")
        if isinstance(changed, dict):
            return "gewijzigd: " + ", ".join(str(field_labels.get(k, k)) for k in changed)
        return ""
    parts: list[str] = []
    for key, value in details.items():
        if key == "wijzigingen" and isinstance(value, dict):
            parts.extend(
                f"{field_labels.get(name, name)}: {old or '–'} → {new or '–'}"
                for name, (old, new) in value.items()
            )
        else:
            parts.append(f"{key}: {value}")
    return "; ".join(parts)
