"""Signals: each rule fires on the numbers it documents, and says which numbers those were."""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pandas as pd
import pytest

from schouders.config import Settings
from schouders.indicators import api
from schouders.indicators.context import definitions
from schouders.indicators.signals import evaluate

PRICES = pd.DataFrame({"reeks": ["cpi"] * 5, "jaar": [2019, 2020, 2021, 2022, 2023],
                       "waarde": [100.0, 100.0, 100.0, 110.0, 110.0]})


def _series(indicator: str, rows: dict[str, list[float]], first: int = 2020) -> pd.DataFrame:
    records = [(indicator, gm_code, first + offset, "jaarrekening", value)
               for gm_code, values in rows.items() for offset, value in enumerate(values)]
    return pd.DataFrame(records, columns=["indicator", "gm_code", "jaar", "document", "waarde"])


def _evaluate(series: pd.DataFrame, positions: pd.DataFrame | None = None) -> pd.DataFrame:
    defs = definitions()
    return evaluate(defs.rules, defs.catalogue, series=series,
                    positions=positions if positions is not None else pd.DataFrame(),
                    prices=PRICES, names={"GM0001": "Eerste", "GM0002": "Tweede"},
                    group_names={}, jaar=2023, document="jaarrekening")


def test_negative_spiral_is_a_real_multi_year_decline() -> None:
    # GM0001 is flat in nominal terms, but prices rose 10% in 2022: real decline each year?
    # 2020-2021 flat (no decline) -> no signal. GM0002 falls every year in real terms.
    series = _series("lasten_per_inwoner_fysiek_zonder_grex", {"GM0001": [500, 500, 540, 530],
                                                                  "GM0002": [500, 480, 500, 480]})
    found = _evaluate(series)
    spiral = found[found["signaal"] == "negatieve_spiraal"]
    assert list(spiral["gm_code"]) == ["GM0002"]
    row = spiral.iloc[0]
    numbers = json.loads(row["cijfers"])
    assert numbers["nominaal"] == [500, 480, 500, 480]
    # real in prices of 2023: 550, 528, 500, 480 -> -12.7%
    assert numbers["reeel"] == [550.0, 528.0, 500.0, 480.0]
    assert numbers["mutatie_reeel_pct"] == pytest.approx(-12.73, abs=0.01)
    assert "3 jaar op rij" in row["uitleg"] and "-12,7%" in row["uitleg"]
    assert "€ 550" in row["uitleg"] and "nominaal" in row["uitleg"]
    assert row["naam"] == "Tweede"


def test_rising_hire_needs_every_year_up_and_enough_in_total() -> None:
    series = _series("inhuur_pct", {"GM0001": [10, 12, 14, 16], "GM0002": [10, 12, 11, 16]})
    found = _evaluate(series)
    hire = found[found["signaal"] == "stijgende_inhuur"]
    assert list(hire["gm_code"]) == ["GM0001"]
    assert "van 10,0% naar 16,0% (+6,0 procentpunt)" in hire.iloc[0]["uitleg"]


def test_outlier_names_group_median_and_z(settings: Settings) -> None:
    found = api.signals(settings, jaar=2024, document="jaarrekening")
    outliers = found[found["signaal"] == "uitschieter"]
    assert len(outliers) > 0
    for row in outliers.itertuples(index=False):
        numbers = json.loads(row.cijfers)
        assert abs(numbers["z"]) >= numbers["drempel_z"] == 2.0
        assert numbers["n"] >= 5
        assert "mediaan" in row.uitleg and "z-score" in row.uitleg


