"""The engine's indicator catalogue (schouders.indicators.catalogue) as the pages use it.

No copy of the definitions: the entries are the engine's own :class:`Indicator` objects, read
once per process; this module only adds which of them a profile shows and in what order.
"""

from __future__ import annotations

from schouders.indicators.catalogue import Catalogue, Indicator, describe_formula
from schouders.service.state import WebState

# Headline indicators of the profile, in this order (codes from the catalogue; unknown codes are
# skipped, so the catalogue can evolve without breaking the page).
HEADLINE = (
    "lasten_per_inwoner",
    "lasten_per_inwoner_fysiek",
    "lasten_per_inwoner_sociaal",
    "apparaatskosten_per_inwoner",
    "overhead_pct",
    "inhuur_pct",
    "personeelslasten_pct",
    "verbonden_partijen_pct",
    "gemeentefonds_pct",
    "eigen_inkomsten_pct",
    "netto_reserve_onttrekking_pct",
    "solvabiliteit_pct",
    "realisatie_lasten_pct",
)
DOMAIN_TRENDS = (
    ("lasten_per_inwoner_fysiek", "fysiek"),
    ("lasten_per_inwoner_sociaal", "sociaal"),
    ("lasten_per_inwoner_bestuur", "bestuur_ondersteuning"),
    ("lasten_per_inwoner_overig", "overig"),
)


def engine_catalogue(web: WebState) -> Catalogue:
    from schouders.indicators.context import definitions

    return web.cached("engine-catalogue", lambda: definitions().catalogue)


def catalogue(web: WebState) -> dict[str, Indicator]:
    return engine_catalogue(web).indicators


def label(indicator: Indicator, lang: str) -> str:
    return indicator.name if lang == "en" and indicator.name else indicator.naam


def formula_text(web: WebState, indicator: Indicator) -> str:
    return web.cached(("formula", indicator.code), lambda: describe_formula(indicator))


def domains(web: WebState) -> dict[str, tuple[str, str, str]]:
    """Domain code -> (naam, name, beschrijving)."""
    return {code: (d.naam, d.name, d.beschrijving)
            for code, d in engine_catalogue(web).domains.domains.items()}


def headline(web: WebState) -> list[Indicator]:
    known = catalogue(web)
    return [known[code] for code in HEADLINE if code in known]
