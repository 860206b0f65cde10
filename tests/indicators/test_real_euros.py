"""Real euros: deflation with the warehouse price indices, missing price years as notes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from schouders.config import Settings
from schouders.errors import SchoudersError
from schouders.indicators import api

CPI_FILE = "checkdecijfers_cbs_odata_v4/derived_86141NED_cpi_2025is100_alle_bestedingen.csv"


@pytest.fixture(scope="module")
def cpi(data_dir: Path) -> dict[int, float]:
    frame = pd.read_csv(data_dir / CPI_FILE)
    annual = frame[frame["Perioden"].str.endswith("JJ00")]
    return {int(period[:4]): float(value) for period, value in zip(
        annual["Perioden"], annual["CPI"], strict=True)}


def test_amounts_in_prices_of_a_base_year(settings: Settings, cpi: dict[int, float]) -> None:
    nominal = api.indicator_values(settings, ["lasten_per_inwoner"], gemeenten=["GM0677"],
                                   jaar=2022, document="jaarrekening")
    real = api.indicator_values(settings, ["lasten_per_inwoner"], gemeenten=["GM0677"],
                                jaar=2022, document="jaarrekening", real=True, basisjaar=2024)
    expected = nominal["waarde"].iloc[0] * cpi[2024] / cpi[2022]
    assert real["waarde"].iloc[0] == pytest.approx(expected, rel=1e-9)
    assert real["waarde_nominaal"].iloc[0] == nominal["waarde"].iloc[0]
    assert real["prijsbasis"].iloc[0] == "cpi, prijzen van 2024"


def test_real_growth_and_untouched_ratios(settings: Settings, cpi: dict[int, float]) -> None:
    frame = api.indicator_values(settings, ["groei_lasten_pct", "overhead_pct"],
                                 gemeenten=["GM0855"], jaar=2023, document="begroting")
    real = api.indicator_values(settings, ["groei_lasten_pct", "overhead_pct"],
                                gemeenten=["GM0855"], jaar=2023, document="begroting",
                                real=True)
    growth = frame.set_index("indicator")["waarde"]
    real_growth = real.set_index("indicator")["waarde"]
    expected = ((1 + growth["groei_lasten_pct"] / 100) / (cpi[2023] / cpi[2022]) - 1) * 100
    assert real_growth["groei_lasten_pct"] == pytest.approx(expected, rel=1e-9)
    assert real_growth["overhead_pct"] == growth["overhead_pct"]


def test_missing_price_year_gives_null_with_note(settings: Settings) -> None:
    # the price of government consumption (85880NED) starts in 2019 in the snapshot
    real = api.indicator_values(settings, ["lasten_per_inwoner"], gemeenten=["GM0677"],
                                jaar=[2018, 2020], document="jaarrekening", real=True,
                                deflator="overheidsconsumptie", basisjaar=2024)
    by_year = real.set_index("jaar")
    assert np.isnan(by_year.loc[2018, "waarde"])
    assert "geen prijsindex 'overheidsconsumptie' voor 2018" in by_year.loc[2018, "opmerking"]
    assert np.isfinite(by_year.loc[2020, "waarde"]) and by_year.loc[2020, "opmerking"] == ""
    no_base = api.indicator_values(settings, ["lasten_per_inwoner"], gemeenten=["GM0677"],
                                   jaar=2020, document="jaarrekening", real=True, basisjaar=2030)
    assert np.isnan(no_base["waarde"].iloc[0])
    assert "basisjaar 2030" in no_base["opmerking"].iloc[0]


def test_unknown_deflator_is_a_clear_error(settings: Settings) -> None:
    with pytest.raises(SchoudersError, match="Onbekende prijsindex 'ppi'"):
        api.indicator_values(settings, ["lasten_per_inwoner"], jaar=2020, real=True,
                             deflator="ppi")


def test_profile_in_real_euros_keeps_positions(settings: Settings,
                                               cpi: dict[int, float]) -> None:
    nominal = api.profile(settings, "GM0677", 2022, "jaarrekening").posities.set_index(
        "indicator")
    real = api.profile(settings, "GM0677", 2022, "jaarrekening", real=True,
                       basisjaar=2025).posities.set_index("indicator")
    factor = cpi[2025] / cpi[2022]
    row = "lasten_per_inwoner_fysiek"
    assert real.loc[row, "waarde"] == pytest.approx(nominal.loc[row, "waarde"] * factor)
    assert real.loc[row, "mediaan"] == pytest.approx(nominal.loc[row, "mediaan"] * factor)
    assert real.loc[row, "percentiel"] == nominal.loc[row, "percentiel"]
    assert real.loc[row, "z"] == pytest.approx(nominal.loc[row, "z"])


def test_government_consumption_deflator_chains_the_cbs_price_changes(
        settings: Settings, data_dir: Path) -> None:
    frame = pd.read_csv(data_dir / "checkdecijfers_cbs_odata_v4/"
                        "derived_85880NED_jaarmutaties_long.csv")
    price = frame[(frame["Measure"] == "A049169_1") & (frame["SoortMutaties"] == "A045303")
                  & frame["Perioden"].str.endswith("JJ00")]
    change = {int(p[:4]): float(v) / 100 for p, v in zip(price["Perioden"], price["Value"],
                                                          strict=True)}
    # 2019 lasten per inwoner of Hulst in prices of 2024: x (1.021 * 1.031 * ... * 1.056)
    factor = float(np.prod([1 + change[year] for year in range(2020, 2025)]))
    nominal = api.indicator_values(settings, ["lasten_per_inwoner"], gemeenten=["GM0677"],
                                   jaar=2019, document="jaarrekening")["waarde"].iloc[0]
    real = api.indicator_values(settings, ["lasten_per_inwoner", "groei_lasten_pct"],
                                gemeenten=["GM0677"], jaar=[2019, 2021],
                                document="jaarrekening", real=True,
                                deflator="overheidsconsumptie", basisjaar=2024)
    level = real[(real["indicator"] == "lasten_per_inwoner") & (real["jaar"] == 2019)]
    assert level["waarde"].iloc[0] == pytest.approx(nominal * factor, rel=1e-9)
    growth = real[(real["indicator"] == "groei_lasten_pct") & (real["jaar"] == 2021)].iloc[0]
    assert growth["waarde"] == pytest.approx(
        ((1 + growth["waarde_nominaal"] / 100) / (1 + change[2021]) - 1) * 100, rel=1e-9)
