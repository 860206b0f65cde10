"""The main job as a user runs it: the README's `bash scripts/run.sh --data-dir PATH`, which sets
up, builds the warehouse and serves the app with worker processes.

It runs as a real subprocess over the real snapshot (into the current virtualenv, through
SCHOUDERS_VENV); the served profile of Hulst is checked against the overhead figure Hulst
publishes in its budget 2025.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[1]
HULST_PUBLISHED_OVERHEAD_PCT = 13.12  # Programmabegroting 2025 Hulst, paragraaf bedrijfsvoering


def _schouders() -> list[str]:
    script = shutil.which("schouders", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "schouders.cli"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Iterator[str]:
    home = tmp_path_factory.mktemp("main-home")
    env = {**os.environ, "SCHOUDERS_HOME": str(home), "SCHOUDERS_VENV": sys.prefix}
    env.pop("SCHOUDERS_DATABASE_URL", None)
    port = _free_port()
    log = (home / "serve.log").open("w")
    server = subprocess.Popen(
        ["bash", str(REPO / "scripts" / "run.sh"), "--data-dir", str(data_dir),
         "--port", str(port), "--workers", "2"],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600
        while True:
            assert server.poll() is None, (home / "serve.log").read_text()
            try:
                if httpx.get(f"{base}/", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "scripts/run.sh did not serve within 600 s"
            time.sleep(0.5)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.mark.slow  # sets up, builds and serves with worker processes: about 20 s
def test_served_profile_of_hulst_matches_its_published_overhead(served: str) -> None:
    response = httpx.get(f"{served}/gemeente/GM0677.json",
                         params={"jaar": 2025, "document": "begroting"}, timeout=30)
    assert response.status_code == 200
    body = response.json()
    assert body["gemeente"]["naam"] == "Hulst"
    overhead = {row["indicator"]: row for row in body["kerncijfers"]}["overhead_pct"]
    # within the 1.5 percentage points the issue allows against the published 13.12%
    assert abs(overhead["waarde"] - HULST_PUBLISHED_OVERHEAD_PCT) <= 1.5, overhead["waarde"]


@pytest.mark.slow
def test_served_app_has_the_monitor_api_and_instruments(served: str) -> None:
    html = httpx.get(f"{served}/gemeente/GM0677", timeout=30)
    assert html.status_code == 200 and "Hulst" in html.text
    assert 'href="/instrumenten/"' in html.text
    instruments = httpx.get(f"{served}/instrumenten/", timeout=30)
    assert instruments.status_code == 200 and "Instrumenten" in instruments.text
    spec = httpx.get(f"{served}/api/openapi.json", timeout=30).json()
    assert any(path.startswith("/api/") for path in spec["paths"])


def test_cli_lists_every_command_group() -> None:
    result = subprocess.run([*_schouders(), "--help"], capture_output=True, text=True,
                            timeout=60, env={**os.environ, "COLUMNS": "200"})
    assert result.returncode == 0
    for command in ("build", "status", "gemeente", "reeks", "levering", "serve", "indicators",
                    "profiel", "vergelijk", "landelijk", "signalen", "instrumenten"):
        assert f" {command} " in result.stdout, command
