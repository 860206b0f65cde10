"""The documented REST API under /api (OpenAPI at /api/openapi.json, docs at /api)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from schouders.web.api_models import (
    ERRORS,
    Comparison,
    IndicatorDefinition,
    IndicatorDetail,
    MunicipalityMatch,
    NationalPicture,
    Profile,
    ProvenanceBody,
)
from schouders.web.i18n import language_of
from schouders.web.pages.compare import build_compare
from schouders.web.pages.indicator import build_indicator, build_list
from schouders.web.pages.national import build_national
from schouders.web.pages.profile import build_profile
from schouders.web.render import jsonable
from schouders.web.routes import rate_limited
from schouders.web.routes.compare import Group, IndicatorCode, Municipalities
from schouders.web.routes.params import Document, Peers, Prices, ReferenceYear, Year
from schouders.web.service import municipalities
from schouders.web.service.provenance import provenance

router = APIRouter(prefix="/api", dependencies=[Depends(rate_limited)], responses=ERRORS)

GmCode = Annotated[str, Path(pattern=r"^GM\d{4}$", description="CBS-gemeentecode",
                             examples=["GM0363"])]


@router.get("/gemeenten", tags=["gemeenten"], response_model=list[MunicipalityMatch],
            summary="Zoek gemeenten op naam of GM-code (tolerant voor typfouten)")
def search(
    request: Request,
    q: Annotated[str | None, Query(max_length=100, description="Naam of code; leeg = alle "
                                   "huidige gemeenten", examples=["amsterdm"])] = None,
    limit: Annotated[int, Query(ge=1, le=400, description="Maximaal aantal")] = 10,
) -> list[dict]:
    web = request.app.state.web
    if q and q.strip():
        return jsonable(municipalities.search(web, q, limit=min(limit, 50)))
    current = municipalities.all_current(web).head(limit)
    return [{"gm_code": row.gm_code, "naam": row.naam, "provincie": row.provincie_naam,
             "bestaat": True, "score": 100.0, "laatste_jaar": None}
            for row in current.itertuples()]


@router.get("/gemeenten/{gm_code}", tags=["gemeenten"], response_model=Profile,
            summary="Profiel van een gemeente: kerncijfers met positie, signalen, trends")
def profile(
    request: Request,
    gm_code: GmCode,
    jaar: Year = None,
    document: Document = None,
    peers: Peers = None,
    peiljaar: ReferenceYear = None,
    prijzen: Prices = None,
) -> dict:
    web = request.app.state.web
    lang = language_of(request)

    def compute() -> dict:
        model = build_profile(web, gm_code, jaar=jaar, document=document, peer_code=peers,
                              peiljaar=peiljaar, prijzen=prijzen, lang=lang)
        return jsonable({
            **{key: model[key] for key in ("gemeente", "keuzes", "levering", "groep",
                                            "toelichting", "signalen", "leveringen",
                                            "herindelingen")},
            "kerncijfers": [{k: v for k, v in row.items() if k not in ("spec", "chart_id")}
                            for row in model["kerncijfers"]],
            "trends": model["trends"]["rijen"],
            "definitiebreuken": model["trends"]["breuken"],
            "begroting_vs_jaarrekening": model["begroting_vs_jaarrekening"]["rijen"],
        })

    key = ("api-profile", gm_code, jaar, document, peers, peiljaar, prijzen, lang)
    return web.cached(key, compute)


@router.get("/vergelijken", tags=["gemeenten"], response_model=Comparison,
            summary="Vergelijk tot tien gemeenten of een benoemde groep")
def compare(
    request: Request,
    gemeenten: Municipalities = None,
    groep: Group = None,
    jaar: Year = None,
    document: Document = None,
    indicator: IndicatorCode = None,
    prijzen: Prices = None,
) -> dict:
    model = build_compare(request.app.state.web, gemeenten=gemeenten, groep=groep, jaar=jaar,
                          document=document, indicator=indicator, prijzen=prijzen,
                          lang=language_of(request))
    return jsonable({k: v for k, v in model.items() if not k.startswith("_")})


@router.get("/indicatoren", tags=["indicatoren"], response_model=list[IndicatorDefinition],
            summary="De indicatorcatalogus")
def indicators(request: Request) -> list[dict]:
    return build_list(request.app.state.web, language_of(request))


@router.get("/indicatoren/{code}", tags=["indicatoren"], response_model=IndicatorDetail,
            summary="Definitie van een indicator en de waarden van alle gemeenten")
def indicator(
    request: Request,
    code: Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{0,63}$", examples=["overhead_pct"])],
    jaar: Year = None,
    document: Document = None,
    prijzen: Prices = None,
) -> dict:
    model = build_indicator(request.app.state.web, code, jaar=jaar, document=document,
                            prijzen=prijzen, lang=language_of(request))
    model["bronnen"] = [source["tabel"] for source in model["bronnen"]]
    return jsonable({k: v for k, v in model.items() if not k.startswith("_")})


@router.get("/landelijk", tags=["landelijk"], response_model=NationalPicture,
            summary="Landelijke en per-grootteklasse mutaties van lasten (totaal, fysiek) en CPI")
def national(request: Request, document: Document = None) -> dict:
    model = build_national(request.app.state.web, document=document, indicator=None, jaar=None,
                           prijzen=None, lang=language_of(request))
    return jsonable({"document": model["document"], "trends": model["trends"]})


@router.get("/herkomst", tags=["herkomst"], response_model=ProvenanceBody,
            summary="Geladen bronnen met ophaaldatum en controlegetal; licentie en citeren")
def sources(request: Request) -> dict:
    from schouders import __version__
    from schouders.web.routes.about import CITATION

    info = provenance(request.app.state.web)
    return jsonable({
        "warehouse": info.meta,
        "bronnen": info.sources,
        "licentie": "Gegevens: CBS, CC BY 4.0 (bron: CBS). Software: EUPL-1.2.",
        "citeren": CITATION.format(versie=__version__, datum=dt.date.today().isoformat()),
    })