def test_deficit_covered_by_reserves_matches_hand_count(settings: Settings,
                                                        delivered: pd.DataFrame) -> None:
    accounts = delivered[(delivered["document"] == "jaarrekening")
                         & delivered["jaar"].isin([2022, 2023, 2024])]
    # a deficit before reserve mutations (baten < lasten, both without 0.10/0.11) that is
    # covered by drawing on reserves (0.10 baten > 0.10 lasten), three years running
    drawing = accounts.assign(teert_in=(accounts["reserve_baten"] > accounts["reserve_lasten"])
                              & (accounts["baten"] < accounts["lasten"]))
    per_gm = drawing.groupby("gm_code")["teert_in"].agg(["sum", "count"])
    expected = set(per_gm[(per_gm["sum"] == 3) & (per_gm["count"] == 3)].index)
    found = api.signals(settings, jaar=2024, document="jaarrekening")
    deficits = found[found["signaal"] == "tekort_uit_reserves"]
    assert set(deficits["gm_code"]) == expected
    assert 0 < len(expected) < 20
    # Groningen drew on reserves in 2022-2024 but had a surplus before reserve mutations
    # every year: withdrawing alone is no deficit
    groningen = accounts[accounts["gm_code"] == "GM0014"]
    assert (groningen["reserve_baten"] > groningen["reserve_lasten"]).all()
    assert (groningen["baten"] > groningen["lasten"]).all()
    assert "GM0014" not in expected
    row = deficits.iloc[0]
    source = accounts[accounts["gm_code"] == row["gm_code"]].sort_values("jaar")
    numbers = json.loads(row["cijfers"])
    assert numbers["jaren"] == [2022, 2023, 2024]
    saldo = ((source["baten"] - source["lasten"]) / source["lasten"] * 100).round(2)
    assert numbers["en_waarden"] == pytest.approx(list(saldo), abs=0.006)
    assert "saldo vóór reservemutaties" in row["uitleg"] and "2024: -" in row["uitleg"]


def test_profile_carries_its_signals(settings: Settings) -> None:
    result = api.profile(settings, "GM0677", 2025, "begroting")
    assert set(result.signalen.columns) >= {"signaal", "uitleg", "cijfers", "regel"}
    for row in result.signalen.itertuples(index=False):
        assert row.gm_code == "GM0677" and row.jaar == 2025


def _physical_without_grex(breakdowns: pd.DataFrame, delivered: pd.DataFrame,
                           with_grex: bool) -> pd.DataFrame:
    """Physical-domain lasten per inhabitant from the snapshot CSVs (domeinen.toml: 2, 5.7,
    7.2-7.5, 8), with or without taakveld 8.2 Grondexploitatie."""
    key = ["gm_code", "jaar", "document"]
    hoofd = breakdowns[(breakdowns["breakdown"] == "per_hoofdtaakveld")
                       & breakdowns["key1"].isin(["2", "8"])]
    detail = breakdowns[(breakdowns["breakdown"] == "lasten_per_taakveld")
                        & breakdowns["key1"].isin(["5.7", "7.2", "7.3", "7.4", "7.5"])]
    parts = [hoofd, detail]
    if not with_grex:
        grex = breakdowns[(breakdowns["breakdown"] == "lasten_per_taakveld")
                          & (breakdowns["key1"] == "8.2")]
        parts.append(grex.assign(bedrag_x1000_eur=-grex["bedrag_x1000_eur"]))
    sums = pd.concat(parts).groupby(key, as_index=False)["bedrag_x1000_eur"].sum()
    frame = delivered[[*key, "inwoners"]].merge(sums, on=key, how="left").fillna(
        {"bedrag_x1000_eur": 0.0})
    return frame.assign(waarde=frame["bedrag_x1000_eur"] * 1000 / frame["inwoners"])


def _spirals_by_hand(series: pd.DataFrame, cpi: dict[int, float], jaar: int,
                     document: str) -> set[str]:
    """negatieve_spiraal by hand: 4 values J-3..J, real (CPI, prices of J) falling every year and
    together at least 5 % lower."""
    years = list(range(jaar - 3, jaar + 1))
    if not all(year in cpi for year in years):
        return set()
    wide = series[(series["document"] == document) & series["jaar"].isin(years)].pivot(
        index="gm_code", columns="jaar", values="waarde").dropna()
    if wide.empty or list(wide.columns) != years:
        return set()
    real = wide * [cpi[jaar] / cpi[year] for year in years]
    falling = (real.diff(axis=1).iloc[:, 1:] < 0).all(axis=1)
    total = (real[jaar] / real[years[0]] - 1) * 100
    return set(wide.index[falling & (total <= -5.0)])


