"""A route class that answers errors the way the monitor does: its error page (Dutch, or English
with the language switch) for pages, JSON ``{status, fout, hint, suggesties}`` for ``/api/``.

Exception handlers belong to the app, not to a router; since the main app mounts this router, the
conversion happens here, around every endpoint of the instruments. Unexpected errors in the JSON
API are logged and answered as JSON 500 too (never a stack trace, never an HTML page).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute

from schouders.errors import SchoudersError
from schouders.instruments.web.runtime import InstrumentsRuntime
from schouders.instruments.web.shell import translator
from schouders.platform.access import NotFound, NotLoggedIn
from schouders.platform.errors import FieldErrors
from schouders.web import error_pages

log = logging.getLogger("schouders.instruments")
UNEXPECTED = "Er ging aan onze kant iets mis. De fout is vastgelegd; probeer het later opnieuw."


def is_api(request: Request) -> bool:
    return "/api/" in request.url.path


def json_error(status: int, message: str, hint: str | None = None,
               fields: dict[str, str] | None = None,
               headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"status": status, "fout": message, "hint": hint, "suggesties": []}
    if fields:
        body["velden"] = fields
    return JSONResponse(body, status_code=status,
                        headers={"Cache-Control": "no-store", **(headers or {})})


def error_response(rt: InstrumentsRuntime, request: Request, exc: SchoudersError) -> Response:
    status = getattr(exc, "status_code", 400)
    headers = getattr(exc, "headers", None)
    if is_api(request):
        return json_error(status, exc.message, exc.hint, getattr(exc, "errors", None), headers)
    if isinstance(exc, NotLoggedIn):
        target = str(request.url_for("instr_login").path)
        if request.method == "GET":
            target += "?" + urlencode({"volgende": request.url.path})
        return RedirectResponse(target, status_code=303)
    t = translator(request)
    hint = exc.hint
    if isinstance(exc, FieldErrors):
        hint = "; ".join(t.message(text) for text in exc.errors.values())
    return error_pages.error_response(request, status, t.message(exc.message), t.message(hint),
                                      headers=headers)


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
                        problems = [
                            ".".join(str(p) for p in e.get("loc", ())) + ": "
                            + str(e.get("msg", "ongeldig")) for e in exc.errors()[:5]
                        ]
                        return json_error(422, "Ongeldige invoer.", "; ".join(problems))
                    # a malformed id in a page address: there is no such page
                    return await run_in_threadpool(error_response, rt, request, NotFound())
                except Exception:
                    if not is_api(request):
                        raise  # the app's handler answers with the monitor's error page
                    log.exception("unexpected error on %s", request.url.path)
                    return json_error(500, UNEXPECTED)

            return handle

    return InstrumentsRoute
