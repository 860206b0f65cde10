"""Visitatie rounds: create, invite respondents, save and submit answers, close and publish.

Answers are validated field by field. Saving as draft keeps every valid answer and reports the
invalid ones; submitting additionally requires every question and every opgave to be answered.
Each respondent's answers are their own rows (upserted), so respondents saving at the same time
never overwrite each other.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from schouders.errors import SchoudersError
from schouders.instruments.models import Answer, PerspectiveAnswer, Respondent, Round
from schouders.instruments.questionnaire import Questionnaire, load_questionnaire
from schouders.platform import audit, invites
from schouders.platform.access import (
    COORDINATOR,
    MEMBER_ROLES,
    RESPONDENT,
    Forbidden,
    NotFound,
    Viewer,
    require_role,
    require_viewer,
)
from schouders.platform.audit import Actor
from schouders.platform.errors import FieldErrors
from schouders.platform.models import Invite, Membership, User, utcnow
from schouders.platform.upsert import upsert

OPEN = "open"
CLOSED = "gesloten"
DRAFT = "concept"
SUBMITTED = "ingediend"
DONT_KNOW = "wn"
MAX_COMMENT = 2000
MAX_OPGAVE = 200
STATUS_LABELS = {OPEN: "open", CLOSED: "gesloten", DRAFT: "concept", SUBMITTED: "ingediend"}


def parse_opgaven(text: str, maximum: int) -> list[str]:
    opgaven: list[str] = []
    for line in text.splitlines():
        item = " ".join(line.split())
        if item and item not in opgaven:
            opgaven.append(item)
    errors = {}
    if len(opgaven) > maximum:
        errors["opgaven"] = f"Kies ten hoogste {maximum} opgaven."
    elif any(len(item) > MAX_OPGAVE for item in opgaven):
        errors["opgaven"] = f"Houd elke opgave korter dan {MAX_OPGAVE} tekens."
    if errors:
        raise FieldErrors(errors)
    return opgaven


def opgaven_of(round_: Round) -> list[str]:
    try:
        value = json.loads(round_.opgaven or "[]")
    except json.JSONDecodeError:
        return []
    return [str(item) for item in value] if isinstance(value, list) else []


def create_round(
    session: Session,
    viewer: Viewer | None,
    gm_code: str,
    title: str,
    opgaven_text: str = "",
    *,
    now: datetime | None = None,
    uid: str | None = None,
) -> Round:
    viewer = require_role(viewer, gm_code, (COORDINATOR,))
    now = now or utcnow()
    questionnaire = load_questionnaire()
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "Geef de ronde een titel."
    elif len(title.strip()) > 200:
        errors["title"] = "Houd de titel korter dan 200 tekens."
    try:
        opgaven = parse_opgaven(opgaven_text, questionnaire.steering.max_opgaven)
    except FieldErrors as exc:
        errors.update(exc.errors)
        opgaven = []
    if errors:
        raise FieldErrors(errors)
    round_ = Round(
        uid=uid or str(uuid.uuid4()),
        gm_code=gm_code,
        title=title.strip(),
        questionnaire_version=questionnaire.version,
        opgaven=json.dumps(opgaven, ensure_ascii=False),
        status=OPEN,
        created_by=viewer.user_id,
        created_at=now,
    )
    session.add(round_)
    session.flush()
    audit.record(session, viewer, "round.created", "round", round_.id, gm_code=gm_code,
                 details={"titel": round_.title, "opgaven": opgaven}, at=now)
    return round_


def get_round(session: Session, viewer: Viewer | None, round_id: int,
              roles: tuple[str, ...] = MEMBER_ROLES, *, lock: bool = False) -> Round:
    """The round, if the viewer has one of ``roles`` in its municipality (else 404/403).

    With ``lock`` the round row is locked until the end of the transaction (``FOR UPDATE`` on
    PostgreSQL; SQLite serialises writers already): saving answers, closing, publishing and adding
    respondents then happen one after the other, so no answer is written into a round that was
    closed meanwhile, and respondent labels are numbered without gaps or clashes.
    """
    require_viewer(viewer)
    round_ = session.get(Round, round_id, with_for_update=lock)
    if round_ is None:
        raise NotFound("Deze ronde")
    require_role(viewer, round_.gm_code, roles, "Deze ronde")
    return round_


def rounds_of(session: Session, gm_code: str) -> list[Round]:
    return list(
        session.scalars(select(Round).where(Round.gm_code == gm_code).order_by(Round.id.desc()))
    )


def ensure_respondent(
    session: Session, round_: Round, user_id: int, *, actor: Actor | Viewer,
    now: datetime | None = None,
) -> Respondent:
    existing = respondent_of(session, round_, user_id)
    if existing is not None:
        return existing
    count = session.scalar(
        select(func.count(Respondent.id)).where(Respondent.round_id == round_.id)
    ) or 0
    respondent = Respondent(round_id=round_.id, user_id=user_id, label=f"Respondent {count + 1}",
                            status=DRAFT, updated_at=now or utcnow())
    session.add(respondent)
    session.flush()
    # Who takes part is known to the coördinator; which pseudonym they got is not logged (the
    # pseudonym must not be tied to a person).
    audit.record(session, actor, "round.respondent_added", "round", round_.id,
                 gm_code=round_.gm_code, at=now)
    return respondent


def add_member_as_respondent(
    session: Session, viewer: Viewer | None, round_: Round, user_id: int,
    now: datetime | None = None,
) -> Respondent:
    viewer = require_role(viewer, round_.gm_code, (COORDINATOR,))
    _require_open(round_)
    member = session.scalar(
        select(Membership).where(Membership.user_id == user_id,
                                 Membership.gm_code == round_.gm_code)
    )
    if member is None:
        raise FieldErrors({"user_id": "Deze persoon heeft geen rol in deze gemeente."})
    return ensure_respondent(session, round_, user_id, actor=viewer, now=now)


def respondent_rounds(session: Session, user_id: int) -> list[tuple[Round, Respondent]]:
    """The rounds a user takes part in, newest first, with their own respondent row."""
    rows = session.execute(
        select(Round, Respondent)
        .join(Respondent, Respondent.round_id == Round.id)
        .where(Respondent.user_id == user_id)
        .order_by(Round.created_at.desc())
    )
    return [(round_, respondent) for round_, respondent in rows]


def invite_respondent(
    session: Session, viewer: Viewer | None, round_: Round, email: str,
    now: datetime | None = None,
) -> invites.CreatedInvite:
    """A one-time link that makes ``email`` respondent of the municipality and of ``round_``."""
    require_role(viewer, round_.gm_code, (COORDINATOR,))
    if round_.status != OPEN:
        raise FieldErrors({"round_id": "Deze ronde is gesloten."})
    return invites.create_invite(session, viewer, round_.gm_code, RESPONDENT, email,
                                 round_id=round_.id, now=now)


def join_invited_round(session: Session, invite: Invite, user: User, actor: Actor,
                       now: datetime) -> None:
    """Hook for accepting an invite: add the user as respondent to the round it was made for
    (if that round is still open)."""
    if invite.round_id is None:
        return
    round_ = session.get(Round, invite.round_id, with_for_update=True)
    if round_ is not None and round_.status == OPEN and round_.gm_code == invite.gm_code:
        ensure_respondent(session, round_, user.id, actor=actor, now=now)


def accept_invite(
    session: Session, token: str, *, name: str = "", password: str = "",
    password_repeat: str | None = None, now: datetime | None = None,
    verified_hash: str | None = None, new_hash: str | None = None,
) -> User:
    """Accept an invite (platform) and join the round it was made for, in one transaction."""
    return invites.accept_invite(session, token, name=name, password=password,
                                 password_repeat=password_repeat, now=now,
                                 on_accept=join_invited_round, verified_hash=verified_hash,
                                 new_hash=new_hash)


def respondent_of(session: Session, round_: Round, user_id: int) -> Respondent | None:
    return session.scalar(
        select(Respondent).where(Respondent.round_id == round_.id, Respondent.user_id == user_id)
    )


def my_respondent(
    session: Session, viewer: Viewer | None, round_id: int, *, lock: bool = False
) -> tuple[Round, Respondent]:
    """The round and the viewer's own respondent row; only respondents of the round get here."""
    round_ = get_round(session, viewer, round_id, lock=lock)
    assert viewer is not None
    respondent = respondent_of(session, round_, viewer.user_id)
    if respondent is None:
        raise Forbidden("U bent geen respondent in deze ronde.")
    return round_, respondent


