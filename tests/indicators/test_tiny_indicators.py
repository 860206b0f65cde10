"""The indicator engine on the tiny hand-made world (tests/fixtures/tiny_snapshot.py).

Expected values are worked out by hand from the world's definition: the taakveld weights add up
to EUR 1000 per inhabitant, times the municipality's level, the year factor (2022: 1,04) and the
document factor (jaarrekening: 1,05). Each test runs in milliseconds; the cache is computed once
per module (about half a second).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from fixtures.tiny_snapshot import tiny_definitions
from fixtures.warehouses import copy_warehouse
from schouders.cli import app
from schouders.config import Settings
from schouders.indicators import api
from schouders.indicators.context import Definitions


@pytest.fixture(scope="module")
def defs(tiny_data_dir: Path) -> Definitions:
    return tiny_definitions(tiny_data_dir)


@pytest.fixture(scope="module")
def tiny(tiny_warehouse: Settings, defs: Definitions,
         tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A home with a copy of the tiny warehouse and its indicator cache."""
    settings = copy_warehouse(tiny_warehouse, tmp_path_factory.mktemp("tiny_cache"))
    api.compute_all(settings, defs=defs)
    return settings


def value(settings: Settings, defs: Definitions, code: str, gm: str, jaar: int,
          document: str = "begroting") -> float:
    frame = api.indicator_values(settings, [code], gemeenten=[gm], jaar=jaar, document=document,
                                 defs=defs)
    assert len(frame) == 1, frame
    return float(frame["waarde"].iloc[0])


@pytest.mark.parametrize(("code", "gm", "jaar", "document", "expected"), [
    ("lasten_per_inwoner", "GM9004", 2021, "begroting", 900.0),           # 1000 x 0,9
    ("lasten_per_inwoner", "GM9004", 2022, "jaarrekening", 1000 * 0.9 * 1.04 * 1.05),
    ("lasten_totaal", "GM9004", 2021, "begroting", 27_000_000.0),          # euro, not x 1.000
    ("lasten_per_inwoner_fysiek", "GM9005", 2021, "begroting", 340 * 1.1),
    ("lasten_per_inwoner_h0", "GM9008", 2021, "begroting", 170 * 0.95),
    ("aandeel_sociaal_pct", "GM9011", 2023, "begroting", 30.0),
    ("overhead_pct", "GM9009", 2022, "jaarrekening", 12.0),
    ("inhuur_pct", "GM9004", 2021, "begroting", 100 * 5 / 30),             # 5 / (25 + 5)
    # salarissen 25 % + inhuur 5 % + overhead 12 % - overhead's own salarissen 6 % and inhuur
    # 1,2 % of the lasten = 34,8 %, of EUR 900 per inhabitant
    ("apparaatskosten_per_inwoner", "GM9004", 2021, "begroting", 0.348 * 900),
    ("gemeentefonds_pct", "GM9004", 2021, "begroting", 45.0),
    ("specifieke_uitkeringen_pct", "GM9004", 2021, "begroting", 10.0),
    ("eigen_inkomsten_pct", "GM9004", 2021, "begroting", 12.0),            # 6 + 4 + 2
    ("saldo_voor_reserves_pct", "GM9004", 2021, "begroting", 1.0),         # baten 1,01 x lasten
    ("netto_reserve_onttrekking_pct", "GM9004", 2021, "begroting", 1.0),   # 3 % - 2 %
    ("solvabiliteit_pct", "GM9004", 2021, "jaarrekening", 30.0),
    ("realisatie_lasten_pct", "GM9007", 2022, "jaarrekening", 5.0),
    ("groei_lasten_pct", "GM9004", 2022, "begroting", 4.0),
    # 2023: Dijkum takes in 60 % of Cedorp (3.000 inhabitants, level 1,2) and the year factor
    # goes from 1,04 to 1,10. Growth compares 2023 with 2022 on the boundaries of 2023:
    # Dijkum 2022 plus 60 % of Cedorp 2022, so the merger itself is no growth
    ("groei_lasten_pct", "GM9004", 2023, "begroting",
     (33_000 * 0.9 * 1.10 / ((30_000 * 0.9 + 0.6 * 5_000 * 1.2) * 1.04) - 1) * 100),
    ("groei_fysiek_per_inwoner_pct", "GM9004", 2023, "begroting",
     (33_000 * 0.9 * 1.10 / 33_000 / ((30_000 * 0.9 + 0.6 * 5_000 * 1.2) * 1.04 / 33_000) - 1)
     * 100),
])
def test_hand_computed_values(tiny: Settings, defs: Definitions, code: str, gm: str, jaar: int,
                              document: str, expected: float) -> None:
    assert value(tiny, defs, code, gm, jaar, document) == pytest.approx(expected)


