"""Series on reference-year boundaries: predecessors summed, per-inhabitant recomputed."""

from __future__ import annotations

import duckdb
import pytest

from schouders.errors import SchoudersError
from schouders.warehouse.harmonise import code_mapping, harmonised_series


def test_dijk_en_waard_2022_merger_is_continuous(con, summary_value) -> None:
    """Dijk en Waard (GM1980) = Heerhugowaard (GM0398) + Langedijk (GM0416) from 2022-01-01."""
    series = harmonised_series(con, "GM1980", reference_year=2025, document="jaarrekening")
    values = series.values.set_index("jaar")
    assert list(values.index) == list(range(2017, 2025))
    assert (values["status"] == "geleverd").all()
    for jaar in (2017, 2019, 2021):
        expected = summary_value("GM0398", jaar, "jaarrekening", "lasten") + summary_value(
            "GM0416", jaar, "jaarrekening", "lasten"
        )
        assert values.loc[jaar, "bedrag"] == pytest.approx(expected)
        population = summary_value("GM0398", jaar, "jaarrekening", "inwoners") + summary_value(
            "GM0416", jaar, "jaarrekening", "inwoners"
        )
        assert values.loc[jaar, "inwoners"] == population
        assert values.loc[jaar, "per_inwoner_eur"] == pytest.approx(expected * 1000 / population)
    assert values.loc[2023, "bedrag"] == summary_value("GM1980", 2023, "jaarrekening", "lasten")
    assert set(series.predecessors["van_code"]) == {"GM0398", "GM0416", "GM1980"}


def test_2019_merger_three_into_one(con, summary_value) -> None:
    """Beekdaelen (GM1954) = Schinnen + Nuth + Onderbanken on 2019-01-01."""
    series = harmonised_series(con, "GM1954", document="begroting")
    value_2018 = series.values.set_index("jaar").loc[2018, "bedrag"]
    expected = sum(
        summary_value(gm, 2018, "begroting", "lasten") for gm in ("GM0962", "GM0951", "GM0881")
    )
    assert value_2018 == pytest.approx(expected)


def test_split_municipality_is_divided_by_inhabitant_share(con, summary_value) -> None:
    """Littenseradiel (GM0140) was split in 2018; 50.65 % of it went to Súdwest-Fryslân."""
    mapping = code_mapping(con, 2025)
    shares = mapping[mapping["van_code"] == "GM0140"].set_index("naar_code")["aandeel"]
    assert shares.sum() == pytest.approx(1.0, abs=0.01)
    assert shares["GM1900"] == pytest.approx(0.5065)
    series = harmonised_series(con, "GM1900", document="begroting")
    got = series.values.set_index("jaar").loc[2017, "bedrag"]
    expected = summary_value("GM1900", 2017, "begroting", "lasten") + 0.5065 * summary_value(
        "GM0140", 2017, "begroting", "lasten"
    )
    assert got == pytest.approx(expected)


def test_missing_deliveries_of_all_predecessors_are_ontbreekt_not_smaller(con) -> None:
    """Vijfheerenlanden (GM1961, 2019) is Leerdam, Zederik and Vianen: none of the three has a
    jaarrekening 2018 in the snapshot, so the harmonised year is missing, never a partial sum."""
    series = harmonised_series(con, "GM1961", document="jaarrekening")
    row = series.values.set_index("jaar").loc[2018]
    assert row["status"] == "ontbreekt"
    assert row["ontbrekend"] == "GM0545, GM0620, GM0707"
    assert row["bedrag"] != row["bedrag"]  # NaN: missing, never zero


def test_a_municipalitys_own_missing_delivery_is_ontbreekt(con) -> None:
    """Twenterand (GM1700) delivered no jaarrekening 2022 and has no predecessors in the series:
    that is a missing delivery ('ontbreekt'), not an incomplete sum ('onvolledig')."""
    row = harmonised_series(con, "GM1700", document="jaarrekening").values.set_index(
        "jaar").loc[2022]
    assert (row["status"], row["ontbrekend"], row["voorgangers"]) == ("ontbreekt", "GM1700", 1)


