"""``/instrumenten/api/docs``: the instruments' JSON API as a plain page, built from the OpenAPI
description of the app (only the paths under ``/instrumenten/api/``), like the monitor's ``/api``
page; the machine-readable part is ``/instrumenten/api/openapi.json``. No Swagger UI (it needs
inline scripts or a CDN, which the Content-Security-Policy forbids)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from schouders.instruments.web.page import Page
from schouders.instruments.web.runtime import InstrumentsRuntime


def instruments_spec(request: Request) -> dict[str, Any]:
    spec = request.app.openapi()
    prefix = str(request.url_for("instr_api_session").path).rsplit("/api/", 1)[0] + "/api/"
    paths = {path: item for path, item in spec.get("paths", {}).items()
             if path.startswith(prefix)}
    return {**spec, "paths": paths,
            "info": {**spec.get("info", {}), "title": "Schouders: instrumenten (JSON-API)"}}


def describe(spec: dict[str, Any]) -> list[dict[str, Any]]:
    endpoints = []
    for path, methods in sorted(spec.get("paths", {}).items()):
        for method, operation in methods.items():
            if not isinstance(operation, dict):
                continue
            description = (operation.get("description") or "").strip()
            endpoints.append({
                "method": method.upper(), "path": path,
                "description": description,
                "parameters": [
                    {"name": p.get("name"), "in": p.get("in"), "required": p.get("required", False)}
                    for p in operation.get("parameters", [])
                ],
                "body": "requestBody" in operation,
                "responses": sorted(operation.get("responses", {})),
            })
    return endpoints


def build(rt: InstrumentsRuntime, router: APIRouter) -> None:
    @router.get("/api/openapi.json", name="instr_api_openapi", include_in_schema=False)
    def openapi(request: Request) -> JSONResponse:
        return JSONResponse(instruments_spec(request))

    @router.get("/api/docs", name="instr_api_docs", include_in_schema=False)
    def docs(request: Request) -> Response:
        page = Page(rt, request)
        return page.render("api_docs.html", {"endpoints": describe(instruments_spec(request)),
                                             "openapi": page.path("instr_api_openapi")})
