"""Fixtures for the indicator tests: the session's warehouse and one indicator cache per session.

Expected values are computed by hand from the snapshot CSV files (read with pandas here, never
through schouders code), so the tests check the engine against the source, not against itself.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from schouders.config import Settings
from schouders.indicators import api

JOEY = "joeykurtosis_gemeentefinancien"


@pytest.fixture(scope="session")
def warehouse_settings(real_warehouse: Settings) -> Settings:
    """The session's real-snapshot warehouse (tests/conftest.py), shared with the other folders."""
    return real_warehouse


@pytest.fixture(scope="session")
def settings(warehouse_settings: Settings) -> Settings:
    """A warehouse with a computed indicator cache (read-only use in tests)."""
    api.compute_all(warehouse_settings)
    return warehouse_settings


@pytest.fixture(scope="session")
def summary(data_dir: Path) -> pd.DataFrame:
    """iv3_summary_2017_2026.csv, as published (x1000 EUR)."""
    return pd.read_csv(data_dir / JOEY / "iv3_summary_2017_2026.csv")


@pytest.fixture(scope="session")
def delivered(summary: pd.DataFrame) -> pd.DataFrame:
    """Summary rows of actual deliveries (a row with lasten and baten 0 means: nothing sent)."""
    return summary[~((summary["lasten"] == 0) & (summary["baten"] == 0))].copy()


@pytest.fixture(scope="session")
def breakdowns(data_dir: Path) -> pd.DataFrame:
    frame = pd.read_csv(data_dir / JOEY / "iv3_summary_breakdowns_long_2017_2026.csv.gz",
                        dtype={"key1": str, "key2": str})
    frame["document"] = frame["verslagsoort"].str[-3:].map({"000": "begroting",
                                                            "005": "jaarrekening"})
    return frame


@pytest.fixture(scope="session")
def values(settings: Settings) -> pd.DataFrame:
    """All cached indicator values."""
    return api.indicator_values(settings)
