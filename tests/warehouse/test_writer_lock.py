"""Two writers never lose each other's work: `schouders levering` during `schouders build` waits
for the build's swap and then applies to the new warehouse (attack probe: the finished build
used to be discarded). A killed delivery leaves no temporary warehouse copy behind."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from schouders.config import Settings, load_settings
from schouders.warehouse.concept import add_concept_delivery
from schouders.warehouse.lock import lock_path, writer_lock

HERE = Path(__file__).resolve().parent
SRC = HERE.parents[1] / "src"


def delivery(tmp_path: Path) -> Path:
    """A small real-coded Iv3 delivery of Hulst (GM0677) for the 2025 begroting."""
    rows = [{"taakveld": "0.4", "categorie": "1.1", "bedrag": 900.0},
            {"taakveld": "6.711", "categorie": "3.4.1", "bedrag": 300.0}]
    document = {
        "metadata": {"overheidslaag": "Gemeente", "overheidsnummer": "0677",
                     "overheidsnaam": "Hulst", "boekjaar": 2025, "periode": 0,
                     "status": "Begroting", "datum": "2024-11-01T10:00:00",
                     "details_openbaar": False, "financieel_pakket": "test",
                     "export_software": "test"},
        "contact": {"naam": "Controller", "email": "controller@hulst.nl", "telefoon": "0114"},
        "opmerkingen": [],
        "data": {"lasten": rows, "baten": [{"taakveld": "0.7", "categorie": "4.3.1",
                                            "bedrag": 1400.0}],
                 "balans_lasten": [], "balans_baten": [], "balans_standen": [],
                 "kengetallen": [], "beleidsindicatoren": []},
    }
    path = tmp_path / "hulst_2025.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


@pytest.fixture()
def fresh(data_dir: Path, built: Settings, tmp_path: Path) -> Settings:
    settings = load_settings(data_dir=data_dir, home=tmp_path / "home")
    settings.home.mkdir()
    shutil.copyfile(built.warehouse_path, settings.warehouse_path)
    return settings


def lock_is_held(settings: Settings) -> bool:
    handle = os.open(lock_path(settings), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(handle)  # closing releases a lock we may have taken
    return False


def built_at(settings: Settings) -> str:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return str(con.execute("SELECT value FROM meta WHERE key = 'gebouwd_op'").fetchall()[0][0])


def concept_rows(settings: Settings) -> int:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return int(con.execute("SELECT count(*) FROM iv3_levering WHERE gm_code = 'GM0677' "
                               "AND document = 'concept-begroting'").fetchall()[0][0])


def test_delivery_during_a_build_waits_and_neither_is_lost(
    fresh: Settings, data_dir: Path, tmp_path: Path
) -> None:
    before = built_at(fresh)
    time.sleep(1.1)  # build times have one-second resolution
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    build = subprocess.Popen(
        [sys.executable, "-m", "schouders.cli", "build", "--data-dir", str(data_dir),
         "--home", str(fresh.home)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True)
    try:
        deadline = time.monotonic() + 120
        while not lock_is_held(fresh):
            assert build.poll() is None, "the build ended before it took the writer lock"
            assert time.monotonic() < deadline, "the build never took the writer lock"
            time.sleep(0.005)
        messages: list[str] = []
        result = add_concept_delivery(fresh, delivery(tmp_path), notify=messages.append)
    finally:
        _, errors = build.communicate(timeout=120)
    assert build.returncode == 0, errors
    assert any("wacht tot het klaar is" in m and "de bouw van het warehouse" in m
               for m in messages), messages
    assert result.facts > 0
    assert built_at(fresh) > before  # the new build was kept ...
    assert concept_rows(fresh) == 1  # ... and the delivery is in it


def test_a_build_waits_for_a_delivery_and_reapplies_it(
    fresh: Settings, tmp_path: Path
) -> None:
    from schouders.warehouse.build import build_warehouse

    messages: list[str] = []
    holder_ready = threading.Event()
    release = threading.Event()

    def deliver_slowly() -> None:
        with writer_lock(fresh, "een test-levering"):
            holder_ready.set()
            release.wait(30)

    holder = threading.Thread(target=deliver_slowly)
    holder.start()
    holder_ready.wait(10)
    add_done: list[object] = []
    builder = threading.Thread(target=lambda: add_done.append(build_warehouse(
        fresh, lambda step, done, total: messages.append(step))))
    builder.start()
    deadline = time.monotonic() + 120
    while not any("wacht" in m for m in messages):
        assert builder.is_alive() and time.monotonic() < deadline
        time.sleep(0.01)
    assert builder.is_alive()  # waiting, not writing
    release.set()
    holder.join(10)
    builder.join(120)
    assert add_done and any("een test-levering" in m for m in messages)


def test_leftovers_of_a_killed_delivery_are_removed(fresh: Settings, tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    warehouse = fresh.warehouse_path
    leftovers = [warehouse.with_name(f".{warehouse.name}.building-{dead.pid}.deadbeef"),
                 warehouse.with_name(f".{warehouse.name}.concept-{dead.pid}")]
    (fresh.home / "leveringen").mkdir()
    leftovers.append(fresh.home / "leveringen" / f".GM0677_2025_begroting.json.building-{dead.pid}")
    for path in leftovers:
        shutil.copyfile(warehouse, path)
    add_concept_delivery(fresh, delivery(tmp_path), notify=lambda message: None)
    assert [path for path in leftovers if path.exists()] == []
    assert sorted(p.name for p in fresh.home.iterdir()) == [
        ".warehouse.lock", "leveringen", "warehouse.duckdb"]


def test_killed_delivery_process_leaves_nothing_after_the_next_writer(
    fresh: Settings, tmp_path: Path
) -> None:
    path = delivery(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    process = subprocess.Popen(
        [sys.executable, "-m", "schouders.cli", "levering", str(path), "--home", str(fresh.home),
         "--data-dir", str(fresh.data_dir)], env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if list(fresh.home.glob(".warehouse.duckdb.building-*")):
            break
        time.sleep(0.002)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    add_concept_delivery(fresh, path, notify=lambda message: None)  # the next writer
    assert list(fresh.home.glob(".warehouse.duckdb.*")) == []
    assert list((fresh.home / "leveringen").glob(".*")) == []
    assert concept_rows(fresh) == 1
