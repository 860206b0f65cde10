"""Validated choices that every data page shares (year, document, peers, reference year)."""

from __future__ import annotations

from dataclasses import dataclass

from schouders.errors import SchoudersError
from schouders.service.panel import DOCUMENTS, Panel
from schouders.service.peers import DEFAULT_GROUP, group_codes
from schouders.service.provenance import provenance
from schouders.service.state import WebState


@dataclass(frozen=True)
class Choices:
    jaar: int
    document: str
    peers: str
    peiljaar: int | None
    reeel: bool

    def query(self, **override: object) -> str:
        """Query string that carries all state (for deep links)."""
        from urllib.parse import urlencode

        values: dict[str, object] = {"jaar": self.jaar, "document": self.document,
                                     "peers": self.peers}
        if self.peiljaar is not None:
            values["peiljaar"] = self.peiljaar
        if self.reeel:
            values["prijzen"] = "reeel"
        values.update(override)
        return urlencode({k: v for k, v in values.items() if v is not None})


def check_peiljaar(web: WebState, peiljaar: int | None) -> int | None:
    """A reference year must be a year with a municipal division in the warehouse."""
    years = provenance(web).years
    if peiljaar is not None and peiljaar not in years:
        raise SchoudersError(f"Geen gemeentelijke indeling voor peiljaar {peiljaar}.",
                             f"Kies een peiljaar tussen {years[0]} en {years[-1]}.")
    return peiljaar


def years_with_data(panel: Panel, document: str) -> list[int]:
    return panel.years_of(document)


def default_year(panel: Panel, document: str) -> int:
    years = years_with_data(panel, document) or panel.years
    if not years:
        raise SchoudersError("Het warehouse bevat nog geen Iv3-cijfers.",
                             "Bouw het opnieuw met 'schouders build'.")
    return years[-1]


def validate(
    web: WebState, panel: Panel, *, jaar: int | None, document: str | None,
    peers: str | None, peiljaar: int | None, prijzen: str | None,
) -> Choices:
    document = document or "jaarrekening"
    if document not in DOCUMENTS:
        raise SchoudersError(f"Onbekend document {document[:30]!r}.",
                             "Kies begroting of jaarrekening.")
    valid_years = years_with_data(panel, document)
    if jaar is None:
        jaar = default_year(panel, document)
    elif jaar not in valid_years:
        span = f"{valid_years[0]}–{valid_years[-1]}" if valid_years else "geen"
        raise SchoudersError(f"Geen {document} voor het jaar {jaar}.",
                             f"Kies een jaar met cijfers ({span}).")
    peers = peers or DEFAULT_GROUP
    if peers not in group_codes(web):
        raise SchoudersError(f"Onbekende vergelijkingsgroep {peers[:40]!r}.",
                             "Kies een groep uit de lijst: " + ", ".join(group_codes(web)) + ".")
    if prijzen not in (None, "nominaal", "reeel"):
        raise SchoudersError("Prijzen moet 'nominaal' of 'reeel' zijn.")
    return Choices(jaar, document, peers, peiljaar, prijzen == "reeel")
