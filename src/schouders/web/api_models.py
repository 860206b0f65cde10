"""Error responses of the REST API in OpenAPI (the page models live in schouders.service)."""

from __future__ import annotations

from typing import Any

from schouders.service.models import ErrorBody

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Ongeldige keuze (bijv. een jaar zonder cijfers)"},
    404: {"model": ErrorBody, "description": "Onbekende gemeente of indicator, met suggesties"},
    422: {"model": ErrorBody, "description": "Ongeldige parameter"},
    429: {"model": ErrorBody, "description": "Te veel verzoeken"},
    503: {"model": ErrorBody, "description": "Nog geen warehouse: draai 'schouders build'"},
}
