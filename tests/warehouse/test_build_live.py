"""End to end: `schouders build` in live mode, the real CBS client against the local stand-in.

The stand-in replays real CBS responses (03759ned, 86141NED, 85880NED as captured) and real Iv3
values from the snapshot at hoofdtaakveld × hoofdcategorie granularity. The live warehouse must
agree with the one built straight from the snapshot files.
"""

from __future__ import annotations

import duckdb
import pytest

from schouders.config import Settings
from schouders.errors import DownloadError
from schouders.testing.cbs_standin import CBSStandIn
from schouders.warehouse.build import build_warehouse


@pytest.fixture(scope="module")
def live(data_dir, tmp_path_factory) -> Settings:
    home = tmp_path_factory.mktemp("live")
    with CBSStandIn(data_dir, page_size=20_000) as cbs:
        settings = Settings(home=home, data_dir=None, dataderden_url=cbs.dataderden_url,
                            datasets_url=cbs.datasets_url, backoff=0.01)
        steps: list[str] = []
        build_warehouse(settings, lambda step, done, total: steps.append(step))
    assert any("Iv3 2023 (45063NED)" in step for step in steps), "download progress reported"
    return settings


def rows(settings: Settings, sql: str) -> dict:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return {tuple(row[:-1]): row[-1] for row in con.execute(sql).fetchall()}


TOTALS = ("SELECT gm_code, jaar, document, taakveld, bedrag FROM iv3_fact "
          "WHERE categorie = '*' AND kant = 'lasten' AND taakveld NOT LIKE '%.%'")


def test_live_totals_equal_the_snapshot_build(live: Settings, built: Settings) -> None:
    live_totals = rows(live, TOTALS)
    snapshot_totals = rows(built, TOTALS)
    assert live_totals.keys() == snapshot_totals.keys()
    differences = [key for key, value in snapshot_totals.items()
                   if abs(live_totals[key] - value) > 0.01]
    assert not differences, differences[:5]
    assert len(live_totals) > 60_000  # per municipality-year-document: total + 9 hoofdtaakvelden


def test_live_deliveries_and_municipalities(live: Settings, built: Settings) -> None:
    levering = "SELECT gm_code, jaar, document, status FROM iv3_levering"
    assert rows(live, levering) == rows(built, levering)
    per_year = "SELECT jaar, count(*) FROM gemeente_jaar GROUP BY jaar"
    assert rows(live, per_year)[(2025,)] == 342
    assert rows(live, per_year) == rows(built, per_year)


def test_live_population_prices_and_herindelingen(live: Settings, built: Settings) -> None:
    # the captured 03759ned slice starts in 2019
    population = "SELECT gm_code, jaar, inwoners FROM bevolking WHERE jaar >= 2019"
    assert rows(live, population) == rows(built, population)
    prices = "SELECT reeks, jaar, waarde FROM prijsindex WHERE jaar BETWEEN 2017 AND 2025"
    live_prices, snapshot_prices = rows(live, prices), rows(built, prices)
    assert live_prices.keys() == snapshot_prices.keys()
    assert all(live_prices[k] == pytest.approx(v) for k, v in snapshot_prices.items())
    succession = "SELECT oude_gm_code, nieuwe_gm_code, jaar, aandeel FROM herindeling"
    assert rows(live, succession) == rows(built, succession)


def test_cbs_outage_halfway_fails_loudly_and_keeps_the_warehouse(
    data_dir, live: Settings
) -> None:
    before = live.warehouse_path.read_bytes()
    with CBSStandIn(data_dir, page_size=20_000) as cbs:
        cbs.faults.add("45067NED/TypedDataSet", "503", times=1000)
        settings = Settings(home=live.home, data_dir=None, dataderden_url=cbs.dataderden_url,
                            datasets_url=cbs.datasets_url, retries=2, backoff=0.01)
        with pytest.raises(DownloadError, match="45067NED"):
            build_warehouse(settings)
    assert live.warehouse_path.read_bytes() == before
