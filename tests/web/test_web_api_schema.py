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


REAL_EXAMPLES = 50


@pytest.mark.slow
def test_api_never_fails_on_real_codes(api_schema, app: FastAPI) -> None:
    """The same checks with values from the real code lists, so the generated requests reach
    real municipalities, indicators, years, documents and peer groups (not only 404s/400s)."""
    from hypothesis import strategies as st

    con = app.state.service.state.cursor()
    gm_codes = [row[0] for row in con.execute("SELECT gm_code FROM gemeente ORDER BY 1").fetchall()]
    years = [row[0] for row in con.execute(
        "SELECT DISTINCT jaar FROM iv3_levering ORDER BY 1").fetchall()]
    indicators = [item.code for item in app.state.service.indicators()]
    real = st.fixed_dictionaries({
        "gm_code": st.sampled_from(gm_codes), "code": st.sampled_from(indicators),
        "jaar": st.sampled_from(years), "document": st.sampled_from(["begroting",
                                                                      "jaarrekening"]),
        "peers": st.sampled_from(["auto", "grootteklasse", "provincie", "knn", "alle", "G4",
                                  "casusgemeenten 2020"]),
        "gemeenten": st.lists(st.sampled_from(gm_codes), min_size=1, max_size=10).map(
            ",".join),
        "indicator": st.sampled_from(indicators), "prijzen": st.sampled_from(["nominaal",
                                                                               "reeel"]),
        "keep": st.sets(st.sampled_from(["jaar", "document", "peers", "prijzen", "indicator",
                                         "gemeenten"]))})
    checks = [not_a_server_error, status_code_conformance, content_type_conformance,
              response_schema_conformance]
    statuses: dict[int, int] = {}
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith("/api/"):
            continue

        @given(case=operation.as_strategy(), values=real)
        @settings(max_examples=REAL_EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case, values) -> None:
            for name in ("gm_code", "code"):
                if case.path_parameters and name in case.path_parameters:
                    case.path_parameters[name] = values[name]
            if case.query is not None:
                for name in values["keep"]:
                    if name in case.query:
                        case.query[name] = values[name]
            response = case.call_and_validate(checks=checks)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        run()
    assert statuses.get(200, 0) > 100, statuses  # the real codes reach real answers
    assert not [code for code in statuses if code >= 500], statuses
