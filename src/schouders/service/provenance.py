"""Where the numbers come from: loaded sources (herkomst), build metadata, deliveries per year."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from schouders.service.state import WebState
from schouders.warehouse.status import warehouse_status


@dataclass(frozen=True)
class Provenance:
    meta: dict[str, str]
    sources: pd.DataFrame  # onderdeel, bron, tabel, locatie, opgehaald_op, rijen, sha256
    per_year: pd.DataFrame  # jaar, gemeenten, ... (warehouse status)
    years: list[int]  # years with municipalities
    iv3_years: list[int]  # years with at least one delivered Iv3 document
    prices: pd.DataFrame  # reeks, jaar, waarde, basisjaar, bron


def provenance(web: WebState) -> Provenance:
    def compute() -> Provenance:
        con = web.cursor()
        status = warehouse_status(con)
        sources = status.provenance.copy()
        sources["opgehaald_op"] = sources["opgehaald_op"].astype(str).str.slice(0, 19)
        years = [row[0] for row in con.execute(
            "SELECT DISTINCT jaar FROM gemeente_jaar ORDER BY jaar").fetchall()]
        iv3_years = [row[0] for row in con.execute(
            "SELECT DISTINCT jaar FROM iv3_levering WHERE status = 'geleverd' ORDER BY jaar"
        ).fetchall()]
        prices = con.execute("SELECT * FROM prijsindex ORDER BY reeks, jaar").df()
        return Provenance(status.meta, sources, status.per_year, years, iv3_years, prices)

    return web.cached("provenance", compute)
