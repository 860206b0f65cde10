"""The national picture (Figure 7 of the 2020 physical-domain study), every year we have."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from schouders.cli import app as cli_app
from schouders.config import Settings
from schouders.indicators import api

KEY = ["gm_code", "jaar", "document"]


def _physical(breakdowns: pd.DataFrame) -> pd.DataFrame:
    hoofd = breakdowns[(breakdowns["breakdown"] == "per_hoofdtaakveld")
                       & breakdowns["key1"].isin(["2", "8"])]
    detail = breakdowns[(breakdowns["breakdown"] == "lasten_per_taakveld")
                        & breakdowns["key1"].isin(["5.7", "7.2", "7.3", "7.4", "7.5"])]
    return pd.concat([hoofd, detail]).groupby(KEY, as_index=False)["bedrag_x1000_eur"].sum()


@pytest.fixture(scope="module")
def unharmonised(settings: Settings) -> pd.DataFrame:
    return api.national_picture(settings, document="begroting", harmonised=False)


def test_all_municipalities_by_hand(unharmonised: pd.DataFrame, delivered: pd.DataFrame,
                                    breakdowns: pd.DataFrame) -> None:
    budget = delivered[delivered["document"] == "begroting"].merge(
        _physical(breakdowns), on=KEY, how="left").fillna({"bedrag_x1000_eur": 0})
    now = budget[budget["jaar"] == 2024].set_index("gm_code")
    before = budget[budget["jaar"] == 2023].set_index("gm_code")
    both = now.index.intersection(before.index)
    row = unharmonised[(unharmonised["jaar"] == 2024)
                       & (unharmonised["groep"] == "Alle gemeenten")].iloc[0]
    assert row["gemeenten"] == len(both)
    total = (now.loc[both, "lasten"].sum() / before.loc[both, "lasten"].sum() - 1) * 100
    physical = (now.loc[both, "bedrag_x1000_eur"].sum()
                / before.loc[both, "bedrag_x1000_eur"].sum() - 1) * 100
    assert row["lasten_mutatie_pct"] == pytest.approx(total)
    assert row["fysiek_mutatie_pct"] == pytest.approx(physical)
    cpi = 96.90 / 93.76 - 1
    assert row["cpi_pct"] == pytest.approx(cpi * 100, abs=1e-9)
    assert row["lasten_reeel_pct"] == pytest.approx(((1 + total / 100) / (1 + cpi) - 1) * 100)


def test_every_year_from_2018_with_size_classes(unharmonised: pd.DataFrame) -> None:
    assert sorted(unharmonised["jaar"].unique()) == list(range(2018, 2027))
    for _, year in unharmonised.groupby("jaar"):
        total = year[year["groep"] == "Alle gemeenten"]["gemeenten"].iloc[0]
        assert year[year["groep"] != "Alle gemeenten"]["gemeenten"].sum() == total
    last = unharmonised[unharmonised["jaar"] == 2026]
    assert np.isnan(last["lasten_reeel_pct"]).all()        # no CPI for 2026 yet
    assert last["opmerking"].str.contains("geen prijsindex").all()


def test_harmonised_by_default_and_says_so(settings: Settings,
                                           unharmonised: pd.DataFrame) -> None:
    picture = api.national_picture(settings, document="begroting")
    assert "beide jaren" in picture.attrs["toelichting"]
    assert "gemeentegrenzen van 2026" in picture.attrs["toelichting"]
    # no mergers between 2023 and 2024: both views agree for that pair
    pick = ["jaar", "groep", "gemeenten", "lasten_mutatie_pct"]
    left = picture[(picture["jaar"] == 2024) & (picture["groep"] == "Alle gemeenten")][pick]
    right = unharmonised[(unharmonised["jaar"] == 2024)
                         & (unharmonised["groep"] == "Alle gemeenten")][pick]
    pd.testing.assert_frame_equal(left.reset_index(drop=True), right.reset_index(drop=True))
    # across the 2019 mergers the harmonised view counts 2026 municipalities (predecessors
    # summed), at most the 342 that exist in 2026
    n_2019 = picture[(picture["jaar"] == 2019) & (picture["groep"] == "Alle gemeenten")]
    assert 300 < n_2019["gemeenten"].iloc[0] <= 342


def test_catalogue_on_harmonised_boundaries(settings: Settings) -> None:
    harmonised = api.harmonised_values(settings, 2024, codes=["lasten_totaal"])
    cached = api.indicator_values(settings, ["lasten_totaal"], jaar=2024)
    # no mergers after 2023: on the boundaries of 2024 the 2024 values are the plain ones
    merged = cached.merge(harmonised[harmonised["jaar"] == 2024],
                          on=["gm_code", "jaar", "document"], suffixes=("", "_h"))
    assert len(merged) == len(cached)
    np.testing.assert_allclose(merged["waarde_h"], merged["waarde"], rtol=1e-12)
    assert set(harmonised["peiljaar"]) == {2024}


# Figure 7 of "Het kraakt en het piept in het fysiek domein" (BMC for the VNG, 2020):
# "Totaal gemeenten" 2018 +3,16 %, 2019 -2,94 %, 2020 +3,81 %.
BMC_TOTAL_PCT = {2018: 3.16, 2019: -2.94, 2020: 3.81}
# BMC compared the newest document available in 2020 for each year: jaarrekening 2017 and 2018,
# begroting 2019 and 2020, summed over every municipality that delivered (no matching).
BMC_DOCUMENTS = {2017: "jaarrekening", 2018: "jaarrekening", 2019: "begroting",
                 2020: "begroting"}


def test_figure_7_total_reproduced_from_cached_totals(settings: Settings,
                                                     delivered: pd.DataFrame) -> None:
    totals = api.indicator_values(settings, ["lasten_totaal"], jaar=list(BMC_DOCUMENTS))
    national = totals.groupby(["document", "jaar"])["waarde"].sum()
    by_hand = delivered.groupby(["document", "jaar"])["lasten"].sum() * 1000
    for jaar in BMC_TOTAL_PCT:
        now, before = (jaar, BMC_DOCUMENTS[jaar]), (jaar - 1, BMC_DOCUMENTS[jaar - 1])
        ours = (national[now[1], now[0]] / national[before[1], before[0]] - 1) * 100
        hand = (by_hand[now[1], now[0]] / by_hand[before[1], before[0]] - 1) * 100
        assert ours == pytest.approx(hand, abs=1e-9)
        assert abs(ours - BMC_TOTAL_PCT[jaar]) < 0.005, (
            f"{jaar}: Schouders {ours:.3f}%, BMC Figuur 7 {BMC_TOTAL_PCT[jaar]}%")


def test_cli_landelijk_reeel_on_the_real_snapshot(settings: Settings,
                                                  delivered: pd.DataFrame) -> None:
    """`schouders landelijk --reeel` shows the real change: by hand, begroting 2024 over 2023,
    all municipalities that delivered both, deflated by CPI 2024/2023 (96,90 / 93,76)."""
    budget = delivered[delivered["document"] == "begroting"].set_index(["jaar", "gm_code"])
    both = budget.loc[2024].index.intersection(budget.loc[2023].index)
    nominal = budget.loc[2024].loc[both, "lasten"].sum() / budget.loc[2023].loc[both,
                                                                               "lasten"].sum()
    real = (nominal / (96.90 / 93.76) - 1) * 100
    result = CliRunner().invoke(cli_app, ["landelijk", "--reeel", "--niet-geharmoniseerd",
                                          "--home", str(settings.home)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines()
                if " 2024 " in line and " alle " in line)
    cells = [cell.strip() for cell in line.strip("│ ").split("│")]
    assert cells[3] == f"{real:+.1f}%".replace(".", ","), (cells, real)
    assert cells[3] != f"{(nominal - 1) * 100:+.1f}%".replace(".", ",")


def test_amsterdam_stays_in_across_the_weesp_mid_year_merger(settings: Settings,
                                                             delivered: pd.DataFrame) -> None:
    """Weesp joined Amsterdam on 24 March 2022 and has no jaarrekening 2022; Amsterdam's covers
    it from that date. On the boundaries of 2026 Amsterdam (about 9 % of national lasten) is in
    the pairs 2021->22 and 2022->23 (before the mid-year rule it dropped out of both)."""
    jr = delivered[delivered["document"] == "jaarrekening"].set_index(["gm_code", "jaar"])
    values = api.harmonised_values(settings, codes=["lasten_totaal", "groei_lasten_pct"])
    amsterdam = values[(values["gm_code"] == "GM0363")
                       & (values["document"] == "jaarrekening")].pivot(
        index="jaar", columns="indicator", values="waarde")
    assert amsterdam.loc[2022, "lasten_totaal"] == pytest.approx(
        jr.loc[("GM0363", 2022), "lasten"] * 1000)
    before = jr.loc[("GM0363", 2021), "lasten"] + jr.loc[("GM0457", 2021), "lasten"]
    assert amsterdam.loc[2022, "groei_lasten_pct"] == pytest.approx(
        (jr.loc[("GM0363", 2022), "lasten"] / before - 1) * 100)
    assert amsterdam.loc[2023, "groei_lasten_pct"] == pytest.approx(
        (jr.loc[("GM0363", 2023), "lasten"] / jr.loc[("GM0363", 2022), "lasten"] - 1) * 100)
    picture = api.national_picture(settings, document="jaarrekening").set_index(
        ["jaar", "groep"])
    for jaar in (2022, 2023):
        row = picture.loc[(jaar, "Alle gemeenten")]
        assert row["lasten"] > jr.loc[("GM0363", jaar), "lasten"] * 10
        share = jr.loc[("GM0363", jaar), "lasten"] / row["lasten"]
        assert 0.08 < share < 0.10
        large = picture.loc[(jaar, "250.000 inwoners of meer")]
        assert large["gemeenten"] == 4  # the G4, Amsterdam included
    # the national change 2021->22 with Amsterdam in: +5.69 % (+7.06 % was shown without it)
    assert picture.loc[(2022, "Alle gemeenten"), "lasten_mutatie_pct"] == pytest.approx(
        5.687, abs=0.001)
