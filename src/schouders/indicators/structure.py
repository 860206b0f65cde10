"""Structural characteristics of municipalities, read from the warehouse.

Stedelijkheid per classification year (``gemeente_stedelijkheid``) and sociale structuur /
centrumfunctie (``gemeente_kenmerk``) are loaded into the warehouse by its structure step (from
the snapshot's michielsd Brondata, mapped to GM codes with the crosswalk). A live build has no
source for them; the warehouse's ``herkomst`` then says why, and :class:`Structure` is
unavailable with that reason. Nothing here opens a data file.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import duckdb
import pandas as pd

NO_WAREHOUSE = ("geen warehouse-verbinding opgegeven: de CBS-stedelijkheid en sociale structuur "
                "komen uit het warehouse (gebouwd met een snapshotmap, --data-dir)")


@dataclass(frozen=True)
class Structure:
    """stedelijkheid: gm_code, bronjaar, klasse (1-5), label; kenmerken: gm_code,
    sociale_structuur (1-4), centrumfunctie (0-3); either empty when unavailable."""

    stedelijkheid: pd.DataFrame
    kenmerken: pd.DataFrame
    available: bool
    reason: str | None
    fingerprint: str

    def stedelijkheid_for(self, jaar: int) -> tuple[int | None, pd.DataFrame]:
        """The classification used for a year: that year's file, else the nearest year."""
        years = sorted(self.stedelijkheid["bronjaar"].unique())
        if not years:
            return None, self.stedelijkheid
        chosen = min(years, key=lambda year: (abs(year - jaar), -year))
        return int(chosen), self.stedelijkheid[self.stedelijkheid["bronjaar"] == chosen]


def unavailable(reason: str) -> Structure:
    return Structure(pd.DataFrame(columns=["gm_code", "bronjaar", "klasse", "label"]),
                     pd.DataFrame(columns=["gm_code", "sociale_structuur", "centrumfunctie"]),
                     False, reason, f"geen:{reason}")


def read_structure(con: duckdb.DuckDBPyConnection | None, schema: str | None = None
                   ) -> Structure:
    """The structure tables of the warehouse on ``con`` (``schema`` = name of an attached
    warehouse, e.g. ``"wh"``), or an unavailable Structure that says why."""
    if con is None:
        return unavailable(NO_WAREHOUSE)
    prefix = f"{schema}." if schema else ""
    try:
        stedelijkheid = con.execute(
            f"SELECT gm_code, bronjaar, klasse, label FROM {prefix}gemeente_stedelijkheid "
            "ORDER BY bronjaar, gm_code").df()
        kenmerken = con.execute(
            f"SELECT gm_code, sociale_structuur, centrumfunctie FROM {prefix}gemeente_kenmerk "
            "ORDER BY gm_code").df()
        sources = con.execute(
            f"SELECT onderdeel, bron, rijen, sha256, opmerking FROM {prefix}herkomst "
            "WHERE onderdeel IN ('gemeente_stedelijkheid', 'gemeente_kenmerk') "
            "ORDER BY onderdeel, bron").fetchall()
    except duckdb.CatalogException:
        return unavailable("het warehouse is met een oudere versie van Schouders gebouwd en heeft "
                           "geen stedelijkheid; bouw het opnieuw met 'schouders build --data-dir "
                           "PAD' (snapshotmap)")
    fingerprint = hashlib.sha256(repr(sources).encode()).hexdigest()[:16]
    if stedelijkheid.empty:
        reasons = [str(row[4]) for row in sources
                   if row[0] == "gemeente_stedelijkheid" and row[4]]
        return unavailable(reasons[0] if reasons else
                           "het warehouse bevat geen stedelijkheidsklassen")
    stedelijkheid["bronjaar"] = stedelijkheid["bronjaar"].astype("int64")
    stedelijkheid["klasse"] = stedelijkheid["klasse"].astype("int64")
    for column in ("sociale_structuur", "centrumfunctie"):
        kenmerken[column] = kenmerken[column].astype("float64")
    return Structure(stedelijkheid, kenmerken, True, None, fingerprint)
