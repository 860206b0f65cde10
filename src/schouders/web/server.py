"""Run the web app with uvicorn: ``schouders serve`` calls :func:`serve`.

Several worker processes share nothing but the read-only files in ``SCHOUDERS_HOME`` (warehouse,
engine cache, precomputed service tables, chart templates); each builds its own app from the
environment through :func:`app_factory`.
"""

from __future__ import annotations

import os
import socket
from typing import TypedDict

import uvicorn
from fastapi import FastAPI
from uvicorn.supervisors import Multiprocess

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
    forwarded_allow_ips: str | None = None,
) -> None:
    """Serve Schouders on ``host:port`` with ``workers`` processes (default min(4, 2 × CPUs)).
    ``forwarded_allow_ips`` (or SCHOUDERS_FORWARDED_ALLOW_IPS): see :func:`proxy_options`."""
    os.environ["SCHOUDERS_HOME"] = str(settings.home)  # the workers read only the warehouse
    workers = workers or default_workers()
    _prepare(settings)
    config = TcpNoDelayConfig(
        "schouders.web.server:app_factory",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        **proxy_options(forwarded_allow_ips),
        server_header=False,
        date_header=True,
        access_log=False,
    )
    if workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
        return
    server = uvicorn.Server(config)
    server.run()
    if not server.started:
        raise SystemExit(3)  # uvicorn's STARTUP_FAILURE; it has logged why


class ProxyOptions(TypedDict, total=False):
    proxy_headers: bool
    forwarded_allow_ips: str


def proxy_options(forwarded_allow_ips: str | None = None) -> ProxyOptions:
    """Uvicorn's proxy settings. By default no proxy is trusted: X-Forwarded-For is ignored, so a
    client cannot pick the address that login throttling counts. Behind a reverse proxy, name its
    address(es) (comma-separated, or CIDR ranges; ``--forwarded-allow-ips`` or
    SCHOUDERS_FORWARDED_ALLOW_IPS): then the client address is the one that proxy reports, and
    users no longer share the proxy's address."""
    value = forwarded_allow_ips
    if value is None:
        value = os.environ.get("SCHOUDERS_FORWARDED_ALLOW_IPS", "")
    value = value.strip()
    if not value:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": value}


class TcpNoDelayConfig(uvicorn.Config):
    """uvicorn's config with a listening socket that says it is TCP.

    With several workers uvicorn binds the socket itself and leaves its ``proto`` at 0; asyncio
    then skips TCP_NODELAY on accepted connections, and every keep-alive response waits ~40 ms on
    the client's delayed ACK (uvicorn issue #3149). Declaring IPPROTO_TCP restores TCP_NODELAY.
    """

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family not in (socket.AF_INET, socket.AF_INET6) or sock.proto:
            return sock
        tcp = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
        tcp.set_inheritable(True)
        return tcp


def _prepare(settings: Settings) -> None:
    """Work done once, before the workers start: migrate the instruments database (so workers
    never race on a schema upgrade) and refresh the indicator engine's cache and the service's
    precomputed tables (when there is a warehouse; without one the pages say how to build it)."""
    from schouders.instruments.web.runtime import create_runtime

    create_runtime(settings).close()
    if not settings.warehouse_path.exists():
        return
    from schouders.service.precompute import ensure_service_tables
    from schouders.web.app import build_chart_templates

    ensure_service_tables(settings)
    build_chart_templates(settings)
