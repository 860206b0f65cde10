"""A municipality's own pages: overview, invites, starting rounds and checks, own tasks, audit."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from starlette.datastructures import FormData

from schouders.instruments import apk
from schouders.instruments.questionnaire import load_questionnaire
from schouders.instruments.reports import submitted_count
from schouders.instruments.visitatie import create_round, respondent_rounds, rounds_of
from schouders.instruments.web.page import Page
from schouders.instruments.web.runtime import InstrumentsRuntime
from schouders.platform import audit
from schouders.platform.access import (
    ANALYST,
    COORDINATOR,
    MEMBER_ROLES,
    READERS,
    NotFound,
    require_role,
)
from schouders.platform.accounts import members
from schouders.platform.errors import FieldErrors
from schouders.platform.invites import INVITABLE_BY_COORDINATOR, create_invite, pending_invites
from schouders.platform.models import Municipality


def build(rt: InstrumentsRuntime, router: APIRouter) -> None:
    def dashboard(page: Page, gm_code: str, errors: dict | None = None,
                  values: dict | None = None, status_code: int = 200) -> Response:
        viewer = require_role(page.viewer, gm_code, MEMBER_ROLES, "Deze gemeente")
        role = viewer.role_in(gm_code)
        with rt.db.transaction() as session:
            municipality = session.get(Municipality, gm_code)
            if municipality is None:
                raise NotFound("Deze gemeente")
            context: dict[str, Any] = {
                "municipality": municipality,
                "role": role,
                "errors": errors or {},
                "values": values or {},
                "questionnaire": load_questionnaire(),
                "register": rt.register,
                "my_rounds": [
                    (r, resp) for r, resp in respondent_rounds(session, viewer.user_id)
                    if r.gm_code == gm_code
                ],
            }
            if role in READERS:
                rounds = rounds_of(session, gm_code)
                context["rounds"] = [(r, submitted_count(session, r), len(r.respondents))
                                     for r in rounds]
                context["checks"] = apk.checks_of(session, gm_code)
                context["members"] = members(session, gm_code)
            if role == COORDINATOR:
                context["invites"] = pending_invites(session, gm_code, rt.now())
                context["invitable"] = INVITABLE_BY_COORDINATOR
        return page.render("municipality.html", context, status_code=status_code)

    @router.get("/gemeente/{gm_code}", name="instr_municipality", include_in_schema=False)
    def municipality(request: Request, gm_code: str) -> Response:
        return dashboard(Page(rt, request), gm_code)

    def post(path: str, name: str):
        def decorate(handler):
            async def endpoint(request: Request, gm_code: str) -> Response:
                form = await request.form()
                return await run_in_threadpool(_run, handler, request, gm_code, form)

            router.add_api_route(path, endpoint, methods=["POST"], name=name,
                                 include_in_schema=False)
            return handler

        return decorate

    def _run(handler, request: Request, gm_code: str, form: FormData) -> Response:
        page = Page(rt, request)
        page.check_form(form)
        require_role(page.viewer, gm_code, (COORDINATOR,), "Deze gemeente")
        return handler(page, gm_code, form)

    @post("/gemeente/{gm_code}/uitnodigingen", "instr_municipality_invite_post")
    def invite_post(page: Page, gm_code: str, form: FormData) -> Response:
        values = {key: str(form.get(key, "")) for key in ("email", "role")}
        try:
            with rt.db.transaction() as session:
                created = create_invite(session, page.viewer, gm_code, values["role"],
                                        values["email"], now=rt.now())
                name = session.get(Municipality, gm_code).name  # type: ignore[union-attr]
        except FieldErrors as exc:
            return dashboard(page, gm_code, {f"invite_{k}": v for k, v in exc.errors.items()},
                             values, status_code=400)
        return page.render("invite_created.html", {
            "link": page.public_link("instr_invite", token=created.token),
            "email": created.invite.email, "role": created.invite.role,
            "municipality_name": name, "gm_code": gm_code,
            "back": page.path("instr_municipality", gm_code=gm_code),
        })

    @post("/gemeente/{gm_code}/rondes", "instr_round_create_post")
    def round_create(page: Page, gm_code: str, form: FormData) -> Response:
        values = {key: str(form.get(key, "")) for key in ("title", "opgaven")}
        try:
            with rt.db.transaction() as session:
                round_ = create_round(session, page.viewer, gm_code, values["title"],
                                      values["opgaven"], now=rt.now())
                round_id = round_.id
        except FieldErrors as exc:
            return dashboard(page, gm_code, {f"round_{k}": v for k, v in exc.errors.items()},
                             values, status_code=400)
        return page.redirect("instr_round", "ronde-aangemaakt", round_id=round_id)

    @post("/gemeente/{gm_code}/apk", "instr_apk_create_post")
    def apk_create(page: Page, gm_code: str, form: FormData) -> Response:
        values = {"apk_title": str(form.get("apk_title", ""))}
        try:
            with rt.db.transaction() as session:
                check = apk.create_check(session, page.viewer, gm_code, values["apk_title"],
                                         [str(d) for d in form.getlist("domains")],
                                         register=rt.register, now=rt.now())
                check_id = check.id
        except FieldErrors as exc:
            return dashboard(page, gm_code, {f"apk_{k}": v for k, v in exc.errors.items()},
                             values, status_code=400)
        return page.redirect("instr_apk", "apk-aangemaakt", check_id=check_id)

    def tasks_page(page: Page, gm_code: str, errors: dict | None = None,
                   values: dict | None = None, status_code: int = 200) -> Response:
        viewer = require_role(page.viewer, gm_code, READERS, "Deze gemeente")
        with rt.db.transaction() as session:
            municipality = session.get(Municipality, gm_code)
            own = apk.custom_tasks(session, gm_code)
        return page.render("tasks.html", {
            "municipality": municipality, "register": rt.register, "own_tasks": own,
            "can_edit": viewer.role_in(gm_code) == COORDINATOR,
            "errors": errors or {}, "values": values or {},
        }, status_code=status_code)

    @router.get("/gemeente/{gm_code}/taken", name="instr_tasks", include_in_schema=False)
    def tasks(request: Request, gm_code: str) -> Response:
        return tasks_page(Page(rt, request), gm_code)

    @post("/gemeente/{gm_code}/taken", "instr_tasks_post")
    def tasks_post(page: Page, gm_code: str, form: FormData) -> Response:
        values = {key: str(form.get(key, "")) for key in
                  ("name", "domain", "dossier", "obligation", "legal_basis", "description")}
        values["roles"] = ",".join(str(r) for r in form.getlist("roles"))
        try:
            with rt.db.transaction() as session:
                apk.add_custom_task(session, page.viewer, gm_code, values, rt.register)
        except FieldErrors as exc:
            return tasks_page(page, gm_code, exc.errors, values, status_code=400)
        return page.redirect("instr_tasks", "taak-toegevoegd", gm_code=gm_code)

    @router.get("/gemeente/{gm_code}/auditlog", name="instr_municipality_audit",
                include_in_schema=False)
    def municipality_audit(request: Request, gm_code: str) -> Response:
        page = Page(rt, request)
        require_role(page.viewer, gm_code, (COORDINATOR, ANALYST), "Deze gemeente")
        with rt.db.transaction() as session:
            municipality = session.get(Municipality, gm_code)
            entries = audit.entries(session, gm_code, limit=500)
        return page.render("audit.html", {
            "entries": entries, "summary": audit.summary, "full_details": True,
            "scope": municipality.name if municipality else gm_code,
        })
