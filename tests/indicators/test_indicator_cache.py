"""The cache: exact invalidation per indicator, and never a partial cache."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from schouders.config import Settings
from schouders.errors import SchoudersError
from schouders.indicators import api, positions
from schouders.indicators.cache import cache_path
from schouders.indicators.context import definitions
from schouders.indicators.tomlfile import packaged


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
        cache_home: Settings, tmp_path: Path) -> None:
    api.compute_all(cache_home)                     # back to the shipped catalogue
    assert api.compute_all(cache_home) is None      # current: nothing to do
    path = cache_path(cache_home)
    counted = _table(path, "SELECT count(DISTINCT indicator) FROM indicator_waarde")[0][0]
    assert counted == len(definitions().catalogue.indicators)
    before = dict(_table(path, "SELECT indicator, sum(waarde) FROM indicator_waarde "
                               "GROUP BY indicator"))
    # the overhead denominator becomes total baten instead of total lasten
    variant = definitions(catalogue=_variant(
        tmp_path, 'teller = ["0.4|*|lasten"], noemer = ["*|*|lasten"]',
        'teller = ["0.4|*|lasten"], noemer = ["*|*|baten"]'))
    report = api.compute_all(cache_home, defs=variant)
    assert report is not None
    assert report.recomputed == ("overhead_pct",)
    assert report.positions_recomputed == ("overhead_pct",)
    after = dict(_table(path, "SELECT indicator, sum(waarde) FROM indicator_waarde "
                              "GROUP BY indicator"))
    assert after["overhead_pct"] != before["overhead_pct"]
    assert {code: value for code, value in after.items() if code != "overhead_pct"} == \
        pytest.approx({code: value for code, value in before.items() if code != "overhead_pct"},
                      rel=1e-12)
    hashes = dict(_table(path, "SELECT indicator, catalogue_hash FROM indicator_cache"))
    assert hashes == variant.catalogue.hashes


def test_wording_change_recomputes_nothing(cache_home: Settings, tmp_path: Path) -> None:
    api.compute_all(cache_home)
    variant = definitions(catalogue=_variant(tmp_path, "Overhead als percentage van de lasten",
                                             "Overheadpercentage"))
    assert api.compute_all(cache_home, defs=variant) is None


def test_failure_leaves_previous_cache_untouched(cache_home: Settings, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    api.compute_all(cache_home)
    path = cache_path(cache_home)
    before = (path.stat().st_ino, path.stat().st_mtime_ns, path.read_bytes()[:4096])

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated crash while computing positions")

    monkeypatch.setattr("schouders.indicators.cache.all_positions", broken)
    variant = definitions(catalogue=_variant(
        tmp_path, 'teller = ["*|3.5.1|lasten"], noemer', 'teller = ["*|3.5.1|lasten", '
        '"*|1.1|lasten"], noemer'))
    with pytest.raises(RuntimeError, match="simulated crash"):
        api.compute_all(cache_home, defs=variant)
    assert (path.stat().st_ino, path.stat().st_mtime_ns, path.read_bytes()[:4096]) == before
    assert not list(path.parent.glob(".indicators.duckdb.building-*"))
    monkeypatch.setattr("schouders.indicators.cache.all_positions", positions.all_positions)
    assert api.compute_all(cache_home) is None      # the old cache is still the current one


def test_unknown_taakveld_in_catalogue_is_refused_without_partial_cache(
        cache_home: Settings, tmp_path: Path) -> None:
    api.compute_all(cache_home)
    path = cache_path(cache_home)
    before = path.stat().st_mtime_ns
    variant = definitions(catalogue=_variant(tmp_path, 'formule = { soort = "per_inwoner", '
                                             'teller = ["0.4|*|lasten"] }',
                                             'formule = { soort = "per_inwoner", '
                                             'teller = ["9.9|*|lasten"] }'))
    with pytest.raises(SchoudersError) as error:
        api.compute_all(cache_home, defs=variant)
    message = str(error.value)
    assert "overhead_per_inwoner" in message and "taakveld 9.9" in message
    assert "Iv3-taakveldenlijst" in message
    assert path.stat().st_mtime_ns == before
    assert not list(path.parent.glob(".indicators.duckdb.building-*"))


def test_key_without_data_is_explained(fresh_home: Settings, tmp_path: Path) -> None:
    variant = definitions(catalogue=_variant(tmp_path, 'formule = { soort = "per_inwoner", '
                                             'teller = ["0.4|*|lasten"] }',
                                             'formule = { soort = "per_inwoner", '
                                             'teller = ["2.1|1.1|lasten"] }'))
    with pytest.raises(SchoudersError, match="alleen de totale lasten"):
        api.compute_all(fresh_home, defs=variant)
    assert not cache_path(fresh_home).exists()
