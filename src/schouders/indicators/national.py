"""The national picture: year-on-year change of lasten, total and physical domain, next to
prices (the analysis of Figure 7 in 'Het kraakt en het piept in het fysiek domein', 2020).

Only municipalities present in both years of a pair are compared. By default the series are on
the boundaries of one reference year (schouders.warehouse.harmonise): merged municipalities are
summed over their predecessors in every year, so a merger is not a change in spending.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from schouders.errors import SchoudersError
from schouders.indicators.catalogue import Catalogue
from schouders.indicators.peers import SIZE_CLASSES, size_class
from schouders.indicators.sources import Sources, relation
from schouders.indicators.sqlgen import values_query
from schouders.warehouse.harmonise import register_harmonised

TOTAL = "lasten_totaal"
PHYSICAL = "lasten_fysiek"
ALL = "Alle gemeenten"
FIRST_YEAR = 2018
BASE_COLUMNS = ["document", "jaar", "groep", "volgorde", "gemeenten", "lasten_vorig", "lasten",
                "fysiek_vorig", "fysiek", "peiljaar"]


def national_base(
    con: duckdb.DuckDBPyConnection, catalogue: Catalogue, *, peiljaar: int | None = None,
    harmonised: bool = True,
) -> pd.DataFrame:
    """Sums per document, year and group over municipalities present in both years (x1000 EUR).

    ``con`` is a warehouse connection (read-only is fine: harmonisation uses temporary tables).
    """
    if harmonised:
        reference = register_harmonised(con, peiljaar)
        sources = Sources.harmonised()
    else:
        reference = None
        sources = Sources()
    query = values_query([catalogue.get(TOTAL), catalogue.get(PHYSICAL)], sources)
    pairs = con.execute(
        f"""
        WITH waarde AS ({query.sql}),
        w AS (
            SELECT gm_code, jaar, document,
                   max(teller) FILTER (WHERE indicator = ?) AS lasten,
                   max(teller) FILTER (WHERE indicator = ?) AS fysiek
            FROM waarde GROUP BY ALL
        )
        SELECT c.document, c.jaar, c.gm_code, p.lasten AS lasten_vorig, c.lasten,
               p.fysiek AS fysiek_vorig, c.fysiek, b.inwoners::DOUBLE AS inwoners
        FROM w c
        JOIN w p ON p.gm_code = c.gm_code AND p.document = c.document AND p.jaar = c.jaar - 1
        LEFT JOIN {relation(sources.population)} b ON b.gm_code = c.gm_code AND b.jaar = c.jaar
        WHERE c.lasten IS NOT NULL AND p.lasten IS NOT NULL AND c.jaar >= ?
        """,
        [*query.params, TOTAL, PHYSICAL, FIRST_YEAR],
    ).df()
    if pairs.empty:
        return pd.DataFrame(columns=BASE_COLUMNS)
    classes = pairs["inwoners"].map(lambda value: size_class(value) if value == value else None)
    pairs["volgorde"] = classes.map(lambda item: item[0] + 1 if item else None)
    pairs["groep"] = classes.map(lambda item: item[1] if item else "onbekende grootte")
    sums = ["lasten_vorig", "lasten", "fysiek_vorig", "fysiek"]
    total = pairs.groupby(["document", "jaar"], as_index=False).agg(
        gemeenten=("gm_code", "count"), **{column: (column, "sum") for column in sums})
    total["groep"], total["volgorde"] = ALL, 0
    per_class = pairs.groupby(["document", "jaar", "groep", "volgorde"], as_index=False).agg(
        gemeenten=("gm_code", "count"), **{column: (column, "sum") for column in sums})
    base = pd.concat([total, per_class], ignore_index=True)
    base["peiljaar"] = reference
    return base[BASE_COLUMNS].sort_values(["document", "jaar", "volgorde"]).reset_index(drop=True)


def national_picture(
    base: pd.DataFrame, prices: pd.DataFrame, *, document: str = "begroting",
    deflator: str = "cpi",
) -> pd.DataFrame:
    """Percent changes per year and group, nominal and real, with both price indices beside them.

    prices: reeks, jaar, waarde (the warehouse prijsindex table).
    """
    if deflator not in set(prices["reeks"]):
        raise SchoudersError(f"Onbekende deflator {deflator!r}.",
                             f"Kies uit: {', '.join(sorted(set(prices['reeks'])))}.")
    frame = base[base["document"] == document].copy()
    if frame.empty:
        raise SchoudersError(f"Geen landelijke cijfers voor document {document!r}.",
                             "Kies begroting of jaarrekening.")
    changes = {series: _yearly_change(prices, series) for series in sorted(set(prices["reeks"]))}
    frame["lasten_mutatie_pct"] = (frame["lasten"] / frame["lasten_vorig"] - 1) * 100
    frame["fysiek_mutatie_pct"] = (frame["fysiek"] / frame["fysiek_vorig"] - 1) * 100
    for series, change in changes.items():
        frame[f"{series}_pct"] = frame["jaar"].map(change)
    inflation = frame[f"{deflator}_pct"]
    for column in ("lasten", "fysiek"):
        nominal = frame[f"{column}_mutatie_pct"]
        frame[f"{column}_reeel_pct"] = ((1 + nominal / 100) / (1 + inflation / 100) - 1) * 100
    frame["opmerking"] = np.where(
        inflation.isna(), f"geen prijsindex '{deflator}' voor dit jaar of het jaar ervoor: "
        "reële mutatie onbekend", "")
    columns = ["jaar", "groep", "gemeenten", "lasten_mutatie_pct", "fysiek_mutatie_pct",
               "lasten_reeel_pct", "fysiek_reeel_pct", *[f"{s}_pct" for s in changes],
               "lasten_vorig", "lasten", "fysiek_vorig", "fysiek", "opmerking"]
    result = frame.sort_values(["jaar", "volgorde"])[columns].reset_index(drop=True)
    reference = base["peiljaar"].dropna()
    boundaries = (f"op de gemeentegrenzen van {int(reference.iloc[0])} (samengevoegde gemeenten "
                  "opgeteld over hun voorgangers)" if not reference.empty else
                  "op de gemeentegrenzen van elk jaar zelf (niet geharmoniseerd)")
    result.attrs["toelichting"] = (
        f"Mutatie van de lasten ({document}, zonder mutaties reserves en resultaat) ten opzichte "
        "van het jaar ervoor. Per jaarpaar zijn alleen gemeenten vergeleken die in beide jaren "
        f"cijfers leverden, {boundaries}. Reëel = nominaal gedeeld door de prijsstijging "
        f"({deflator}). Bedragen x €1.000. Grootteklasse naar het inwonertal in het jaar zelf.")
    result.attrs["grootteklassen"] = [label for _, _, label in SIZE_CLASSES]
    return result


def _yearly_change(prices: pd.DataFrame, series: str) -> dict[int, float]:
    values = prices[prices["reeks"] == series].set_index("jaar")["waarde"]
    return {int(year) + 1: (values[year + 1] / values[year] - 1) * 100
            for year in values.index if year + 1 in values.index}
