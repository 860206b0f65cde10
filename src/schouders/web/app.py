"""The FastAPI application: pages, REST API, static files, security and error handling."""

from __future__ import annotations

import gc
import hashlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from schouders import __version__
from schouders.config import Settings, load_settings
from schouders.service.facade import Service
from schouders.service.state import WarehouseMissingError, WebState
from schouders.web import charts
from schouders.web.charts import CONFIG as CHART_CONFIG
from schouders.web.error_pages import install_error_handlers
from schouders.web.ratelimit import RateLimiter
from schouders.web.render import (
    FormatSuffixMiddleware,
    HeadAsGetMiddleware,
    Renderer,
    ResponseCache,
)
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
    ``warm`` fills the caches at start-up, before the first request is accepted (everything
    heavy is precomputed per build, so this reads rather than computes); ``freeze_gc`` (for
    server worker processes) then moves the warm caches out of the garbage collector's scans."""
    settings = settings or load_settings()
    web = WebState(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if warm:
            # before the first request is accepted: uvicorn serves once the lifespan started
            await run_in_threadpool(_warm_up, app, freeze_gc)
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
    app.state.chart_templates = charts.load_templates(charts.templates_path(settings.home))
    app.state.service = Service(settings, web)
    app.state.settings = settings
    app.state.limiter = RateLimiter(*rate_limit)
    app.state.responses = ResponseCache()
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
    app.add_middleware(HeadAsGetMiddleware)
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
    started = time.perf_counter()
    try:
        app.state.web.refresh(time.monotonic())
        app.state.service.warm()
        if not app.state.chart_templates:  # no template file (not started by serve)
            _warm_charts(app.state.service)
        app.openapi()  # the /api/docs page and schema, built once
        _warm_pages(app)
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


def build_chart_templates(settings: Settings) -> None:
    """Before the workers start: build every chart shape the pages use, in both languages,
    into the template file each worker loads (so no worker imports Altair at start-up)."""
    path = charts.templates_path(settings.home)
    if path.exists():
        return
    service = Service(settings)
    try:
        _warm_charts(service)
    finally:
        service.close()
    charts.save_templates(path)


def _warm_pages(app: FastAPI) -> None:
    """Render each page kind once in both languages (Jinja2 compiles templates and macros on
    first use, tens to hundreds of milliseconds a page), so no visitor is the first."""
    from starlette.requests import Request

    from schouders.web.pages import compare, distribution, national, profile
    from schouders.web.render import Page

    service: Service = app.state.service
    renderer: Renderer = app.state.renderer
    renderer.compile_all()
    current = service.search(None, limit=2)
    if len(current) < 2:
        return
    codes = ",".join(match.gm_code for match in current)
    for lang in ("nl", "en"):
        home = service.profile(current[0].gm_code, lang=lang)
        side_by_side = service.compare(gemeenten=codes, lang=lang)
        country = service.national(lang=lang)
        one = service.indicator("lasten_per_inwoner", lang=lang)
        pages = [
            ("/gemeente/" + current[0].gm_code,
             Page("profile.html", "", home, context={"specs": profile.specs(home, lang)})),
            ("/vergelijken", Page("compare.html", "", side_by_side,
                                  context={**compare.specs(side_by_side, lang), "invoer": ""})),
            ("/landelijk", Page("national.html", "", country, context={
                "class_charts": national.class_charts(country, lang),
                "spread_spec": distribution.specs(country.verdeling, lang)["spread"],
                "map_spec": None})),
            ("/indicator/lasten_per_inwoner", Page("indicator.html", "", one, context={
                "spec": distribution.specs(one.verdeling, lang)["spread"]})),
        ]
        for path, page in pages:
            request = Request({"type": "http", "method": "GET", "path": path,
                               "query_string": b"", "headers": [], "app": app})
            renderer.html(request, page, lang)


def _warm_charts(service: Service) -> None:
    """Build each chart shape once (Altair takes tens of ms per shape; requests only fill in
    data), in both languages, so no first visitor pays for it: every page kind, and every
    indicator's unit and label on the pages that chart one indicator."""
    from schouders.web.pages import compare, distribution, national, profile

    names = service.search(None, limit=2)
    if len(names) < 2:
        return
    codes = ",".join(match.gm_code for match in names)
    map_years = service.national().kaartjaren
    for lang in ("nl", "en"):
        profile.specs(service.profile(names[0].gm_code, lang=lang), lang)
        page = service.national(lang=lang)
        national.class_charts(page, lang)
        units_seen: set[str] = set()
        for item in service.indicators(lang):
            compare.specs(service.compare(gemeenten=codes, indicator=item.code, lang=lang),
                          lang)
            distribution.specs(service.indicator(item.code, lang=lang).verdeling, lang)
            if map_years and item.eenheid not in units_seen:
                units_seen.add(item.eenheid)
                spread = service.national(indicator=item.code, jaar=map_years[-1],
                                          document="begroting", lang=lang).verdeling
                distribution.specs(spread, lang, service.boundaries)


def _mount_instruments(app: FastAPI, settings: Settings) -> None:
    """Mount the instruments (APK, visitatie) under /instrumenten; their database is opened and
    migrated here, so a broken database stops the app with its own message."""
    from schouders.instruments import create_instruments_router

    app.include_router(create_instruments_router(settings), prefix="/instrumenten")


def static_url_builder() -> Callable[[str], str]:
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
