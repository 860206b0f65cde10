"""A municipality's own Iv3 JSON delivery as a *concept* document in the warehouse.

The delivery is validated (schema, code lists of its year, grijze cellen), kept under
``$SCHOUDERS_HOME/leveringen/`` so every rebuild includes it again, and applied to the warehouse
with the same copy-and-swap as a build: on any error the warehouse is unchanged. It is stored as
document ``concept-begroting`` / ``concept-jaarrekening``, next to (never over) CBS's figures.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from schouders.atomic_duckdb import TEMP_MARKER, held_by_living_process, remove_stale_temp_files
from schouders.config import Settings
from schouders.errors import SchoudersError
from schouders.sources.iv3_delivery import Iv3Delivery, read_delivery
from schouders.warehouse.iv3_facts import FACT_COLUMNS, facts_from_raw
from schouders.warehouse.lock import Notify, say_on_stderr, writer_lock
from schouders.warehouse.store import open_warehouse

CONCEPT_PREFIX = "concept-"


@dataclass(frozen=True)
class ConceptResult:
    delivery: Iv3Delivery
    document: str
    stored_as: Path
    facts: int


def deliveries_dir(settings: Settings) -> Path:
    return settings.home / "leveringen"


def definitions_dir_for(settings: Settings, definitions: Path | None) -> Path:
    if definitions is not None:
        return definitions
    if settings.data_dir is not None:
        return settings.data_dir / "cbs_iv3_definities"
    raise SchoudersError(
        "Voor het controleren van een levering zijn de officiële Iv3-definities nodig.",
        "Geef de map met iv3_definities_Gemeente_<jaar>.json en de JSON-schema's op met "
        "--definities PAD (of --data-dir met een snapshot die cbs_iv3_definities bevat).",
    )


def add_concept_delivery(
    settings: Settings, path: Path, definitions: Path | None = None,
    notify: Notify = say_on_stderr,
) -> ConceptResult:
    """Validate, store and apply a delivery; one writer at a time (waits for a running build).

    The warehouse is copied to a temporary file named like the builder's
    (``.warehouse.duckdb.building-<pid>.<random>``), changed there and swapped in; a killed
    process leaves only that file, which the next writer removes (its process is gone).
    """
    delivery = read_delivery(path, definitions_dir_for(settings, definitions))
    warehouse = settings.warehouse_path
    with writer_lock(settings, f"het laden van {path.name}", notify):
        remove_stale_temp_files(warehouse)
        _remove_stale_staged(settings)
        con = open_warehouse(settings)
        try:
            existed = con.execute(
                "SELECT count(*) FROM gemeente_jaar WHERE gm_code = ? AND jaar = ?",
                [delivery.gm_code, delivery.jaar],
            ).fetchall()[0][0]
        finally:
            con.close()
        if not existed:
            raise SchoudersError(
                f"{path}: gemeente {delivery.gm_code} bestond niet op 1 januari {delivery.jaar}.",
                "Controleer het overheidsnummer in de metadata van de levering.",
            )
        target_dir = deliveries_dir(settings)
        target_dir.mkdir(parents=True, exist_ok=True)
        stored = target_dir / f"{delivery.gm_code}_{delivery.jaar}_{delivery.document}.json"
        temp = warehouse.with_name(
            f".{warehouse.name}{TEMP_MARKER}{os.getpid()}.{uuid.uuid4().hex[:8]}")
        staged = target_dir / f".{stored.name}{TEMP_MARKER}{os.getpid()}"
        try:
            shutil.copyfile(warehouse, temp)
            with duckdb.connect(str(temp)) as writable:
                count = apply_delivery(writable, delivery)
            shutil.copyfile(path, staged)
            os.replace(temp, warehouse)
            os.replace(staged, stored)
        except BaseException:
            temp.unlink(missing_ok=True)
            temp.with_name(temp.name + ".wal").unlink(missing_ok=True)
            staged.unlink(missing_ok=True)
            raise
    return ConceptResult(delivery, CONCEPT_PREFIX + delivery.document, stored, count)


def _remove_stale_staged(settings: Settings) -> None:
    """Leftovers of killed deliveries: staged copies and the older ``.concept-<pid>`` names."""
    candidates = [*deliveries_dir(settings).glob(f".*{TEMP_MARKER}*"),
                  *settings.home.glob(f".{settings.warehouse_path.name}.concept-*")]
    for leftover in candidates:
        pid_text = leftover.name.rsplit("-", 1)[-1].split(".", 1)[0]
        if held_by_living_process(pid_text):
            continue
        leftover.unlink(missing_ok=True)



def apply_delivery(con: duckdb.DuckDBPyConnection, delivery: Iv3Delivery) -> int:
    """Replace this municipality-year's concept document in an open, writable warehouse."""
    document = CONCEPT_PREFIX + delivery.document
    side = delivery.facts["kant"].map({"lasten": "L", "baten": "B"})
    raw = pd.DataFrame({
        "gm_code": delivery.gm_code, "jaar": delivery.jaar, "document": document,
        "taakveld": delivery.facts["taakveld"], "categorie": side + delivery.facts["categorie"],
        "bedrag": delivery.facts["bedrag"],
    })
    frames = facts_from_raw(raw, pd.DataFrame(columns=["gm_code", "jaar"]), delivery.path.name)
    key = [delivery.gm_code, delivery.jaar, document]
    con.execute("BEGIN TRANSACTION")
    for table in ("iv3_fact", "iv3_levering"):
        con.execute(f"DELETE FROM {table} WHERE gm_code = ? AND jaar = ? AND document = ?", key)
    con.register("concept_facts", frames.facts[FACT_COLUMNS])
    con.execute("INSERT INTO iv3_fact SELECT * FROM concept_facts")
    con.unregister("concept_facts")
    con.execute(
        "INSERT INTO iv3_levering VALUES (?, ?, ?, 'concept', ?, ?)",
        [*key, "eigen levering, nog niet door CBS gepubliceerd", delivery.path.name],
    )
    con.execute(
        "INSERT INTO herkomst VALUES ('iv3_fact', ?, NULL, ?, ?, ?, ?, NULL)",
        [delivery.path.name, str(delivery.path),
         datetime.now(tz=UTC).replace(tzinfo=None), len(delivery.facts), delivery.sha256],
    )
    con.execute("COMMIT")
    return len(frames.facts)


def reapply_stored(con: duckdb.DuckDBPyConnection, settings: Settings) -> list[str]:
    """Re-apply every stored concept delivery after a rebuild; return warnings for failures."""
    warnings: list[str] = []
    folder = deliveries_dir(settings)
    if not folder.is_dir():
        return warnings
    try:
        definitions = definitions_dir_for(settings, None)
    except SchoudersError as exc:
        return [f"conceptleveringen niet opnieuw geladen: {exc.message}"]
    for path in sorted(folder.glob("*.json")):
        try:
            apply_delivery(con, read_delivery(path, definitions))
        except SchoudersError as exc:
            warnings.append(f"conceptlevering {path.name} overgeslagen: {exc.message}")
    return warnings
