"""The instruments' JSON API documents its error answers in OpenAPI (issue "Hardening" item 17):
every operation names 400, 401, 403 and 404 with the shared error body."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_every_api_operation_documents_its_errors(app) -> None:
    with TestClient(app) as client:
        spec = client.get("/api/openapi.json").json()
    operations = [(path, method, operation) for path, methods in spec["paths"].items()
                  if "/api/" in path for method, operation in methods.items()]
    assert len(operations) >= 8
    for path, method, operation in operations:
        responses = operation["responses"]
        for code in ("400", "401", "403", "404"):
            assert code in responses, (method, path, code)
            schema = responses[code]["content"]["application/json"]["schema"]
            assert schema["$ref"].endswith("/ErrorBody"), (method, path, code)


def test_unknown_api_path_answers_json(app) -> None:
    with TestClient(app) as client:
        missing = client.get("/instrumenten/api/bestaat-niet")
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/json")
        assert missing.json()["status"] == 404
