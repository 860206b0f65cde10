"""All indicator values of all municipalities, years and documents, held in memory per process.

Values come from the indicator engine (one DuckDB pass over the warehouse, ~1 s) and are kept as
wide slices per (jaar, document) so a profile or comparison is a few in-memory lookups. With a
reference year (peiljaar) the values are computed on harmonised boundaries instead.

Real euros: amounts (EUR, EUR/inw) are multiplied by CPI[basisjaar] / CPI[jaar] (CBS 86141NED,
basisjaar = latest CPI year); year-on-year growth is deflated the same way; other units are
unchanged. Years without a CPI figure have no real value (missing, not nominal).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from schouders.web.service.catalogue import IndicatorInfo, catalogue
from schouders.web.state import WebState

DOCUMENTS = ("begroting", "jaarrekening")


@dataclass
class Panel:
    values: pd.DataFrame  # indicator, gm_code, jaar, document, waarde, waarde_reeel
    cpi: dict[int, float]
    cpi_base_year: int | None
    peiljaar: int | None
    _slices: dict[tuple[int, str, bool], pd.DataFrame] = field(default_factory=dict)
    _by_gm: dict[bool, pd.DataFrame] = field(default_factory=dict)
    _series: dict[tuple[str, str, bool], pd.DataFrame] = field(default_factory=dict)

    _years: dict[str, list[int]] = field(default_factory=dict)

    @property
    def years(self) -> list[int]:
        return self.years_of(None)

    def years_of(self, document: str | None) -> list[int]:
        """Years with values (for one document, or any)."""
        key = document or "*"
        found = self._years.get(key)
        if found is None:
            values = self.values
            column = values["jaar"] if document is None else values.loc[
                values["document"] == document, "jaar"]
            found = self._years[key] = sorted(int(year) for year in column.unique())
        return found

    def slice(self, jaar: int, document: str, real: bool = False) -> pd.DataFrame:
        """Wide table: index gm_code, one column per indicator (NaN = no value)."""
        return self._slices.get((jaar, document, real), _EMPTY)

    def series(self, gm_code: str, document: str, real: bool = False) -> pd.DataFrame:
        """Wide table for one municipality: index jaar, one column per indicator."""
        key = (gm_code, document, real)
        found = self._series.get(key)
        if found is None:
            wide = self._by_gm.get(real)
            try:
                found = wide.loc[(gm_code, document)] if wide is not None else _EMPTY
            except KeyError:
                found = _EMPTY
            self._series[key] = found
        return found


_EMPTY = pd.DataFrame()


def panel(web: WebState, peiljaar: int | None = None) -> Panel:
    return web.cached(("panel", peiljaar), lambda: build_panel(web, peiljaar))


def build_panel(web: WebState, peiljaar: int | None) -> Panel:
    from schouders.web.service.engine import compute_values

    con = web.cursor()
    info = catalogue(web)
    values = compute_values(con, peiljaar)
    cpi = dict(con.execute(
        "SELECT jaar, waarde FROM prijsindex WHERE reeks = 'cpi' ORDER BY jaar").fetchall())
    base = max(cpi) if cpi else None
    values["waarde_reeel"] = deflate(values, info, cpi, base)
    result = Panel(values, {int(k): float(v) for k, v in cpi.items()}, base, peiljaar)
    for real, column in ((False, "waarde"), (True, "waarde_reeel")):
        wide = values.pivot(index=["jaar", "document", "gm_code"], columns="indicator",
                            values=column)
        for (jaar, document), part in wide.groupby(level=[0, 1], sort=False):
            result._slices[(int(jaar), str(document), real)] = part.droplevel([0, 1])
        result._by_gm[real] = wide.reorder_levels([2, 1, 0]).sort_index()
    return result


def deflate(values: pd.DataFrame, info: dict[str, IndicatorInfo], cpi: dict[int, float],
            base: int | None) -> pd.Series:
    if base is None:
        return pd.Series(np.nan, index=values.index)
    years = [int(year) for year in values["jaar"].unique()]
    factor = values["jaar"].map(
        {year: cpi[base] / cpi[year] if year in cpi else np.nan for year in years})
    previous = values["jaar"].map(
        {year: cpi.get(year - 1, np.nan) / cpi[year] if year in cpi else np.nan
         for year in years})
    codes = values["indicator"].unique()
    euro = values["indicator"].map({c: c in info and info[c].euro for c in codes}).astype(bool)
    growth = values["indicator"].map(
        {c: c in info and info[c].soort == "groei" for c in codes}).astype(bool)
    real = values["waarde"].copy()
    real[euro] = values.loc[euro, "waarde"] * factor[euro]
    real[growth] = ((1 + values.loc[growth, "waarde"] / 100) * previous[growth] - 1) * 100
    return real.astype(float)
