"""``/api``: the REST API documented as a plain, accessible page built from the OpenAPI spec.

No Swagger UI: it would need a CDN or a large vendored bundle and inline scripts. The machine-
readable spec is at /api/openapi.json.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from schouders.web.render import Page, respond

router = APIRouter(include_in_schema=False)


@router.get("/api")
@router.get("/api/docs")
async def api_docs(request: Request) -> Response:
    spec = request.app.openapi()

    def build() -> Page:
        endpoints = describe(spec)
        return Page("api.html", "API", {"openapi": "/api/openapi.json", "endpoints": endpoints},
                    context={"endpoints": endpoints, "info": spec.get("info", {})},
                    twins=False)

    return await respond(request, build, cache_key="api-docs", params={})


def describe(spec: dict[str, Any]) -> list[dict[str, Any]]:
    endpoints = []
    for path, methods in spec.get("paths", {}).items():
        for method, operation in methods.items():
            params = []
            example_query = {}
            example_path = path
            for param in operation.get("parameters", []):
                schema = param.get("schema", {})
                example = param.get("example")
                if example is None and param.get("examples"):
                    first = next(iter(param["examples"].values()))
                    example = first.get("value") if isinstance(first, dict) else first
                if example is None and schema.get("examples"):
                    example = schema["examples"][0]
                params.append({
                    "naam": param["name"], "in": param["in"],
                    "verplicht": param.get("required", False),
                    "type": _type(schema), "uitleg": param.get("description")
                    or schema.get("description", ""), "voorbeeld": example,
                })
                if example is not None:
                    if param["in"] == "path":
                        example_path = example_path.replace("{" + param["name"] + "}",
                                                            str(example))
                    elif param.get("required"):
                        example_query[param["name"]] = example
            url = example_path + (f"?{urlencode(example_query)}" if example_query else "")
            endpoints.append({
                "methode": method.upper(), "pad": path, "samenvatting": operation.get("summary"),
                "tags": operation.get("tags", []), "parameters": params, "voorbeeld": url,
                "antwoorden": sorted(operation.get("responses", {})),
            })
    return endpoints


def _type(schema: dict[str, Any]) -> str:
    if "anyOf" in schema:
        return " | ".join(_type(part) for part in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(str(value) for value in schema["enum"])
    return str(schema.get("type", "?"))
