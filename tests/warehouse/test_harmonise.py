"""Series on reference-year boundaries: predecessors summed, per-inhabitant recomputed."""

from __future__ import annotations

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


def test_a_missing_predecessor_makes_the_year_incomplete_not_smaller(con) -> None:
    """If one predecessor's delivery is missing, the harmonised year is missing, not partial."""
    missing = con.execute(
        """
        SELECT l.gm_code, l.jaar, l.document FROM iv3_levering l
        JOIN herindeling h ON h.oude_gm_code = l.gm_code
        WHERE l.status = 'ontbreekt' AND h.jaar > l.jaar LIMIT 1
        """
    ).fetchone()
    assert missing is not None, "the snapshot has a merged municipality with a missing delivery"
    gm, jaar, document = missing
    mapping = code_mapping(con)
    successor = mapping[mapping["van_code"] == gm]["naar_code"].iloc[0]
    series = harmonised_series(con, successor, document=document)
    row = series.values.set_index("jaar").loc[jaar]
    assert row["status"] == "onvolledig"
    assert gm in row["ontbrekend"]
    assert row["bedrag"] != row["bedrag"]  # NaN: missing, never a partial sum


def test_breaks_are_exposed_with_the_series(con) -> None:
    series = harmonised_series(con, "GM0363", taakveld="6", document="begroting")
    assert {"nieuw stelsel", "hernoemd"} <= set(series.breaks["soort"])
    assert all(code == "*" or code.startswith("6.") for code in series.breaks["code"])


def test_unknown_reference_year_and_vanished_code_are_clear_errors(con) -> None:
    with pytest.raises(SchoudersError, match="peiljaar 1990"):
        harmonised_series(con, "GM0363", reference_year=1990)
    with pytest.raises(SchoudersError, match="bestond niet in peiljaar"):
        harmonised_series(con, "GM0398", reference_year=2025)
