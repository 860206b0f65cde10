"""The indicator catalogue as the web shows it (definitions come from schouders.indicators)."""

from __future__ import annotations

from dataclasses import dataclass

from schouders.web.state import WebState

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
EURO_UNITS = ("EUR", "EUR/inw")
DIRECTION_TEXT = {
    "hoger_beter": "hoger is beter",
    "lager_beter": "lager is beter",
    "neutraal": "geen voorkeursrichting",
}


@dataclass(frozen=True)
class IndicatorInfo:
    code: str
    naam: str
    name: str
    beschrijving: str
    thema: str
    eenheid: str
    richting: str
    factor: str
    bronnen: tuple[str, ...]
    kanttekeningen: tuple[str, ...]
    bbv: bool
    formule: str
    soort: str

    @property
    def euro(self) -> bool:
        return self.eenheid in EURO_UNITS

    def label(self, lang: str) -> str:
        return self.name if lang == "en" and self.name else self.naam


def catalogue(web: WebState) -> dict[str, IndicatorInfo]:
    def compute() -> dict[str, IndicatorInfo]:
        from schouders.indicators.catalogue import describe_formula, load_catalogue

        loaded = load_catalogue()
        return {
            code: IndicatorInfo(
                code=code, naam=item.naam, name=item.name, beschrijving=item.beschrijving,
                thema=item.thema, eenheid=item.eenheid, richting=item.richting,
                factor=item.factor, bronnen=tuple(item.bronnen),
                kanttekeningen=tuple(item.kanttekeningen), bbv=bool(item.bbv),
                formule=describe_formula(item), soort=item.formule.soort,
            )
            for code, item in loaded.indicators.items()
        }

    return web.cached("catalogue", compute)


def domains(web: WebState) -> dict[str, tuple[str, str, str]]:
    """Domain code -> (naam, name, beschrijving)."""

    def compute() -> dict[str, tuple[str, str, str]]:
        from schouders.indicators.domains import load_domains

        return {code: (d.naam, d.name, d.beschrijving)
                for code, d in load_domains().domains.items()}

    return web.cached("domains", compute)


def headline(web: WebState) -> list[IndicatorInfo]:
    known = catalogue(web)
    return [known[code] for code in HEADLINE if code in known]