def _require_open(round_: Round) -> None:
    if round_.status != OPEN:
        raise SchoudersError(
            "Deze ronde is gesloten; antwoorden kunnen niet meer worden gewijzigd."
        )


# --- answers --------------------------------------------------------------------------------


@dataclass
class AnswerForm:
    """Raw answers from a form or JSON: nothing is trusted until validated."""

    values: dict[str, str] = field(default_factory=dict)  # question code -> "1".."5" | "wn"
    comments: dict[str, str] = field(default_factory=dict)
    dominant: dict[str, str] = field(default_factory=dict)  # opgave -> perspective code
    served: dict[str, dict[str, str]] = field(default_factory=dict)  # opgave -> code -> raw
    perspective_comments: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_form(cls, form: Mapping[str, str], opgaven: list[str]) -> AnswerForm:
        """Field names: v_<code>, c_<code>, p<i>_dominant, p<i>_<perspective>, pc<i>."""
        result = cls()
        for key, raw in form.items():
            value = str(raw)
            if key.startswith("v_"):
                result.values[key[2:]] = value
            elif key.startswith("c_"):
                result.comments[key[2:]] = value
        for index, opgave in enumerate(opgaven):
            prefix = f"p{index}_"
            for key, raw in form.items():
                if not key.startswith(prefix):
                    continue
                name = key[len(prefix):]
                if name == "dominant":
                    result.dominant[opgave] = str(raw)
                else:
                    result.served.setdefault(opgave, {})[name] = str(raw)
            if f"pc{index}" in form:
                result.perspective_comments[opgave] = str(form[f"pc{index}"])
        return result