def test_missing_deliveries_have_no_values_at_all(tiny: Settings, defs: Definitions) -> None:
    frame = api.indicator_values(tiny, gemeenten=["GM9002", "GM9009"], document="jaarrekening",
                                 defs=defs)
    years = {(gm, int(jaar)) for gm, jaar in frame[["gm_code", "jaar"]].itertuples(index=False)}
    assert ("GM9002", 2021) not in years and ("GM9009", 2023) not in years
    assert ("GM9009", 2022) in years
    # a solvency ratio needs a balance: the begroting has none, so no value (not zero)
    begroting = api.indicator_values(tiny, ["solvabiliteit_pct"], gemeenten=["GM9004"],
                                     document="begroting", defs=defs)
    assert begroting["waarde"].isna().all() or begroting.empty
    # the year after a missing jaarrekening has no growth figure: nothing to compare with
    growth = api.indicator_values(tiny, ["groei_lasten_pct"], gemeenten=["GM9009"],
                                  document="jaarrekening", defs=defs)
    known = growth.dropna(subset=["waarde"])
    assert known["jaar"].tolist() == [2022]
    assert known["waarde"].iloc[0] == pytest.approx(4.0)
    assert 2023 not in set(growth["jaar"])


def test_real_euros_use_the_warehouse_cpi(tiny: Settings, defs: Definitions) -> None:
    frame = api.indicator_values(tiny, ["lasten_per_inwoner", "groei_lasten_pct"],
                                 gemeenten=["GM9004"], jaar=2022, document="begroting",
                                 real=True, basisjaar=2025, defs=defs).set_index("indicator")
    # CPI 2022 = 90, 2025 = 100: EUR 936 of 2022 is EUR 1040 of 2025
    assert frame.loc["lasten_per_inwoner", "waarde"] == pytest.approx(936 * 100 / 90)
    assert frame.loc["lasten_per_inwoner", "waarde_nominaal"] == pytest.approx(936)
    # nominal +4 %, prices +9,76 % (82 -> 90): real -5,24 %
    assert frame.loc["groei_lasten_pct", "waarde"] == pytest.approx((1.04 * 82 / 90 - 1) * 100)


def test_profile_in_a_custom_group(tiny: Settings, defs: Definitions) -> None:
    result = api.profile(tiny, "Dijkum", 2021, "begroting", peer_group="TINY", defs=defs)
    assert result.gm_code == "GM9004"
    assert list(result.peers["gm_code"]) == ["GM9004", "GM9005", "GM9007", "GM9008", "GM9009"]
    row = result.posities.set_index("indicator").loc["lasten_per_inwoner"]
    # peers' lasten per inhabitant: 900, 1100, 1000, 950, 1050
    assert row["waarde"] == pytest.approx(900)
    assert row["n"] == 5
    assert row["mediaan"] == pytest.approx(1000)
    assert row["gemiddelde"] == pytest.approx(1000)
    assert row["sd"] == pytest.approx((25_000 / 4) ** 0.5)       # sample standard deviation
    assert row["z"] == pytest.approx(-100 / (25_000 / 4) ** 0.5)
    assert row["rang"] == 5 and row["percentiel"] == 0


