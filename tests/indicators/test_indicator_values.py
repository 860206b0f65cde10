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


def _growth_on_own_boundaries(delivered: pd.DataFrame, summary: pd.DataFrame,
                              mergers: pd.DataFrame) -> pd.DataFrame:
    """Growth of lasten by hand: year J against year J-1 *on the boundaries of J* (the codes of
    J-1 summed into their successors by the CBS shares). No value when a predecessor's J-1 is
    missing, unless it was dissolved during J-1 (Weesp, 24 March 2022)."""
    lasten = delivered.set_index(KEY)["lasten"].to_dict()
    existing = set(zip(summary["gm_code"], summary["jaar"], strict=True))
    mergers = mergers.assign(datum=pd.to_datetime(mergers["datum"]))
    # first year of the new code list: the year itself on 1 January, else the next one
    mergers["jaar"] = mergers["datum"].dt.year + (
        (mergers["datum"].dt.month != 1) | (mergers["datum"].dt.day != 1)).astype(int)
    rows = []
    for (gm, jaar, document), value in lasten.items():
        parts = [(gm, 1.0, False)] if (gm, jaar - 1) in existing else []
        incoming = mergers[(mergers["nieuwe_gm_code"] == gm) & (mergers["jaar"] == jaar)]
        for merger in incoming.itertuples():
            if (merger.oude_gm_code, jaar) in existing:
                continue  # the old code continues: not a predecessor of this year
            mid_year = merger.datum.year == jaar - 1 and (merger.datum.month, merger.datum.day
                                                          ) != (1, 1)
            parts.append((merger.oude_gm_code, float(merger.aandeel_inwoners), mid_year))
        total, complete = 0.0, bool(parts)
        for code, share, mid_year in parts:
            before = lasten.get((code, jaar - 1, document))
            if before is None:
                complete = complete and mid_year
            else:
                total += before * share
        if complete and total:
            rows.append((gm, jaar, document, (value / total - 1) * 100))
    return pd.DataFrame(rows, columns=[*KEY, "verwacht"])


def test_growth_and_realisation(values: pd.DataFrame, delivered: pd.DataFrame,
                                summary: pd.DataFrame, data_dir) -> None:
    mergers = pd.read_csv(data_dir / "checkdecijfers_cbs_odata_v4"
                          / "derived_herindelingen_opheffingen.csv")
    growth = _growth_on_own_boundaries(delivered, summary, mergers)
    _compare(values, "groei_lasten_pct", growth)
    got = values[values["indicator"] == "groei_lasten_pct"].set_index(KEY)["waarde"].dropna()
    assert len(got) == len(growth)  # no value without a complete previous year
    lasten = delivered.set_index(KEY)["lasten"]
    # Amsterdam took in Weesp: begroting 2023 against Amsterdam plus Weesp 2022 (+5.33 %, not
    # the +6.38 % of Amsterdam alone); jaarrekening 2023 against Amsterdam 2022, which holds
    # Weesp from 24 March (Weesp delivered no jaarrekening 2022)
    assert got[("GM0363", 2023, "begroting")] == pytest.approx(
        (lasten[("GM0363", 2023, "begroting")] / (lasten[("GM0363", 2022, "begroting")]
                                                  + lasten[("GM0457", 2022, "begroting")])
         - 1) * 100)
    assert got[("GM0363", 2023, "begroting")] == pytest.approx(5.328, abs=0.001)
    assert got[("GM0363", 2023, "jaarrekening")] == pytest.approx(
        (lasten[("GM0363", 2023, "jaarrekening")] / lasten[("GM0363", 2022, "jaarrekening")]
         - 1) * 100)
    # Dijk en Waard (new code in 2022) has a growth 2022 over Heerhugowaard plus Langedijk
    assert got[("GM1980", 2022, "jaarrekening")] == pytest.approx(
        (lasten[("GM1980", 2022, "jaarrekening")] / (lasten[("GM0398", 2021, "jaarrekening")]
                                                     + lasten[("GM0416", 2021, "jaarrekening")])
         - 1) * 100)
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
