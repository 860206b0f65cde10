"""All indicator values of all municipalities, years and documents, held in memory per process.

Values come from the indicator engine (one DuckDB pass over the warehouse, ~1 s) and are kept as
wide slices per (jaar, document) so a profile or comparison is a few in-memory lookups. With a
reference year (peiljaar) the values are computed on harmonised boundaries instead.

Real euros come from the engine's deflation (``schouders.indicators.prices``) with the CPI
(CBS 86141NED) in prices of its latest year; years without a CPI figure have no real value
(missing with status 'geen_prijsindex', never the nominal value).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from schouders.indicators.catalogue import Catalogue
from schouders.indicators.prices import affine
from schouders.service.catalogue import engine_catalogue
from schouders.service.state import WebState

DOCUMENTS = ("begroting", "jaarrekening")
DEFLATOR = "cpi"


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
    from schouders.service.engine import compute_values

    con = web.cursor()
    values = compute_values(con, peiljaar)
    prices = con.execute("SELECT reeks, jaar, waarde FROM prijsindex").df()
    cpi = {int(jaar): float(waarde) for reeks, jaar, waarde in prices.itertuples(index=False)
           if reeks == DEFLATOR}
    base = max(cpi) if cpi else None
    values["waarde_reeel"] = real_values(values, engine_catalogue(web), prices, base)
    result = Panel(values, cpi, base, peiljaar)
    for real, column in ((False, "waarde"), (True, "waarde_reeel")):
        wide = values.pivot(index=["jaar", "document", "gm_code"], columns="indicator",
                            values=column)
        for (jaar, document), part in wide.groupby(level=[0, 1], sort=False):
            result._slices[(int(jaar), str(document), real)] = part.droplevel([0, 1])
        result._by_gm[real] = wide.reorder_levels([2, 1, 0]).sort_index()
    return result


def real_values(values: pd.DataFrame, catalogue: Catalogue, prices: pd.DataFrame,
                base: int | None) -> pd.Series:
    """The engine's deflation (schouders.indicators.prices) in prices of ``base``."""
    if base is None:
        return pd.Series(np.nan, index=values.index)
    a, b, _notes = affine(values, catalogue, prices, DEFLATOR, base)
    return pd.Series(values["waarde"].to_numpy(dtype=float) * a + b, index=values.index)
