"""Run the web app with uvicorn: ``schouders serve`` calls :func:`serve`.

Several worker processes share nothing but the read-only warehouse file; each builds its own app
from the environment (``SCHOUDERS_HOME`` / ``SCHOUDERS_DATA_DIR``) through :func:`app_factory`.
"""

from __future__ import annotations

import os

import uvicorn
from fastapi import FastAPI

from schouders.config import Settings, load_settings

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def default_workers() -> int:
    return min(4, 2 * (os.cpu_count() or 1))


def app_factory() -> FastAPI:
    """Uvicorn factory (``--factory``): one app per worker process, settings from the env."""
    from schouders.web.app import create_app

    return create_app(load_settings(), freeze_gc=True)


def serve(
    settings: Settings,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    workers: int | None = None,
    *,
    log_level: str = "info",
) -> None:
    """Serve Schouders on ``host:port`` with ``workers`` processes (default min(4, 2 × CPUs))."""
    os.environ["SCHOUDERS_HOME"] = str(settings.home)
    if settings.data_dir is not None:
        os.environ["SCHOUDERS_DATA_DIR"] = str(settings.data_dir)
    workers = workers or default_workers()
    _prepare(settings)
    uvicorn.run(
        "schouders.web.server:app_factory",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        proxy_headers=False,
        server_header=False,
        date_header=True,
        access_log=False,
    )


def _prepare(settings: Settings) -> None:
    """Work done once, before the workers start: migrate the instruments database (so workers
    never race on a schema upgrade) and refresh the indicator engine's cache (when there is a
    warehouse; without one the pages say how to build it)."""
    from schouders.instruments.web.runtime import create_runtime

    create_runtime(settings).close()
    if not settings.warehouse_path.exists():
        return
    from schouders.web.service.engine import ensure_engine_cache

    ensure_engine_cache(settings)
