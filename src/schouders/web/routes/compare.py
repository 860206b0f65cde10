"""Vergelijken ``/vergelijken?gemeenten=GM0363,GM0599`` with JSON and CSV twins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from schouders.web.i18n import language_of
from schouders.web.pages import compare as view
from schouders.web.render import Page, respond
from schouders.web.routes import rate_limited
from schouders.web.routes.params import Document, Prices, Year

router = APIRouter(include_in_schema=False, dependencies=[Depends(rate_limited)])

Municipalities = Annotated[str | None, Query(
    max_length=1200, description="GM-codes of namen, gescheiden door komma's (maximaal 10)",
    examples=["GM0363,GM0599"])]
Group = Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9 _\-]{1,64}$",
                                    examples=["G4"])]
IndicatorCode = Annotated[str | None, Query(
    max_length=64, pattern=r"^[a-z][a-z0-9_]{0,63}$", examples=["lasten_per_inwoner"],
    description="Indicator van de trend; in /api/vergelijken bevat de tabel dan alleen deze "
                "indicator")]


@router.get("/vergelijken")
async def compare(
    request: Request,
    gemeenten: Municipalities = None,
    groep: Group = None,
    jaar: Year = None,
    document: Document = None,
    indicator: IndicatorCode = None,
    prijzen: Prices = None,
) -> Response:
    service = request.app.state.service
    lang = language_of(request)

    def build() -> Page:
        model = service.compare(gemeenten=gemeenten, groep=groep, jaar=jaar,
                                document=document, indicator=indicator, prijzen=prijzen,
                                lang=lang)
        return Page("compare.html", "Gemeenten vergelijken", model, table=view.csv_table(model),
                    name="vergelijking",
                    context={**view.specs(model, lang), "invoer": gemeenten or ""})

    return await respond(request, build, cache_key="compare", params={
        "gemeenten": gemeenten, "groep": groep, "jaar": jaar, "document": document,
        "indicator": indicator, "prijzen": prijzen})