@dataclass(frozen=True)
class SaveResult:
    errors: dict[str, str]
    submitted: bool


def question_field(code: str) -> str:
    return f"v_{code}"


def perspective_field(index: int, name: str) -> str:
    return f"p{index}_{name}"


def _scale_value(raw: str, questionnaire: Questionnaire) -> tuple[int | None, bool, bool]:
    """(value, dont_know, valid) for a raw answer; an empty answer is valid and empty."""
    text = raw.strip()
    if text == "":
        return None, False, True
    if text == DONT_KNOW:
        return None, True, True
    if text.isdigit() and int(text) in questionnaire.scale.values():
        return int(text), False, True
    return None, False, False


def save_answers(
    session: Session,
    round_: Round,
    respondent: Respondent,
    form: AnswerForm,
    *,
    submit: bool,
    actor: Actor | Viewer,
    now: datetime | None = None,
) -> SaveResult:
    """Store every valid answer; on submit also require completeness. Errors per field."""
    now = now or utcnow()
    _require_open(round_)
    questionnaire = load_questionnaire(round_.questionnaire_version)
    scale = questionnaire.scale
    scale_text = f"{scale.minimum} tot {scale.maximum}"
    opgaven = opgaven_of(round_)
    errors: dict[str, str] = {}

    stored = {a.question_code: a for a in session.scalars(
        select(Answer).where(Answer.respondent_id == respondent.id))}
    merged: dict[str, dict] = {
        code: {"value": a.value, "dont_know": a.dont_know, "comment": a.comment}
        for code, a in stored.items()
    }
    touched: set[str] = set()
    for code, raw in form.values.items():
        if questionnaire.question(code) is None:
            errors[question_field(code)] = f"Onbekende vraag {code!r}."
            continue
        value, dont_know, valid = _scale_value(raw, questionnaire)
        if not valid:
            errors[question_field(code)] = f"Ongeldig antwoord; kies {scale_text} of 'weet niet'."
            continue
        if value is None and not dont_know and code not in stored:
            continue
        entry = merged.setdefault(code, {"value": None, "dont_know": False, "comment": None})
        entry.update(value=value, dont_know=dont_know)
        touched.add(code)
    for code, comment in form.comments.items():
        if questionnaire.question(code) is None:
            continue
        text = comment.strip()
        if len(text) > MAX_COMMENT:
            errors[f"c_{code}"] = f"Houd de toelichting korter dan {MAX_COMMENT} tekens."
            continue
        if not text and code not in merged:
            continue
        entry = merged.setdefault(code, {"value": None, "dont_know": False, "comment": None})
        entry["comment"] = text or None
        touched.add(code)
    upsert(
        session,
        Answer.__table__,
        [
            {"respondent_id": respondent.id, "question_code": code, "updated_at": now,
             **merged[code]}
            for code in sorted(touched)
        ],
        keys=["respondent_id", "question_code"],
        update=["value", "dont_know", "comment", "updated_at"],
    )

    perspective_codes = [p.code for p in questionnaire.steering.perspectives]
    stored_p = {p.opgave: p for p in session.scalars(
        select(PerspectiveAnswer).where(PerspectiveAnswer.respondent_id == respondent.id))}
    merged_p: dict[str, dict] = {
        opgave: {"dominant": p.dominant, "served": _served(p), "comment": p.comment}
        for opgave, p in stored_p.items()
    }
    touched_p: set[str] = set()
    for index, opgave in enumerate(opgaven):
        entry = merged_p.setdefault(opgave, {"dominant": None, "served": {}, "comment": None})
        if opgave in form.dominant:
            raw = form.dominant[opgave].strip()
            if raw and raw not in perspective_codes:
                errors[perspective_field(index, "dominant")] = "Kies een van de vier perspectieven."
            elif raw:
                entry["dominant"] = raw
                touched_p.add(opgave)
        for code, raw in form.served.get(opgave, {}).items():
            if code not in perspective_codes:
                continue
            value, dont_know, valid = _scale_value(raw, questionnaire)
            if not valid:
                errors[perspective_field(index, code)] = f"Ongeldig antwoord; kies {scale_text}."
            elif value is not None or dont_know:
                entry["served"][code] = value
                touched_p.add(opgave)
        if opgave in form.perspective_comments:
            text = form.perspective_comments[opgave].strip()
            if len(text) > MAX_COMMENT:
                errors[f"pc{index}"] = f"Houd de toelichting korter dan {MAX_COMMENT} tekens."
            elif text or entry["comment"]:
                entry["comment"] = text or None
                touched_p.add(opgave)
    upsert(
        session,
        PerspectiveAnswer.__table__,
        [
            {
                "respondent_id": respondent.id,
                "opgave": opgave,
                "dominant": merged_p[opgave]["dominant"],
                "served": json.dumps(merged_p[opgave]["served"], sort_keys=True),
                "comment": merged_p[opgave]["comment"],
                "updated_at": now,
            }
            for opgave in sorted(touched_p)
        ],
        keys=["respondent_id", "opgave"],
        update=["dominant", "served", "comment", "updated_at"],
    )

    if submit:
        for question in questionnaire.questions:
            answer = merged.get(question.code)
            key = question_field(question.code)
            if key not in errors and (
                answer is None or (answer["value"] is None and not answer["dont_know"])
            ):
                errors[key] = "Beantwoord deze vraag, of kies 'weet niet'."
        for index, opgave in enumerate(opgaven):
            entry = merged_p.get(opgave) or {"dominant": None, "served": {}}
            dominant_key = perspective_field(index, "dominant")
            if not entry["dominant"] and dominant_key not in errors:
                errors[dominant_key] = f"Kies het dominante perspectief voor '{opgave}'."
            for code in perspective_codes:
                key = perspective_field(index, code)
                if code != entry["dominant"] and code not in entry["served"] and key not in errors:
                    errors[key] = "Geef aan in welke mate dit perspectief tot zijn recht komt."

    submitted = submit and not errors
    if submitted:
        respondent.status = SUBMITTED
        respondent.submitted_at = now
    elif not submit:
        respondent.status = DRAFT
    respondent.updated_at = now
    audit.record(
        session, actor, "round.submitted" if submitted else "round.answers_saved", "round",
        round_.id, gm_code=round_.gm_code,
        # The act is logged, never the pseudonym ("Respondent N"), an answer, or a count that
        # could be matched with the per-label progress list.
        at=now,
    )
    return SaveResult(errors=errors, submitted=submitted)