def test_no_spiral_on_a_grondexploitatie_swing_alone(settings: Settings, breakdowns: pd.DataFrame,
                                                     delivered: pd.DataFrame) -> None:
    """Every municipality, year and document: 'negatieve spiraal' fires exactly where the
    physical domain *without* grondexploitatie (8.2) fell, recomputed from the snapshot CSVs.
    Helmond (GM0794) and Zoeterwoude (GM0638), jaarrekening 2024, fired with 8.2 only: Helmond's
    8.2 lasten turned negative (EUR -9,451k, EUR -99 per inhabitant) while the rest of its physical
    domain rose (551, 602, 605 per inhabitant in 2022-2024); Zoeterwoude's 8.2 fell from 405 to
    34 per inhabitant. Oldebroek (GM0269) still fires in 2024: without 8.2 its physical domain
    also fell, because 7.3 Afval dropped from EUR 14.3 to 2.3 million."""
    from schouders.warehouse.store import open_warehouse

    con = open_warehouse(settings)
    try:
        cpi = {int(jaar): float(waarde) for jaar, waarde in con.execute(
            "SELECT jaar, waarde FROM prijsindex WHERE reeks = 'cpi'").fetchall()}
    finally:
        con.close()
    without = _physical_without_grex(breakdowns, delivered, with_grex=False)
    with_grex = _physical_without_grex(breakdowns, delivered, with_grex=True)
    grex_only: set[tuple[str, int, str]] = set()
    checked = 0
    for document, last in (("jaarrekening", 2024), ("begroting", 2026)):
        for jaar in range(2020, last + 1):
            found = api.signals(settings, jaar=jaar, document=document)
            fired = set(found[found["signaal"] == "negatieve_spiraal"]["gm_code"])
            expected = _spirals_by_hand(without, cpi, jaar, document)
            assert fired == expected, (document, jaar)
            checked += 1
            grex_only |= {(gm, jaar, document) for gm in
                          _spirals_by_hand(with_grex, cpi, jaar, document) - expected}
    assert checked == 12
    assert {("GM0794", 2024, "jaarrekening"), ("GM0638", 2024, "jaarrekening")} <= grex_only
    assert len(grex_only) > 100  # the swing of 8.2 alone used to make most of the spirals
    spiral = api.signals(settings, "GM0269", jaar=2024, document="jaarrekening")
    spiral = spiral[spiral["signaal"] == "negatieve_spiraal"]
    assert len(spiral) == 1 and "zonder grondexploitatie" in spiral.iloc[0]["uitleg"]
    assert spiral.iloc[0]["indicator"] == "lasten_per_inwoner_fysiek_zonder_grex"


def test_grondexploitatie_is_shown_apart(values: pd.DataFrame) -> None:
    """Helmond, jaarrekening 2024: physical domain 506, without grondexploitatie 605,
    grondexploitatie -99 euro per inhabitant (8.2 lasten EUR -9,451k, 95,874 inhabitants)."""
    helmond = values[(values["gm_code"] == "GM0794") & (values["jaar"] == 2024)
                     & (values["document"] == "jaarrekening")].set_index("indicator")["waarde"]
    assert helmond["lasten_per_inwoner_grondexploitatie"] == pytest.approx(
        -9451 * 1000 / 95874)
    assert helmond["lasten_per_inwoner_fysiek"] == pytest.approx(
        helmond["lasten_per_inwoner_fysiek_zonder_grex"]
        + helmond["lasten_per_inwoner_grondexploitatie"])
    assert round(helmond["lasten_per_inwoner_fysiek"]) == 506
    assert round(helmond["lasten_per_inwoner_fysiek_zonder_grex"]) == 605


def test_impossible_values_are_flagged_not_ranked(settings: Settings,
                                                  delivered: pd.DataFrame) -> None:
    """A negative share is a booking, not a performance. Gilze en Rijen (GM0784), jaarrekening
    2024: ingeleend personeel (3.5.1) EUR -41k against salaries EUR 1,201k, external hire -3.5 %.
    It is flagged as a data anomaly, has no peer position and no rank; the same holds for every
    negative hire share in the snapshot (recomputed from the summary CSV)."""
    hire = delivered.assign(pct=delivered["inhuur"] / (delivered["salarissen"]
                                                       + delivered["inhuur"]) * 100)
    impossible = hire[(hire["pct"] < 0) | (hire["pct"] > 100)]
    expected = {(row.gm_code, int(row.jaar), row.document) for row in impossible.itertuples()}
    assert ("GM0784", 2024, "jaarrekening") in expected and len(expected) == 8
    flagged = set()
    for (jaar, document), _ in impossible.groupby(["jaar", "document"]):
        found = api.signals(settings, jaar=int(jaar), document=str(document))
        rows = found[(found["signaal"] == "data_anomalie") & (found["indicator"] == "inhuur_pct")]
        flagged |= {(gm, int(jaar), str(document)) for gm in rows["gm_code"]}
    assert flagged == expected
    found = api.signals(settings, "GM0784", jaar=2024, document="jaarrekening")
    row = found[found["signaal"] == "data_anomalie"].iloc[0]
    assert json.loads(row["cijfers"])["waarde"] == pytest.approx(-41 / (1201 - 41) * 100,
                                                                 abs=1e-4)
    assert "-3,5%" in row["uitleg"] and "krijgt geen rang" in row["uitleg"]
    profile = api.profile(settings, "GM0784", 2024, "jaarrekening").posities.set_index(
        "indicator")
    assert profile.loc["inhuur_pct", "waarde"] == pytest.approx(-3.5345, abs=1e-4)
    assert np.isnan(profile.loc["inhuur_pct", "rang"]) and np.isnan(profile.loc["inhuur_pct", "z"])
    assert "onmogelijke waarde" in profile.loc["inhuur_pct", "opmerking"]
    assert not np.isnan(profile.loc["overhead_pct", "rang"])
    con = duckdb.connect(str(settings.home / "indicators.duckdb"), read_only=True)
    try:
        ranked = con.execute("""
            SELECT count(*) FROM indicator_positie
            WHERE indicator IN ('inhuur_pct', 'overhead_pct', 'verbonden_partijen_pct',
                                'heffingen_pct') AND waarde < 0""").fetchone()
        values = con.execute("""
            SELECT count(*) FROM indicator_waarde
            WHERE indicator IN ('inhuur_pct', 'overhead_pct', 'verbonden_partijen_pct',
                                'heffingen_pct') AND waarde < 0""").fetchone()
    finally:
        con.close()
    assert ranked == (0,) and values == (11,)


