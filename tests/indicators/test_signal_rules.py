"""Signals: each rule fires on the numbers it documents, and says which numbers those were."""

from __future__ import annotations

import json

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
    series = _series("lasten_per_inwoner_fysiek", {"GM0001": [500, 500, 540, 530],
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
