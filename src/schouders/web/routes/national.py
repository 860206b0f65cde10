"""Landelijk beeld ``/landelijk`` with JSON and CSV twins."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from schouders.web.i18n import language_of
from schouders.web.pages import distribution
from schouders.web.pages import national as view
from schouders.web.render import Page, respond
from schouders.web.routes.compare import IndicatorCode
from schouders.web.routes.params import Document, Prices, Year

router = APIRouter(include_in_schema=False)


@router.get("/landelijk")
async def national(
    request: Request,
    document: Document = None,
    indicator: IndicatorCode = None,
    jaar: Year = None,
    prijzen: Prices = None,
) -> Response:
    service = request.app.state.service
    lang = language_of(request)

    def build() -> Page:
        model = service.national(document=document, indicator=indicator, jaar=jaar,
                                 prijzen=prijzen, lang=lang)
        spread = distribution.specs(model.verdeling, lang, service.boundaries)
        return Page("national.html", "Landelijk beeld", model, table=view.csv_table(model),
                    name=f"landelijk-{model.document}",
                    context={"class_charts": view.class_charts(model, lang),
                             "spread_spec": spread["spread"], "map_spec": spread["map"]})

    return await respond(request, build, cache_key="national", params={
        "document": document, "indicator": indicator, "jaar": jaar, "prijzen": prijzen})