def test_shared_service_organisations_are_recognised(settings: Settings,
                                                     delivered: pd.DataFrame) -> None:
    """Hoogeveen (GM0118, werkorganisatie with De Wolden) and Gilze en Rijen (GM0784,
    ABG-organisatie) have a wage bill of about 1 % of their lasten and transfer about 40 % to
    GRs: recognised, explained, and their personnel-type outliers say why. Every municipality
    with a wage bill under 10 % of lasten (summary CSV, jaarrekening 2024) is recognised."""
    accounts = delivered[(delivered["document"] == "jaarrekening") & (delivered["jaar"] == 2024)]
    low = accounts[accounts["salarissen"] / accounts["lasten"] * 100 < 10]
    found = api.signals(settings, jaar=2024, document="jaarrekening")
    shared = found[found["signaal"] == "gedeelde_organisatie"].set_index("gm_code")
    assert set(shared.index) == set(low["gm_code"])
    assert {"GM0118", "GM0784"} <= set(shared.index) and "GM0855" not in shared.index
    hoogeveen = accounts.set_index("gm_code").loc["GM0118"]
    numbers = json.loads(shared.loc["GM0118", "cijfers"])
    assert numbers["loonsom_pct"] == pytest.approx(
        hoogeveen["salarissen"] / hoogeveen["lasten"] * 100, abs=0.006)
    assert numbers["gr_pct"] == pytest.approx(
        hoogeveen["verbonden"] / hoogeveen["lasten"] * 100, abs=0.006)
    assert numbers["personeel_en_gr_pct"] == pytest.approx(
        (hoogeveen["salarissen"] + hoogeveen["inhuur"] + hoogeveen["verbonden"])
        / hoogeveen["lasten"] * 100, abs=0.006)
    assert numbers["loonsom_pct"] < 1 and 39 < numbers["gr_pct"] < 41
    assert "gedeelde werkorganisatie" in shared.loc["GM0118", "uitleg"]
    for gm in ("GM0118", "GM0784"):
        outliers = found[(found["signaal"] == "uitschieter") & (found["gm_code"] == gm)]
        explained = outliers[outliers["indicator"] == "apparaatskosten_per_inwoner"]
        assert len(explained) == 1
        assert "Let op: personeel in een gedeelde werkorganisatie" in explained.iloc[0]["uitleg"]
        assert json.loads(explained.iloc[0]["cijfers"])["verklaard_door"] == (
            "gedeelde_organisatie")
    # an outlier outside the personnel-type figures is not touched
    mine = found[(found["signaal"] == "uitschieter") & found["gm_code"].isin(shared.index)]
    other = mine[mine["indicator"].isin(["netto_reserve_onttrekking_pct",
                                         "saldo_voor_reserves_pct"])]
    assert len(other) == 4 and not other["uitleg"].str.contains("Let op").any()
    personnel = mine[mine["indicator"].isin(["apparaatskosten_per_inwoner", "inhuur_pct",
                                             "overhead_pct", "verbonden_partijen_pct"])]
    assert len(personnel) == 29 and personnel["uitleg"].str.contains("Let op").all()
