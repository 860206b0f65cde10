"""The FastAPI application: pages, REST API, static files, security and error handling."""

from __future__ import annotations

import gc
import hashlib
import logging
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from schouders import __version__
from schouders.config import Settings, load_settings
from schouders.service.facade import Service
from schouders.service.state import WarehouseMissingError, WebState
from schouders.web.charts import CONFIG as CHART_CONFIG
from schouders.web.error_pages import install_error_handlers
from schouders.web.ratelimit import RateLimiter
from schouders.web.render import FormatSuffixMiddleware, Renderer
from schouders.web.security import SecurityHeadersMiddleware

log = logging.getLogger("schouders.web")

API_DESCRIPTION = """
De REST API van **Schouders**: uitvoeringskracht van de Nederlandse gemeenten uit open data van
het CBS (Iv3, bevolking, prijsindices). Alle bedragen zijn euro's; `reeel=true` geeft bedragen in
prijzen van het laatste CPI-jaar. Een lege waarde is `null`, met de reden in het veld `leeg` (bijv.
`{"waarde": "ontbreekt"}`: de gemeente leverde het document niet aan het CBS); nooit 0.

Elke pagina van de website heeft ook een JSON- en CSV-versie: zet `.json` of `.csv` achter het
pad (bijv. `/gemeente/GM0363.json`) of gebruik `?format=json|csv`.

Bron: CBS (CC BY 4.0), bewerking Schouders.
"""

TAGS = [
    {"name": "gemeenten", "description": "Zoeken, profiel en vergelijking van gemeenten."},
    {"name": "indicatoren", "description": "De indicatorcatalogus en waarden per gemeente."},
    {"name": "landelijk", "description": "Het landelijk beeld: trends per grootteklasse."},
    {"name": "herkomst", "description": "Bronnen, ophaaldata en leveringen."},
    {"name": "systeem", "description": "Gezondheid van de dienst."},
]


def create_app(
    settings: Settings | None = None,
    *,
    rate_limit: tuple[int, float] = (120, 20.0),
    warm: bool = True,
    freeze_gc: bool = False,
) -> FastAPI:
    """Build the app. ``rate_limit`` = (burst, refill per second) per client for costly routes;
    ``warm`` fills the caches in a background thread at start-up; ``freeze_gc`` (for server
    worker processes) then moves the warm caches out of the garbage collector's scans."""
    settings = settings or load_settings()
    web = WebState(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if warm:
            threading.Thread(target=_warm_up, args=(app, freeze_gc), daemon=True).start()
        yield
        web.close()

    app = FastAPI(
        title="Schouders API",
        version=__version__,
        description=API_DESCRIPTION,
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
        openapi_tags=TAGS,
        lifespan=lifespan,
        license_info={"name": "EUPL-1.2 (software); data CBS CC BY 4.0"},
    )
    app.state.web = web
    app.state.service = Service(settings, web)
    app.state.settings = settings
    app.state.limiter = RateLimiter(*rate_limit)
    app.state.renderer = Renderer(
        {"static": static_url_builder(), "chart_config": CHART_CONFIG},
        build_info=lambda: _build_info(web),
    )

    from schouders.web.routes import register_routes

    register_routes(app)
    _mount_instruments(app, settings)
    app.mount("/static", StaticFiles(packages=[("schouders.web", "static")]), name="static")
    install_error_handlers(app)
    app.add_middleware(FormatSuffixMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    return app


def _build_info(web: WebState) -> dict[str, str] | None:
    try:
        from schouders.service.provenance import provenance

        meta = provenance(web).meta
    except Exception:  # no warehouse yet: the page itself says so
        return None
    return {"gebouwd_op": meta.get("gebouwd_op", "?")[:10], "bron": meta.get("bron", "?")}


def _warm_up(app: FastAPI, freeze_gc: bool) -> None:
    """Open the warehouse and fill the per-process caches before the first visitor arrives."""
    from schouders.service import warmup

    started = time.perf_counter()
    try:
        app.state.web.refresh(time.monotonic())
        warmup.warm(app.state.web)
    except WarehouseMissingError:
        log.warning("no warehouse yet at %s", app.state.web.settings.warehouse_path)
    except Exception:
        log.exception("warming the caches failed; pages compute on demand")
    else:
        log.info("caches warm in %.1f s", time.perf_counter() - started)
    if freeze_gc:
        # The warm caches are long-lived: keep them out of the cyclic garbage collector's
        # scans, which otherwise pause request threads for milliseconds on a large heap.
        gc.collect()
        gc.freeze()


def _mount_instruments(app: FastAPI, settings: Settings) -> None:
    """Mount the instruments (APK, visitatie) under /instrumenten; their database is opened and
    migrated here, so a broken database stops the app with its own message."""
    from schouders.instruments import create_instruments_router

    app.include_router(create_instruments_router(settings), prefix="/instrumenten")


def static_url_builder():
    """static('css/site.css') -> '/static/css/site.css?v=<hash of the file>' (cache busting)."""
    root = resources.files("schouders.web") / "static"
    versions: dict[str, str] = {}

    def static(path: str) -> str:
        if path not in versions:
            try:
                digest = hashlib.sha256((root / path).read_bytes()).hexdigest()[:10]
            except OSError:
                digest = __version__
            versions[path] = digest
        return f"/static/{path}?v={versions[path]}"

    return static
