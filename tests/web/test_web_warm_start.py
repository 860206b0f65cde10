"""A worker is warm before it accepts its first request, and it only reads what serve prepared.

Regression for the probe of issue "Hardening" (first uncached requests took 2-4.7 s) and for
"One engine, one shell" point 6 (each worker built its own state on first use). Wall-clock
times are measured in benchmarks/bench_web.py, never asserted here; these tests check *what*
is done before the first request, and what is not done per worker.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from schouders.config import Settings

pytestmark = pytest.mark.slow


def run_worker(home: Path, code: str) -> dict:
    """Start a worker's app as serve does (in a fresh interpreter) and report on it."""
    script = textwrap.dedent(f"""
        import json, sys
        from fastapi.testclient import TestClient
        from schouders.config import load_settings
        from schouders.web.app import create_app
        app = create_app(load_settings(home={str(home)!r}), freeze_gc=True)
        with TestClient(app) as client:   # runs the lifespan: the warm-up
            state = app.state.web
            report = {{
                "panel": state.peek(("panel", None)) is not None,
                "national": all(state.peek(("national", d)) is not None
                                for d in ("begroting", "jaarrekening")),
                "templates": app.state.chart_templates,
                "altair_after_warm": "altair" in sys.modules,
            }}
            {code}
        print(json.dumps(report))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def prepared(web_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home as `schouders serve` leaves it before starting workers."""
    from schouders.web.server import _prepare

    home = tmp_path_factory.mktemp("served_home")
    for name in ("warehouse.duckdb",):
        (home / name).write_bytes((web_settings.home / name).read_bytes())
    from schouders.config import load_settings

    _prepare(load_settings(home=home))
    return home


def test_worker_is_warm_before_its_first_request_and_never_imports_altair(
        prepared: Path) -> None:
    report = run_worker(prepared, """
        pages = ["/gemeente/GM1700", "/landelijk", "/indicator/inhuur_pct",
                 "/vergelijken?gemeenten=GM0363,GM0599", "/gemeente/GM0363?lang=en"]
        report["statuses"] = [client.get(page).status_code for page in pages]
        report["altair_after_pages"] = "altair" in sys.modules
    """)
    assert report["panel"] and report["national"]
    assert report["templates"] > 50  # every chart shape, both languages, built by serve
    assert report["altair_after_warm"] is False
    assert report["statuses"] == [200] * 5
    assert report["altair_after_pages"] is False  # every page's charts came from the templates


def test_prepare_writes_what_workers_read(prepared: Path) -> None:
    from schouders.service.precompute import SERVICE_FILE
    from schouders.web import charts

    assert (prepared / SERVICE_FILE).exists()
    assert charts.templates_path(prepared).exists()
    assert (prepared / "indicators.duckdb").exists()
