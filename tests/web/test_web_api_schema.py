"""The REST API against its own OpenAPI description (schemathesis): no 500 on any generated
input, documented status codes and content types, and bodies that match the response schemas.
Kept bounded: a handful of examples per operation."""

from __future__ import annotations

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

MAX_EXAMPLES = 8


@pytest.fixture(scope="session")
def api_schema(app: FastAPI):
    return schemathesis.openapi.from_asgi("/api/openapi.json", app)


def test_every_operation_is_documented_with_examples(api_schema) -> None:
    raw = api_schema.raw_schema
    assert raw["info"]["title"] == "Schouders API"
    for path, methods in raw["paths"].items():
        if not path.startswith("/api/"):
            continue
        for operation in methods.values():
            assert operation.get("summary"), path
            assert "200" in operation["responses"], path
    params = raw["paths"]["/api/gemeenten/{gm_code}"]["get"]["parameters"]
    assert all(p.get("description") or p["schema"].get("description") for p in params)
    assert any("example" in p or "examples" in p or "examples" in p["schema"] for p in params)


def test_api_never_fails(api_schema) -> None:
    checks = [not_a_server_error, status_code_conformance, content_type_conformance,
              response_schema_conformance]
    tested = []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith(("/api/", "/health")):
            continue  # other packages' routers (e.g. /instrumenten) test themselves

        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case) -> None:
            case.call_and_validate(checks=checks)

        run()
        tested.append(operation.label)
    assert len(tested) >= 7
