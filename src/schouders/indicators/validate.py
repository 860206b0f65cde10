"""Check a catalogue against the warehouse: official codes per year, and keys that hold data.

The aggregated Iv3 snapshot only holds some (taakveld, categorie, kant) combinations (per-taakveld
lasten only with categorie '*', for example); a formula over a combination that never occurs
would silently compute zeros, so it is refused with an explanation.
"""

from __future__ import annotations

import duckdb

from schouders.errors import SchoudersError
from schouders.indicators.catalogue import Catalogue, Indicator, Key
from schouders.indicators.domains import NOT_SPENDING
from schouders.indicators.sources import Sources, relation

SPECIAL_CATEGORIES = ("*", "1.1+3.5.1")
IGNORED_TAAKVELDEN = ("Tot_TV",)


def validate_catalogue(
    con: duckdb.DuckDBPyConnection, catalogue: Catalogue, sources: Sources,
    indicators: list[Indicator] | None = None,
) -> list[int]:
    """Raise SchoudersError for the first problem; return the years that were checked."""
    sources.check(con)
    indicators = list(catalogue.indicators.values()) if indicators is None else indicators
    years = [row[0] for row in con.execute(
        f"SELECT DISTINCT jaar FROM {relation(sources.facts)} ORDER BY jaar").fetchall()]
    if not years:
        raise SchoudersError(f"De feitenbron {sources.facts} is leeg.",
                             "Bouw het warehouse met 'schouders build'.")
    codes = con.execute(
        f"SELECT jaar, codelijst, code FROM {relation(sources.codes)} "
        "WHERE codelijst IN ('taakveld', 'categorie_lasten', 'categorie_baten')").fetchall()
    taakvelden: dict[int, set[str]] = {year: set() for year in years}
    categories: set[str] = set()
    for jaar, codelijst, code in codes:
        if codelijst == "taakveld" and jaar in taakvelden:
            taakvelden[jaar].add(code)
        elif codelijst != "taakveld":
            categories.add(code)
    missing_lists = [year for year, listed in taakvelden.items() if not listed]
    if missing_lists:
        raise SchoudersError(
            f"Geen officiële taakveldenlijst (iv3_code) voor {', '.join(map(str, missing_lists))}.",
            "Bouw het warehouse opnieuw; de codelijsten komen uit cbs_iv3_definities.")
    available = {Key(*row) for row in con.execute(
        f"SELECT DISTINCT taakveld, categorie, kant FROM {relation(sources.facts)}").fetchall()}
    for indicator in indicators:
        for key in sorted(indicator.formule.keys):
            _check_taakveld(indicator, key, taakvelden)
            _check_categorie(indicator, key, categories)
            if key not in available:
                raise SchoudersError(
                    f"Indicator '{indicator.code}': de combinatie taakveld {key.taakveld}, "
                    f"categorie {key.categorie}, {key.kant} komt in geen enkel jaar voor in de "
                    "Iv3-gegevens.",
                    "Per taakveld bevat het warehouse alleen de totale lasten (categorie '*'); "
                    "categorieën zijn er voor alle taakvelden samen ('*') en per hoofdtaakveld.")
    _check_domain_coverage(catalogue, taakvelden)
    return years


def _official(code: str, listed: set[str]) -> bool:
    if code == "*":
        return True
    if code.isdigit():
        return f"{code}." in listed
    return code in listed or any(item.startswith(code) for item in listed)


def _check_taakveld(indicator: Indicator, key: Key, taakvelden: dict[int, set[str]]) -> None:
    absent = [year for year, listed in taakvelden.items() if not _official(key.taakveld, listed)]
    if not absent:
        return
    present = [year for year in taakvelden if year not in absent]
    span = _span(absent)
    detail = (f"; het bestaat wel in {_span(present)}" if present else "")
    raise SchoudersError(
        f"Indicator '{indicator.code}' verwijst naar taakveld {key.taakveld}, dat niet in de "
        f"officiële Iv3-taakveldenlijst van {span} staat{detail}.",
        "Controleer de code in catalogue.toml tegen de codelijst (iv3_code) van die jaren.")


def _check_categorie(indicator: Indicator, key: Key, categories: set[str]) -> None:
    code = key.categorie
    if code in SPECIAL_CATEGORIES or (code.isdigit() and 1 <= int(code) <= 7):
        return
    if code not in categories:
        raise SchoudersError(
            f"Indicator '{indicator.code}' verwijst naar categorie {code}, die niet in de "
            "officiële Iv3-categorieënlijst staat.",
            "Gebruik '*', een hoofdcategorie ('1'..'7') of een code als 1.1, 3.5.1 of 4.3.3.")


def _check_domain_coverage(catalogue: Catalogue, taakvelden: dict[int, set[str]]) -> None:
    domains = catalogue.domains
    for year, listed in sorted(taakvelden.items()):
        for code in sorted(listed):
            if code.endswith(".") or code in NOT_SPENDING or code in IGNORED_TAAKVELDEN:
                continue
            owners = domains.domain_of(code)
            if len(owners) != 1:
                problem = "in geen enkel domein" if not owners else (
                    "in meer dan één domein (" + ", ".join(owners) + ")")
                raise SchoudersError(
                    f"Taakveld {code} ({year}) valt {problem} van {domains.source}.",
                    "Elk taakveld moet in precies één domein vallen, zodat de domeinen samen "
                    "de totale lasten vormen.")


def _span(years: list[int]) -> str:
    if not years:
        return "–"
    if len(years) == 1:
        return str(years[0])
    if years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}"
    return ", ".join(map(str, years))
