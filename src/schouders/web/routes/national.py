"""Landelijk beeld ``/landelijk`` with JSON and CSV twins."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from schouders.web.i18n import language_of
from schouders.web.pages.national import build_national, csv_table
from schouders.web.render import Page, jsonable, respond
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
    web = request.app.state.web
    lang = language_of(request)

    def build() -> Page:
        model = build_national(web, document=document, indicator=indicator, jaar=jaar,
                               prijzen=prijzen, lang=lang)
        public = {k: v for k, v in model.items() if not k.startswith("_")}
        return Page("national.html", "Landelijk beeld", public, table=csv_table(model),
                    name=f"landelijk-{model['document']}",
                    context={"model": jsonable(public), "class_charts": model["_charts"],
                             "spread_spec": model["_spread_spec"],
                             "map_spec": model["_map_spec"]})

    return await respond(request, build, cache_key="national")
