"""APK pages: fill in a check (coördinator), finalise it, and the report for college and raad."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from starlette.datastructures import FormData

from schouders.instruments import apk
from schouders.instruments.web.page import EntityId, Page
from schouders.instruments.web.runtime import InstrumentsRuntime
from schouders.platform.access import COORDINATOR
from schouders.platform.models import Municipality


def build(rt: InstrumentsRuntime, router: APIRouter) -> None:
    def check_page(page: Page, check_id: int, errors: dict | None = None,
                   conflicts: list[str] | None = None, posted: FormData | None = None,
                   saved: int | None = None, status_code: int = 200) -> Response:
        with rt.db.transaction() as session:
            check = apk.get_check(session, page.viewer, check_id)
            rows = apk.answers_of(session, check)
            municipality = session.get(Municipality, check.gm_code)
        assert page.viewer is not None
        editable = page.viewer.role_in(check.gm_code) == COORDINATOR and check.status == apk.DRAFT
        values = {
            row.task_code: {name: getattr(row, name) or "" for name in apk.FIELDS}
            for row in rows
        }
        if posted is not None:  # keep what the user typed next to the messages
            for code, update in apk.updates_from_form({k: str(v) for k, v in posted.items()}
                                                      ).items():
                if code in values and code not in (conflicts or []):
                    values[code].update(update.values)
        domains = apk.domains_of(check)
        grouped = [(rt.register.domains.get(d), [r for r in rows if r.task_domain == d])
                   for d in domains]
        return page.render("apk_check.html", {
            "check": check, "municipality": municipality, "grouped": grouped,
            "values": values, "editable": editable, "errors": errors or {},
            "conflicts": conflicts or [], "saved": saved, "choices": apk.CHOICES,
            "answered": sum(1 for r in rows if r.in_view and r.risk_level), "total": len(rows),
        }, status_code=status_code)

    @router.get("/apk/{check_id}", name="instr_apk", include_in_schema=False)
    def check(request: Request, check_id: EntityId) -> Response:
        return check_page(Page(rt, request), check_id)

    def post(path: str, name: str):
        def decorate(handler):
            async def endpoint(request: Request, check_id: EntityId) -> Response:
                form = await request.form()
                return await run_in_threadpool(_run, handler, request, check_id, form)

            router.add_api_route(path, endpoint, methods=["POST"], name=name,
                                 include_in_schema=False)
            return handler

        return decorate

    def _run(handler, request: Request, check_id: int, form: FormData) -> Response:
        page = Page(rt, request)
        page.check_form(form)
        return handler(page, check_id, form)

    @post("/apk/{check_id}", "instr_apk_post")
    def save(page: Page, check_id: int, form: FormData) -> Response:
        updates = apk.updates_from_form({k: str(v) for k, v in form.items()})
        with rt.db.transaction() as session:
            check = apk.get_check(session, page.viewer, check_id, (COORDINATOR,), lock=True)
            result = apk.save_check(session, page.viewer, check, updates, rt.now())
        if result.errors or result.conflicts:
            return check_page(page, check_id, result.errors, result.conflicts, form,
                              saved=result.saved, status_code=409 if result.conflicts else 400)
        if form.get("actie") == "afronden":
            return finalize(page, check_id, form)
        return page.redirect("instr_apk", "apk-opgeslagen", check_id=check_id)

    @post("/apk/{check_id}/afronden", "instr_apk_finalize_post")
    def finalize(page: Page, check_id: int, form: FormData) -> Response:
        with rt.db.transaction() as session:
            check = apk.get_check(session, page.viewer, check_id, (COORDINATOR,), lock=True)
            errors = apk.finalize_check(session, page.viewer, check, rt.now())
        if errors:
            return check_page(page, check_id, errors, status_code=400)
        return page.redirect("instr_apk_report", "apk-afgerond", check_id=check_id)

    @router.get("/apk/{check_id}/rapport", name="instr_apk_report", include_in_schema=False)
    def report(request: Request, check_id: EntityId) -> Response:
        page = Page(rt, request)
        with rt.db.transaction() as session:
            check = apk.get_check(session, page.viewer, check_id)
            report = apk.build_report(session, check)
            municipality = session.get(Municipality, check.gm_code)
        return page.render("apk_report.html", {
            "check": check, "report": report, "municipality": municipality,
            "register": rt.register,
        })
