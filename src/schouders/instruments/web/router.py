"""The instruments as a FastAPI router (mounted by the main app under /instrumenten).

    from schouders.instruments.web.router import create_instruments_router
    app.include_router(create_instruments_router(settings), prefix="/instrumenten")

Creating the router opens the database and upgrades it to the current schema. The pages use the
monitor's shell (base template, stylesheet, security headers, error pages); the standalone app
below installs that same shell.
"""

from __future__ import annotations

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
    router.instruments_runtime = rt  # type: ignore[attr-defined]
    return router


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
