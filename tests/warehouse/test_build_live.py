"""End to end: `schouders build` in live mode, the real CBS client against the local stand-in.

The stand-in replays real CBS responses (03759ned, 86141NED, 85880NED as captured) and real Iv3
values from the snapshot at hoofdtaakveld × hoofdcategorie granularity. The live warehouse must
agree with the one built straight from the snapshot files.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from schouders.config import Settings, load_settings
from schouders.errors import DownloadError
from schouders.indicators.structure import read_structure
from schouders.sources.raw_snapshot import SnapshotWriter
from schouders.testing.cbs_standin import CBSStandIn
from schouders.warehouse.boundaries import boundaries_for_year
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
    snapshots = sorted((live.home / "raw").iterdir())
    with CBSStandIn(data_dir, page_size=20_000) as cbs:
        cbs.faults.add("45067NED/TypedDataSet", "503", times=1000)
        settings = Settings(home=live.home, data_dir=None, dataderden_url=cbs.dataderden_url,
                            datasets_url=cbs.datasets_url, retries=2, backoff=0.01)
        with pytest.raises(DownloadError, match="45067NED"):
            build_warehouse(settings)
    assert live.warehouse_path.read_bytes() == before
    assert sorted((live.home / "raw").iterdir()) == snapshots  # no partial snapshot left


def test_live_build_has_no_structure_or_boundaries_and_says_why(live: Settings) -> None:
    with duckdb.connect(str(live.warehouse_path), read_only=True) as con:
        structure = read_structure(con)
        assert boundaries_for_year(con, 2024) is None
        recorded = con.execute(
            "SELECT onderdeel, rijen, opmerking FROM herkomst WHERE onderdeel IN "
            "('gemeente_stedelijkheid', 'gemeente_kenmerk', 'naam_gmcode', 'gemeente_grens') "
            "ORDER BY onderdeel").fetchall()
    assert not structure.available
    assert "live niet beschikbaar" in (structure.reason or "")
    assert [row[0] for row in recorded] == ["gemeente_grens", "gemeente_kenmerk",
                                            "gemeente_stedelijkheid", "naam_gmcode"]
    assert all(row[1] == 0 and "live niet beschikbaar" in row[2] for row in recorded)


def raw_snapshots(settings: Settings) -> list[Path]:
    return sorted(p for p in (settings.home / "raw").iterdir() if not p.name.startswith("."))


def test_live_build_writes_a_dated_raw_snapshot_with_provenance(live: Settings) -> None:
    [snapshot] = raw_snapshots(live)
    assert re.fullmatch(r"\d{8}T\d{6}Z", snapshot.name)
    manifest = json.loads((snapshot / "snapshot.json").read_text(encoding="utf-8"))
    assert manifest["soort"] == "schouders-live-ruw"
    typed = [e for e in manifest["bestanden"] if "45063NED/TypedDataSet" in e["verzoek"]]
    assert len(typed) == 2  # begroting and jaarrekening 2023
    for entry in typed:
        data = snapshot / entry["bestand"]
        beside = json.loads(Path(f"{data}.herkomst.json").read_text(encoding="utf-8"))
        body = data.read_bytes()
        assert beside["sha256"] == hashlib.sha256(body).hexdigest() == entry["sha256"]
        assert beside["tabel"] == "45063NED" and beside["url"].startswith("http://127.0.0.1:")
        assert beside["rijen"] == len(json.loads(body)["value"]) == entry["rijen"] > 10_000
        assert beside["opgehaald_op"].endswith("+00:00")
        assert data.stat().st_mode & 0o222 == 0


def test_offline_build_from_the_raw_snapshot_equals_the_live_build(
    live: Settings, tmp_path: Path
) -> None:
    [snapshot] = raw_snapshots(live)
    offline = load_settings(data_dir=snapshot, home=tmp_path)
    report = build_warehouse(offline)
    assert report.raw_snapshot is None  # an offline build writes no new snapshot
    assert not (tmp_path / "raw").exists()
    tables = ["gemeente_jaar", "gemeente", "herindeling", "bevolking", "prijsindex", "iv3_code",
              "definitiebreuk", "iv3_fact", "iv3_levering", "herkomst"]
    count = "SELECT count(*) FROM {}"
    offline_counts = {t: rows(offline, count.format(t))[()] for t in tables}
    assert offline_counts == {t: rows(live, count.format(t))[()] for t in tables}
    assert offline_counts["iv3_fact"] > 700_000 and offline_counts["bevolking"] == 2775
    assert rows(offline, TOTALS) == rows(live, TOTALS)
    assert rows(offline, "SELECT gm_code, jaar, inwoners FROM bevolking") == rows(
        live, "SELECT gm_code, jaar, inwoners FROM bevolking")
    amsterdam_2023 = ("SELECT gm_code, jaar, bedrag FROM iv3_fact WHERE gm_code = 'GM0363' AND "
                      "jaar = 2023 AND document = 'begroting' AND taakveld = '*' "
                      "AND categorie = '*' AND kant = 'lasten'")
    assert rows(offline, amsterdam_2023) == rows(live, amsterdam_2023)
    with duckdb.connect(str(offline.warehouse_path), read_only=True) as con:
        source = con.execute("SELECT value FROM meta WHERE key = 'bron'").fetchall()[0][0]
    assert source.startswith(f"ruwe snapshot {snapshot}")


def test_an_existing_snapshot_folder_is_never_overwritten(tmp_path: Path) -> None:
    moment = datetime(2026, 12, 4, 12, 0, 0, tzinfo=UTC)
    first = SnapshotWriter(tmp_path, now=moment)
    first.record("datasets", "http://127.0.0.1:1/odata", "/86141NED/Observations", [{"a": 1}])
    first_path = first.finish()
    second = SnapshotWriter(tmp_path, now=moment)
    second.record("datasets", "http://127.0.0.1:1/odata", "/86141NED/Observations", [{"a": 2}])
    second_path = second.finish()
    assert first_path.name == "20261204T120000Z" and second_path.name == "20261204T120000Z-2"
    [entry] = json.loads((first_path / "snapshot.json").read_text())["bestanden"]
    assert json.loads((first_path / entry["bestand"]).read_text())["value"] == [{"a": 1}]


def test_a_killed_live_builds_partial_snapshot_is_removed_by_the_next(tmp_path: Path) -> None:
    import subprocess
    import sys

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    partial = tmp_path / f".20261204T120000Z.partial-{dead.pid}"
    (partial / "datasets").mkdir(parents=True)
    (partial / "datasets" / "x.json").write_text("{}")
    writer = SnapshotWriter(tmp_path)
    assert not partial.exists() and writer.temp.exists()
    writer.abandon()
    assert list(tmp_path.iterdir()) == []


def test_gemeente_command_for_years_without_population(live: Settings) -> None:
    """The live slice of 03759ned starts in 2019: 2017-2018 have no population. The command
    shows '–' for them instead of crashing (attack probe)."""
    from typer.testing import CliRunner

    from schouders.cli import app

    result = CliRunner().invoke(app, ["gemeente", "GM0007", "--home", str(live.home)])
    assert result.exit_code == 0, result.output
    assert "Bellingwedde" in result.output and "2017" in result.output and "–" in result.output
    result = CliRunner().invoke(app, ["gemeente", "GM0363", "--home", str(live.home)])
    assert result.exit_code == 0 and "2018" in result.output


def test_deadlines_are_configurable_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    from schouders.errors import SchoudersError
    from schouders.warehouse.from_live import client

    settings = Settings(home=Path("/nonexistent"), data_dir=None)
    monkeypatch.setenv("SCHOUDERS_CBS_DEADLINE", "12.5")
    monkeypatch.setenv("SCHOUDERS_CBS_DOWNLOAD_DEADLINE", "600")
    with client(settings, "http://127.0.0.1:1") as configured:
        assert (configured.deadline, configured.download_deadline) == (12.5, 600.0)
    monkeypatch.setenv("SCHOUDERS_CBS_DEADLINE", "nooit")
    with pytest.raises(SchoudersError, match="SCHOUDERS_CBS_DEADLINE='nooit' is geen positief"):
        client(settings, "http://127.0.0.1:1")


def test_replay_refuses_a_changed_file_and_ignores_foreign_manifests(
    live: Settings, tmp_path: Path
) -> None:
    from schouders.errors import DataFileError
    from schouders.sources.raw_snapshot import RawReplay, is_raw_snapshot

    [snapshot] = raw_snapshots(live)
    copy = tmp_path / "kopie"
    shutil.copytree(snapshot, copy)
    manifest = json.loads((copy / "snapshot.json").read_text(encoding="utf-8"))
    entry = next(e for e in manifest["bestanden"] if e["verzoek"].startswith("/86141NED"))
    changed = copy / entry["bestand"]
    changed.chmod(0o644)
    changed.write_text(changed.read_text(encoding="utf-8").replace("75.62", "75.63"),
                       encoding="utf-8")
    replay = RawReplay(copy, "datasets")
    with pytest.raises(DataFileError, match="controlesom klopt niet"):
        replay.fetch_all(replay.base_url + entry["verzoek"])
    foreign = tmp_path / "ander"
    foreign.mkdir()
    (foreign / "snapshot.json").write_text('{"soort": "iets anders"}', encoding="utf-8")
    assert is_raw_snapshot(copy) and not is_raw_snapshot(foreign)
