"""The indicator commands, as the main CLI registers them at top level."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from schouders.config import Settings
from schouders.indicators.cli import register


@pytest.fixture(scope="module")
def cli() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def _run(cli: typer.Typer, settings: Settings, *args: str) -> object:
    return CliRunner().invoke(cli, [*args, "--home", str(settings.home)], catch_exceptions=False)


def test_indicators_list_and_definition(cli: typer.Typer, settings: Settings) -> None:
    result = _run(cli, settings, "indicators", "--format", "csv")
    assert result.exit_code == 0
    assert "overhead_pct" in result.stdout and "apparaatskosten_per_inwoner" in result.stdout
    shown = _run(cli, settings, "indicators", "--toon", "inhuur_pct")
    assert shown.exit_code == 0 and "3.5.1" in shown.stdout and "Kanttekening" in shown.stdout


def test_profile_json_and_table(cli: typer.Typer, settings: Settings) -> None:
    result = _run(cli, settings, "profiel", "Hulst", "--jaar", "2025", "--format", "json")
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert payload["gm_code"] == "GM0677" and payload["jaar"] == 2025
    overhead = next(row for row in payload["posities"] if row["indicator"] == "overhead_pct")
    assert overhead["waarde"] == pytest.approx(13.26, abs=0.01)
    assert len(payload["peers"]) > 100
    table = _run(cli, settings, "profiel", "GM0677", "--jaar", "2024", "--document",
                 "jaarrekening", "--peers", "knn")
    assert table.exit_code == 0 and "Overhead" in table.stdout and "Peers (10)" in table.stdout


def test_exports(cli: typer.Typer, settings: Settings, tmp_path: Path) -> None:
    workbook = tmp_path / "vergelijk.xlsx"
    result = _run(cli, settings, "vergelijk", "GM0677", "Kapelle", "--jaar", "2024",
                  "--document", "jaarrekening", "--format", "xlsx", "--output", str(workbook))
    assert result.exit_code == 0
    frame = pd.read_excel(workbook)
    assert {"Hulst (GM0677)", "Kapelle (GM0678)"} <= set(frame.columns)
    parquet = tmp_path / "landelijk.parquet"
    assert _run(cli, settings, "landelijk", "--format", "parquet", "--output",
                str(parquet)).exit_code == 0
    assert "lasten_mutatie_pct" in pd.read_parquet(parquet).columns
    signals = _run(cli, settings, "signalen", "--jaar", "2024", "--format", "csv")
    assert signals.exit_code == 0 and signals.stdout.startswith("gm_code,naam,signaal")


def test_errors_are_dutch_with_exit_code_1(cli: typer.Typer, settings: Settings) -> None:
    result = CliRunner().invoke(cli, ["profiel", "GM0677", "--jaar", "2030", "--home",
                                      str(settings.home)])
    assert result.exit_code == 1
    assert "Geen begroting 2030" in result.output and "Traceback" not in result.output
    binary = CliRunner().invoke(cli, ["landelijk", "--format", "xlsx", "--home",
                                      str(settings.home)])
    assert binary.exit_code == 1 and "--output" in binary.output
