"""What the warehouse holds: per year municipalities and deliveries, row counts, provenance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import pandas as pd

STALE_AFTER_DAYS = 90
COUNTED_TABLES = (
    "gemeente_jaar",
    "gemeente",
    "herindeling",
    "bevolking",
    "iv3_fact",
    "iv3_levering",
    "iv3_balans",
    "iv3_code",
    "definitiebreuk",
    "prijsindex",
)


@dataclass(frozen=True)
class WarehouseStatus:
    meta: dict[str, str]
    per_year: pd.DataFrame  # jaar, gemeenten, begroting_geleverd, ..._ontbreekt, jaarrekening_...
    row_counts: dict[str, int]
    provenance: pd.DataFrame
    age_days: float

    @property
    def stale(self) -> bool:
        return self.age_days > STALE_AFTER_DAYS


def warehouse_status(con: duckdb.DuckDBPyConnection) -> WarehouseStatus:
    meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    per_year = con.execute(
        """
        SELECT g.jaar, count(DISTINCT g.gm_code) AS gemeenten,
               count(DISTINCT b.gm_code) AS met_inwoners,
               count(*) FILTER (WHERE l.document = 'begroting' AND l.status = 'geleverd')
                   AS begroting_geleverd,
               count(*) FILTER (WHERE l.document = 'begroting' AND l.status = 'ontbreekt')
                   AS begroting_ontbreekt,
               count(*) FILTER (WHERE l.document = 'jaarrekening' AND l.status = 'geleverd')
                   AS jaarrekening_geleverd,
               count(*) FILTER (WHERE l.document = 'jaarrekening' AND l.status = 'ontbreekt')
                   AS jaarrekening_ontbreekt
        FROM gemeente_jaar g
        LEFT JOIN bevolking b ON b.gm_code = g.gm_code AND b.jaar = g.jaar
        LEFT JOIN iv3_levering l ON l.gm_code = g.gm_code AND l.jaar = g.jaar
        GROUP BY g.jaar ORDER BY g.jaar
        """
    ).df()
    counts = {
        name: int(con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0])
        for name in COUNTED_TABLES
    }
    provenance = con.execute("SELECT * FROM herkomst ORDER BY onderdeel, bron").df()
    built = datetime.fromisoformat(meta["gebouwd_op"])
    age = (datetime.now(tz=UTC) - built).total_seconds() / 86400
    return WarehouseStatus(meta, per_year, counts, provenance, age)
