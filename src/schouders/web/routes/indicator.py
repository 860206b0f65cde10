"""Indicator pages ``/indicatoren`` and ``/indicator/<code>`` with JSON and CSV twins."""

from __future__ import annotations

import pandas as pd
from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from schouders.web.i18n import language_of
from schouders.web.pages.indicator import build_indicator, build_list, csv_table
from schouders.web.render import Page, jsonable, respond
from schouders.web.routes.params import Document, Prices, Year

router = APIRouter(include_in_schema=False)


@router.get("/indicatoren")
async def indicator_list(request: Request) -> Response:
    web = request.app.state.web
    lang = language_of(request)

    def build() -> Page:
        items = build_list(web, lang)
        return Page("indicators.html", "Indicatoren", {"indicatoren": items},
                    table=pd.DataFrame(items).drop(columns=["eenheid_tekst"]),
                    name="indicatoren", context={"items": items})

    return await respond(request, build, cache_key="indicators")


@router.get("/indicator/{code}")
async def indicator(
    request: Request,
    code: str = Path(max_length=64),
    jaar: Year = None,
    document: Document = None,
    prijzen: Prices = None,
) -> Response:
    web = request.app.state.web
    lang = language_of(request)

    def build() -> Page:
        model = build_indicator(web, code, jaar=jaar, document=document, prijzen=prijzen,
                                lang=lang)
        public = {k: v for k, v in model.items() if not k.startswith("_")}
        title = model["name"] if lang == "en" else model["naam"]
        return Page("indicator.html", title, public, table=csv_table(model),
                    name=f"{model['code']}-{model['verdeling']['keuzes']['jaar']}",
                    context={"model": jsonable(public), "spec": model["_spec"]})

    return await respond(request, build, cache_key="indicator")
