"""Municipal boundaries in the warehouse (table ``gemeente_grens``) for choropleth maps.

The warehouse step loads the snapshot's cartomap TopoJSON (SOURCES.md §12: 2021, 2022, 2026) as
one row per municipality per year, the geometry as GeoJSON text. A live build has no boundary
source and records that in ``herkomst``. :func:`boundaries_for_year` assembles the GeoJSON
FeatureCollection a Vega-Lite ``geoshape`` layer needs, for the requested year or the nearest
year that has boundaries (and says which year that is).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from schouders.sources.boundary_files import BOUNDARY_DIR, read_boundaries
from schouders.sources.provenance import unavailable_provenance
from schouders.warehouse.steps import StepResult

TABLE = "gemeente_grens"
COLUMNS = ["jaar", "gm_code", "naam", "geometrie"]
LIVE_REASON = (
    "live niet beschikbaar: gemeentegrenzen zijn geodata (PDOK/CBS), geen CBS OData-tabel; "
    f"bouw met --data-dir (map {BOUNDARY_DIR}) om kaarten te tonen"
)


@dataclass(frozen=True)
class Boundaries:
    """The boundaries used for a requested year."""

    gevraagd_jaar: int
    jaar: int  # the year whose boundaries these are (nearest available)
    collection: dict[str, Any]  # GeoJSON FeatureCollection, properties gm_code and naam
    bron: str

    @property
    def exact(self) -> bool:
        return self.jaar == self.gevraagd_jaar


def gather_boundaries(data_dir: Path | None) -> StepResult:
    result = StepResult({TABLE: pd.DataFrame(columns=COLUMNS)})
    if data_dir is None:
        result.provenance = [unavailable_provenance(TABLE, LIVE_REASON)]
        return result
    tables = read_boundaries(data_dir)
    if not tables:
        result.provenance = [unavailable_provenance(
            TABLE, f"de snapshotmap {data_dir} bevat geen {BOUNDARY_DIR}/gemeente_<jaar>.topojson")]
        return result
    result.tables[TABLE] = pd.concat([table.frame for table in tables], ignore_index=True)
    result.provenance = [table.provenance for table in tables]
    return result


def boundary_years(con: duckdb.DuckDBPyConnection) -> list[int]:
    """The years for which the warehouse holds municipal boundaries."""
    try:
        rows = con.execute(f"SELECT DISTINCT jaar FROM {TABLE} ORDER BY jaar").fetchall()
    except duckdb.CatalogException:  # a warehouse built before boundaries were loaded
        return []
    return [int(row[0]) for row in rows]


def nearest_year(years: list[int], jaar: int) -> int | None:
    """The available year closest to ``jaar``; on a tie the later one (newer boundaries)."""
    if not years:
        return None
    return min(years, key=lambda year: (abs(year - jaar), -year))


def boundaries_for_year(con: duckdb.DuckDBPyConnection, jaar: int) -> Boundaries | None:
    """The boundaries of ``jaar`` or of the nearest year that has them; None without any."""
    chosen = nearest_year(boundary_years(con), jaar)
    if chosen is None:
        return None
    rows = con.execute(f"SELECT gm_code, naam, geometrie FROM {TABLE} WHERE jaar = ? "
                       "ORDER BY gm_code", [chosen]).fetchall()
    source = con.execute("SELECT bron FROM herkomst WHERE onderdeel = ? AND bron LIKE ?",
                         [TABLE, f"%{chosen}%"]).fetchone()
    features = [{"type": "Feature", "geometry": json.loads(geometry),
                 "properties": {"gm_code": code, "naam": naam}}
                for code, naam, geometry in rows]
    return Boundaries(jaar, chosen, {"type": "FeatureCollection", "features": features},
                      str(source[0]) if source else TABLE)
