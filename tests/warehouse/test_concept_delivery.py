"""A municipality's own Iv3 JSON delivery, loaded as a concept document next to CBS's figures."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from schouders.cli import app
from schouders.config import Settings, load_settings
from schouders.warehouse.build import build_warehouse

# real codes of the 2025 Gemeente code list (taakveld 6.711 is new in 2025)
LASTEN = [("0.4", "1.1", 900.0), ("0.4", "3.5.1", 100.0), ("6.711", "3.4.1", 300.0),
          ("6.712", "3.4.1", 200.0), ("0.10", "7.1", 50.0)]
BATEN = [("0.7", "4.3.1", 1400.0), ("0.62", "2.2.1", 50.0)]


def delivery_json(jaar: int = 2025, nummer: str = "0677") -> dict:
    def rows(entries):
        return [{"taakveld": t, "categorie": c, "bedrag": b} for t, c, b in entries]

    return {
        "metadata": {"overheidslaag": "Gemeente", "overheidsnummer": nummer,
                     "overheidsnaam": "Hulst", "boekjaar": jaar, "periode": 0,
                     "status": "Begroting", "datum": f"{jaar - 1}-11-01T10:00:00",
                     "details_openbaar": False, "financieel_pakket": "test",
                     "export_software": "test"},
        "contact": {"naam": "Controller", "email": "controller@hulst.nl", "telefoon": "0114"},
        "opmerkingen": [],
        "data": {"lasten": rows(LASTEN), "baten": rows(BATEN), "balans_lasten": [],
                 "balans_baten": [], "balans_standen": [], "kengetallen": [],
                 "beleidsindicatoren": []},
    }


@pytest.fixture()
def fresh(data_dir: Path, built: Settings, tmp_path: Path) -> Settings:
    """A private copy of the built warehouse, so loading concepts does not touch other tests."""
    settings = load_settings(data_dir=data_dir, home=tmp_path / "home")
    settings.home.mkdir()
    shutil.copyfile(built.warehouse_path, settings.warehouse_path)
    return settings


def test_concept_is_stored_next_to_cbs_figures_and_survives_a_rebuild(
    fresh: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "hulst_begroting_2025.json"
    path.write_text(json.dumps(delivery_json()), encoding="utf-8")
    result = CliRunner().invoke(app, ["levering", str(path), "--data-dir", str(fresh.data_dir),
                                      "--home", str(fresh.home)])
    assert result.exit_code == 0, result.output

    def amounts() -> dict:
        with duckdb.connect(str(fresh.warehouse_path), read_only=True) as con:
            return {(d, t, c, k): b for d, t, c, k, b in con.execute(
                "SELECT document, taakveld, categorie, kant, bedrag FROM iv3_fact "
                "WHERE gm_code='GM0677' AND jaar=2025").fetchall()}

    facts = amounts()
    assert facts[("concept-begroting", "*", "*", "lasten")] == 1500.0  # 0.10 is not spending
    assert facts[("concept-begroting", "0.4", "*", "lasten")] == 1000.0
    assert facts[("concept-begroting", "6.71", "*", "lasten")] == 500.0  # 6.711 + 6.712
    assert facts[("concept-begroting", "0.7", "4.3.1", "baten")] == 1400.0
    cbs_total = facts[("begroting", "*", "*", "lasten")]
    assert cbs_total > 50_000  # CBS's own figure for Hulst is untouched

    build_warehouse(fresh)
    assert amounts()[("concept-begroting", "6.71", "*", "lasten")] == 500.0


def test_invalid_delivery_is_refused_and_warehouse_unchanged(
    fresh: Settings, tmp_path: Path
) -> None:
    document = delivery_json()
    document["data"]["lasten"].append({"taakveld": "6.71", "categorie": "3.4.1", "bedrag": 5})
    path = tmp_path / "fout.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    before = hashlib.sha256(fresh.warehouse_path.read_bytes()).hexdigest()
    result = CliRunner().invoke(app, ["levering", str(path), "--data-dir", str(fresh.data_dir),
                                      "--home", str(fresh.home)])
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "fout.json" in text and "6.71" in text and "2025" in text
    assert hashlib.sha256(fresh.warehouse_path.read_bytes()).hexdigest() == before
    stored = fresh.home / "leveringen"
    assert not stored.exists() or not any(stored.iterdir())


def test_delivery_for_a_municipality_that_did_not_exist(fresh: Settings, tmp_path: Path) -> None:
    path = tmp_path / "haaren.json"
    path.write_text(json.dumps(delivery_json(2025, "0788")), encoding="utf-8")  # Haaren, gone 2021
    result = CliRunner().invoke(app, ["levering", str(path), "--data-dir", str(fresh.data_dir),
                                      "--home", str(fresh.home)])
    assert result.exit_code == 1
    assert "GM0788 bestond niet" in " ".join(result.output.split())
