"""Indicator pages ``/indicatoren`` and ``/indicator/<code>`` with JSON and CSV twins."""

from __future__ import annotations

import pandas as pd
from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from schouders.web.i18n import language_of
from schouders.web.pages import distribution
from schouders.web.pages import indicator as view
from schouders.web.render import Page, respond
from schouders.web.routes.params import Document, Prices, Year

router = APIRouter(include_in_schema=False)


@router.get("/indicatoren")
async def indicator_list(request: Request) -> Response:
    service = request.app.state.service
    lang = language_of(request)

    def build() -> Page:
        items = service.indicators(lang)
        return Page("indicators.html", "Indicatoren",
                    {"indicatoren": [item.model_dump() for item in items]},
                    table=pd.DataFrame([item.model_dump() for item in items]),
                    name="indicatoren", context={"items": [item.model_dump() for item in items]})

    return await respond(request, build, cache_key="indicators", params={})


@router.get("/indicator/{code}")
async def indicator(
    request: Request,
    code: str = Path(max_length=64),
    jaar: Year = None,
    document: Document = None,
    prijzen: Prices = None,
) -> Response:
    service = request.app.state.service
    lang = language_of(request)

    def build() -> Page:
        model = service.indicator(code, jaar=jaar, document=document, prijzen=prijzen,
                                  lang=lang)
        title = model.name if lang == "en" else model.naam
        return Page("indicator.html", title, model, table=view.csv_table(model),
                    name=f"{model.code}-{model.verdeling.keuzes.jaar}",
                    context={"spec": distribution.specs(model.verdeling, lang)["spread"]})

    return await respond(request, build, cache_key="indicator", params={
        "jaar": jaar, "document": document, "prijzen": prijzen})
