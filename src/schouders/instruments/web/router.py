"""The instruments as a FastAPI router (mounted by the main app under /instrumenten).

    from schouders.instruments.web.router import create_instruments_router
    app.include_router(create_instruments_router(settings), prefix="/instrumenten")

Creating the router opens the database and upgrades it to the current schema.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.responses import Response

from schouders.config import Settings
from schouders.instruments.web import (
    api,
    pages_admin,
    pages_apk,
    pages_auth,
    pages_municipality,
    pages_visitatie,
)
from schouders.instruments.web.routing import route_class_for
from schouders.instruments.web.runtime import WEB_DIR, InstrumentsRuntime, create_runtime

PREFIX = "/instrumenten"


def create_instruments_router(
    settings: Settings, *, runtime: InstrumentsRuntime | None = None
) -> APIRouter:
    """All pages and JSON endpoints of both instruments. Mount with prefix ``/instrumenten``."""
    rt = runtime or create_runtime(settings)
    router = APIRouter(route_class=route_class_for(rt))
    css = (WEB_DIR / "static" / "instrumenten.css").read_text(encoding="utf-8")

    @router.get("/static/instrumenten.css", name="instr_css", include_in_schema=False)
    def stylesheet() -> Response:
        return Response(css, media_type="text/css",
                        headers={"Cache-Control": "public, max-age=3600"})

    for module in (pages_auth, pages_admin, pages_municipality, pages_visitatie, pages_apk, api):
        module.build(rt, router)
    router.instruments_runtime = rt  # type: ignore[attr-defined]
    return router


def create_instruments_app(
    settings: Settings, *, runtime: InstrumentsRuntime | None = None
) -> FastAPI:
    """A small app with only the instruments, for tests and for running standalone:

    uvicorn --factory schouders.instruments.web.router:standalone_app
    """
    app = FastAPI(title="Schouders: instrumenten", docs_url=f"{PREFIX}/api/docs",
                  openapi_url=f"{PREFIX}/api/openapi.json")
    router = create_instruments_router(settings, runtime=runtime)
    app.include_router(router, prefix=PREFIX)
    app.state.instruments_runtime = router.instruments_runtime  # type: ignore[attr-defined]
    app.state.instruments_router = router

    @app.get("/", include_in_schema=False)
    def root() -> Response:
        return Response(status_code=307, headers={"Location": f"{PREFIX}/"})

    return app


def standalone_app() -> FastAPI:
    from schouders.config import load_settings

    return create_instruments_app(load_settings())