def test_size_class_peers(tiny: Settings, defs: Definitions) -> None:
    members = api.peer_group_members(tiny, "GM9004", 2021, "grootteklasse", defs=defs)
    # 20.000 to 50.000 inhabitants in 2021: Dijkum 30.000, Gaasterveen 25.000, IJzerlo 45.000
    assert list(members["gm_code"]) == ["GM9004", "GM9007", "GM9009"]
    group = api.peer_group_members(tiny, "GM9004", 2021, "TINY", defs=defs)
    assert len(group) == 5


def test_national_picture_real_change(tiny: Settings, defs: Definitions) -> None:
    frame = api.national_picture(tiny, document="begroting", defs=defs)
    row = frame[(frame["jaar"] == 2022) & (frame["groep"] == "Alle gemeenten")].iloc[0]
    # on the boundaries of 2024 all seven municipalities are in both years; every amount grows
    # by the year factor 1,04, CPI by 90 / 82
    assert row["gemeenten"] == 7
    assert row["lasten_mutatie_pct"] == pytest.approx(4.0)
    assert row["lasten_reeel_pct"] == pytest.approx((1.04 * 82 / 90 - 1) * 100)
    assert row["fysiek_reeel_pct"] == pytest.approx((1.04 * 82 / 90 - 1) * 100)
    assert row["cpi_pct"] == pytest.approx((90 / 82 - 1) * 100)
    # on each year's own boundaries Aastad and Beekdam (2021 only) and Samenveld (from 2022)
    # have no pair: the eight others are compared
    own = api.national_picture(tiny, document="begroting", harmonised=False, defs=defs)
    own_row = own[(own["jaar"] == 2022) & (own["groep"] == "Alle gemeenten")].iloc[0]
    assert own_row["gemeenten"] == 8
    assert own_row["lasten_mutatie_pct"] == pytest.approx(4.0)
    gov = api.national_picture(tiny, document="begroting", deflator="overheidsconsumptie",
                               defs=defs)
    gov_row = gov[(gov["jaar"] == 2022) & (gov["groep"] == "Alle gemeenten")].iloc[0]
    assert gov_row["lasten_reeel_pct"] == pytest.approx(0.0, abs=1e-9)  # prices also +4 %


def _cells(output: str, jaar: int) -> list[str]:
    """The cells of the table row 'jaar, alle' in rich's box drawing."""
    line = next(line for line in output.splitlines() if f" {jaar} " in line and " alle " in line)
    return [cell.strip() for cell in line.strip("│ ").split("│")]


def test_cli_landelijk_reeel_shows_real_changes(tiny: Settings) -> None:
    runner = CliRunner()
    real = runner.invoke(app, ["landelijk", "--reeel", "--home", str(tiny.home)],
                         env={"COLUMNS": "200"})
    assert real.exit_code == 0, real.output
    # jaar, class, count, total, physical, CPI, price of government consumption
    assert _cells(real.output, 2022) == ["2022", "alle", "7", "-5,2%", "-5,2%", "+9,8%", "+4,0%"]
    assert "reëel (cpi)" in real.output
    nominal = runner.invoke(app, ["landelijk", "--home", str(tiny.home)],
                            env={"COLUMNS": "200"})
    assert nominal.exit_code == 0, nominal.output
    assert _cells(nominal.output, 2022)[3:5] == ["+4,0%", "+4,0%"]
    deflated = runner.invoke(app, ["landelijk", "--reeel", "--deflator", "overheidsconsumptie",
                                   "--home", str(tiny.home)], env={"COLUMNS": "200"})
    assert _cells(deflated.output, 2022)[3:5] == ["0,0%", "0,0%"]
    as_json = runner.invoke(app, ["landelijk", "--reeel", "--format", "json", "--home",
                                  str(tiny.home)])
    assert as_json.exit_code == 0, as_json.output
    payload = json.loads(as_json.stdout)
    rows = pd.DataFrame(payload["landelijk"])
    first = rows[(rows["jaar"] == 2022) & (rows["groep"] == "Alle gemeenten")].iloc[0]
    assert first["lasten_reeel_pct"] == pytest.approx((1.04 * 82 / 90 - 1) * 100)
    assert first["lasten_mutatie_pct"] == pytest.approx(4.0)
    assert payload["prijzen"] == "reëel (cpi)"