def test_one_missing_predecessor_makes_the_year_onvolledig(con) -> None:
    """No real case in the snapshot has one of several predecessors missing, so take the real
    Dijk en Waard rows and remove Langedijk's jaarrekening 2019: the year becomes 'onvolledig'."""
    mem = duckdb.connect()
    try:
        path = con.execute("SELECT path FROM duckdb_databases() WHERE NOT internal").fetchone()
        assert path is not None
        mem.execute(f"ATTACH '{path[0]}' AS wh (READ_ONLY)")
        for table in ("gemeente", "gemeente_jaar", "herindeling", "bevolking", "iv3_levering",
                      "definitiebreuk"):
            mem.execute(f"CREATE TABLE {table} AS SELECT * FROM wh.{table}")
        mem.execute("CREATE TABLE iv3_fact AS SELECT * FROM wh.iv3_fact "
                    "WHERE gm_code IN ('GM0398', 'GM0416', 'GM1980')")
        mem.execute("UPDATE iv3_levering SET status = 'ontbreekt' WHERE gm_code = 'GM0416' "
                    "AND jaar = 2019 AND document = 'jaarrekening'")
        mem.execute("DELETE FROM iv3_fact WHERE gm_code = 'GM0416' AND jaar = 2019 "
                    "AND document = 'jaarrekening'")
        values = harmonised_series(mem, "GM1980", reference_year=2025).values.set_index("jaar")
    finally:
        mem.close()
    assert values.loc[2019, "status"] == "onvolledig"
    assert values.loc[2019, "ontbrekend"] == "GM0416"
    assert values.loc[2019, "bedrag"] != values.loc[2019, "bedrag"]
    assert values.loc[2020, "status"] == "geleverd"


def test_weesp_mid_year_merger_keeps_amsterdam_in(con, summary_value) -> None:
    """Weesp (GM0457) joined Amsterdam (GM0363) on 24 March 2022 and delivered no jaarrekening
    2022; Amsterdam's jaarrekening 2022 covers Weesp from that date. The harmonised year is
    Amsterdam's delivery (status geleverd, Weesp named as opgenomen), not a gap."""
    merger = con.execute("SELECT datum, jaar FROM herindeling WHERE oude_gm_code = 'GM0457'"
                         ).fetchall()
    assert [(str(datum), jaar) for datum, jaar in merger] == [("2022-03-24", 2023)]
    weesp = con.execute("SELECT status FROM iv3_levering WHERE gm_code = 'GM0457' AND jaar = 2022 "
                        "AND document = 'jaarrekening'").fetchone()
    assert weesp == ("ontbreekt",)
    accounts = harmonised_series(con, "GM0363", document="jaarrekening").values.set_index("jaar")
    row = accounts.loc[2022]
    assert row["status"] == "geleverd"
    assert row["opgenomen"] == "GM0457 (opgegaan op 24-03-2022)"
    assert row["bedrag"] == pytest.approx(summary_value("GM0363", 2022, "jaarrekening", "lasten"))
    assert row["bedrag"] == pytest.approx(6096477.0)
    assert accounts.loc[2021, "bedrag"] == pytest.approx(
        summary_value("GM0363", 2021, "jaarrekening", "lasten")
        + summary_value("GM0457", 2021, "jaarrekening", "lasten"))
    assert (accounts["status"] == "geleverd").all()
    # Weesp did deliver its begroting 2022 (made before the merger): summed as usual
    budget = harmonised_series(con, "GM0363", document="begroting").values.set_index("jaar")
    assert budget.loc[2022, "bedrag"] == pytest.approx(
        summary_value("GM0363", 2022, "begroting", "lasten")
        + summary_value("GM0457", 2022, "begroting", "lasten"))
    assert budget.loc[2022, "opgenomen"] is None


def test_breaks_are_exposed_with_the_series(con) -> None:
    series = harmonised_series(con, "GM0363", taakveld="6", document="begroting")
    assert {"nieuw stelsel", "hernoemd"} <= set(series.breaks["soort"])
    assert all(code == "*" or code.startswith("6.") for code in series.breaks["code"])


def test_unknown_reference_year_and_vanished_code_are_clear_errors(con) -> None:
    with pytest.raises(SchoudersError, match="peiljaar 1990"):
        harmonised_series(con, "GM0363", reference_year=1990)
    with pytest.raises(SchoudersError, match="bestond niet in peiljaar"):
        harmonised_series(con, "GM0398", reference_year=2025)
