"""Errors that reach the user: each says what went wrong and what to do about it."""

from __future__ import annotations

from pathlib import Path


class SchoudersError(Exception):
    """An error with a message for the user and, where possible, a hint on what to do."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n{self.hint}"


class DataFileError(SchoudersError):
    """A source file is missing or does not have the expected content."""

    def __init__(
        self,
        path: Path | str,
        problem: str,
        *,
        location: str | None = None,
        expected: str | None = None,
        hint: str | None = None,
    ) -> None:
        where = f"{path}" + (f" ({location})" if location else "")
        message = f"{where}: {problem}" + (f"; verwacht: {expected}" if expected else "")
        super().__init__(message, hint)
        self.path = Path(path)
        self.problem = problem
        self.location = location
        self.expected = expected


class UnknownMunicipalityError(SchoudersError):
    """A municipality code or name that matches no municipality."""

    def __init__(self, query: str, suggestions: list[str]) -> None:
        hint = (
            "Bedoelde u: " + "; ".join(suggestions) + "?"
            if suggestions
            else "Gebruik een GM-code (bijv. GM0363) of een gemeentenaam."
        )
        super().__init__(f"Onbekende gemeente: {query!r}", hint)
        self.query = query
        self.suggestions = suggestions


class AmbiguousMunicipalityError(SchoudersError):
    """A name that matches several municipalities equally well (e.g. 'Bergen')."""

    def __init__(self, query: str, candidates: list[str]) -> None:
        super().__init__(
            f"'{query}' is niet eenduidig: " + "; ".join(candidates),
            "Kies er een door de GM-code of de volledige naam te gebruiken.",
        )
        self.query = query
        self.candidates = candidates


class DownloadError(SchoudersError):
    """A download from CBS could not be completed (never silently partial)."""
