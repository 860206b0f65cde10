"""Plausibility checks on everything a build gathered, before anything is written.

Row counts alone cannot prove a download or file complete: some CBS collections come without a
count, and a snapshot file can be truncated at a line boundary. So the parts are checked
against each other:

* every municipality in the municipalities-per-year list, the Iv3 deliveries and the population
  exists in the municipal code list (a code list cut short fails here);
* every year in the population's period has a figure for each of its municipalities, and the
  years of municipalities are covered (a truncated or header-only population source fails);
* values are in range: inhabitants a whole number between 1 and 2 million, price indices
  positive and finite.

A failure raises a ``SchoudersError`` naming the source (file or URL) and the first offending
municipality/year; the existing warehouse is left as it was.
"""

from __future__ import annotations

import math

import pandas as pd

from schouders.errors import SchoudersError
from schouders.sources.provenance import Provenance
from schouders.warehouse.loaded import LoadedData

MAX_INHABITANTS = 2_000_000
KEEP = "Het bestaande warehouse is niet gewijzigd."


def _where(provenance: list[Provenance], onderdeel: str) -> str:
    places = [p.locatie for p in provenance if p.onderdeel == onderdeel]
    return places[0] if places else onderdeel


def _hint(live: bool) -> str:
    if live:
        return ("De download is waarschijnlijk onvolledig of de bron is gewijzigd; probeer "
                "'schouders build' later opnieuw. " + KEEP)
    return ("Controleer of het bestand volledig is (vergelijk met de bron in SOURCES.md) of "
            "gebruik een complete snapshotmap. " + KEEP)


def check_plausible(data: LoadedData, *, live: bool) -> None:
    hint = _hint(live)
    known = set(data.regions["gm_code"])
    code_list = _where(data.provenance, "gemeente")
    for what, frame, onderdeel in (
        ("de gemeenten per jaar", data.municipalities_per_year, "gemeente_jaar"),
        ("de Iv3-leveringen", data.iv3.levering, "iv3_fact"),
        ("de bevolking", data.population, "bevolking"),
    ):
        unknown = sorted(set(frame["gm_code"]) - known)
        if unknown:
            raise SchoudersError(
                f"De gemeentecodelijst ({code_list}, {len(known)} codes) is onvolledig: "
                f"{len(unknown)} gemeente(n) uit {what} ({_where(data.provenance, onderdeel)}) "
                f"staan er niet in, bijv. {', '.join(unknown[:3])}.", hint)
    _check_years(data, hint)
    _check_population(data, hint, live=live)
    _check_prices(data, hint)


def _check_years(data: LoadedData, hint: str) -> None:
    """Deliveries and population of a year belong to municipalities of that year's list (a
    truncated list of municipalities per year fails here)."""
    listed = data.municipalities_per_year[["gm_code", "jaar"]].astype({"jaar": "int64"})
    years = set(listed["jaar"])
    where = _where(data.provenance, "gemeente_jaar")
    for what, frame, onderdeel in (("Iv3-leveringen", data.iv3.levering, "iv3_fact"),
                                   ("inwoners", data.population, "bevolking")):
        pairs = frame[["gm_code", "jaar"]].astype({"jaar": "int64"})
        pairs = pairs[pairs["jaar"].isin(years)].drop_duplicates()
        extra = pairs.merge(listed, how="left", indicator=True)
        extra = extra[extra["_merge"] == "left_only"]
        if len(extra):
            first = extra.sort_values(["jaar", "gm_code"]).iloc[0]
            count = int((extra["jaar"] == first["jaar"]).sum())
            raise SchoudersError(
                f"De lijst van gemeenten per jaar ({where}) is onvolledig: voor "
                f"{int(first['jaar'])} hebben {count} gemeente(n) {what} "
                f"({_where(data.provenance, onderdeel)}) maar staan ze niet in de lijst "
                f"(bijv. {first['gm_code']}).", hint)


def _check_population(data: LoadedData, hint: str, *, live: bool) -> None:
    where = _where(data.provenance, "bevolking")
    population = data.population
    if population.empty:
        raise SchoudersError(f"De bevolkingsbron ({where}) bevat geen enkele rij.", hint)
    values = pd.to_numeric(population["inwoners"], errors="coerce")
    bad = values.isna() | (values < 1) | (values > MAX_INHABITANTS) | (values % 1 != 0)
    if bad.any():
        row = population[bad].iloc[0]
        raise SchoudersError(
            f"Onmogelijk aantal inwoners in {where}: {row['inwoners']!r} voor {row['gm_code']} "
            f"in {int(row['jaar'])} (verwacht een geheel getal van 1 tot "
            f"{MAX_INHABITANTS:,}).".replace(",", "."), hint)
    duplicated = population.duplicated(["gm_code", "jaar"])
    if duplicated.any():
        row = population[duplicated].iloc[0]
        raise SchoudersError(f"{where}: twee bevolkingscijfers voor {row['gm_code']} in "
                             f"{int(row['jaar'])}.", hint)
    expected = data.municipalities_per_year.groupby("jaar")["gm_code"].apply(set)
    present = population.groupby("jaar")["gm_code"].apply(set)
    first, last = int(present.index.min()), int(present.index.max())
    for jaar, codes in expected.items():
        year = int(jaar)
        have = present.get(jaar, set())
        missing = sorted(codes - have)
        if not missing:
            continue
        outside = year < first or year > last
        if outside and (live and (year < first or year == last + 1)):
            continue  # the live slice starts later; next year's budget precedes its population
        raise SchoudersError(
            f"De bevolkingsbron ({where}) is onvolledig: voor {year} ontbreken "
            f"{len(missing)} van de {len(codes)} gemeenten (bijv. {', '.join(missing[:3])}).",
            hint)


def _check_prices(data: LoadedData, hint: str) -> None:
    for reeks, group in data.prices.groupby("reeks"):
        values = pd.to_numeric(group["waarde"], errors="coerce")
        bad = ~values.map(lambda v: isinstance(v, float) and math.isfinite(v) and v > 0)
        if group.empty or bad.any():
            row = group[bad].iloc[0] if bad.any() else None
            raise SchoudersError(
                f"Onmogelijke prijsindex {reeks}: {row['waarde'] if row is not None else 'geen'} "
                f"voor {int(row['jaar']) if row is not None else '-'} "
                f"({_where(data.provenance, 'prijsindex')}).", hint)
    for reeks in ("cpi", "overheidsconsumptie"):
        if reeks not in set(data.prices["reeks"]):
            raise SchoudersError(f"De prijsindex {reeks} ontbreekt "
                                 f"({_where(data.provenance, 'prijsindex')}).", hint)