def _served(answer: PerspectiveAnswer) -> dict[str, int | None]:
    try:
        value = json.loads(answer.served or "{}")
    except json.JSONDecodeError:
        return {}
    return {str(k): (int(v) if v is not None else None) for k, v in value.items()} if isinstance(
        value, dict) else {}


def served_of(answer: PerspectiveAnswer) -> dict[str, int | None]:
    return _served(answer)


def stored_answers(
    session: Session, respondent: Respondent
) -> tuple[dict[str, Answer], dict[str, PerspectiveAnswer]]:
    answers = {a.question_code: a for a in session.scalars(
        select(Answer).where(Answer.respondent_id == respondent.id))}
    perspectives = {p.opgave: p for p in session.scalars(
        select(PerspectiveAnswer).where(PerspectiveAnswer.respondent_id == respondent.id))}
    return answers, perspectives


# --- round life cycle ------------------------------------------------------------------------


def close_round(session: Session, viewer: Viewer | None, round_: Round,
                now: datetime | None = None) -> None:
    viewer = require_role(viewer, round_.gm_code, (COORDINATOR,))
    _require_open(round_)
    now = now or utcnow()
    round_.status = CLOSED
    round_.closed_at = now
    submitted = sum(1 for r in round_.respondents if r.status == SUBMITTED)
    audit.record(session, viewer, "round.closed", "round", round_.id, gm_code=round_.gm_code,
                 details={"ingediend": submitted, "respondenten": len(round_.respondents)}, at=now)


