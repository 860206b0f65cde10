"""The cache: exact invalidation per indicator, and never a partial cache.

On the tiny hand-made snapshot (tests/fixtures/tiny_snapshot.py): the cache mechanics do not
depend on the real figures, and the tiny world computes in a fraction of a second.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from fixtures.warehouses import copy_warehouse
from schouders.config import Settings
from schouders.errors import SchoudersError
from schouders.indicators import api, positions
from schouders.indicators.cache import cache_path
from schouders.indicators.context import Definitions, definitions
from schouders.indicators.tomlfile import packaged


@pytest.fixture(scope="module")
def peers(tiny_data_dir: Path) -> Path:
    return tiny_data_dir / "peergroepen.toml"


@pytest.fixture(scope="module")
def shipped(peers: Path) -> Definitions:
    """The shipped catalogue with the tiny world's peer groups."""
    return definitions(peers=peers)


@pytest.fixture(scope="module")
def cache_home(tiny_warehouse: Settings, shipped: Definitions,
               tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A copy of the tiny warehouse with its own cache, computed once per module."""
    settings = copy_warehouse(tiny_warehouse, tmp_path_factory.mktemp("tiny_cache_home"))
    api.compute_all(settings, defs=shipped)
    return settings


@pytest.fixture
def fresh_home(tiny_warehouse: Settings, tmp_path: Path) -> Settings:
    """A copy of the tiny warehouse without a cache."""
    return copy_warehouse(tiny_warehouse, tmp_path / "home")


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    text = packaged("catalogue.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "variant" / "catalogue.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _table(path: Path, sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_catalogue_change_recomputes_exactly_the_changed_indicator(
        cache_home: Settings, shipped: Definitions, peers: Path, tmp_path: Path) -> None:
    api.compute_all(cache_home, defs=shipped)       # back to the shipped catalogue
    assert api.compute_all(cache_home, defs=shipped) is None   # current: nothing to do
    path = cache_path(cache_home)
    counted = _table(path, "SELECT count(DISTINCT indicator) FROM indicator_waarde")[0][0]
    assert counted == len(definitions().catalogue.indicators)
    before = dict(_table(path, "SELECT indicator, sum(waarde) FROM indicator_waarde "
                               "GROUP BY indicator"))
    # the overhead denominator becomes total baten instead of total lasten
    variant = definitions(catalogue=_variant(
        tmp_path, 'teller = ["0.4|*|lasten"], noemer = ["*|*|lasten"]',
        'teller = ["0.4|*|lasten"], noemer = ["*|*|baten"]'), peers=peers)
    report = api.compute_all(cache_home, defs=variant)
    assert report is not None
    assert report.recomputed == ("overhead_pct",)
    assert report.positions_recomputed == ("overhead_pct",)
    after = dict(_table(path, "SELECT indicator, sum(waarde) FROM indicator_waarde "
                              "GROUP BY indicator"))
    assert after["overhead_pct"] != before["overhead_pct"]
    # tiny world: overhead is 12 % of the lasten, and the baten are 1,01 x the lasten
    assert after["overhead_pct"] == pytest.approx(before["overhead_pct"] / 1.01)
    assert {code: value for code, value in after.items() if code != "overhead_pct"} == \
        pytest.approx({code: value for code, value in before.items() if code != "overhead_pct"},
                      rel=1e-12)
    hashes = dict(_table(path, "SELECT indicator, catalogue_hash FROM indicator_cache"))
    assert hashes == variant.catalogue.hashes


def test_wording_change_recomputes_nothing(cache_home: Settings, shipped: Definitions,
                                           peers: Path, tmp_path: Path) -> None:
    api.compute_all(cache_home, defs=shipped)
    variant = definitions(catalogue=_variant(tmp_path, "Overhead als percentage van de lasten",
                                             "Overheadpercentage"), peers=peers)
    assert api.compute_all(cache_home, defs=variant) is None


def test_failure_leaves_previous_cache_untouched(cache_home: Settings, shipped: Definitions,
                                                 peers: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    api.compute_all(cache_home, defs=shipped)
    path = cache_path(cache_home)
    before = (path.stat().st_ino, path.stat().st_mtime_ns, path.read_bytes()[:4096])

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated crash while computing positions")

    monkeypatch.setattr("schouders.indicators.cache.all_positions", broken)
    variant = definitions(catalogue=_variant(
        tmp_path, 'teller = ["*|3.5.1|lasten"], noemer', 'teller = ["*|3.5.1|lasten", '
        '"*|1.1|lasten"], noemer'), peers=peers)
    with pytest.raises(RuntimeError, match="simulated crash"):
        api.compute_all(cache_home, defs=variant)
    assert (path.stat().st_ino, path.stat().st_mtime_ns, path.read_bytes()[:4096]) == before
    assert not list(path.parent.glob(".indicators.duckdb.building-*"))
    monkeypatch.setattr("schouders.indicators.cache.all_positions", positions.all_positions)
    assert api.compute_all(cache_home, defs=shipped) is None   # the old cache is still current


def test_unknown_taakveld_in_catalogue_is_refused_without_partial_cache(
        cache_home: Settings, shipped: Definitions, peers: Path, tmp_path: Path) -> None:
    api.compute_all(cache_home, defs=shipped)
    path = cache_path(cache_home)
    before = path.stat().st_mtime_ns
    variant = definitions(catalogue=_variant(tmp_path, 'formule = { soort = "per_inwoner", '
                                             'teller = ["0.4|*|lasten"] }',
                                             'formule = { soort = "per_inwoner", '
                                             'teller = ["9.9|*|lasten"] }'), peers=peers)
    with pytest.raises(SchoudersError) as error:
        api.compute_all(cache_home, defs=variant)
    message = str(error.value)
    assert "overhead_per_inwoner" in message and "taakveld 9.9" in message
    assert "Iv3-taakveldenlijst van 2021–2024" in message
    assert path.stat().st_mtime_ns == before
    assert not list(path.parent.glob(".indicators.duckdb.building-*"))


def test_key_without_data_is_explained(fresh_home: Settings, peers: Path,
                                       tmp_path: Path) -> None:
    variant = definitions(catalogue=_variant(tmp_path, 'formule = { soort = "per_inwoner", '
                                             'teller = ["0.4|*|lasten"] }',
                                             'formule = { soort = "per_inwoner", '
                                             'teller = ["2.1|1.1|lasten"] }'), peers=peers)
    with pytest.raises(SchoudersError, match="alleen de totale lasten"):
        api.compute_all(fresh_home, defs=variant)
    assert not cache_path(fresh_home).exists()
