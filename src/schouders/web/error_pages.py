"""Error responses in Dutch (or English): HTML pages for people, JSON for the API.

Stack traces never reach the client: unexpected errors are logged and answered with a generic
message. An unknown municipality gets a 404 with the closest matches; a missing warehouse a 503
page that says to run ``schouders build``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from schouders.errors import AmbiguousMunicipalityError, SchoudersError, UnknownMunicipalityError
from schouders.service.state import NotFoundError, WarehouseMissingError
from schouders.web.i18n import Translator, language_of
from schouders.web.render import Page, jsonable
from schouders.web.security import SECURITY_HEADERS

log = logging.getLogger("schouders.web")

TITLES = {
    400: "Ongeldige invoer",
    401: "Niet ingelogd",
    403: "Geen toegang",
    409: "Conflict",
    404: "Pagina niet gevonden",
    405: "Ongeldige invoer",
    422: "Ongeldige invoer",
    429: "Te veel verzoeken",
    503: "Nog geen gegevens",
    500: "Er ging iets mis",
}


def wants_json(request: Request) -> bool:
    return (
        request.url.path.startswith(("/api/", "/instrumenten/api/"))
        or request.url.path.endswith((".json", ".csv"))
        or request.query_params.get("format") in ("json", "csv")
        or "application/json" in request.headers.get("accept", "").split(",")[0]
    )


def error_response(
    request: Request,
    status: int,
    message: str,
    hint: str | None = None,
    suggestions: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    payload = {"status": status, "fout": message, "hint": hint, "suggesties": suggestions or []}
    if wants_json(request):
        return JSONResponse(jsonable(payload), status_code=status, headers=headers)
    lang = language_of(request)
    t = Translator(lang)
    title = t(TITLES.get(status, "Er ging iets mis"))
    if isinstance(message, str) and status == 404 and suggestions is not None:
        title = t("Gemeente niet gevonden")
    page = Page("error.html", title, payload, context={
        "status": status, "message": message, "hint": hint, "suggestions": suggestions or [],
    }, status_code=status, twins=False)
    try:
        html = request.app.state.renderer.html(request, page, lang)
    except Exception:  # never fail while reporting a failure
        log.exception("error page could not be rendered")
        html = f"<!doctype html><html lang='nl'><title>{status}</title><p>{status}</p></html>"
    return Response(html, status_code=status, media_type="text/html; charset=utf-8",
                    headers={**(headers or {}), "cache-control": "no-store"})


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else "Fout in het verzoek."
        if exc.status_code == 404 and detail == "Not Found":
            detail = "Deze pagina bestaat niet."
        elif exc.status_code == 405:
            detail = "Deze methode is hier niet toegestaan."
        return error_response(request, exc.status_code, detail,
                              headers=dict(exc.headers) if exc.headers else None)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        english = language_of(request) == "en" and not wants_json(request)
        problems = []
        for error in exc.errors()[:5]:
            where = ".".join(str(part) for part in error.get("loc", ()) if part != "query")
            text = str(error.get("msg", "invalid")) if english else _dutch_problem(error)
            problems.append(f"{where}: {text}")
        return error_response(request, 422, "Ongeldige invoer: " + "; ".join(problems),
                              "Controleer de waarden in de adresregel of het formulier.")

    @app.exception_handler(UnknownMunicipalityError)
    async def unknown_municipality(request: Request, exc: UnknownMunicipalityError) -> Response:
        suggestions = [_suggestion(text) for text in exc.suggestions]
        return error_response(request, 404, exc.message, exc.hint, suggestions)

    @app.exception_handler(AmbiguousMunicipalityError)
    async def ambiguous(request: Request, exc: AmbiguousMunicipalityError) -> Response:
        suggestions = [_suggestion(text) for text in exc.candidates]
        return error_response(request, 404, exc.message, exc.hint, suggestions)

    @app.exception_handler(WarehouseMissingError)
    async def no_warehouse(request: Request, exc: WarehouseMissingError) -> Response:
        return error_response(request, 503, exc.message, exc.hint)

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError) -> Response:
        return error_response(request, 404, exc.message, exc.hint)

    @app.exception_handler(SchoudersError)
    async def user_error(request: Request, exc: SchoudersError) -> Response:
        return error_response(request, 400, exc.message, exc.hint)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        response = error_response(
            request, 500,
            "Er ging aan onze kant iets mis. De fout is vastgelegd; probeer het later opnieuw.")
        for name, value in SECURITY_HEADERS.items():
            response.headers[name] = value
        return response


def _dutch_problem(error: Mapping[str, Any]) -> str:
    """A validation problem in Dutch (pydantic writes English); the API is Dutch too."""
    context = error.get("ctx") or {}
    kind = str(error.get("type", ""))
    texts = {
        "missing": "ontbreekt",
        "int_parsing": "moet een geheel getal zijn",
        "int_type": "moet een geheel getal zijn",
        "greater_than_equal": "moet minstens {ge} zijn",
        "greater_than": "moet groter zijn dan {gt}",
        "less_than_equal": "mag hoogstens {le} zijn",
        "less_than": "moet kleiner zijn dan {lt}",
        "literal_error": "moet een van {expected} zijn",
        "enum": "moet een van {expected} zijn",
        "string_too_long": "is te lang (hoogstens {max_length} tekens)",
        "string_too_short": "is te kort (minstens {min_length} tekens)",
        "string_pattern_mismatch": "heeft niet de juiste vorm",
    }
    template = texts.get(kind)
    if template is None:
        return "ongeldige waarde"
    context = {key: str(value).replace(" or ", " of ") for key, value in context.items()}
    try:
        return template.format(**context)
    except (KeyError, IndexError, ValueError):
        return "ongeldige waarde"


def _suggestion(text: str) -> dict[str, str]:
    """'Amsterdam (GM0363)' or 'X (GM0001, opgeheven per ...)' -> label and link."""
    import re

    match = re.search(r"\((GM\d{4})", text)
    code = match.group(1) if match else ""
    return {"label": text, "gm_code": code, "href": f"/gemeente/{code}" if code else "/"}


__all__ = ["HTTPException", "error_response", "install_error_handlers"]
