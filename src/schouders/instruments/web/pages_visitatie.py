"""Visitatie pages: round overview, filling in, closing and publishing, report and comparison."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from starlette.datastructures import FormData

from schouders.instruments import apk
from schouders.instruments.questionnaire import load_questionnaire
from schouders.instruments.reports import history, peer_rows, round_scores, scores_visible
from schouders.instruments.visitatie import (
    CLOSED,
    OPEN,
    AnswerForm,
    add_member_as_respondent,
    close_round,
    get_round,
    invite_respondent,
    my_respondent,
    opgaven_of,
    progress,
    respondent_of,
    save_answers,
    served_of,
    set_published,
    stored_answers,
)
from schouders.instruments.web.api import aggregate_export
from schouders.instruments.web.page import EntityId, Page
from schouders.instruments.web.runtime import InstrumentsRuntime
from schouders.platform.access import COORDINATOR, MEMBER_ROLES, READERS, RESPONDENT, Forbidden
from schouders.platform.accounts import members
from schouders.platform.errors import FieldErrors
from schouders.platform.models import Municipality


def build(rt: InstrumentsRuntime, router: APIRouter) -> None:
    def overview(page: Page, round_id: int, errors: dict | None = None,
                 values: dict | None = None, status_code: int = 200) -> Response:
        with rt.db.transaction() as session:
            round_ = get_round(session, page.viewer, round_id)
            assert page.viewer is not None
            role = page.viewer.role_in(round_.gm_code)
            mine = respondent_of(session, round_, page.viewer.user_id)
            if role == RESPONDENT and mine is None:
                raise Forbidden("U bent geen respondent in deze ronde.")
            context: dict[str, Any] = {
                "round": round_, "role": role, "mine": mine,
                "municipality": session.get(Municipality, round_.gm_code),
                "opgaven": opgaven_of(round_), "errors": errors or {}, "values": values or {},
            }
            if role in READERS:
                context["progress"] = progress(session, round_)
            if role == COORDINATOR:
                in_round = {r.user_id for r in round_.respondents}
                context["candidates"] = [(u, r) for u, r in members(session, round_.gm_code)
                                         if u.id not in in_round]
        return page.render("round.html", context, status_code=status_code)

    @router.get("/ronde/{round_id}", name="instr_round", include_in_schema=False)
    def round_page(request: Request, round_id: EntityId) -> Response:
        return overview(Page(rt, request), round_id)

    def post(path: str, name: str):
        def decorate(handler):
            async def endpoint(request: Request, round_id: EntityId) -> Response:
                form = await request.form()
                return await run_in_threadpool(_run, handler, request, round_id, form)

            router.add_api_route(path, endpoint, methods=["POST"], name=name,
                                 include_in_schema=False)
            return handler

        return decorate

    def _run(handler, request: Request, round_id: int, form: FormData) -> Response:
        page = Page(rt, request)
        page.check_form(form)
        return handler(page, round_id, form)

    @post("/ronde/{round_id}/respondenten", "instr_round_add_respondent_post")
    def add_respondent(page: Page, round_id: int, form: FormData) -> Response:
        try:
            user_id = int(str(form.get("user_id", "")))
        except ValueError:
            user_id = -1
        try:
            with rt.db.transaction() as session:
                round_ = get_round(session, page.viewer, round_id, (COORDINATOR,), lock=True)
                add_member_as_respondent(session, page.viewer, round_, user_id, rt.now())
        except FieldErrors as exc:
            return overview(page, round_id, exc.errors, status_code=400)
        return page.redirect("instr_round", "respondent-toegevoegd", round_id=round_id)

    @post("/ronde/{round_id}/uitnodigingen", "instr_round_invite_post")
    def invite(page: Page, round_id: int, form: FormData) -> Response:
        email = str(form.get("email", ""))
        try:
            with rt.db.transaction() as session:
                round_ = get_round(session, page.viewer, round_id, (COORDINATOR,), lock=True)
                created = invite_respondent(session, page.viewer, round_, email, rt.now())
                name = session.get(Municipality, round_.gm_code).name  # type: ignore[union-attr]
                gm_code, title = round_.gm_code, round_.title
        except FieldErrors as exc:
            return overview(page, round_id, {f"invite_{k}": v for k, v in exc.errors.items()},
                            {"email": email}, status_code=400)
        return page.render("invite_created.html", {
            "link": page.public_link("instr_invite", token=created.token),
            "email": created.invite.email, "role": RESPONDENT, "municipality_name": name,
            "gm_code": gm_code, "round_title": title,
            "back": page.path("instr_round", round_id=round_id),
        })

    def fill_page(page: Page, round_id: int, errors: dict | None = None,
                  posted: FormData | None = None, status_code: int = 200) -> Response:
        with rt.db.transaction() as session:
            round_, respondent = my_respondent(session, page.viewer, round_id)
            answers, perspectives = stored_answers(session, respondent)
            questionnaire = load_questionnaire(round_.questionnaire_version)
            municipality = session.get(Municipality, round_.gm_code)
        current = {code: ("wn" if a.dont_know else (str(a.value) if a.value is not None else ""))
                   for code, a in answers.items()}
        comments = {code: a.comment or "" for code, a in answers.items()}
        opgaven = opgaven_of(round_)
        dominant = {i: (perspectives[o].dominant or "") if o in perspectives else ""
                    for i, o in enumerate(opgaven)}
        served = {i: {k: ("wn" if v is None else str(v))
                      for k, v in served_of(perspectives[o]).items()} if o in perspectives else {}
                  for i, o in enumerate(opgaven)}
        perspective_comments = {i: (perspectives[o].comment or "") if o in perspectives else ""
                                for i, o in enumerate(opgaven)}
        if posted is not None:  # show what was posted, including invalid input, with the errors
            for key, value in posted.items():
                if key.startswith("v_"):
                    current[key[2:]] = str(value)
                elif key.startswith("c_"):
                    comments[key[2:]] = str(value)
        labels = {f"v_{q.code}": q.text for q in questionnaire.questions}
        labels.update({f"c_{q.code}": f"Toelichting bij '{q.text}'"
                       for q in questionnaire.questions})
        for i, opgave in enumerate(opgaven):
            labels[f"p{i}_dominant"] = f"{opgave}, dominant perspectief"
            labels.update({f"p{i}_{p.code}": f"{opgave}, {p.name}"
                           for p in questionnaire.steering.perspectives})
        return page.render("fill.html", {
            "round": round_, "respondent": respondent, "questionnaire": questionnaire,
            "municipality": municipality, "current": current, "comments": comments,
            "opgaven": opgaven, "dominant": dominant, "served": served,
            "perspective_comments": perspective_comments, "errors": errors or {},
            "readonly": round_.status != OPEN, "labels": labels,
        }, status_code=status_code)

    @router.get("/ronde/{round_id}/invullen", name="instr_fill", include_in_schema=False)
    def fill(request: Request, round_id: EntityId) -> Response:
        return fill_page(Page(rt, request), round_id)

    @post("/ronde/{round_id}/invullen", "instr_fill_post")
    def fill_post(page: Page, round_id: int, form: FormData) -> Response:
        submit = form.get("actie") == "indienen"
        with rt.db.transaction() as session:
            round_, respondent = my_respondent(session, page.viewer, round_id, lock=True)
            result = save_answers(
                session, round_, respondent,
                AnswerForm.from_form({k: str(v) for k, v in form.items()}, opgaven_of(round_)),
                submit=submit, actor=page.viewer, now=rt.now(),  # type: ignore[arg-type]
            )
        if result.errors:
            return fill_page(page, round_id, result.errors, form, status_code=400)
        return page.redirect("instr_round", "ingediend" if result.submitted else "opgeslagen",
                             round_id=round_id)

    @post("/ronde/{round_id}/sluiten", "instr_round_close_post")
    def close(page: Page, round_id: int, form: FormData) -> Response:
        if form.get("bevestigen") != "ja":  # closing cannot be undone: ask to confirm
            with rt.db.transaction() as session:
                get_round(session, page.viewer, round_id, (COORDINATOR,))
            return overview(page, round_id, {"bevestigen": "Vink aan dat u de ronde wilt "
                                             "sluiten; dat kan niet ongedaan worden gemaakt."},
                            status_code=400)
        with rt.db.transaction() as session:
            round_ = get_round(session, page.viewer, round_id, (COORDINATOR,), lock=True)
            close_round(session, page.viewer, round_, rt.now())
        return page.redirect("instr_report", "ronde-gesloten", round_id=round_id)

    @post("/ronde/{round_id}/publiceren", "instr_round_publish_post")
    def publish(page: Page, round_id: int, form: FormData) -> Response:
        publish_it = form.get("publiceren") == "ja"
        with rt.db.transaction() as session:
            round_ = get_round(session, page.viewer, round_id, (COORDINATOR,), lock=True)
            set_published(session, page.viewer, round_, publish_it, rt.now())
        return page.redirect("instr_report", "gepubliceerd" if publish_it else "niet-gepubliceerd",
                             round_id=round_id)

    def readable_round(session, page: Page, round_id: EntityId):
        """Readers of the municipality; respondents only for closed rounds they took part in."""
        round_ = get_round(session, page.viewer, round_id, MEMBER_ROLES)
        assert page.viewer is not None
        if page.viewer.role_in(round_.gm_code) == RESPONDENT and (
            round_.status != CLOSED or respondent_of(session, round_, page.viewer.user_id) is None
        ):
            raise Forbidden(
                "Het rapport is zichtbaar voor respondenten zodra de ronde is gesloten."
            )
        return round_

    @router.get("/ronde/{round_id}/rapport", name="instr_report", include_in_schema=False)
    def report(request: Request, round_id: EntityId) -> Response:
        page = Page(rt, request)
        with rt.db.transaction() as session:
            round_ = readable_round(session, page, round_id)
            assert page.viewer is not None
            role = page.viewer.role_in(round_.gm_code)
            questionnaire = load_questionnaire(round_.questionnaire_version)
            scores = round_scores(session, round_)
            context = {
                "round": round_, "role": role, "questionnaire": questionnaire,
                "scores": scores, "visible": scores_visible(scores, round_),
                "municipality": session.get(Municipality, round_.gm_code),
                "history": history(session, round_.gm_code),
                "invited": len(round_.respondents),
            }
            if role in READERS:
                check = apk.latest_final_check(session, round_.gm_code)
                context["apk_check"] = check
                context["apk_report"] = apk.build_report(session, check) if check else None
        return page.render("report.html", context)

    @router.get("/ronde/{round_id}/vergelijking", name="instr_compare", include_in_schema=False)
    def compare(request: Request, round_id: EntityId) -> Response:
        page = Page(rt, request)
        with rt.db.transaction() as session:
            round_ = get_round(session, page.viewer, round_id, READERS)
            questionnaire = load_questionnaire(round_.questionnaire_version)
            own = round_ if round_.status == CLOSED else None
            rows = peer_rows(session, own, exclude_gm=round_.gm_code)
            municipality = session.get(Municipality, round_.gm_code)
        return page.render("compare.html", {
            "round": round_, "questionnaire": questionnaire, "rows": rows,
            "municipality": municipality,
        })

    @router.get("/ronde/{round_id}/export", name="instr_round_export",
                include_in_schema=False)
    def export(request: Request, round_id: EntityId) -> Response:
        page = Page(rt, request)
        with rt.db.transaction() as session:
            round_ = get_round(session, page.viewer, round_id, READERS)
            data = aggregate_export(session, round_, page.viewer, rt.now())
        body = json.dumps(data, ensure_ascii=False, indent=2)
        return page.finish(Response(
            body, media_type="application/json",
            headers={"Content-Disposition": f'attachment; filename="ronde-{round_id}.json"',
                     "Cache-Control": "no-store"},
        ))

