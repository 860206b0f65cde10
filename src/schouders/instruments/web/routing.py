"""A route class that turns errors into Dutch pages (or JSON for /api/), per router.

Exception handlers belong to the app, not to a router; since the main app mounts this router, the
conversion happens here, around every endpoint of the instruments.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute

from schouders.errors import SchoudersError
from schouders.instruments.web.runtime import InstrumentsRuntime
from schouders.platform.access import NotFound, NotLoggedIn
from schouders.platform.errors import FieldErrors


def is_api(request: Request) -> bool:
    return "/api/" in request.url.path


def error_response(rt: InstrumentsRuntime, request: Request, exc: SchoudersError) -> Response:
    status = getattr(exc, "status_code", 400)
    if is_api(request):
        body: dict[str, Any] = {"fout": exc.message, "hint": exc.hint}
        if isinstance(exc, FieldErrors):
            body["velden"] = exc.errors
        return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})
    if isinstance(exc, NotLoggedIn):
        target = str(request.url_for("instr_login").path)
        if request.method == "GET":
            target += "?" + urlencode({"volgende": request.url.path})
        return RedirectResponse(target, status_code=303)
    from schouders.instruments.web.page import Page

    page = Page(rt, request)
    titles = {401: "Niet ingelogd", 403: "Geen toegang", 404: "Niet gevonden"}
    return page.render(
        "error.html",
        {"title": titles.get(status, "Er ging iets mis"), "error": exc,
         "field_errors": getattr(exc, "errors", {})},
        status_code=status,
    )


def route_class_for(rt: InstrumentsRuntime) -> type[APIRoute]:
    class InstrumentsRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()

            async def handle(request: Request) -> Response:
                try:
                    return await handler(request)
                except SchoudersError as exc:
                    return await run_in_threadpool(error_response, rt, request, exc)
                except RequestValidationError as exc:
                    if is_api(request):
                        return JSONResponse({"fout": "Ongeldige invoer.",
                                             "details": jsonable_encoder(exc.errors())},
                                            status_code=422)
                    # a malformed id in a page address: there is no such page
                    return await run_in_threadpool(error_response, rt, request, NotFound())

            return handle

    return InstrumentsRoute
