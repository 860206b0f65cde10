"""Beheer: municipalities get access, coördinatoren are invited, the whole audit log."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy import func, select
from starlette.datastructures import FormData

from schouders.instruments.municipalities import code_problem
from schouders.instruments.web.page import EntityId, Page
from schouders.instruments.web.runtime import InstrumentsRuntime
from schouders.platform import audit
from schouders.platform.access import COORDINATOR, require_admin
from schouders.platform.accounts import add_municipality, admin_set_active, admin_set_password
from schouders.platform.errors import FieldErrors
from schouders.platform.invites import INVITABLE_BY_ADMIN, create_invite
from schouders.platform.models import Membership, Municipality, User
from schouders.platform.passwords import hash_password, password_problems


def build(rt: InstrumentsRuntime, router: APIRouter) -> None:
    def overview(page: Page, errors: dict | None = None, values: dict | None = None,
                 status_code: int = 200, open_user: int | None = None) -> Response:
        with rt.db.transaction() as session:
            counts = dict(session.execute(
                select(Membership.gm_code, func.count(Membership.id)).group_by(Membership.gm_code)
            ).all())
            municipalities = list(session.scalars(select(Municipality).order_by(Municipality.name)))
            users = list(session.scalars(select(User).order_by(User.email)))
        labels = {}
        for user in users:
            labels[f"u{user.id}_password"] = f"Nieuw wachtwoord voor {user.email}"
            labels[f"u{user.id}_password_repeat"] = f"Herhaling wachtwoord voor {user.email}"
            labels[f"u{user.id}_active"] = user.email
        return page.render("admin.html", {
            "labels": labels,
            "municipalities": [(m, counts.get(m.gm_code, 0)) for m in municipalities],
            "users": users, "errors": errors or {}, "values": values or {},
            "invitable": INVITABLE_BY_ADMIN, "open_user": open_user,
        }, status_code=status_code)

    @router.get("/beheer", name="instr_admin", include_in_schema=False)
    def admin(request: Request) -> Response:
        page = Page(rt, request)
        require_admin(page.viewer)
        return overview(page)

    @router.post("/beheer/gemeenten", name="instr_admin_municipality_post",
                 include_in_schema=False)
    async def add_municipality_post(request: Request) -> Response:
        form = await request.form()
        return await run_in_threadpool(_add_municipality, request, form)

    def _add_municipality(request: Request, form: FormData) -> Response:
        page = Page(rt, request)
        page.check_form(form)
        viewer = require_admin(page.viewer)
        values = {key: str(form.get(key, "")) for key in ("gm_code", "name", "email")}
        problem = code_problem(rt.settings, values["gm_code"])
        if problem:
            return overview(page, {"gm_code": problem}, values, status_code=400)
        try:
            with rt.db.transaction() as session:
                municipality = add_municipality(session, values["gm_code"], values["name"],
                                                actor=viewer)
                created = None
                if values["email"].strip():
                    created = create_invite(session, viewer, municipality.gm_code, COORDINATOR,
                                            values["email"], now=rt.now())
                gm_code, name = municipality.gm_code, municipality.name
        except FieldErrors as exc:
            return overview(page, exc.errors, values, status_code=400)
        if created is None:
            return page.redirect("instr_admin", "gemeente-toegevoegd")
        return page.render("invite_created.html", {
            "link": page.public_link("instr_invite", token=created.token),
            "email": created.invite.email, "role": created.invite.role,
            "municipality_name": name, "gm_code": gm_code,
            "back": page.path("instr_admin"),
        })

    @router.post("/beheer/uitnodigingen", name="instr_admin_invite_post",
                 include_in_schema=False)
    async def admin_invite_post(request: Request) -> Response:
        form = await request.form()
        return await run_in_threadpool(_admin_invite, request, form)

    def _admin_invite(request: Request, form: FormData) -> Response:
        page = Page(rt, request)
        page.check_form(form)
        viewer = require_admin(page.viewer)
        values = {key: str(form.get(key, "")) for key in ("invite_gm_code", "role", "email")}
        try:
            with rt.db.transaction() as session:
                created = create_invite(session, viewer, values["invite_gm_code"].upper(),
                                        values["role"], values["email"], now=rt.now())
                municipality = session.get(Municipality, created.invite.gm_code)
                name = municipality.name if municipality else created.invite.gm_code
        except FieldErrors as exc:
            errors = {("invite_" + k if k in ("email", "role", "gm_code") else k): v
                      for k, v in exc.errors.items()}
            return overview(page, errors, values, status_code=400)
        return page.render("invite_created.html", {
            "link": page.public_link("instr_invite", token=created.token),
            "email": created.invite.email, "role": created.invite.role,
            "municipality_name": name, "gm_code": created.invite.gm_code,
            "back": page.path("instr_admin"),
        })

    @router.post("/beheer/accounts/{user_id}/wachtwoord", name="instr_admin_password_post",
                 include_in_schema=False)
    async def admin_password_post(request: Request, user_id: EntityId) -> Response:
        form = await request.form()
        return await run_in_threadpool(_admin_password, request, user_id, form)

    def _admin_password(request: Request, user_id: int, form: FormData) -> Response:
        page = Page(rt, request)
        page.check_form(form)
        viewer = require_admin(page.viewer)
        new, repeat = str(form.get("password", "")), str(form.get("password_repeat", ""))
        # hash before the write transaction (password_problems is checked again inside)
        new_hash = hash_password(new) if not password_problems(new, repeat) else None
        try:
            with rt.db.transaction() as session:
                admin_set_password(session, viewer, user_id, new, repeat, now=rt.now(),
                                   new_hash=new_hash)
        except FieldErrors as exc:
            errors = {f"u{user_id}_{k}": v for k, v in exc.errors.items()}
            return overview(page, errors, status_code=400, open_user=user_id)
        return page.redirect("instr_admin", "wachtwoord-ingesteld")

    @router.post("/beheer/accounts/{user_id}/status", name="instr_admin_active_post",
                 include_in_schema=False)
    async def admin_active_post(request: Request, user_id: EntityId) -> Response:
        form = await request.form()
        return await run_in_threadpool(_admin_active, request, user_id, form)

    def _admin_active(request: Request, user_id: int, form: FormData) -> Response:
        page = Page(rt, request)
        page.check_form(form)
        viewer = require_admin(page.viewer)
        choice = str(form.get("actief", ""))
        try:
            if choice not in ("ja", "nee"):
                raise FieldErrors({"active": "Kies blokkeren of deblokkeren."})
            with rt.db.transaction() as session:
                admin_set_active(session, viewer, user_id, choice == "ja", now=rt.now())
        except FieldErrors as exc:
            errors = {f"u{user_id}_{k}": v for k, v in exc.errors.items()}
            return overview(page, errors, status_code=400, open_user=user_id)
        return page.redirect("instr_admin",
                             "account-gedeblokkeerd" if choice == "ja" else "account-geblokkeerd")

    @router.get("/beheer/auditlog", name="instr_admin_audit", include_in_schema=False)
    def admin_audit(request: Request) -> Response:
        page = Page(rt, request)
        require_admin(page.viewer)
        with rt.db.transaction() as session:
            entries = audit.entries(session, None, limit=500)
        return page.render("audit.html", {"entries": entries, "summary": audit.summary,
                                          "full_details": False, "scope": "alle gemeenten"})
