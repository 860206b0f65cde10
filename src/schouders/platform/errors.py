"""Input errors, one message per form field (shown next to the field, or as ``velden`` in JSON)."""

from __future__ import annotations

from schouders.errors import SchoudersError


class FieldErrors(SchoudersError):
    """Input errors, one message per form field."""

    status_code = 400

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("Controleer de gemarkeerde velden.", "; ".join(errors.values()))
        self.errors = errors
