"""Gemeenteprofiel ``/gemeente/<GM-code>`` with JSON and CSV twins."""

from __future__ import annotations

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from schouders.web.i18n import language_of
from schouders.web.pages.profile import build_profile, csv_table
from schouders.web.render import Page, jsonable, respond
from schouders.web.routes.params import Document, Peers, Prices, ReferenceYear, Year
from schouders.web.security import is_gm_code, normalise_gm_code
from schouders.web.service import municipalities

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
    web = request.app.state.web
    if not is_gm_code(code):
        canonical = await run_in_threadpool(_canonical, web, code)
        if canonical:
            query = request.url.query
            return RedirectResponse(f"/gemeente/{canonical}" + (f"?{query}" if query else ""),
                                    status_code=308)
    lang = language_of(request)

    def build() -> Page:
        model = build_profile(web, code, jaar=jaar, document=document, peer_code=peers,
                              peiljaar=peiljaar, prijzen=prijzen, lang=lang)
        title = f"{model['gemeente']['naam']} ({model['gemeente']['gm_code']})"
        return Page("profile.html", title, _public(model), table=csv_table(model),
                    name=f"profiel-{model['gemeente']['gm_code']}-{model['keuzes']['jaar']}",
                    context={"model": jsonable(_public(model)), "specs": _specs(model)})

    response = await respond(request, build, cache_key="profile")
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


def _canonical(web, code: str) -> str | None:
    normalised = normalise_gm_code(code)
    if normalised and normalised in municipalities.names(web):
        return normalised
    matches = municipalities.search(web, code)
    exact = [m for m in matches if m.score >= 100.0]
    return exact[0].gm_code if len(exact) == 1 else None


def _public(model: dict) -> dict:
    """The model without chart specs (those are presentation, not data)."""
    result = dict(model)
    result["kerncijfers"] = [{k: v for k, v in row.items() if k != "spec"}
                             for row in model["kerncijfers"]]
    result["trends"] = {k: v for k, v in model["trends"].items() if k != "specs"}
    result["begroting_vs_jaarrekening"] = {
        k: v for k, v in model["begroting_vs_jaarrekening"].items() if k != "spec"}
    return result


def _specs(model: dict) -> dict:
    return {
        "posities": {row["chart_id"]: row["spec"] for row in model["kerncijfers"]},
        "trends": model["trends"]["specs"],
        "begroting": model["begroting_vs_jaarrekening"]["spec"],
    }
