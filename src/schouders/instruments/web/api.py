"""JSON API next to the pages (same session cookie, same access rules).

Reading needs a logged-in session; changing data additionally needs the ``X-CSRF-Token`` header
(from ``GET /api/sessie``). Register and questionnaire are public: they are the published method.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from schouders.errors import SchoudersError
from schouders.instruments import apk
from schouders.instruments.config import MIN_RESPONDENTS_FOR_SCORES
from schouders.instruments.models import Round
from schouders.instruments.questionnaire import load_questionnaire
from schouders.instruments.reports import peer_rows, round_scores, scores_visible
from schouders.instruments.scoring import GroupScore, RoundScores
from schouders.instruments.visitatie import (
    CLOSED,
    AnswerForm,
    get_round,
    my_respondent,
    opgaven_of,
    progress,
    respondent_of,
    rounds_of,
    save_answers,
    served_of,
    stored_answers,
)
from schouders.instruments.web.formatting import jsonable_spread
from schouders.instruments.web.page import EntityId, Page
from schouders.instruments.web.runtime import InstrumentsRuntime
from schouders.platform import audit
from schouders.platform.access import (
    MEMBER_ROLES,
    READERS,
    RESPONDENT,
    Forbidden,
    Viewer,
    require_role,
    require_viewer,
)
from schouders.platform.models import Municipality


def _json(data: Any, status_code: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status_code, headers={"Cache-Control": "no-store"})


def _groups(groups: list[GroupScore], visible: bool) -> list[dict[str, Any]]:
    return [
        {"code": g.code, "naam": g.name, "vragen": g.items,
         "spreiding": jsonable_spread(g.spread) if visible else None}
        for g in groups
    ]


def scores_json(scores: RoundScores, visible: bool) -> dict[str, Any]:
    return {
        "respondenten": scores.respondents,
        "zichtbaar": visible,
        "factoren": _groups(scores.factors, visible),
        "subfactoren": _groups(scores.subfactors, visible),
        "rollen": _groups(scores.roles, visible),
        "domeinen": _groups(scores.domains, visible),
        "vragen": [
            {"code": i.question.code, "spreiding": jsonable_spread(i.spread) if visible else None,
             "weet_niet": i.dont_know if visible else None}
            for i in scores.items
        ],
        "sturing": [
            {"opgave": p.opgave, "respondenten": p.respondents,
             "dominant": p.dominant if visible else None,
             "dominant_aantallen": p.dominant_counts if visible else None,
             "bediend": {k: jsonable_spread(v) for k, v in p.served.items()} if visible else None}
            for p in scores.perspectives
        ],
    }


class ExportNotAvailable(SchoudersError):
    status_code = 409

    def __init__(self) -> None:
        super().__init__(
            f"Exporteren kan pas als de ronde gesloten is en ten minste "
            f"{MIN_RESPONDENTS_FOR_SCORES} respondenten hebben ingediend.",
            "De export bevat alleen geaggregeerde scores, zodat geen antwoord tot een persoon "
            "te herleiden is.",
        )


def aggregate_export(session: Session, round_: Round, viewer: Viewer | None,
                     now: datetime) -> dict[str, Any]:
    """The round's aggregated scores as JSON (the web export): no answers per respondent, no
    labels, only aggregates over at least MIN_RESPONDENTS_FOR_SCORES respondents."""
    scores = round_scores(session, round_)
    if not scores_visible(scores, round_):
        raise ExportNotAvailable()
    municipality = session.get(Municipality, round_.gm_code)
    assert viewer is not None
    audit.record(session, viewer, "round.exported", "round", round_.id, gm_code=round_.gm_code,
                 details={"soort": "geaggregeerde scores"}, at=now)
    return {
        "formaat": "schouders-visitatie-scores",
        "formaatversie": 1,
        "geexporteerd_op": now.isoformat(),
        "drempel": MIN_RESPONDENTS_FOR_SCORES,
        "gemeente": {"code": round_.gm_code,
                     "naam": municipality.name if municipality else round_.gm_code},
        "ronde": {"uid": round_.uid, "titel": round_.title,
                  "vragenlijst_versie": round_.questionnaire_version,
                  "opgaven": opgaven_of(round_), "status": round_.status,
                  "gesloten_op": round_.closed_at.isoformat() if round_.closed_at else None},
        **scores_json(scores, True),
    }


def build(rt: InstrumentsRuntime, router: APIRouter) -> None:
    @router.get("/api/sessie", name="instr_api_session", tags=["instrumenten"])
    def session_info(request: Request) -> JSONResponse:
        """Who is logged in, their roles, and the CSRF token for changing calls."""
        page = Page(rt, request)
        viewer = require_viewer(page.viewer)
        return page.finish(_json({
            "email": viewer.email, "naam": viewer.name, "beheerder": viewer.is_admin,
            "rollen": viewer.roles, "csrf_token": page.csrf_token,
        }))

    @router.get("/api/register", name="instr_api_register", tags=["instrumenten"])
    def register() -> JSONResponse:
        """The shipped APK register of statutory tasks (public)."""
        reg = rt.register
        return _json({
            "versie": reg.version, "peildatum": reg.reference_date,
            "domeinen": [{"code": d.code, "naam": d.name} for d in reg.domains.values()],
            "rollen": [{"code": r.code, "naam": r.name} for r in reg.roles.values()],
            "taken": [
                {"code": t.code, "naam": t.name, "domein": t.domain, "dossier": t.dossier,
                 "rollen": list(t.roles), "verplichting": t.obligation, "status": t.status,
                 "grondslag": [{"wet": b.law, "artikel": b.article} for b in t.legal_basis]}
                for t in reg.tasks
            ],
        })

    @router.get("/api/vragenlijst", name="instr_api_questionnaire", tags=["instrumenten"])
    def questionnaire() -> JSONResponse:
        """The current visitatie questionnaire (public)."""
        q = load_questionnaire()
        return _json({
            "versie": q.version, "titel": q.title,
            "schaal": {"min": q.scale.minimum, "max": q.scale.maximum,
                       "labels": list(q.scale.labels), "weet_niet": q.scale.dont_know},
            "factoren": [{"code": f.code, "naam": f.name} for f in q.factors],
            "vragen": [
                {"code": v.code, "factor": v.factor, "subfactor": v.subfactor, "rol": v.role,
                 "domein": v.domain, "tekst": v.text, "omgekeerd": v.reverse}
                for v in q.questions
            ],
            "sturingsperspectieven": [
                {"code": p.code, "naam": p.name, "omschrijving": p.description}
                for p in q.steering.perspectives
            ],
        })

    @router.get("/api/gemeenten/{gm_code}/rondes", name="instr_api_rounds", tags=["instrumenten"])
    def rounds(request: Request, gm_code: str) -> JSONResponse:
        """Rounds of a municipality (coördinator, analist)."""
        page = Page(rt, request)
        require_role(page.viewer, gm_code, READERS, "Deze gemeente")
        with rt.db.transaction() as session:
            data = [
                {"id": r.id, "uid": r.uid, "titel": r.title, "status": r.status,
                 "gepubliceerd": r.published_at is not None, "respondenten": len(r.respondents)}
                for r in rounds_of(session, gm_code)
            ]
        return page.finish(_json(data))

    @router.get("/api/gemeenten/{gm_code}/apk", name="instr_api_apk_checks",
                tags=["instrumenten"])
    def apk_checks(request: Request, gm_code: str) -> JSONResponse:
        """APK checks of a municipality (coördinator, analist)."""
        page = Page(rt, request)
        require_role(page.viewer, gm_code, READERS, "Deze gemeente")
        with rt.db.transaction() as session:
            data = [
                {"id": c.id, "titel": c.title, "status": c.status,
                 "domeinen": apk.domains_of(c), "registerversie": c.register_version}
                for c in apk.checks_of(session, gm_code)
            ]
        return page.finish(_json(data))

    @router.get("/api/rondes/{round_id}", name="instr_api_round", tags=["instrumenten"])
    def round_info(request: Request, round_id: EntityId) -> JSONResponse:
        """Status and response progress of a round (coördinator, analist)."""
        page = Page(rt, request)
        with rt.db.transaction() as session:
            round_ = get_round(session, page.viewer, round_id, READERS)
            data = {
                "id": round_.id, "uid": round_.uid, "gemeente": round_.gm_code,
                "titel": round_.title, "status": round_.status,
                "vragenlijst_versie": round_.questionnaire_version,
                "opgaven": opgaven_of(round_),
                "gepubliceerd": round_.published_at is not None,
                "respondenten": [
                    {"label": p.respondent.label, "status": p.respondent.status,
                     "beantwoord": p.answered, "vragen": p.total}
                    for p in progress(session, round_)
                ],
            }
        return page.finish(_json(data))

    @router.get("/api/rondes/{round_id}/scores", name="instr_api_round_scores",
                tags=["instrumenten"])
    def round_scores_api(request: Request, round_id: EntityId) -> JSONResponse:
        """Scores with spread (readers; respondents of a closed round they took part in)."""
        page = Page(rt, request)
        with rt.db.transaction() as session:
            round_ = get_round(session, page.viewer, round_id, MEMBER_ROLES)
            assert page.viewer is not None
            if page.viewer.role_in(round_.gm_code) == RESPONDENT and (
                round_.status != CLOSED
                or respondent_of(session, round_, page.viewer.user_id) is None
            ):
                raise Forbidden("Scores zijn zichtbaar zodra de ronde is gesloten.")
            scores = round_scores(session, round_)
        return page.finish(_json(scores_json(scores, scores_visible(scores, round_))))

    @router.get("/api/rondes/{round_id}/export", name="instr_api_round_export",
                tags=["instrumenten"])
    def round_export(request: Request, round_id: EntityId) -> JSONResponse:
        """The aggregated scores of a closed round (coördinator, analist); never answers per
        respondent. Only from MIN_RESPONDENTS_FOR_SCORES submitted questionnaires (409 before)."""
        page = Page(rt, request)
        with rt.db.transaction() as session:
            round_ = get_round(session, page.viewer, round_id, READERS)
            data = aggregate_export(session, round_, page.viewer, rt.now())
        return page.finish(_json(data))

    @router.get("/api/rondes/{round_id}/mijn-antwoorden", name="instr_api_my_answers",
                tags=["instrumenten"])
    def my_answers(request: Request, round_id: EntityId) -> JSONResponse:
        """The logged-in respondent's own answers."""
        page = Page(rt, request)
        with rt.db.transaction() as session:
            _, respondent = my_respondent(session, page.viewer, round_id)
            answers, perspectives = stored_answers(session, respondent)
            data = {
                "status": respondent.status,
                "antwoorden": {code: ("weet_niet" if a.dont_know else a.value)
                               for code, a in answers.items()},
                "toelichtingen": {code: a.comment for code, a in answers.items() if a.comment},
                "sturing": {o: {"dominant": p.dominant, "bediend": served_of(p)}
                            for o, p in perspectives.items()},
            }
        return page.finish(_json(data))

    @router.put("/api/rondes/{round_id}/mijn-antwoorden", name="instr_api_save_answers",
                tags=["instrumenten"])
    def save_my_answers(
        request: Request,
        round_id: EntityId,
        body: dict[str, Any] = Body(  # noqa: B008
            ...,
            examples=[{"antwoorden": {"hb-01": 4, "hb-02": "weet_niet"},
                       "sturing": {"Woningbouwopgave": {"dominant": "nw",
                                                        "bediend": {"pa": 3}}},
                       "indienen": False}],
        ),
    ) -> JSONResponse:
        """Save (and with ``"indienen": true`` submit) the logged-in respondent's answers.
        Needs the X-CSRF-Token header. Invalid fields are reported per field; valid ones are
        kept."""
        page = Page(rt, request)
        page.check_header()
        form = AnswerForm()
        raw_answers = body.get("antwoorden") or {}
        raw_comments = body.get("toelichtingen") or {}
        raw_steering = body.get("sturing") or {}
        if not all(isinstance(x, dict) for x in (raw_answers, raw_comments, raw_steering)):
            return page.finish(_json({"fout": "antwoorden, toelichtingen en sturing zijn "
                                              "objecten."}, 422))
        for code, value in raw_answers.items():
            form.values[str(code)] = "wn" if value == "weet_niet" else (
                "" if value is None else str(value))
        for code, value in raw_comments.items():
            form.comments[str(code)] = "" if value is None else str(value)
        for opgave, item in raw_steering.items():
            if not isinstance(item, dict):
                continue
            if item.get("dominant") is not None:
                form.dominant[str(opgave)] = str(item["dominant"])
            served = item.get("bediend") or {}
            if isinstance(served, dict):
                form.served[str(opgave)] = {
                    str(k): ("wn" if v in (None, "weet_niet") else str(v))
                    for k, v in served.items()
                }
        with rt.db.transaction() as session:
            round_, respondent = my_respondent(session, page.viewer, round_id, lock=True)
            unknown = [o for o in form.dominant | form.served if o not in opgaven_of(round_)]
            if unknown:
                return page.finish(_json({"fout": f"Onbekende opgave(n): {unknown}"}, 422))
            result = save_answers(session, round_, respondent, form,
                                  submit=bool(body.get("indienen")), actor=page.viewer,  # type: ignore[arg-type]
                                  now=rt.now())
            status = respondent.status
        return page.finish(_json(
            {"ingediend": result.submitted, "status": status, "velden": result.errors},
            200 if not result.errors else 422,
        ))

    @router.get("/api/rondes/{round_id}/vergelijking", name="instr_api_compare",
                tags=["instrumenten"])
    def compare(request: Request, round_id: EntityId) -> JSONResponse:
        """Own closed round next to the published rounds of other municipalities."""
        page = Page(rt, request)
        with rt.db.transaction() as session:
            round_ = get_round(session, page.viewer, round_id, READERS)
            own = round_ if round_.status == CLOSED else None
            rows = peer_rows(session, own, exclude_gm=round_.gm_code)
        return page.finish(_json([_peer(row) for row in rows]))

    @router.get("/api/vergelijking", name="instr_api_published", tags=["instrumenten"])
    def published(request: Request) -> JSONResponse:
        """Aggregated scores of every published round (any logged-in user)."""
        page = Page(rt, request)
        require_viewer(page.viewer)
        with rt.db.transaction() as session:
            rows = peer_rows(session, None, exclude_gm=None)
        return page.finish(_json([_peer(row) for row in rows]))

    @router.get("/api/apk/{check_id}", name="instr_api_apk", tags=["instrumenten"])
    def apk_check(request: Request, check_id: EntityId) -> JSONResponse:
        """All answers of an APK check (coördinator, analist)."""
        page = Page(rt, request)
        with rt.db.transaction() as session:
            check = apk.get_check(session, page.viewer, check_id)
            data = {
                "id": check.id, "gemeente": check.gm_code, "titel": check.title,
                "status": check.status, "registerversie": check.register_version,
                "taken": [
                    {"code": r.task_code, "naam": r.task_name, "domein": r.task_domain,
                     "grondslag": r.task_legal_basis, "eigen_taak": r.custom,
                     "versie": r.version, **{name: getattr(r, name) for name in apk.FIELDS}}
                    for r in apk.answers_of(session, check)
                ],
            }
        return page.finish(_json(data))

    @router.get("/api/apk/{check_id}/rapport", name="instr_api_apk_report",
                tags=["instrumenten"])
    def apk_report(request: Request, check_id: EntityId) -> JSONResponse:
        """The APK report: tasks at risk first, change since the previous check."""
        page = Page(rt, request)
        with rt.db.transaction() as session:
            check = apk.get_check(session, page.viewer, check_id)
            report = apk.build_report(session, check)
            data = {
                "id": check.id, "gemeente": check.gm_code, "titel": check.title,
                "status": check.status,
                "vorige_toets": report.previous.id if report.previous else None,
                "tellingen": report.counts, "per_domein": report.by_domain,
                "taken_met_risico": [_apk_row(r) for r in report.at_risk],
                "overige_taken": [_apk_row(r) for r in report.others],
                "vervallen_taken": [r.task_code for r in report.dropped],
            }
        return page.finish(_json(data))


def _peer(row) -> dict[str, Any]:
    return {
        "gemeente": row.gm_code, "naam": row.name, "ronde": row.round_title,
        "datum": row.published_on, "respondenten": row.respondents, "eigen": row.own,
        "factoren": {code: jsonable_spread(value) for code, value in row.factors.items()},
    }


def _apk_row(row: apk.ReportRow) -> dict[str, Any]:
    a = row.answer
    return {
        "code": a.task_code, "naam": a.task_name, "domein": a.task_domain,
        "grondslag": a.task_legal_basis, "risico": a.risk_level, "in_beeld": a.in_view,
        "eigenaar": a.owner, "redenen": row.reasons, "vorig_risico": row.previous_risk,
        "verandering": row.change,
    }

