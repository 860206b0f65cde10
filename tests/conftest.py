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
import warnings
from pathlib import Path

import pytest

from schouders.config import Settings, load_settings

REPO_ROOT = Path(__file__).resolve().parents[1]
# Rich wraps CLI output at the terminal width (80 without one); a long temporary path (as under
# pytest-xdist) would then split a file name that a test looks for.
os.environ.setdefault("COLUMNS", "250")

# Tests that take more than a few seconds (pytest --durations on the 2-core machine) in modules
# whose owners have not marked them yet: marked slow here, so `pytest -m "not slow"` stays the
# fast inner loop. An entry is a module (all its tests) or module::test. Prefer
# @pytest.mark.slow in the module itself and remove the entry here.
SLOW_ELSEWHERE = {
    "tests/warehouse/test_build_live.py": "live builds through the CBS stand-in, 15-30 s",
    "tests/web/test_web_api_schema.py": "schemathesis over every API operation, about 25 s",
    "tests/instruments/test_browser.py::test_full_flow_in_the_browser":
        "a whole session in headless Chromium, about 20 s",
    "tests/warehouse/test_concept_delivery.py::"
    "test_concept_is_stored_next_to_cbs_figures_and_survives_a_rebuild":
        "rebuilds the real warehouse, about 10 s",
    "tests/warehouse/test_bad_input.py::test_killed_build_leaves_previous_warehouse_intact":
        "a real build killed in a subprocess and rebuilt, about 10 s",
    "tests/web/test_web_units.py::test_serve_runs_several_uvicorn_workers":
        "starts uvicorn worker processes, about 9 s",
    "tests/warehouse/test_plausibility.py::"
    "test_live_code_list_cut_short_without_a_count_fails_the_build":
        "a live build through the CBS stand-in, about 25 s",
    "tests/warehouse/test_plausibility.py::test_truncated_population_file_fails":
        "a real build that fails late, about 5 s",
    "tests/warehouse/test_writer_lock.py::test_delivery_during_a_build_waits_and_neither_is_lost":
        "a real build in a subprocess, about 7 s",
}


def snapshot_dir() -> Path:
    configured = os.environ.get("SCHOUDERS_TEST_DATA_DIR")
    path = Path(configured) if configured else REPO_ROOT.parent / "shared" / "data"
    return path.resolve()


@pytest.hookimpl(tryfirst=True)  # before -m "not slow" deselects
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    modules = {}
    for item in items:
        module, _, rest = item.nodeid.partition("::")
        modules.setdefault(module, getattr(item, "module", None))
        for entry in (module, f"{module}::{rest.split('[', 1)[0]}"):
            if entry in SLOW_ELSEWHERE:
                item.add_marker(pytest.mark.slow)
    for entry in SLOW_ELSEWHERE:
        module, _, name = entry.partition("::")
        if name and modules.get(module) is not None and not hasattr(modules[module], name):
            warnings.warn(pytest.PytestWarning(
                f"tests/conftest.py SLOW_ELSEWHERE names {entry}, which does not exist "
                "(renamed or removed?); update the list."), stacklevel=1)


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
