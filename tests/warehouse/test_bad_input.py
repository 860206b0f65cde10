"""Bad snapshot input: a clear error naming file and line, exit code != 0, warehouse unchanged."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from schouders.cli import app
from schouders.config import load_settings
from schouders.errors import DataFileError
from schouders.warehouse.build import build_warehouse
from schouders.warehouse.codelists import check_taakvelden

SUMMARY = "joeykurtosis_gemeentefinancien/iv3_summary_2017_2026.csv"


def mirror(data_dir: Path, target: Path, *, copy: tuple[str, ...] = ()) -> Path:
    """A snapshot directory of symlinks to the real files, with `copy` files writable copies."""
    for source in data_dir.rglob("*"):
        if source.is_dir():
            continue
        relative = source.relative_to(data_dir)
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        if str(relative) in copy:
            shutil.copyfile(source, destination)
        else:
            destination.symlink_to(source)
    return target


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def home_with_warehouse(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("home")
    build_warehouse(load_settings(data_dir=data_dir, home=home))
    return home


def test_malformed_number_names_file_line_and_leaves_warehouse(
    data_dir: Path, home_with_warehouse: Path, tmp_path: Path
) -> None:
    snapshot = mirror(data_dir, tmp_path / "data", copy=(SUMMARY,))
    path = snapshot / SUMMARY
    lines = path.read_text(encoding="utf-8").splitlines()
    fields = lines[10].split(",")
    fields[5] = "12x4"  # the lasten column
    lines[10] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    warehouse = home_with_warehouse / "warehouse.duckdb"
    before = digest(warehouse)

    result = CliRunner().invoke(
        app, ["build", "--data-dir", str(snapshot), "--home", str(home_with_warehouse)]
    )

    assert result.exit_code == 1
    message = " ".join(result.output.split())
    assert "iv3_summary_2017_2026.csv" in message
    assert "regel 11" in message and "'12x4'" in message and "lasten" in message
    assert digest(warehouse) == before


def test_missing_file_is_named(data_dir: Path, home_with_warehouse: Path, tmp_path: Path) -> None:
    snapshot = mirror(data_dir, tmp_path / "data")
    (snapshot / SUMMARY).unlink()
    with pytest.raises(DataFileError, match=r"iv3_summary_2017_2026\.csv.*ontbreekt"):
        build_warehouse(load_settings(data_dir=snapshot, home=home_with_warehouse))


def test_missing_column_is_named(data_dir: Path, tmp_path: Path) -> None:
    snapshot = mirror(data_dir, tmp_path / "data", copy=(SUMMARY,))
    path = snapshot / SUMMARY
    text = path.read_text(encoding="utf-8").replace(",lasten,", ",uitgaven,", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError, match="kolommen ontbreken: lasten"):
        build_warehouse(load_settings(data_dir=snapshot, home=tmp_path / "home"))
    assert not (tmp_path / "home" / "warehouse.duckdb").exists()


def test_data_dir_that_does_not_exist(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["build", "--data-dir", str(tmp_path / "nope"), "--home", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "snapshotmap bestaat niet" in result.output


def test_code_list_that_does_not_match_the_data_year(con) -> None:
    """A taakveld that only exists in other years' code lists is refused, naming those years."""
    codes = con.execute("SELECT jaar, codelijst, code, omschrijving, ouder FROM iv3_code").df()
    listed_2025 = set(codes[(codes["jaar"] == 2025) & (codes["codelijst"] == "taakveld")]["code"])
    removed = [
        row[0]
        for row in con.execute(
            "SELECT code FROM definitiebreuk WHERE codelijst='taakveld' AND soort='vervallen' "
            "ORDER BY jaar, code"
        ).fetchall()
    ]
    code = next(c for c in removed if not any(item.startswith(c) for item in listed_2025))
    facts = pd.DataFrame({"jaar": [2025], "taakveld": [code]})
    with pytest.raises(
        DataFileError, match=rf"taakveld {re.escape(code)} .*codelijst van 2025.*hoort bij"
    ):
        check_taakvelden(facts, codes, "test.csv")


def test_killed_build_leaves_previous_warehouse_intact(
    data_dir: Path, home_with_warehouse: Path
) -> None:
    warehouse = home_with_warehouse / "warehouse.duckdb"
    before = digest(warehouse)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "schouders.cli",
            "build",
            "--data-dir",
            str(data_dir),
            "--home",
            str(home_with_warehouse),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    temp_files: list[Path] = []
    while time.monotonic() < deadline and not temp_files:
        temp_files = list(home_with_warehouse.glob(".warehouse.duckdb.building-*"))
        time.sleep(0.02)
    assert temp_files, "the build never started writing its temporary file"
    time.sleep(0.5)  # well into the build: reading the snapshot
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)

    assert process.returncode == -signal.SIGKILL
    assert digest(warehouse) == before
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM gemeente_jaar WHERE jaar=2025").fetchone() == (
            342,
        )
    # the next build removes the half-written file and succeeds
    build_warehouse(load_settings(data_dir=data_dir, home=home_with_warehouse))
    assert not list(home_with_warehouse.glob(".warehouse.duckdb.building-*"))
