"""APK beleid en wettelijk kader: the periodic check whether every statutory task is in view.

A check covers the register tasks (plus the municipality's own tasks) of the chosen domains. Per
task the municipality records: in view, owner, capacity and expertise sufficient, organised at a
distance and whether that is governed, risk level and remarks. Saves are optimistic: each task row
has a version, and a save based on an outdated version is refused for that task (a *conflict*)
instead of silently overwriting a colleague's change.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from schouders.errors import SchoudersError
from schouders.instruments.models import ApkAnswer, ApkCheck, CustomTask
from schouders.instruments.register import (
    OBLIGATIONS,
    LegalBasis,
    Register,
    Task,
    load_register,
)
from schouders.platform import audit
from schouders.platform.access import (
    COORDINATOR,
    READERS,
    NotFound,
    Viewer,
    require_role,
    require_viewer,
)
from schouders.platform.errors import FieldErrors
from schouders.platform.models import Municipality, utcnow

DRAFT = "concept"
FINAL = "afgerond"
IN_VIEW = {"ja": "ja", "deels": "deels", "nee": "nee"}
SUFFICIENT = {"ja": "ja", "deels": "deels", "nee": "nee", "onbekend": "onbekend"}
AT_DISTANCE = {
    "nee": "nee, in eigen organisatie",
    "omgevingsdienst": "omgevingsdienst",
    "veiligheidsregio": "veiligheidsregio",
    "ggd": "GGD",
    "gr": "andere gemeenschappelijke regeling",
    "samenwerking": "samenwerking met andere gemeente(n)",
    "uitbesteed": "uitbesteed aan de markt",
    "anders": "anders",
}
GOVERNED = {"ja": "ja", "deels": "deels", "nee": "nee"}
RISK = {"laag": "laag", "midden": "midden", "hoog": "hoog"}
RISK_ORDER = {"hoog": 0, "midden": 1, "laag": 2, None: 3}
FIELDS = ("in_view", "owner", "capacity_ok", "expertise_ok", "at_distance", "distance_governed",
          "risk_level", "remarks")
CHOICES: dict[str, dict[str, str]] = {
    "in_view": IN_VIEW,
    "capacity_ok": SUFFICIENT,
    "expertise_ok": SUFFICIENT,
    "at_distance": AT_DISTANCE,
    "distance_governed": GOVERNED,
    "risk_level": RISK,
}
FIELD_LABELS = {
    "in_view": "in beeld",
    "owner": "eigenaar",
    "capacity_ok": "capaciteit voldoende",
    "expertise_ok": "expertise voldoende",
    "at_distance": "op afstand georganiseerd",
    "distance_governed": "sturing op afstand geregeld",
    "risk_level": "risico",
    "remarks": "opmerkingen",
}
MAX_TEXT = {"owner": 200, "remarks": 2000}


# --- the municipality's own tasks -------------------------------------------------------------


def custom_tasks(session: Session, gm_code: str) -> list[Task]:
    rows = session.scalars(
        select(CustomTask).where(CustomTask.gm_code == gm_code).order_by(CustomTask.id)
    )
    return [
        Task(
            code=row.code, name=row.name, domain=row.domain, dossier=row.dossier,
            roles=tuple(filter(None, row.roles.split(","))), obligation=row.obligation,
            status="geldend", description=row.description,
            legal_basis=(LegalBasis(row.legal_basis),) if row.legal_basis else (),
            custom=True,
        )
        for row in rows
    ]


def add_custom_task(
    session: Session,
    viewer: Viewer | None,
    gm_code: str,
    form: Mapping[str, str],
    register: Register | None = None,
) -> CustomTask:
    viewer = require_role(viewer, gm_code, (COORDINATOR,))
    register = register or load_register()
    name = form.get("name", "").strip()
    domain = form.get("domain", "")
    roles = [role for role in form.get("roles", "").split(",") if role]
    obligation = form.get("obligation", "")
    errors: dict[str, str] = {}
    if not name or len(name) > 300:
        errors["name"] = "Geef de taak een naam (ten hoogste 300 tekens)."
    if domain not in register.domains:
        errors["domain"] = "Kies een domein."
    if not roles or any(role not in register.roles for role in roles):
        errors["roles"] = "Kies ten minste één rol."
    if obligation not in OBLIGATIONS:
        errors["obligation"] = "Kies plicht, bevoegdheid of afspraak."
    if len(form.get("legal_basis", "")) > 500:
        errors["legal_basis"] = "Houd de grondslag korter dan 500 tekens."
    if errors:
        raise FieldErrors(errors)
    # lock the municipality so that two coördinatoren adding a task at once get distinct codes
    session.get(Municipality, gm_code, with_for_update=True)
    existing = session.scalars(select(CustomTask.code).where(CustomTask.gm_code == gm_code))
    number = 1 + max((int(code.rsplit("-", 1)[1]) for code in existing), default=0)
    task = CustomTask(
        gm_code=gm_code, code=f"eigen-{number}", name=name, domain=domain,
        dossier=form.get("dossier", "").strip()[:200], roles=",".join(roles),
        obligation=obligation, legal_basis=form.get("legal_basis", "").strip(),
        description=form.get("description", "").strip()[:2000], created_by=viewer.user_id,
    )
    session.add(task)
    session.flush()
    audit.record(session, viewer, "task.created", "task", task.code, gm_code=gm_code,
                 details={"naam": name, "domein": domain})
    return task


# --- checks --------------------------------------------------------------------------------


def domains_of(check: ApkCheck) -> list[str]:
    try:
        value = json.loads(check.domains or "[]")
    except json.JSONDecodeError:
        return []
    return [str(item) for item in value] if isinstance(value, list) else []


def create_check(
    session: Session,
    viewer: Viewer | None,
    gm_code: str,
    title: str,
    domains: list[str],
    *,
    register: Register | None = None,
    now: datetime | None = None,
) -> ApkCheck:
    viewer = require_role(viewer, gm_code, (COORDINATOR,))
    register = register or load_register()
    now = now or utcnow()
    errors: dict[str, str] = {}
    if not title.strip() or len(title.strip()) > 200:
        errors["title"] = "Geef de toets een titel (ten hoogste 200 tekens)."
    chosen = [code for code in register.domains if code in domains]
    if not chosen or len(chosen) != len(set(domains)):
        errors["domains"] = "Kies ten minste één domein."
    if errors:
        raise FieldErrors(errors)
    check = ApkCheck(
        uid=str(uuid.uuid4()), gm_code=gm_code, title=title.strip(),
        register_version=register.version, domains=json.dumps(chosen), status=DRAFT,
        created_by=viewer.user_id, created_at=now,
    )
    session.add(check)
    session.flush()
    tasks = register.tasks_in(chosen) + [
        task for task in custom_tasks(session, gm_code) if task.domain in chosen
    ]
    for task in tasks:
        session.add(
            ApkAnswer(
                check_id=check.id, task_code=task.code, task_name=task.name,
                task_domain=task.domain, task_legal_basis=task.legal_basis_text(),
                custom=task.custom, version=0,
            )
        )
    audit.record(session, viewer, "apk.created", "apk", check.id, gm_code=gm_code,
                 details={"titel": check.title, "domeinen": chosen, "taken": len(tasks)}, at=now)
    return check


def get_check(
    session: Session, viewer: Viewer | None, check_id: int, roles: tuple[str, ...] = READERS,
    *, lock: bool = False,
) -> ApkCheck:
    """The check, if the viewer has one of ``roles`` in its municipality (else 404/403).

    With ``lock`` the row is locked until the end of the transaction (``SELECT ... FOR UPDATE``
    on PostgreSQL; SQLite already serialises writers with ``BEGIN IMMEDIATE``), so that saves and
    finalising of one check happen one after the other and a version check cannot be raced.
    """
    require_viewer(viewer)
    check = session.get(ApkCheck, check_id, with_for_update=lock)
    if check is None:
        raise NotFound("Deze APK-toets")
    require_role(viewer, check.gm_code, roles, "Deze APK-toets")
    return check


def checks_of(session: Session, gm_code: str) -> list[ApkCheck]:
    return list(
        session.scalars(
            select(ApkCheck).where(ApkCheck.gm_code == gm_code).order_by(ApkCheck.id.desc())
        )
    )


def answers_of(session: Session, check: ApkCheck) -> list[ApkAnswer]:
    return list(
        session.scalars(
            select(ApkAnswer).where(ApkAnswer.check_id == check.id).order_by(ApkAnswer.id)
        )
    )


@dataclass
class TaskUpdate:
    """Posted values for one task, with the version the form was based on."""

    values: dict[str, str] = field(default_factory=dict)
    version: int | None = None


def updates_from_form(form: Mapping[str, str]) -> dict[str, TaskUpdate]:
    """Field names: t_<task code>_<field> and t_<task code>_version (task codes have no '_')."""
    updates: dict[str, TaskUpdate] = {}
    for key, raw in form.items():
        if not key.startswith("t_"):
            continue
        code, _, name = key[2:].partition("_")
        if name == "version":
            try:
                updates.setdefault(code, TaskUpdate()).version = int(raw)
            except ValueError:
                updates.setdefault(code, TaskUpdate()).version = -1
        elif name in FIELDS:
            updates.setdefault(code, TaskUpdate()).values[name] = str(raw)
    return updates


@dataclass(frozen=True)
class ApkSaveResult:
    saved: int
    errors: dict[str, str]
    conflicts: list[str]


def task_field(code: str, name: str) -> str:
    return f"t_{code}_{name}"


def save_check(
    session: Session,
    viewer: Viewer | None,
    check: ApkCheck,
    updates: Mapping[str, TaskUpdate],
    now: datetime | None = None,
) -> ApkSaveResult:
    viewer = require_role(viewer, check.gm_code, (COORDINATOR,))
    if check.status != DRAFT:
        raise SchoudersError("Deze APK-toets is afgerond en kan niet meer worden gewijzigd.",
                             "Start een nieuwe toets voor een volgende periode.")
    now = now or utcnow()
    rows = {row.task_code: row for row in answers_of(session, check)}
    errors: dict[str, str] = {}
    conflicts: list[str] = []
    saved = 0
    for code, update in updates.items():
        row = rows.get(code)
        if row is None:
            errors[task_field(code, "in_view")] = f"Onbekende taak {code!r} in deze toets."
            continue
        new_values: dict[str, str | None] = {}
        for name, raw in update.values.items():
            text = raw.strip()
            if name in CHOICES:
                if text and text not in CHOICES[name]:
                    errors[task_field(code, name)] = f"Ongeldige keuze voor {FIELD_LABELS[name]}."
                    continue
            elif len(text) > MAX_TEXT[name]:
                errors[task_field(code, name)] = (
                    f"Houd {FIELD_LABELS[name]} korter dan {MAX_TEXT[name]} tekens."
                )
                continue
            new_values[name] = text or None
        changes = {
            name: (getattr(row, name), value)
            for name, value in new_values.items()
            if getattr(row, name) != value
        }
        if not changes:
            continue
        if update.version is not None and update.version != row.version:
            conflicts.append(code)
            continue
        for name, (_, value) in changes.items():
            setattr(row, name, value)
        row.version += 1
        row.updated_by = viewer.user_id
        row.updated_at = now
        saved += 1
        audit.record(session, viewer, "apk.answers_saved", "apk", check.id, gm_code=check.gm_code,
                     details={"taak": code, "wijzigingen": changes}, at=now)
    return ApkSaveResult(saved, errors, conflicts)


def completeness_errors(rows: list[ApkAnswer]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for row in rows:
        if not row.in_view:
            errors[task_field(row.task_code, "in_view")] = f"{row.task_name}: is de taak in beeld?"
        if not row.risk_level:
            errors[task_field(row.task_code, "risk_level")] = f"{row.task_name}: kies een risico."
        if row.in_view in ("ja", "deels") and not row.owner:
            errors[task_field(row.task_code, "owner")] = f"{row.task_name}: wie is eigenaar?"
        if row.at_distance and row.at_distance != "nee" and not row.distance_governed:
            errors[task_field(row.task_code, "distance_governed")] = (
                f"{row.task_name}: is de sturing op afstand geregeld?"
            )
    return errors


def finalize_check(
    session: Session, viewer: Viewer | None, check: ApkCheck, now: datetime | None = None
) -> dict[str, str]:
    """Close the check for editing; returns the completeness errors instead if any."""
    viewer = require_role(viewer, check.gm_code, (COORDINATOR,))
    if check.status != DRAFT:
        raise SchoudersError("Deze APK-toets is al afgerond.")
    now = now or utcnow()
    errors = completeness_errors(answers_of(session, check))
    if errors:
        return errors
    check.status = FINAL
    check.finalized_at = now
    audit.record(session, viewer, "apk.finalized", "apk", check.id, gm_code=check.gm_code, at=now)
    return {}


# --- report -------------------------------------------------------------------------------


def deficits(row: ApkAnswer) -> list[str]:
    """Plain-language reasons why a task is vulnerable."""
    reasons = []
    if row.in_view in ("nee", "deels"):
        reasons.append("niet in beeld" if row.in_view == "nee" else "deels in beeld")
    if row.in_view in ("ja", "deels") and not row.owner:
        reasons.append("geen eigenaar")
    if row.capacity_ok in ("nee", "deels"):
        reasons.append("capaciteit onvoldoende" if row.capacity_ok == "nee"
                       else "capaciteit deels voldoende")
    if row.expertise_ok in ("nee", "deels"):
        reasons.append("expertise onvoldoende" if row.expertise_ok == "nee"
                       else "expertise deels voldoende")
    if row.at_distance and row.at_distance != "nee" and row.distance_governed in ("nee", "deels"):
        reasons.append("sturing op afstand niet geregeld" if row.distance_governed == "nee"
                       else "sturing op afstand deels geregeld")
    return reasons


def at_risk(row: ApkAnswer) -> bool:
    return row.risk_level in ("hoog", "midden") or row.in_view == "nee"


@dataclass(frozen=True)
class ReportRow:
    answer: ApkAnswer
    reasons: list[str]
    previous_risk: str | None
    previous_in_view: str | None
    change: str  # nieuw | verslechterd | verbeterd | gelijk | (empty: no previous check)


@dataclass(frozen=True)
class ApkReport:
    check: ApkCheck
    previous: ApkCheck | None
    at_risk: list[ReportRow]
    others: list[ReportRow]
    dropped: list[ApkAnswer]  # tasks in the previous check that are no longer checked
    counts: dict[str, int]
    by_domain: dict[str, dict[str, int]]

    @property
    def rows(self) -> list[ReportRow]:
        return self.at_risk + self.others


def previous_check(session: Session, check: ApkCheck) -> ApkCheck | None:
    return session.scalar(
        select(ApkCheck)
        .where(ApkCheck.gm_code == check.gm_code, ApkCheck.status == FINAL,
               ApkCheck.id != check.id, ApkCheck.created_at <= check.created_at)
        .order_by(ApkCheck.created_at.desc(), ApkCheck.id.desc())
        .limit(1)
    )


def build_report(session: Session, check: ApkCheck) -> ApkReport:
    rows = answers_of(session, check)
    previous = previous_check(session, check)
    before = {row.task_code: row for row in answers_of(session, previous)} if previous else {}
    report_rows = []
    for row in rows:
        old = before.get(row.task_code)
        if previous is None:
            change = ""
        elif old is None:
            change = "nieuw"
        elif RISK_ORDER[row.risk_level] < RISK_ORDER[old.risk_level]:
            change = "verslechterd"
        elif RISK_ORDER[row.risk_level] > RISK_ORDER[old.risk_level]:
            change = "verbeterd"
        else:
            change = "gelijk"
        report_rows.append(
            ReportRow(row, deficits(row), old.risk_level if old else None,
                      old.in_view if old else None, change)
        )
    report_rows.sort(
        key=lambda r: (RISK_ORDER[r.answer.risk_level], -len(r.reasons), r.answer.task_domain,
                       r.answer.task_name)
    )
    risky = [r for r in report_rows if at_risk(r.answer)]
    others = [r for r in report_rows if not at_risk(r.answer)]
    current_codes = {row.task_code for row in rows}
    counts = {
        "taken": len(rows),
        "hoog": sum(1 for r in rows if r.risk_level == "hoog"),
        "midden": sum(1 for r in rows if r.risk_level == "midden"),
        "laag": sum(1 for r in rows if r.risk_level == "laag"),
        "niet_beoordeeld": sum(1 for r in rows if not r.risk_level),
        "niet_in_beeld": sum(1 for r in rows if r.in_view == "nee"),
        # every task needs an owner, also (especially) one that is not in view: counting only
        # tasks in view reported "0 taken zonder eigenaar" next to 12 ownerless "niet in beeld"
        "zonder_eigenaar": sum(1 for r in rows if not (r.owner or "").strip()),
        "op_afstand_niet_geregeld": sum(
            1 for r in rows
            if r.at_distance and r.at_distance != "nee" and r.distance_governed == "nee"
        ),
        "verslechterd": sum(1 for r in report_rows if r.change == "verslechterd"),
        "verbeterd": sum(1 for r in report_rows if r.change == "verbeterd"),
    }
    by_domain: dict[str, dict[str, int]] = {}
    for row in rows:
        bucket = by_domain.setdefault(row.task_domain, {"taken": 0, "hoog": 0, "midden": 0,
                                                        "laag": 0, "risico": 0})
        bucket["taken"] += 1
        if row.risk_level:
            bucket[row.risk_level] += 1
        if at_risk(row):
            bucket["risico"] += 1
    return ApkReport(
        check=check,
        previous=previous,
        at_risk=risky,
        others=others,
        dropped=[old for code, old in before.items() if code not in current_codes],
        counts=counts,
        by_domain=by_domain,
    )


def latest_final_check(session: Session, gm_code: str) -> ApkCheck | None:
    return session.scalar(
        select(ApkCheck).where(ApkCheck.gm_code == gm_code, ApkCheck.status == FINAL)
        .order_by(ApkCheck.finalized_at.desc(), ApkCheck.id.desc()).limit(1)
    )
