"""Export and import of a visitatie round as JSON, so that no data is locked in.

The export holds the round, its opgaven and every respondent's answers under a pseudonymous label
(``Respondent 1``...); it holds no e-mail addresses or names. An import is validated completely
(JSON schema, then questionnaire codes, scale and opgaven) before anything is written, and is
written in one transaction: a malformed file is rejected with the reason and leaves nothing behind.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import jsonschema
from sqlalchemy import select
from sqlalchemy.orm import Session

from schouders.errors import SchoudersError
from schouders.instruments.models import Answer, PerspectiveAnswer, Respondent, Round
from schouders.instruments.questionnaire import load_questionnaire
from schouders.instruments.visitatie import CLOSED, OPEN, SUBMITTED, opgaven_of, served_of
from schouders.platform import audit
from schouders.platform.accounts import GM_CODE
from schouders.platform.audit import Actor
from schouders.platform.models import Municipality, utcnow

FORMAT = "schouders-visitatie-ronde"
FORMAT_VERSION = 1

_TIMESTAMP = {"type": ["string", "null"], "format": "date-time"}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["formaat", "formaatversie", "gemeente", "ronde", "respondenten"],
    "properties": {
        "formaat": {"const": FORMAT},
        "formaatversie": {"const": FORMAT_VERSION},
        "geexporteerd_op": _TIMESTAMP,
        "gemeente": {
            "type": "object",
            "required": ["code", "naam"],
            "properties": {
                "code": {"type": "string", "pattern": GM_CODE.pattern},
                "naam": {"type": "string", "minLength": 1, "maxLength": 200},
            },
        },
        "ronde": {
            "type": "object",
            "required": ["uid", "titel", "vragenlijst_versie", "opgaven", "status"],
            "properties": {
                "uid": {"type": "string", "minLength": 1, "maxLength": 36},
                "titel": {"type": "string", "minLength": 1, "maxLength": 200},
                "vragenlijst_versie": {"type": "string"},
                "opgaven": {
                    "type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 200},
                    "uniqueItems": True,
                },
                "status": {"enum": [OPEN, CLOSED]},
                "aangemaakt_op": _TIMESTAMP,
                "gesloten_op": _TIMESTAMP,
                "gepubliceerd_op": _TIMESTAMP,
            },
        },
        "respondenten": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["label", "status", "antwoorden"],
                "properties": {
                    "label": {"type": "string", "minLength": 1, "maxLength": 100},
                    "status": {"enum": ["concept", "ingediend"]},
                    "ingediend_op": _TIMESTAMP,
                    "antwoorden": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["vraag"],
                            "properties": {
                                "vraag": {"type": "string"},
                                "waarde": {"type": ["integer", "null"]},
                                "weet_niet": {"type": "boolean"},
                                "toelichting": {"type": ["string", "null"], "maxLength": 2000},
                            },
                            "additionalProperties": False,
                        },
                    },
                    "sturing": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["opgave"],
                            "properties": {
                                "opgave": {"type": "string"},
                                "dominant": {"type": ["string", "null"]},
                                "bediend": {
                                    "type": "object",
                                    "additionalProperties": {"type": ["integer", "null"]},
                                },
                                "toelichting": {"type": ["string", "null"], "maxLength": 2000},
                            },
                            "additionalProperties": False,
                        },
                    },
                },
            },
        },
    },
}


class ImportRejected(SchoudersError):
    """A round export that cannot be imported; nothing was written."""


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def export_round(session: Session, round_: Round, actor: Actor | None = None) -> dict[str, Any]:
    municipality = session.get(Municipality, round_.gm_code)
    respondents = []
    for respondent in round_.respondents:
        answers = session.scalars(
            select(Answer).where(Answer.respondent_id == respondent.id)
            .order_by(Answer.question_code)
        )
        perspectives = session.scalars(
            select(PerspectiveAnswer).where(PerspectiveAnswer.respondent_id == respondent.id)
            .order_by(PerspectiveAnswer.opgave)
        )
        respondents.append(
            {
                "label": respondent.label,
                "status": respondent.status,
                "ingediend_op": _iso(respondent.submitted_at),
                "antwoorden": [
                    {"vraag": a.question_code, "waarde": a.value, "weet_niet": a.dont_know,
                     "toelichting": a.comment}
                    for a in answers
                ],
                "sturing": [
                    {"opgave": p.opgave, "dominant": p.dominant, "bediend": served_of(p),
                     "toelichting": p.comment}
                    for p in perspectives
                ],
            }
        )
    if actor is not None:
        audit.record(session, actor, "round.exported", "round", round_.id, gm_code=round_.gm_code)
    return {
        "formaat": FORMAT,
        "formaatversie": FORMAT_VERSION,
        "geexporteerd_op": _iso(utcnow()),
        "gemeente": {"code": round_.gm_code,
                     "naam": municipality.name if municipality else round_.gm_code},
        "ronde": {
            "uid": round_.uid,
            "titel": round_.title,
            "vragenlijst_versie": round_.questionnaire_version,
            "opgaven": opgaven_of(round_),
            "status": round_.status,
            "aangemaakt_op": _iso(round_.created_at),
            "gesloten_op": _iso(round_.closed_at),
            "gepubliceerd_op": _iso(round_.published_at),
        },
        "respondenten": respondents,
    }


def parse_export(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRejected(
            f"Het bestand is geen geldige JSON (regel {exc.lineno}, kolom {exc.colno}: {exc.msg}).",
            "Gebruik een bestand dat met 'ronde-exporteren' is gemaakt.",
        ) from None
    validate_export(data)
    return data


_TYPE_NAMES = {"object": "een object", "array": "een lijst", "string": "tekst",
               "integer": "een geheel getal", "boolean": "true of false", "null": "null"}


def _dutch(error: jsonschema.ValidationError) -> str:
    """A schema violation in Dutch (jsonschema's own messages are English)."""
    kind, expected = error.validator, error.validator_value
    if kind == "required":
        missing = [key for key in expected if isinstance(error.instance, dict)
                   and key not in error.instance]
        return "ontbrekend veld " + ", ".join(repr(key) for key in missing)
    if kind == "type":
        names = [expected] if isinstance(expected, str) else list(expected)
        return "moet " + " of ".join(_TYPE_NAMES.get(n, n) for n in names) + " zijn, niet " + (
            repr(error.instance) if not isinstance(error.instance, (dict, list)) else
            _TYPE_NAMES["object" if isinstance(error.instance, dict) else "array"])
    if kind == "const":
        return f"moet {expected!r} zijn, niet {error.instance!r}"
    if kind == "enum":
        return "kies uit " + ", ".join(repr(v) for v in expected) + f", niet {error.instance!r}"
    if kind == "pattern":
        return f"{error.instance!r} heeft niet de juiste vorm (verwacht: {expected})"
    if kind == "minLength":
        return "mag niet leeg zijn" if expected == 1 else f"moet ten minste {expected} tekens zijn"
    if kind == "maxLength":
        return f"is langer dan {expected} tekens"
    if kind == "format":
        return f"{error.instance!r} is geen geldige datum/tijd (ISO 8601)"
    if kind == "additionalProperties":
        extra = [key for key in error.instance if key not in error.schema.get("properties", {})]
        return "onbekend veld " + ", ".join(repr(key) for key in extra)
    if kind == "uniqueItems":
        return "bevat dubbele waarden"
    return error.message


def validate_export(data: Any) -> None:
    """Raise ImportRejected with the first problem found; checks everything before any write."""
    validator = jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    problems = sorted(validator.iter_errors(data), key=lambda error: list(error.absolute_path))
    if problems:
        first = problems[0]
        where = "/".join(str(part) for part in first.absolute_path) or "(bovenste niveau)"
        raise ImportRejected(f"Ongeldige export bij {where}: {_dutch(first)}",
                             f"{len(problems)} probleem/problemen gevonden; niets geïmporteerd.")
    try:
        for key in ("aangemaakt_op", "gesloten_op", "gepubliceerd_op"):
            _parse_time(data["ronde"].get(key))
        for respondent in data["respondenten"]:
            _parse_time(respondent.get("ingediend_op"))
    except ValueError as exc:
        raise ImportRejected(f"Ongeldige datum/tijd: {exc}") from None
    if data["ronde"].get("gepubliceerd_op") and data["ronde"]["status"] != CLOSED:
        raise ImportRejected("Ongeldige export bij ronde/gepubliceerd_op: alleen een gesloten "
                             "ronde kan gedeeld zijn.",
                             "Zet gepubliceerd_op op null, of status op 'gesloten'.")
    version = data["ronde"]["vragenlijst_versie"]
    try:
        questionnaire = load_questionnaire(version)
    except SchoudersError as exc:
        raise ImportRejected(exc.message, exc.hint) from None
    scale = questionnaire.scale
    perspectives = {p.code for p in questionnaire.steering.perspectives}
    opgaven = set(data["ronde"]["opgaven"])
    labels: set[str] = set()
    for index, respondent in enumerate(data["respondenten"]):
        where = f"respondenten/{index} ({respondent['label']})"
        if respondent["label"] in labels:
            raise ImportRejected(f"{where}: label komt dubbel voor.")
        labels.add(respondent["label"])
        seen: set[str] = set()
        for answer in respondent["antwoorden"]:
            code = answer["vraag"]
            if questionnaire.question(code) is None:
                raise ImportRejected(f"{where}: onbekende vraag {code!r} in vragenlijst {version}.")
            if code in seen:
                raise ImportRejected(f"{where}: vraag {code!r} komt dubbel voor.")
            seen.add(code)
            value = answer.get("waarde")
            if value is not None and value not in scale.values():
                raise ImportRejected(
                    f"{where}: waarde {value} bij {code!r} ligt buiten de schaal "
                    f"{scale.minimum}-{scale.maximum}."
                )
            if value is not None and answer.get("weet_niet"):
                raise ImportRejected(f"{where}: {code!r} heeft zowel een waarde als 'weet niet'.")
        seen_opgaven: set[str] = set()
        for item in respondent.get("sturing", []):
            if item["opgave"] not in opgaven:
                raise ImportRejected(f"{where}: opgave {item['opgave']!r} hoort niet bij de ronde.")
            if item["opgave"] in seen_opgaven:
                raise ImportRejected(f"{where}: opgave {item['opgave']!r} komt dubbel voor.")
            seen_opgaven.add(item["opgave"])
            if item.get("dominant") is not None and item["dominant"] not in perspectives:
                raise ImportRejected(f"{where}: onbekend perspectief {item['dominant']!r}.")
            for code, value in (item.get("bediend") or {}).items():
                if code not in perspectives:
                    raise ImportRejected(f"{where}: onbekend perspectief {code!r}.")
                if value is not None and value not in scale.values():
                    raise ImportRejected(f"{where}: score {value} voor {code!r} buiten de schaal.")


def import_round(session: Session, data: dict[str, Any], actor: Actor) -> Round:
    """Write a validated export as a new round (respondents without accounts). One transaction:
    call inside ``Database.transaction``; any error rolls everything back."""
    validate_export(data)
    info = data["ronde"]
    if session.scalar(select(Round.id).where(Round.uid == info["uid"])) is not None:
        raise ImportRejected(
            f"Ronde {info['uid']} bestaat al in deze database.",
            "Een ronde wordt maar één keer geïmporteerd.",
        )
    gm = data["gemeente"]
    if session.get(Municipality, gm["code"]) is None:
        session.add(Municipality(gm_code=gm["code"], name=gm["naam"]))
        session.flush()
    now = utcnow()
    round_ = Round(
        uid=info["uid"], gm_code=gm["code"], title=info["titel"],
        questionnaire_version=info["vragenlijst_versie"],
        opgaven=json.dumps(info["opgaven"], ensure_ascii=False), status=info["status"],
        created_at=_parse_time(info.get("aangemaakt_op")) or now,
        closed_at=_parse_time(info.get("gesloten_op")),
        published_at=_parse_time(info.get("gepubliceerd_op")),
    )
    session.add(round_)
    session.flush()
    for item in data["respondenten"]:
        respondent = Respondent(
            round_id=round_.id, user_id=None, label=item["label"], status=item["status"],
            submitted_at=_parse_time(item.get("ingediend_op")),
            updated_at=now,
        )
        session.add(respondent)
        session.flush()
        for answer in item["antwoorden"]:
            session.add(Answer(
                respondent_id=respondent.id, question_code=answer["vraag"],
                value=answer.get("waarde"), dont_know=bool(answer.get("weet_niet", False)),
                comment=answer.get("toelichting"), updated_at=now,
            ))
        for perspective in item.get("sturing", []):
            session.add(PerspectiveAnswer(
                respondent_id=respondent.id, opgave=perspective["opgave"],
                dominant=perspective.get("dominant"),
                served=json.dumps(perspective.get("bediend") or {}, sort_keys=True),
                comment=perspective.get("toelichting"), updated_at=now,
            ))
    session.flush()
    audit.record(session, actor, "round.imported", "round", round_.id, gm_code=round_.gm_code,
                 details={"uid": round_.uid, "respondenten": len(data["respondenten"]),
                          "ingediend": sum(1 for r in data["respondenten"]
                                           if r["status"] == SUBMITTED)})
    return round_
