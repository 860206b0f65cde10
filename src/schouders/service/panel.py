"""All indicator values of all municipalities, years and documents, as wide DuckDB tables.

The panel on each year's own boundaries is precomputed once per build into ``service.duckdb``
(:mod:`schouders.service.precompute`); every worker reads it (a few thousand rows, one query)
instead of computing it, so a first request is as fast as any other. A slice (one year and
document, all municipalities) or a series (one municipality, all years) is then an index
lookup, memoised per process until the warehouse changes.

With a reference year (peiljaar) the values are computed on harmonised boundaries instead, on
first use, into an in-process DuckDB table of the same shape.

Real euros come from the engine's deflation (``schouders.indicators.prices``) with the CPI
(CBS 86141NED) in prices of its latest year; years without a CPI figure have no real value
(missing with status 'geen_prijsindex', never the nominal value).
"""

from __future__ import annotations

import threading

import duckdb
import numpy as np
import pandas as pd

from schouders.indicators.api import DOCUMENTS
from schouders.service.state import WebState

DEFLATOR = "cpi"
KEYS = ("gm_code", "jaar", "document", "prijzen")
_EMPTY = pd.DataFrame()


class Panel:
    """Wide indicator values (one column per indicator code), read once from DuckDB.

    The whole table is small (a few thousand rows), so it is read in one query when the panel
    is opened and then served from memory: a slice or series is an index lookup.
    """

    def __init__(self, frame: pd.DataFrame, cpi_base_year: int | None,
                 peiljaar: int | None) -> None:
        self.cpi_base_year = cpi_base_year
        self.peiljaar = peiljaar
        self._indicators = [column for column in frame.columns if column not in KEYS]
        self._values = frame[self._indicators].to_numpy(dtype=float)
        self._jaar = frame["jaar"].to_numpy()
        self._gm = frame["gm_code"].to_numpy()
        self._by_slice = frame.groupby(["jaar", "document", "prijzen"], sort=False).indices
        self._by_series = frame.groupby(["gm_code", "document", "prijzen"], sort=False).indices
        self._years = {document: sorted({int(j) for (j, d, _p) in self._by_slice
                                         if d == document}) for document in DOCUMENTS}
        self._all_years = sorted({int(j) for (j, _d, _p) in self._by_slice})
        self._codes = frozenset(self._gm)
        self._memo: dict[tuple[object, ...], pd.DataFrame] = {}
        self._lock = threading.Lock()

    @classmethod
    def read(cls, connection: duckdb.DuckDBPyConnection, table: str,
             cpi_base_year: int | None, peiljaar: int | None) -> Panel:
        frame = connection.execute(f"SELECT * FROM {table}").df()
        return cls(frame, cpi_base_year, peiljaar)

    @property
    def indicators(self) -> list[str]:
        return self._indicators

    @property
    def years(self) -> list[int]:
        return self._all_years

    def years_of(self, document: str | None) -> list[int]:
        """Years with values (for one document, or any)."""
        return self._all_years if document is None else self._years.get(document, [])

    def has(self, gm_code: str) -> bool:
        return gm_code in self._codes

    def slice(self, jaar: int, document: str, real: bool = False) -> pd.DataFrame:
        """Wide table: index gm_code, one column per indicator (NaN = no value)."""
        return self._table(self._by_slice, (jaar, document, _prices(real)), self._gm, "gm_code")

    def series(self, gm_code: str, document: str, real: bool = False) -> pd.DataFrame:
        """Wide table for one municipality: index jaar, one column per indicator."""
        return self._table(self._by_series, (gm_code, document, _prices(real)), self._jaar,
                           "jaar")

    def _table(self, groups: dict, key: tuple[object, ...], index: object,
               name: str) -> pd.DataFrame:
        found = self._memo.get(key)
        if found is not None:
            return found
        rows = groups.get(key)
        if rows is None:
            return _EMPTY
        order = rows[np.argsort(index[rows], kind="stable")]  # type: ignore[index]
        found = pd.DataFrame(self._values[order], columns=pd.Index(self._indicators,
                                                                   name="indicator"),
                             index=pd.Index(index[order], name=name))  # type: ignore[index]
        with self._lock:
            self._memo[key] = found
        return found

    def long(self) -> pd.DataFrame:
        """indicator, gm_code, jaar, document, waarde, waarde_reeel (for exports)."""
        parts = []
        for real in (False, True):
            for (jaar, document, prijzen), _rows in self._by_slice.items():
                if prijzen != _prices(real):
                    continue
                frame = self.slice(jaar, document, real).stack().rename(
                    "waarde_reeel" if real else "waarde").reset_index()
                parts.append(frame.assign(jaar=int(jaar), document=document))
        nominal = pd.concat([p for p in parts if "waarde" in p], ignore_index=True)
        real_part = pd.concat([p for p in parts if "waarde_reeel" in p], ignore_index=True)
        return nominal.merge(real_part, on=["indicator", "gm_code", "jaar", "document"],
                             how="left")


def _prices(real: bool) -> str:
    return "reeel" if real else "nominaal"


def panel(web: WebState, peiljaar: int | None = None) -> Panel:
    return web.cached(("panel", peiljaar), lambda: open_panel(web, peiljaar))


def open_panel(web: WebState, peiljaar: int | None) -> Panel:
    from schouders.service.precompute import (
        PANEL_TABLE,
        ensure_service_tables,
        open_service_tables,
        wide_panel,
    )

    if peiljaar is None:
        ensure_service_tables(web.settings)
        connection, base = open_service_tables(web.settings)
        try:
            return Panel.read(connection, PANEL_TABLE, base, None)
        finally:
            connection.close()
    from schouders.service.engine import compute_values

    values = compute_values(web.cursor(), peiljaar)
    prices = web.cursor().execute("SELECT reeks, jaar, waarde FROM prijsindex").df()
    with duckdb.connect(":memory:") as connection:
        base = wide_panel(connection, values, prices)
        return Panel.read(connection, PANEL_TABLE, base, peiljaar)
