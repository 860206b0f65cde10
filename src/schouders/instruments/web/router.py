"""The instruments as a FastAPI router (mounted by the main app under /instrumenten).

    from schouders.instruments.web.router import create_instruments_router
    app.include_router(create_instruments_router(settings), prefix="/instrumenten")

Creating the router opens the database and upgrades it to the current schema. The pages use the
monitor's shell (base template, stylesheet, security headers, error pages); the standalone app
below installs that same shell.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from schouders.config import Settings
from schouders.instruments.web import (
    api,
    api_docs,
    pages_admin,
    pages_apk,
    pages_auth,
    pages_municipality,
    pages_visitatie,
)
from schouders.instruments.web.routing import route_class_for
from schouders.instruments.web.runtime import InstrumentsRuntime, create_runtime
from schouders.instruments.web.shell import static_url

PREFIX = "/instrumenten"


def create_instruments_router(
    settings: Settings, *, runtime: InstrumentsRuntime | None = None
) -> APIRouter:
    """All pages and JSON endpoints of both instruments. Mount with prefix ``/instrumenten``."""
    rt = runtime or create_runtime(settings)
    router = APIRouter(route_class=route_class_for(rt))
    for module in (pages_auth, pages_admin, pages_municipality, pages_visitatie, pages_apk, api,
                   api_docs):
        module.build(rt, router)
    document_api_errors(router)
    router.instruments_runtime = rt  # type: ignore[attr-defined]
    return router


def document_api_errors(router: APIRouter) -> None:
    """Every JSON endpoint documents its error answers ({status, fout, hint, suggesties})."""
    from fastapi.routing import APIRoute

    from schouders.web.api_models import ERRORS

    body = ERRORS[404]["model"]
    errors: dict[int | str, dict[str, Any]] = {
        400: {"model": body, "description": "Ongeldige invoer (met de velden die fout zijn)"},
        401: {"model": body, "description": "Niet ingelogd (of de sessie is verlopen)"},
        403: {"model": body, "description": "Geen toegang tot deze gemeente of ronde, of "
                                            "CSRF-token ontbreekt"},
        404: {"model": body, "description": "Onbekende ronde, gemeente of taak"},
        409: {"model": body, "description": "Tegelijk gewijzigd of de ronde is gesloten"},
        429: {"model": body, "description": "Te veel pogingen; wacht (Retry-After)"},
    }
    for route in router.routes:
        if isinstance(route, APIRoute) and route.path.startswith("/api/"):
            for code, entry in errors.items():
                route.responses.setdefault(code, entry)


def create_instruments_app(
    settings: Settings, *, runtime: InstrumentsRuntime | None = None
) -> FastAPI:
    """A small app with only the instruments, in the monitor's shell, for tests and for running
    standalone:

    uvicorn --factory schouders.instruments.web.router:standalone_app
    """
    from schouders.web.error_pages import install_error_handlers
    from schouders.web.render import Renderer
    from schouders.web.security import SecurityHeadersMiddleware

    app = FastAPI(title="Schouders: instrumenten", docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json")
    app.state.renderer = Renderer({"static": static_url, "chart_config": {}},
                                  build_info=lambda: None)
    router = create_instruments_router(settings, runtime=runtime)
    app.include_router(router, prefix=PREFIX)
    app.state.instruments_runtime = router.instruments_runtime  # type: ignore[attr-defined]
    app.state.instruments_router = router
    app.mount("/static", StaticFiles(packages=[("schouders.web", "static")]), name="static")
    install_error_handlers(app)
    app.add_middleware(SecurityHeadersMiddleware)

    @app.get("/", include_in_schema=False)
    def root() -> Response:
        return Response(status_code=307, headers={"Location": f"{PREFIX}/"})

    return app


def standalone_app() -> FastAPI:
    from schouders.config import load_settings

    return create_instruments_app(load_settings())
