"""Start page, logging in and out, and accepting an invite."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from starlette.datastructures import FormData

from schouders.errors import SchoudersError
from schouders.instruments.models import Round
from schouders.instruments.visitatie import accept_invite, respondent_rounds
from schouders.instruments.web.page import Page, client_ip
from schouders.instruments.web.runtime import InstrumentsRuntime
from schouders.platform.access import require_viewer
from schouders.platform.accounts import (
    change_own_password,
    municipalities_of,
    new_password_problems,
)
from schouders.platform.config import MIN_PASSWORD_LENGTH
from schouders.platform.errors import FieldErrors
from schouders.platform.invites import WRONG_OR_BLOCKED, invite_has_account, open_invite
from schouders.platform.models import Municipality
from schouders.platform.passwords import hash_password, password_problems
from schouders.platform.sessions import check_password, log_in, log_out, open_session
from schouders.platform.throttle import LoginThrottled


def safe_next(target: str | None, fallback: str) -> str:
    """Only local paths, never another site (//evil.example or https://...). Browsers drop tabs
    and newlines from a URL ("/<tab>/evil.example" becomes "//evil.example"), so any whitespace or
    control character makes the target unsafe too."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in target)
    ):
        return target
    return fallback


def build(rt: InstrumentsRuntime, router: APIRouter) -> None:
    @router.get("/", name="instr_home", include_in_schema=False)
    def home(request: Request) -> Response:
        page = Page(rt, request)
        context: dict = {"municipalities": [], "my_rounds": []}
        if page.viewer is not None:
            with rt.db.transaction() as session:
                context["municipalities"] = [
                    (m, page.viewer.role_in(m.gm_code)) for m in municipalities_of(session,
                                                                                   page.viewer)
                ]
                context["my_rounds"] = respondent_rounds(session, page.viewer.user_id)
        return page.render("home.html", context)

    @router.get("/inloggen", name="instr_login", include_in_schema=False)
    def login(request: Request) -> Response:
        page = Page(rt, request)
        return page.render("login.html", {"next": request.query_params.get("volgende", "")})

    @router.post("/inloggen", name="instr_login_post", include_in_schema=False)
    async def login_post(request: Request) -> Response:
        form = await request.form()
        return await run_in_threadpool(_login_post, request, form)

    def _login_post(request: Request, form: FormData) -> Response:
        page = Page(rt, request)
        page.check_form(form)
        email = str(form.get("email", ""))
        next_path = safe_next(str(form.get("volgende", "")), page.path("instr_home"))
        try:
            result = log_in(rt.db, email, str(form.get("password", "")), client_ip(request),
                            rt.now())
        except LoginThrottled as exc:
            response = page.render("login.html", {"error": exc, "email": email,
                                                  "next": next_path}, status_code=429)
            response.headers.update(exc.headers)
            return response
        except SchoudersError as exc:
            return page.render("login.html", {"error": exc, "email": email,
                                              "next": next_path}, status_code=400)
        page.start_session(result.token)
        return page.redirect_to(next_path)

    @router.post("/uitloggen", name="instr_logout", include_in_schema=False)
    async def logout(request: Request) -> Response:
        form = await request.form()
        return await run_in_threadpool(_logout, request, form)

    def _logout(request: Request, form: FormData) -> Response:
        page = Page(rt, request)
        page.check_form(form)
        if page.session_token:
            with rt.db.transaction() as session:
                log_out(session, page.session_token)
        page.end_session()
        return page.redirect("instr_login", "uitgelogd")

    def account_page(page: Page, errors: dict | None = None,
                     status_code: int = 200) -> Response:
        viewer = require_viewer(page.viewer)
        with rt.db.transaction() as session:
            municipalities = [(m, viewer.role_in(m.gm_code))
                              for m in municipalities_of(session, viewer)]
        return page.render("account.html", {
            "municipalities": municipalities, "errors": errors or {},
            "min_password": MIN_PASSWORD_LENGTH,
        }, status_code=status_code)

    @router.get("/account", name="instr_account", include_in_schema=False)
    def account(request: Request) -> Response:
        return account_page(Page(rt, request))

    @router.post("/account/wachtwoord", name="instr_account_password_post",
                 include_in_schema=False)
    async def account_password_post(request: Request) -> Response:
        form = await request.form()
        return await run_in_threadpool(_account_password, request, form)

    def _account_password(request: Request, form: FormData) -> Response:
        page = Page(rt, request)
        page.check_form(form)
        viewer = require_viewer(page.viewer)
        # the current password is checked like the login form: throttled, and hashed outside
        # any write transaction
        current = str(form.get("current_password", ""))
        new, repeat = str(form.get("password", "")), str(form.get("password_repeat", ""))
        try:
            checked = check_password(rt.db, viewer.email, current, client_ip(request), rt.now())
        except LoginThrottled as exc:
            return account_page(page, {"current_password": f"{exc.message} {exc.hint}"}, 429)
        errors = {} if checked.ok else {"current_password": "Uw huidige wachtwoord klopt niet."}
        errors.update(new_password_problems(viewer, current, new, repeat))
        if errors or checked.password_hash is None:
            return account_page(page, errors, 400)
        new_hash = hash_password(new)
        try:
            with rt.db.transaction() as session:
                change_own_password(session, viewer, verified_hash=checked.password_hash,
                                    new_hash=new_hash, session_token=page.session_token,
                                    now=rt.now())
        except FieldErrors as exc:
            return account_page(page, exc.errors, 400)
        return page.redirect("instr_account", "wachtwoord-gewijzigd")

    @router.get("/uitnodiging/{token}", name="instr_invite", include_in_schema=False)
    def invite(request: Request, token: str) -> Response:
        page = Page(rt, request)
        with rt.db.transaction() as session:
            try:
                item = open_invite(session, token, rt.now())
            except SchoudersError as exc:
                return page.render("invite.html", {"invalid": exc}, status_code=404)
            context = _invite_context(session, item)
        return page.render("invite.html", context)

    @router.post("/uitnodiging/{token}", name="instr_invite_post", include_in_schema=False)
    async def invite_post(request: Request, token: str) -> Response:
        form = await request.form()
        return await run_in_threadpool(_invite_post, request, token, form)

    def _invite_post(request: Request, token: str, form: FormData) -> Response:
        page = Page(rt, request)
        page.check_form(form)
        # For an existing account the invite form checks its password: throttled like the login
        # form (or a link holder could guess someone else's password without limit), hashed
        # outside any write transaction, and a blocked account answers like a wrong password.
        password = str(form.get("password", ""))
        repeat = str(form["password_repeat"]) if "password_repeat" in form else None
        name = str(form.get("name", ""))
        try:
            with rt.db.read() as session:
                item = open_invite(session, token, rt.now())
                email, existing = item.email, invite_has_account(session, item)
                context = _invite_context(session, item)
        except SchoudersError as exc:
            return page.render("invite.html", {"invalid": exc}, status_code=404)
        verified_hash = new_hash = None
        if existing:
            try:
                checked = check_password(rt.db, email, password, client_ip(request), rt.now())
            except LoginThrottled as exc:
                context.update(errors={"password": f"{exc.message} {exc.hint}"})
                return page.render("invite.html", context, status_code=429)
            if not checked.ok:
                context.update(errors={"password": WRONG_OR_BLOCKED})
                return page.render("invite.html", context, status_code=400)
            verified_hash = checked.password_hash
        elif not password_problems(password, repeat, email=email, name=name):
            new_hash = hash_password(password)
        try:
            with rt.db.transaction() as session:
                user = accept_invite(session, token, name=name, password=password,
                                     password_repeat=repeat, now=rt.now(),
                                     verified_hash=verified_hash, new_hash=new_hash)
                round_id = open_round_of_invite(session, token)
                session_token = open_session(session, user, rt.now())
        except FieldErrors as exc:
            context.update(errors=exc.errors, name=name)
            return page.render("invite.html", context, status_code=400)
        except SchoudersError as exc:
            return page.render("invite.html", {"invalid": exc}, status_code=404)
        page.start_session(session_token)
        if round_id is not None:
            return page.redirect("instr_fill", "welkom", round_id=round_id)
        return page.redirect("instr_home", "welkom")


def _invite_context(session, item) -> dict:
    municipality = session.get(Municipality, item.gm_code)
    round_ = session.get(Round, item.round_id) if item.round_id else None
    return {
        "invite": item,
        "municipality": municipality,
        "round": round_,
        "has_account": invite_has_account(session, item),
    }


def open_round_of_invite(session, token: str) -> int | None:
    from sqlalchemy import select

    from schouders.platform.models import Invite
    from schouders.platform.signing import token_digest

    item = session.scalar(select(Invite).where(Invite.token_hash == token_digest(token)))
    if item is None or item.round_id is None:
        return None
    round_ = session.get(Round, item.round_id)
    return round_.id if round_ is not None and round_.status == "open" else None
