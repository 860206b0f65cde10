from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from schouders.config import Settings


@pytest.fixture(scope="session")
def built(real_warehouse: Settings) -> Settings:
    """The session's real-snapshot warehouse (built once in tests/conftest.py, read-only)."""
    return real_warehouse


@pytest.fixture()
def con(built: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(built.warehouse_path), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def summary_rows(data_dir: Path) -> list[dict[str, str]]:
    """The snapshot's Iv3 summary, read with the csv module (independent of the loader)."""
    path = data_dir / "joeykurtosis_gemeentefinancien" / "iv3_summary_2017_2026.csv"
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="session")
def breakdown_rows(data_dir: Path) -> list[dict[str, str]]:
    path = (
        data_dir / "joeykurtosis_gemeentefinancien" / "iv3_summary_breakdowns_long_2017_2026.csv.gz"
    )
    wanted = {"lasten_per_taakveld", "per_hoofdtaakveld"}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if row["breakdown"] in wanted]


@pytest.fixture(scope="session")
def summary_value(summary_rows: list[dict[str, str]]):
    """Look up one column of the snapshot summary for (gm_code, jaar, document)."""
    index = {(r["gm_code"], int(r["jaar"]), r["document"]): r for r in summary_rows}

    def lookup(gm: str, jaar: int, document: str, column: str) -> float:
        return float(index[(gm, jaar, document)][column])

    return lookup
