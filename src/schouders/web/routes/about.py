"""Over / methode: sources with retrieval dates, provenance of every number, licence, citation."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import Response

from schouders.service.facade import CITATION
from schouders.service.provenance import provenance
from schouders.web.render import Page, jsonable, respond

router = APIRouter(include_in_schema=False)

@router.get("/over")
async def about(request: Request) -> Response:
    web = request.app.state.web

    def build() -> Page:
        from schouders import __version__

        info = provenance(web)
        citation = CITATION.format(versie=__version__, datum=dt.date.today().isoformat())
        sources = info.sources.drop(columns=["sha256"], errors="ignore")
        data = {
            "warehouse": info.meta,
            "bronnen": info.sources,
            "leveringen_per_jaar": info.per_year,
            "prijsindex": info.prices,
            "licentie": "Gegevens: CBS, CC BY 4.0 (bron: CBS). Software: EUPL-1.2.",
            "citeren": citation,
        }
        return Page(
            "about.html", "Over en methode", data, table=info.sources, name="herkomst",
            context={"sources": jsonable(sources), "per_year": jsonable(info.per_year),
                     "prices": jsonable(info.prices), "meta": info.meta, "citation": citation},
        )

    return await respond(request, build, cache_key="about", params={})
