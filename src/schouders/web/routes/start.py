"""Start page: search a municipality (typo-tolerant), starting points, how to read the monitor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from schouders.service import municipalities
from schouders.web.render import Page, jsonable, respond
from schouders.web.routes.profile import recent_codes
from schouders.web.security import MAX_QUERY_LENGTH

router = APIRouter(include_in_schema=False)


@router.get("/")
async def start(
    request: Request, q: Annotated[str | None, Query(max_length=MAX_QUERY_LENGTH)] = None
) -> Response:
    web = request.app.state.web
    query = (q or "").strip()
    if query and request.query_params.get("format", "html") == "html":
        matches = await run_in_threadpool(municipalities.search, web, query)
        exact = [m for m in matches if m.score >= 100.0]
        if len(exact) == 1 or (len(matches) == 1 and matches[0].score >= 90.0):
            target = exact[0] if len(exact) == 1 else matches[0]
            return RedirectResponse(f"/gemeente/{target.gm_code}", status_code=303)

    recent = recent_codes(request)

    def build() -> Page:
        matches = municipalities.search(web, query) if query else []
        suggested = municipalities.suggestions(web, query) if query and not matches else []
        names = municipalities.names(web)
        popular = [{"gm_code": code, "naam": names.get(code, code)}
                   for code in municipalities.EXAMPLES if code in names]
        case = [{"gm_code": code, "naam": names.get(code, code)}
                for code in municipalities.CASE_2020 if code in names]
        seen = [{"gm_code": code, "naam": names.get(code, code)}
                for code in recent if code in names]
        results = jsonable(matches)
        import pandas as pd

        table = pd.DataFrame(results, columns=["gm_code", "naam", "provincie", "bestaat",
                                               "score", "laatste_jaar"])
        return Page(
            "start.html", "Start",
            {"zoekterm": query, "resultaten": results, "suggesties": jsonable(suggested),
             "voorbeelden": popular, "casusgemeenten_2020": case},
            table=table, name="zoekresultaten",
            context={"q": query, "matches": results, "suggested": jsonable(suggested),
                     "popular": popular, "case": case, "recent": seen},
        )

    return await respond(request, build, cache_key=("start", *recent), params={"q": query})
