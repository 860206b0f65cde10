"""Indicator values against hand computations from the snapshot CSV files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

KEY = ["gm_code", "jaar", "document"]


def _compare(values: pd.DataFrame, code: str, expected: pd.DataFrame) -> None:
    """expected: KEY + 'verwacht'; every delivered document must match to 1e-9 (relative)."""
    got = values[values["indicator"] == code][[*KEY, "waarde"]]
    expected = expected.replace([np.inf, -np.inf], np.nan)   # x / 0: no value, as in the engine
    merged = expected.merge(got, on=KEY, how="left")
    assert len(merged) == len(expected)
    both = merged.dropna(subset=["verwacht"])
    assert both["waarde"].notna().all(), f"{code}: missing values for delivered documents"
    np.testing.assert_allclose(both["waarde"], both["verwacht"], rtol=1e-9, err_msg=code)


def test_bbv_indicators_match_hand_computation(values: pd.DataFrame, delivered: pd.DataFrame,
                                               breakdowns: pd.DataFrame) -> None:
    per_taakveld = breakdowns[breakdowns["breakdown"] == "lasten_per_taakveld"]
    overhead = per_taakveld[per_taakveld["key1"] == "0.4"][[*KEY, "bedrag_x1000_eur"]]
    frame = delivered.merge(overhead, on=KEY, how="left").fillna({"bedrag_x1000_eur": 0})
    _compare(values, "overhead_pct", frame.assign(
        verwacht=frame["bedrag_x1000_eur"] / frame["lasten"] * 100)[[*KEY, "verwacht"]])
    hire = delivered["inhuur"] / (delivered["salarissen"] + delivered["inhuur"]) * 100
    _compare(values, "inhuur_pct", delivered.assign(verwacht=hire)[[*KEY, "verwacht"]])
    apparatus = (frame["salarissen"] + frame["inhuur"] + frame["bedrag_x1000_eur"]
                 - frame["salarissen_overhead"] - frame["inhuur_overhead"])
    _compare(values, "apparaatskosten_per_inwoner", frame.assign(
        verwacht=apparatus * 1000 / frame["inwoners"])[[*KEY, "verwacht"]])


def test_revenue_and_collaboration_shares(values: pd.DataFrame, delivered: pd.DataFrame
                                          ) -> None:
    d = delivered
    cases = {
        "verbonden_partijen_pct": d["verbonden"] / d["lasten"] * 100,
        "gemeentefonds_pct": d["rijk"] / d["baten"] * 100,
        "specifieke_uitkeringen_pct": d["spuks"] / d["baten"] * 100,
        "rijksmiddelen_pct": (d["rijk"] + d["spuks"]) / d["baten"] * 100,
        "heffingen_pct": d["heffingen"] / d["baten"] * 100,
        "reserve_onttrekking_pct": d["reserve_baten"] / d["lasten"] * 100,
        "reserve_toevoeging_pct": d["reserve_lasten"] / d["lasten"] * 100,
        "netto_reserve_onttrekking_pct": (d["reserve_baten"] - d["reserve_lasten"])
        / d["lasten"] * 100,
        "personeelslasten_pct": (d["salarissen"] + d["inhuur"]) / d["lasten"] * 100,
        "lasten_per_inwoner": d["lasten"] * 1000 / d["inwoners"],
        "lasten_per_inwoner_sociaal": d["sociaal"] * 1000 / d["inwoners"],
        "lasten_totaal": d["lasten"] * 1000,
    }
    for code, expected in cases.items():
        _compare(values, code, d.assign(verwacht=expected)[[*KEY, "verwacht"]])


def test_physical_domain_from_taakvelden(values: pd.DataFrame, delivered: pd.DataFrame,
                                         breakdowns: pd.DataFrame) -> None:
    # fysiek = hoofdtaakvelden 2 and 8 + taakvelden 5.7, 7.2, 7.3, 7.4, 7.5 (domeinen.toml)
    hoofd = breakdowns[(breakdowns["breakdown"] == "per_hoofdtaakveld")
                       & breakdowns["key1"].isin(["2", "8"])]
    detail = breakdowns[(breakdowns["breakdown"] == "lasten_per_taakveld")
                        & breakdowns["key1"].isin(["5.7", "7.2", "7.3", "7.4", "7.5"])]
    physical = pd.concat([hoofd, detail]).groupby(KEY, as_index=False)["bedrag_x1000_eur"].sum()
    frame = delivered.merge(physical, on=KEY, how="left").fillna({"bedrag_x1000_eur": 0})
    _compare(values, "lasten_per_inwoner_fysiek", frame.assign(
        verwacht=frame["bedrag_x1000_eur"] * 1000 / frame["inwoners"])[[*KEY, "verwacht"]])


def test_domains_add_up_to_total_lasten(values: pd.DataFrame) -> None:
    domains = ["lasten_per_inwoner_fysiek", "lasten_per_inwoner_sociaal",
               "lasten_per_inwoner_bestuur", "lasten_per_inwoner_overig"]
    wide = values[values["indicator"].isin([*domains, "lasten_per_inwoner"])].pivot_table(
        index=KEY, columns="indicator", values="teller")
    np.testing.assert_allclose(wide[domains].sum(axis=1), wide["lasten_per_inwoner"],
                               rtol=1e-9, atol=1e-6)


def test_growth_and_realisation(values: pd.DataFrame, delivered: pd.DataFrame) -> None:
    lasten = delivered.set_index(KEY)["lasten"]
    previous = lasten.rename(lambda jaar: jaar + 1, level="jaar")
    growth = ((lasten / previous - 1) * 100).dropna().rename("verwacht").reset_index()
    _compare(values, "groei_lasten_pct", growth)
    accounts = delivered[delivered["document"] == "jaarrekening"].set_index(
        ["gm_code", "jaar"])["lasten"]
    budget = delivered[delivered["document"] == "begroting"].set_index(
        ["gm_code", "jaar"])["lasten"]
    gap = ((accounts / budget - 1) * 100).dropna().rename("verwacht").reset_index()
    _compare(values, "realisatie_lasten_pct", gap.assign(document="jaarrekening"))


def test_missing_delivery_has_no_value(values: pd.DataFrame, summary: pd.DataFrame) -> None:
    empty = summary[(summary["lasten"] == 0) & (summary["baten"] == 0)]
    assert len(empty) > 0
    found = values.merge(empty[KEY], on=KEY)
    assert found.empty, "a document that was not delivered must be missing, never zero"


@pytest.mark.parametrize(("gm_code", "jaar", "document"), [
    ("GM0363", 2023, "jaarrekening"), ("GM1900", 2019, "begroting")])
def test_teller_and_noemer_are_traceable(values: pd.DataFrame, delivered: pd.DataFrame,
                                         gm_code: str, jaar: int, document: str) -> None:
    row = values[(values["indicator"] == "gemeentefonds_pct") & (values["gm_code"] == gm_code)
                 & (values["jaar"] == jaar) & (values["document"] == document)].iloc[0]
    source = delivered[(delivered["gm_code"] == gm_code) & (delivered["jaar"] == jaar)
                       & (delivered["document"] == document)].iloc[0]
    assert row["teller"] == source["rijk"] and row["noemer"] == source["baten"]