def set_published(session: Session, viewer: Viewer | None, round_: Round, publish: bool,
                  now: datetime | None = None) -> None:
    """Share (or stop sharing) the aggregated scores of a closed round with other municipalities."""
    from schouders.instruments.config import MIN_RESPONDENTS_FOR_SCORES

    viewer = require_role(viewer, round_.gm_code, (COORDINATOR,))
    now = now or utcnow()
    if publish:
        if round_.status != CLOSED:
            raise SchoudersError("Alleen een gesloten ronde kan worden gepubliceerd.")
        submitted = sum(1 for r in round_.respondents if r.status == SUBMITTED)
        if submitted < MIN_RESPONDENTS_FOR_SCORES:
            raise SchoudersError(
                f"Publiceren kan pas vanaf {MIN_RESPONDENTS_FOR_SCORES} ingediende antwoorden.",
                "Zo blijven antwoorden van individuele respondenten onherleidbaar.",
            )
        round_.published_at = now
    else:
        round_.published_at = None
    audit.record(session, viewer, "round.published" if publish else "round.unpublished", "round",
                 round_.id, gm_code=round_.gm_code, at=now)


@dataclass(frozen=True)
class Progress:
    respondent: Respondent
    answered: int
    total: int


def progress(session: Session, round_: Round) -> list[Progress]:
    questionnaire = load_questionnaire(round_.questionnaire_version)
    counts = dict(
        session.execute(
            select(Answer.respondent_id, func.count(Answer.id))
            .join(Respondent, Respondent.id == Answer.respondent_id)
            .where(Respondent.round_id == round_.id,
                   (Answer.value.is_not(None)) | (Answer.dont_know.is_(True)))
            .group_by(Answer.respondent_id)
        ).all()
    )
    return [
        Progress(r, int(counts.get(r.id, 0)), len(questionnaire.questions))
        for r in round_.respondents
    ]
