"""Shared test fixtures. Real data is read from the snapshot directory, never copied into the repo.

The snapshot directory is ``SCHOUDERS_TEST_DATA_DIR`` or, by default, ``../shared/data`` next to the
repository (as on the project's machines and in CI).

Two warehouses serve the whole session, each built once:

* ``real_warehouse``: built from the real snapshot (several seconds); the indicator, web and
  warehouse tests all read it. It is shared: a test that changes the warehouse file, or builds
  into its home, must take a private copy with ``fixtures.warehouses.copy_warehouse`` instead.
* ``tiny_warehouse``: built from the hand-made snapshot of ``tests/fixtures/tiny_snapshot.py``
  (well under a second), for tests of the build, the harmonisation and the indicators where
  exact hand-computed values matter and the real figures do not.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from schouders.config import Settings, load_settings

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


@pytest.fixture(scope="session")
def real_warehouse(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The warehouse built once per session from the real snapshot. Read-only use: copy it
    (``fixtures.warehouses.copy_warehouse``) before changing it or building into its home."""
    from schouders.warehouse.build import build_warehouse

    settings = load_settings(data_dir=data_dir, home=tmp_path_factory.mktemp("real_home"))
    build_warehouse(settings)
    return settings


@pytest.fixture(scope="session")
def tiny_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made tiny snapshot (tests/fixtures/tiny_snapshot.py), written once per session."""
    from fixtures.tiny_snapshot import write_tiny_snapshot

    return write_tiny_snapshot(tmp_path_factory.mktemp("tiny") / "data")


@pytest.fixture(scope="session")
def tiny_warehouse(tiny_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The warehouse built once per session from the tiny snapshot (read-only use)."""
    from schouders.warehouse.build import build_warehouse

    settings = load_settings(data_dir=tiny_data_dir, home=tmp_path_factory.mktemp("tiny_home"))
    build_warehouse(settings)
    return settings
