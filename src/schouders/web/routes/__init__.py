"""HTTP routes: one module per page (HTML + JSON/CSV twins) and the documented REST API."""

from __future__ import annotations

from fastapi import FastAPI, Request


def register_routes(app: FastAPI) -> None:
    from schouders.web.routes import (
        about,
        api,
        api_docs,
        compare,
        health,
        indicator,
        national,
        profile,
        start,
    )

    for module in (health, api, api_docs, start, profile, compare, national, indicator, about):
        app.include_router(module.router)


async def rate_limited(request: Request) -> None:
    """Dependency for costly routes: the app's per-client token bucket."""
    request.app.state.limiter(request)
