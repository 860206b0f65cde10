"""The documented REST API under /api (OpenAPI at /api/openapi.json, docs at /api/docs).

Every route returns the same page model as the page's ``.json`` twin (schouders.service.models).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.concurrency import run_in_threadpool

from schouders.service.models import (
    ComparePage,
    IndicatorDefinition,
    IndicatorPage,
    MunicipalityMatch,
    NationalPage,
    ProfilePage,
    ProvenancePage,
)
from schouders.web.api_models import ERRORS
from schouders.web.i18n import language_of
from schouders.web.routes import rate_limited
from schouders.web.routes.compare import Group, IndicatorCode, Municipalities
from schouders.web.routes.params import Document, Peers, Prices, ReferenceYear, Year

router = APIRouter(prefix="/api", dependencies=[Depends(rate_limited)], responses=ERRORS)

GmCode = Annotated[str, Path(pattern=r"^GM\d{4}$", description="CBS-gemeentecode",
                             examples=["GM0363"])]


@router.get("/gemeenten", tags=["gemeenten"], response_model=list[MunicipalityMatch],
            summary="Zoek gemeenten op naam of GM-code (tolerant voor typfouten)")
async def search(
    request: Request,
    q: Annotated[str | None, Query(max_length=100, description="Naam of code; leeg = alle "
                                   "huidige gemeenten", examples=["amsterdm"])] = None,
    limit: Annotated[int, Query(ge=1, le=400, description="Maximaal aantal")] = 10,
) -> list[MunicipalityMatch]:
    return await _call(request, lambda service: service.search(q, limit))


@router.get("/gemeenten/{gm_code}", tags=["gemeenten"], response_model=ProfilePage,
            summary="Profiel van een gemeente: kerncijfers met positie, signalen, trends")
async def profile(
    request: Request,
    gm_code: GmCode,
    jaar: Year = None,
    document: Document = None,
    peers: Peers = None,
    peiljaar: ReferenceYear = None,
    prijzen: Prices = None,
) -> ProfilePage:
    lang = language_of(request)
    return await _call(request, lambda service: service.profile(
        gm_code, jaar=jaar, document=document, peers=peers, peiljaar=peiljaar,
        prijzen=prijzen, lang=lang))


@router.get("/vergelijken", tags=["gemeenten"], response_model=ComparePage,
            summary="Vergelijk tot tien gemeenten of een benoemde groep")
async def compare(
    request: Request,
    gemeenten: Municipalities = None,
    groep: Group = None,
    jaar: Year = None,
    document: Document = None,
    indicator: IndicatorCode = None,
    prijzen: Prices = None,
) -> ComparePage:
    lang = language_of(request)
    return await _call(request, lambda service: service.compare(
        gemeenten=gemeenten, groep=groep, jaar=jaar, document=document, indicator=indicator,
        prijzen=prijzen, lang=lang, only_indicator=True))


@router.get("/indicatoren", tags=["indicatoren"], response_model=list[IndicatorDefinition],
            summary="De indicatorcatalogus")
async def indicators(request: Request) -> list[IndicatorDefinition]:
    lang = language_of(request)
    return await _call(request, lambda service: service.indicators(lang))


@router.get("/indicatoren/{code}", tags=["indicatoren"], response_model=IndicatorPage,
            summary="Definitie van een indicator en de waarden van alle gemeenten")
async def indicator(
    request: Request,
    code: Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{0,63}$", examples=["overhead_pct"])],
    jaar: Year = None,
    document: Document = None,
    prijzen: Prices = None,
) -> IndicatorPage:
    lang = language_of(request)
    return await _call(request, lambda service: service.indicator(
        code, jaar=jaar, document=document, prijzen=prijzen, lang=lang))


@router.get("/landelijk", tags=["landelijk"], response_model=NationalPage,
            summary="Landelijke en per-grootteklasse mutaties van lasten (totaal, fysiek) en CPI")
async def national(
    request: Request,
    document: Document = None,
    indicator: IndicatorCode = None,
    jaar: Year = None,
    prijzen: Prices = None,
) -> NationalPage:
    lang = language_of(request)
    return await _call(request, lambda service: service.national(
        document=document, indicator=indicator, jaar=jaar, prijzen=prijzen, lang=lang))


@router.get("/herkomst", tags=["herkomst"], response_model=ProvenancePage,
            summary="Geladen bronnen met ophaaldatum en controlegetal; licentie en citeren")
async def sources(request: Request) -> ProvenancePage:
    return await _call(request, lambda service: service.provenance())


async def _call(request: Request, ask):  # type: ignore[no-untyped-def]
    """Ask the facade in the thread pool (DuckDB and pandas work must not block the loop)."""
    service = request.app.state.service
    service.refresh()
    return await run_in_threadpool(ask, service)
