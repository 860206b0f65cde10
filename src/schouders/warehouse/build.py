"""Build the warehouse into a temporary file and swap it in atomically.

A build that fails or is killed leaves the previous warehouse untouched; its half-written
temporary file is removed by the next build.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import duckdb
import pandas as pd

from schouders import __version__
from schouders.atomic_duckdb import atomic_duckdb
from schouders.config import Settings
from schouders.errors import SchoudersError
from schouders.sources.raw_snapshot import is_raw_snapshot
from schouders.warehouse.boundaries import gather_boundaries
from schouders.warehouse.codelists import definitional_breaks
from schouders.warehouse.concept import reapply_stored
from schouders.warehouse.loaded import LoadedData, Progress, no_progress
from schouders.warehouse.lock import say_on_stderr, writer_lock
from schouders.warehouse.plausibility import check_plausible
from schouders.warehouse.steps import StepResult
from schouders.warehouse.structure_step import gather_structure

SCHEMA_VERSION = "1"


@dataclass(frozen=True)
class BuildReport:
    path: Path
    seconds: float
    row_counts: dict[str, int]
    source_label: str
    warnings: list[str]
    raw_snapshot: Path | None = None  # the raw snapshot a live build wrote


def build_warehouse(settings: Settings, progress: Progress = no_progress) -> BuildReport:
    started = time.perf_counter()
    target = settings.warehouse_path
    loaded = gather(settings, progress)
    steps = gather_steps(settings)

    def waiting(message: str) -> None:
        say_on_stderr(message)
        progress(message, 0, 1)

    with writer_lock(settings, "de bouw van het warehouse", waiting), \
            atomic_duckdb(target) as con:
        con.execute(resources.files("schouders.warehouse").joinpath("schema.sql").read_text())
        progress("warehouse schrijven", 0, 1)
        counts = write(con, loaded)
        extra = write_steps(con, steps)
        counts["herkomst"] += extra.pop("herkomst", 0)
        counts.update(extra)
        warnings = reapply_stored(con, settings)
        progress("warehouse schrijven", 1, 1)
    return BuildReport(
        target, time.perf_counter() - started, counts, loaded.source_label, warnings,
        loaded.raw_snapshot,
    )


def gather(settings: Settings, progress: Progress) -> LoadedData:
    if settings.data_dir is not None and is_raw_snapshot(settings.data_dir):
        from schouders.warehouse.from_live import gather_live

        return gather_live(settings, progress, replay=settings.data_dir)
    if settings.data_dir is not None:
        from schouders.warehouse.from_snapshot import gather_snapshot

        loaded = gather_snapshot(settings.data_dir, progress)
        check_plausible(loaded, live=False)
        return loaded
    from schouders.warehouse.from_live import gather_live

    return gather_live(settings, progress)


def gather_steps(settings: Settings) -> list[StepResult]:
    """The table families loaded by their own warehouse steps (structure, boundaries)."""
    return [gather_structure(settings.data_dir), gather_boundaries(settings.data_dir)]


def write_steps(con: duckdb.DuckDBPyConnection, results: list[StepResult]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for result in results:
        for name, frame in result.tables.items():
            insert(con, name, frame)
            counts[name] = len(frame)
        provenance = pd.DataFrame([vars(item) for item in result.provenance])
        if len(provenance):
            insert(con, "herkomst", provenance)
            counts["herkomst"] = counts.get("herkomst", 0) + len(provenance)
    return counts


def write(con: duckdb.DuckDBPyConnection, data: LoadedData) -> dict[str, int]:
    provinces = data.regions[["gm_code", "provincie_code", "provincie_naam"]]
    per_year = data.municipalities_per_year.merge(provinces, on="gm_code", how="left")
    years = per_year.groupby("gm_code")["jaar"].agg(["min", "max"])
    latest_year = int(per_year["jaar"].max())
    ended = data.herindelingen.groupby("oude_gm_code")["datum"].max()
    gemeente = data.regions.copy()
    gemeente["eerste_jaar"] = gemeente["gm_code"].map(years["min"])
    gemeente["laatste_jaar"] = gemeente["gm_code"].map(years["max"])
    gemeente.loc[gemeente["laatste_jaar"] == latest_year, "laatste_jaar"] = None
    gemeente["einddatum"] = gemeente["gm_code"].map(ended)
    tables: dict[str, pd.DataFrame] = {
        "gemeente_jaar": per_year[["gm_code", "jaar", "naam", "provincie_code", "provincie_naam"]],
        "gemeente": gemeente[
            [
                "gm_code",
                "naam",
                "begindatum",
                "einddatum",
                "eerste_jaar",
                "laatste_jaar",
                "provincie_code",
                "provincie_naam",
            ]
        ],
        "herindeling": data.herindelingen,
        "bevolking": data.population,
        "prijsindex": data.prices[["reeks", "jaar", "waarde", "basisjaar", "bron"]],
        "iv3_code": data.codes,
        "definitiebreuk": definitional_breaks(data.codes),
        "iv3_fact": data.iv3.facts,
        "iv3_levering": data.iv3.levering[
            ["gm_code", "jaar", "document", "status", "reden", "bron"]
        ],
        "iv3_balans": data.iv3.balans,
    }
    counts = {}
    for name, frame in tables.items():
        insert(con, name, frame)
        counts[name] = len(frame)
    check_unique_facts(con)
    provenance = pd.DataFrame([vars(item) for item in data.provenance])
    insert(con, "herkomst", provenance)
    counts["herkomst"] = len(provenance)
    meta = {
        "schema_version": SCHEMA_VERSION,
        "schouders_version": __version__,
        "gebouwd_op": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "bron": data.source_label,
    }
    con.executemany("INSERT INTO meta VALUES (?, ?)", list(meta.items()))
    return counts


def check_unique_facts(con: duckdb.DuckDBPyConnection) -> None:
    duplicate = con.execute(
        "SELECT gm_code, jaar, document, taakveld, categorie, kant FROM iv3_fact "
        "GROUP BY ALL HAVING count(*) > 1 LIMIT 1"
    ).fetchone()
    if duplicate:
        raise SchoudersError(
            f"Dubbel Iv3-feit in de bron: {duplicate}",
            "De bron levert hetzelfde bedrag twee keer; het warehouse is niet gewijzigd.",
        )


def insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    columns = [row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()]
    con.register("incoming", frame[columns])
    try:
        con.execute(f"INSERT INTO {table} SELECT * FROM incoming")
    except (duckdb.ConstraintException, duckdb.ConversionException) as exc:
        raise SchoudersError(
            f"De bron levert ongeldige of dubbele rijen voor {table}: {exc}",
            "Controleer de bron (snapshotmap of download); het bestaande warehouse is niet "
            "gewijzigd.",
        ) from exc
    finally:
        con.unregister("incoming")
