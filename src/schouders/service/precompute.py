"""Precomputed tables that every web worker needs, written once per build: ``service.duckdb``.

Derived from the indicator engine's cache (``indicators.duckdb``, itself derived from the
warehouse): the panel of all indicator values, nominal and real, one column per indicator, and
the national picture of both documents (``indicators.api.national_picture``, CPI-deflated).
The file is written atomically and carries the fingerprint of the cache it came from, so a new
build (or new definitions) is noticed and the file rewritten once, under a lock, while workers
keep reading the old one.
"""

from __future__ import annotations

import fcntl
from pathlib import Path

import duckdb
import pandas as pd

from schouders.atomic_duckdb import atomic_duckdb
from schouders.config import Settings

SERVICE_FILE = "service.duckdb"
PANEL_TABLE = "panel_breed"
NATIONAL_TABLE = "landelijk_beeld"
LOCK_NAME = ".service-refresh.lock"
FORMAT_VERSION = "2"


def service_path(settings: Settings) -> Path:
    return settings.home / SERVICE_FILE


def _fingerprint(path: Path) -> str:
    stat = path.stat()
    return f"{FORMAT_VERSION}:{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ino}"


def ensure_service_tables(settings: Settings) -> bool:
    """Write ``service.duckdb`` when it is missing or older than the engine's cache.

    Returns whether it was (re)written. The engine's cache is brought up to date first.
    """
    from schouders.indicators.cache import cache_path
    from schouders.service.engine import ensure_engine_cache

    ensure_engine_cache(settings)
    source = cache_path(settings)
    wanted = _fingerprint(source)
    if _current(settings) == wanted:
        return False
    with (settings.home / LOCK_NAME).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            if _current(settings) == wanted:  # another process wrote it while we waited
                return False
            _write(settings, source, wanted)
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    return True


def _current(settings: Settings) -> str | None:
    path = service_path(settings)
    if not path.exists():
        return None
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            row = con.execute("SELECT waarde FROM meta WHERE sleutel = 'bron'").fetchone()
    except duckdb.Error:
        return None  # unreadable or half-written by a killed writer: rewrite it
    return None if row is None else str(row[0])


def _write(settings: Settings, source: Path, fingerprint: str) -> None:
    with duckdb.connect(str(source), read_only=True) as cache:
        values = cache.execute(
            "SELECT indicator, gm_code, jaar, document, waarde FROM indicator_waarde").df()
    from schouders.warehouse.store import open_warehouse

    warehouse = open_warehouse(settings)
    try:
        prices = warehouse.execute("SELECT reeks, jaar, waarde FROM prijsindex").df()
    finally:
        warehouse.close()
    from schouders.indicators import api

    pictures = {document: api.national_picture(settings, document=document, deflator="cpi")
                for document in ("begroting", "jaarrekening")}
    with atomic_duckdb(service_path(settings)) as con:
        base = wide_panel(con, values, prices)
        national = pd.concat([picture.assign(document=document)
                              for document, picture in pictures.items()], ignore_index=True)
        con.register("landelijk", national)
        con.execute(f"CREATE TABLE {NATIONAL_TABLE} AS SELECT * FROM landelijk")
        con.unregister("landelijk")
        con.execute("CREATE TABLE meta (sleutel VARCHAR, waarde VARCHAR)")
        con.execute("INSERT INTO meta VALUES ('bron', ?), ('cpi_basisjaar', ?)",
                    [fingerprint, "" if base is None else str(base)])
        con.executemany("INSERT INTO meta VALUES (?, ?)",
                        [(f"toelichting_{document}", str(picture.attrs.get("toelichting", "")))
                         for document, picture in pictures.items()])


def wide_panel(con: duckdb.DuckDBPyConnection, values: pd.DataFrame,
               prices: pd.DataFrame) -> int | None:
    """Create :data:`PANEL_TABLE` on ``con`` from long values; returns the CPI base year.

    Real values use the engine's own deflation (``indicators.prices.affine``), CPI in prices of
    its latest year; without a CPI figure for a year the real value is NULL.
    """
    from schouders.indicators.context import definitions
    from schouders.indicators.prices import affine

    cpi_years = prices.loc[prices["reeks"] == "cpi", "jaar"]
    base = int(cpi_years.max()) if len(cpi_years) else None
    frame = values[["indicator", "gm_code", "jaar", "document", "waarde"]].copy()
    frame["jaar"] = frame["jaar"].astype(int)
    if base is None:
        real = pd.Series(float("nan"), index=frame.index)
    else:
        a, b, _notes = affine(frame, definitions().catalogue, prices, "cpi", base)
        real = pd.Series(frame["waarde"].to_numpy(dtype=float) * a + b, index=frame.index)
    long = pd.concat([frame.assign(prijzen="nominaal"),
                      frame.assign(prijzen="reeel", waarde=real)], ignore_index=True)
    con.register("panel_lang", long)
    con.execute(f"""
        CREATE TABLE {PANEL_TABLE} AS
        PIVOT panel_lang ON indicator USING first(waarde)
        GROUP BY gm_code, jaar, document, prijzen
        ORDER BY gm_code, document, prijzen, jaar""")
    con.unregister("panel_lang")
    return base


def open_service_tables(settings: Settings) -> tuple[duckdb.DuckDBPyConnection, int | None]:
    """A read-only connection to ``service.duckdb`` and its CPI base year."""
    con = duckdb.connect(str(service_path(settings)), read_only=True)
    row = con.execute("SELECT waarde FROM meta WHERE sleutel = 'cpi_basisjaar'").fetchone()
    return con, int(row[0]) if row and row[0] else None


def national_picture(settings: Settings, document: str) -> pd.DataFrame:
    """The precomputed national picture of ``document`` (attrs['toelichting'] in Dutch)."""
    ensure_service_tables(settings)
    with duckdb.connect(str(service_path(settings)), read_only=True) as con:
        frame = con.execute(f"SELECT * EXCLUDE (document) FROM {NATIONAL_TABLE} "
                            "WHERE document = ? ORDER BY jaar", [document]).df()
        row = con.execute("SELECT waarde FROM meta WHERE sleutel = ?",
                          [f"toelichting_{document}"]).fetchone()
    frame.attrs["toelichting"] = row[0] if row else ""
    return frame
