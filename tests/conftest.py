"""Shared test fixtures. Real data is read from the snapshot directory, never copied into the repo.

The snapshot directory is ``SCHOUDERS_TEST_DATA_DIR`` or, by default, ``../shared/data`` next to the
repository (as on the project's machines and in CI).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def snapshot_dir() -> Path:
    configured = os.environ.get("SCHOUDERS_TEST_DATA_DIR")
    path = Path(configured) if configured else REPO_ROOT.parent / "shared" / "data"
    return path.resolve()


@pytest.fixture(scope="session")
def data_dir() -> Path:
    path = snapshot_dir()
    if not (path / "SOURCES.md").exists():
        pytest.fail(
            f"snapshot data directory not found at {path}; set SCHOUDERS_TEST_DATA_DIR to the "
            "folder that holds SOURCES.md (the project's shared/data)"
        )
    return path
