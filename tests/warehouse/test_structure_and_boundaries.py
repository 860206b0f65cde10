"""Structure classes and municipal boundaries are warehouse tables, built from the snapshot.

Expected values are read here straight from the snapshot files (csv / json modules), so the
warehouse step, the crosswalk mapping and the TopoJSON decoding are checked against the source.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb

from schouders.indicators.structure import read_structure
from schouders.warehouse.boundaries import boundaries_for_year, boundary_years, nearest_year

BRONDATA = "michielsd_begrotingsanalysetool/Brondata"


def crosswalk(data_dir: Path) -> dict[str, str]:
    with (data_dir / "crosswalk/derived_naam_naar_gmcode.csv").open(encoding="utf-8") as handle:
        return {row["naam"]: row["gm_code"] for row in csv.DictReader(handle)
                if row["methode"] == "name_match"}


def test_stedelijkheid_table_matches_the_gemeenteklassen_files(
    con: duckdb.DuckDBPyConnection, data_dir: Path
) -> None:
    names = crosswalk(data_dir)
    with (data_dir / BRONDATA / "Gemeenteklassen/2024.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    stored = dict(con.execute("SELECT gm_code, label FROM gemeente_stedelijkheid "
                              "WHERE bronjaar = 2024").fetchall())
    assert len(stored) == len(rows) == 342
    amsterdam = next(r for r in rows if r["Gemeenten"] == "Amsterdam")["Stedelijkheid"]
    assert amsterdam == "Zeersterkstedelijk"
    assert stored[names["Amsterdam"]] == "zeer sterk stedelijk"
    hulst = next(r for r in rows if r["Gemeenten"] == "Hulst")["Stedelijkheid"]
    same = {names[r["Gemeenten"]] for r in rows if r["Stedelijkheid"] == hulst}
    klasse = con.execute("SELECT klasse FROM gemeente_stedelijkheid WHERE bronjaar = 2024 "
                         "AND gm_code = 'GM0677'").fetchall()[0][0]
    assert {code for (code,) in con.execute(
        "SELECT gm_code FROM gemeente_stedelijkheid WHERE bronjaar = 2024 AND klasse = ?",
        [klasse]).fetchall()} == same
    years = [row[0] for row in con.execute(
        "SELECT DISTINCT bronjaar FROM gemeente_stedelijkheid ORDER BY 1").fetchall()]
    assert years == [2023, 2024, 2025]


def test_kenmerken_and_crosswalk_tables(con: duckdb.DuckDBPyConnection, data_dir: Path) -> None:
    names = crosswalk(data_dir)
    with (data_dir / BRONDATA / "sociale_structuur_centrumfunctie.csv").open(
            encoding="utf-8-sig") as handle:
        rows = {r["Gemeenten"]: r for r in csv.DictReader(handle, delimiter="\t")}
    stored = {code: (sociaal, centrum) for code, sociaal, centrum in con.execute(
        "SELECT gm_code, sociale_structuur, centrumfunctie FROM gemeente_kenmerk").fetchall()}
    assert len(stored) == 342
    aalsmeer = rows["Aalsmeer"]
    assert (aalsmeer["Sociale structuur"], aalsmeer["Centrumfunctie"]) == ("Goed", "Weinig")
    assert stored[names["Aalsmeer"]] == (1, 1)
    assert con.execute("SELECT count(*) FROM naam_gmcode").fetchall()[0][0] == 2666
    assert con.execute("SELECT gm_code FROM naam_gmcode WHERE naam = 'Nederland' "
                       "LIMIT 1").fetchall()[0][0] == "NL01"


def test_read_structure_reads_only_the_warehouse(con: duckdb.DuckDBPyConnection) -> None:
    structure = read_structure(con)
    assert structure.available and structure.reason is None
    bronjaar, classes = structure.stedelijkheid_for(2019)
    assert bronjaar == 2023 and len(classes) == 342  # nearest classification year
    assert structure.kenmerken.set_index("gm_code").loc["GM0363", "sociale_structuur"] >= 1


def test_boundaries_per_year_and_nearest_year(con: duckdb.DuckDBPyConnection,
                                              data_dir: Path) -> None:
    assert boundary_years(con) == [2021, 2022, 2026]
    topology = json.loads((data_dir / "cartomap_gemeenten/gemeente_2022.topojson").read_text())
    geometries = topology["objects"]["gemeente_2022"]["geometries"]
    codes = {g["properties"]["statcode"] for g in geometries}
    exact = boundaries_for_year(con, 2022)
    assert exact is not None and exact.exact and exact.jaar == 2022
    features = exact.collection["features"]
    assert {f["properties"]["gm_code"] for f in features} == codes and len(codes) == 345
    assert exact.bron == "gemeente_2022.topojson"
    amsterdam = next(f for f in features if f["properties"]["gm_code"] == "GM0363")
    ring = (amsterdam["geometry"]["coordinates"][0] if amsterdam["geometry"]["type"] == "Polygon"
            else amsterdam["geometry"]["coordinates"][0][0])
    assert ring[0] == ring[-1]
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    assert 4.7 < min(lons) < max(lons) < 5.2 and 52.2 < min(lats) < max(lats) < 52.5
    older = boundaries_for_year(con, 2019)
    assert older is not None and older.jaar == 2021 and not older.exact
    assert boundaries_for_year(con, 2024).jaar == 2026  # type: ignore[union-attr]
    assert nearest_year([2021, 2022, 2026], 2024) == 2026  # tie 2022/2026: the newer one
    assert nearest_year([], 2024) is None
