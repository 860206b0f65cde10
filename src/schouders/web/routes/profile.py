"""Gemeenteprofiel ``/gemeente/<GM-code>`` with JSON and CSV twins."""

from __future__ import annotations

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from schouders.service.codes import is_gm_code
from schouders.web.i18n import language_of
from schouders.web.pages import profile as view
from schouders.web.render import Page, respond
from schouders.web.routes.params import Document, Peers, Prices, ReferenceYear, Year

router = APIRouter(include_in_schema=False)


@router.get("/gemeente")
async def profile_index(request: Request) -> Response:
    return RedirectResponse("/", status_code=307)


@router.get("/gemeente/{code}")
async def profile(
    request: Request,
    code: str = Path(max_length=100),
    jaar: Year = None,
    document: Document = None,
    peers: Peers = None,
    peiljaar: ReferenceYear = None,
    prijzen: Prices = None,
) -> Response:
    service = request.app.state.service
    if not is_gm_code(code):
        canonical = await run_in_threadpool(service.canonical_code, code)
        if canonical:
            query = request.url.query
            return RedirectResponse(f"/gemeente/{canonical}" + (f"?{query}" if query else ""),
                                    status_code=308)
    lang = language_of(request)

    def build() -> Page:
        model = service.profile(code, jaar=jaar, document=document, peers=peers,
                                peiljaar=peiljaar, prijzen=prijzen, lang=lang)
        title = f"{model.gemeente.naam} ({model.gemeente.gm_code})"
        return Page("profile.html", title, model, table=view.csv_table(model),
                    name=f"profiel-{model.gemeente.gm_code}-{model.keuzes.jaar}",
                    context={"specs": view.specs(model, lang)})

    response = await respond(request, build, cache_key="profile", params={
        "jaar": jaar, "document": document, "peers": peers, "peiljaar": peiljaar,
        "prijzen": prijzen})
    if response.status_code == 200 and request.query_params.get("format", "html") == "html":
        remember_recent(request, response, code)
    return response


RECENT_COOKIE = "recent"
RECENT_SIZE = 5


def recent_codes(request: Request) -> list[str]:
    """GM codes of recently viewed profiles (cookie), validated; newest first."""
    raw = request.cookies.get(RECENT_COOKIE, "")
    return [code for code in raw.split(".")[:RECENT_SIZE] if is_gm_code(code)]


def remember_recent(request: Request, response: Response, code: str) -> None:
    codes = [code, *(item for item in recent_codes(request) if item != code)][:RECENT_SIZE]
    response.set_cookie(RECENT_COOKIE, ".".join(codes), max_age=90 * 24 * 3600,
                        samesite="lax", httponly=True)
