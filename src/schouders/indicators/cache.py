"""The indicator cache: a DuckDB file next to the warehouse (``settings.home/indicators.duckdb``).

Why a separate file: the warehouse is replaced atomically on every build and is opened read-only
by the web app; DuckDB allows a read-write connection only when no other process has the file
open. So the cache is built the same way as the warehouse: into a temporary file, in one
transaction, then swapped in with ``os.replace``. Readers keep their old snapshot until they
reopen; a failed refresh leaves the previous cache untouched and no partial file behind.

Invalidation: each indicator's definition hash (formula after domain expansion, plus the engine
version) is stored in ``indicator_cache``. A refresh recomputes exactly the indicators whose hash
changed (copying the others from the previous cache), everything when the warehouse changed, and
all peer positions when the peer configuration changed (the structure tables live in the
warehouse, so a rebuild covers them).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from schouders.atomic_duckdb import atomic_duckdb
from schouders.config import Settings
from schouders.errors import SchoudersError
from schouders.indicators.catalogue import ENGINE_VERSION, Catalogue
from schouders.indicators.peers import (
    PeerConfig,
    custom_membership,
    features,
    membership,
    nearest_neighbours,
)
from schouders.indicators.positions import all_positions
from schouders.indicators.sources import Sources
from schouders.indicators.sqlgen import Query, values_query
from schouders.indicators.structure import read_structure
from schouders.indicators.validate import validate_catalogue

CACHE_NAME = "indicators.duckdb"
VALUE_COLUMNS = """indicator VARCHAR NOT NULL, gm_code VARCHAR NOT NULL, jaar INTEGER NOT NULL,
    document VARCHAR NOT NULL, waarde DOUBLE, teller DOUBLE, noemer DOUBLE"""
POSITION_DDL = """indicator VARCHAR NOT NULL, gm_code VARCHAR NOT NULL, jaar INTEGER NOT NULL,
    document VARCHAR NOT NULL, peer_type VARCHAR NOT NULL, groep VARCHAR NOT NULL,
    waarde DOUBLE, n BIGINT, mediaan DOUBLE, gemiddelde DOUBLE, sd DOUBLE, percentiel DOUBLE,
    z DOUBLE, rang BIGINT"""
Progress = Callable[[str, int, int], None]

SCHEMA = """
CREATE TABLE cache_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
CREATE TABLE indicator_cache (indicator VARCHAR PRIMARY KEY, catalogue_hash VARCHAR NOT NULL);
CREATE TABLE indicator_waarde ({waarde});
CREATE TABLE indicator_positie ({positie});
CREATE TABLE peer_lid (peer_type VARCHAR NOT NULL, groep VARCHAR NOT NULL,
    groep_naam VARCHAR NOT NULL, jaar INTEGER NOT NULL, gm_code VARCHAR NOT NULL);
CREATE TABLE knn_buur (jaar INTEGER NOT NULL, gm_code VARCHAR NOT NULL, buur VARCHAR NOT NULL,
    afstand DOUBLE, rang INTEGER NOT NULL);
CREATE TABLE gemeente_jaar (gm_code VARCHAR NOT NULL, jaar INTEGER NOT NULL, naam VARCHAR NOT NULL,
    provincie_code VARCHAR, provincie_naam VARCHAR, inwoners BIGINT);
CREATE TABLE prijsindex (reeks VARCHAR NOT NULL, jaar INTEGER NOT NULL, waarde DOUBLE NOT NULL,
    basisjaar INTEGER NOT NULL, bron VARCHAR NOT NULL);
"""


@dataclass(frozen=True)
class CacheReport:
    path: Path
    recomputed: tuple[str, ...]
    kept: tuple[str, ...]
    removed: tuple[str, ...]
    positions_recomputed: tuple[str, ...]
    seconds: float

    @property
    def up_to_date(self) -> bool:
        return not self.recomputed and not self.removed and not self.positions_recomputed


@dataclass(frozen=True)
class CacheState:
    meta: dict[str, str]
    hashes: dict[str, str]


def no_progress(step: str, done: int, total: int) -> None:
    """Default progress callback: report nothing."""


def cache_path(settings: Settings) -> Path:
    return settings.home / CACHE_NAME


def warehouse_fingerprint(settings: Settings) -> str:
    path = settings.warehouse_path
    if not path.exists():
        raise SchoudersError(
            f"Er is nog geen warehouse in {path.parent}.",
            "Bouw het eerst met 'schouders build' of 'schouders build --data-dir PAD'.")
    stat = path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ino}"


def peers_fingerprint(settings: Settings, config: PeerConfig) -> str:
    text = config.fingerprint  # the structure tables are part of the warehouse fingerprint
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def read_state(con: duckdb.DuckDBPyConnection) -> CacheState:
    meta = dict(con.execute("SELECT key, value FROM cache_meta").fetchall())
    hashes = dict(con.execute("SELECT indicator, catalogue_hash FROM indicator_cache").fetchall())
    return CacheState(meta, hashes)


def read_state_at(path: Path) -> CacheState | None:
    if not path.exists():
        return None
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return None
    try:
        return read_state(con)
    except duckdb.Error:
        return None
    finally:
        con.close()


def stale(state: CacheState | None, settings: Settings, catalogue: Catalogue,
          config: PeerConfig) -> bool:
    if state is None:
        return True
    return (state.meta.get("warehouse") != warehouse_fingerprint(settings)
            or state.meta.get("engine") != ENGINE_VERSION
            or state.meta.get("peers") != peers_fingerprint(settings, config)
            or state.hashes != catalogue.hashes)


def refresh_cache(
    settings: Settings, catalogue: Catalogue, config: PeerConfig, *, force: bool = False,
    progress: Progress = no_progress,
) -> CacheReport:
    """Bring the cache up to date with the warehouse, catalogue and peer configuration."""
    started = time.perf_counter()
    target = cache_path(settings)
    warehouse = warehouse_fingerprint(settings)
    peers = peers_fingerprint(settings, config)
    old = None if force else read_state_at(target)
    hashes = catalogue.hashes
    values_reusable = (old is not None and old.meta.get("warehouse") == warehouse
                       and old.meta.get("engine") == ENGINE_VERSION)
    changed = tuple(code for code, value in hashes.items()
                    if old is None or not values_reusable or old.hashes.get(code) != value)
    kept = tuple(code for code in hashes if code not in changed)
    removed = tuple(sorted(set(old.hashes) - set(hashes))) if old else ()
    positions_all = old is None or not values_reusable or old.meta.get("peers") != peers
    positions = tuple(hashes) if positions_all else changed
    if old is not None and not changed and not removed and not positions:
        return CacheReport(target, (), kept, (), (), time.perf_counter() - started)
    with atomic_duckdb(target) as con:
        _build(con, settings, catalogue, config, changed=changed, kept=kept,
               positions=positions, old=target if kept else None,
               meta={"warehouse": warehouse, "peers": peers, "engine": ENGINE_VERSION},
               progress=progress)
    from schouders.indicators.pool import forget

    forget(target)
    return CacheReport(target, changed, kept, removed, positions, time.perf_counter() - started)


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _build(
    con: duckdb.DuckDBPyConnection, settings: Settings, catalogue: Catalogue,
    config: PeerConfig, *, changed: tuple[str, ...], kept: tuple[str, ...],
    positions: tuple[str, ...], old: Path | None, meta: dict[str, str], progress: Progress,
) -> None:
    steps = 5
    progress("catalogus controleren", 0, steps)
    con.execute(f"ATTACH {_quote(settings.warehouse_path)} AS wh (READ_ONLY)")
    sources = Sources.attached("wh")
    validate_catalogue(con, catalogue, sources)
    if old is not None:
        con.execute(f"ATTACH {_quote(old)} AS oud (READ_ONLY)")
    progress("indicatoren berekenen", 1, steps)
    new_values = (_frame(con, values_query(catalogue.select(list(changed)), sources))
                  if changed else None)
    progress("peergroepen", 2, steps)
    structure = read_structure(con, "wh")
    municipalities = con.execute(
        "SELECT gm_code, jaar, naam, provincie_code, provincie_naam FROM wh.gemeente_jaar").df()
    population = con.execute("SELECT gm_code, jaar, inwoners FROM wh.bevolking").df()
    members = membership(municipalities, population, structure)
    groups = custom_membership(config, municipalities)
    table, used = features(municipalities, population, structure, config.kenmerken)
    neighbours = nearest_neighbours(table, used, config.k)
    progress("posities ten opzichte van peers", 3, steps)
    reuse_positions = [code for code in kept if code not in positions]
    recompute = [code for code in positions if code not in changed]
    position_input = new_values
    if recompute:
        old_values = _frame(con, Query(
            "SELECT indicator, gm_code, jaar, document, waarde FROM oud.indicator_waarde "
            "WHERE indicator IN (SELECT unnest(?))", [recompute]))
        position_input = old_values if new_values is None else pd.concat(
            [old_values.astype({"indicator": str, "gm_code": str, "document": str}),
             new_values[old_values.columns].astype(
                 {"indicator": str, "gm_code": str, "document": str})], ignore_index=True)
    new_positions = None
    if position_input is not None and len(position_input):
        # values outside their indicator's possible range (catalogue bereik) are anomalies:
        # flagged by a signal, never ranked
        new_positions = all_positions(
            catalogue.rankable(position_input[["indicator", "gm_code", "jaar", "document",
                                               "waarde"]]), members,
            neighbours[["jaar", "gm_code", "buur"]])
    progress("cache schrijven", 4, steps)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(SCHEMA.format(waarde=VALUE_COLUMNS, positie=POSITION_DDL))
        if kept:
            _copy_checked(con, "indicator_waarde", "SELECT * FROM oud.indicator_waarde "
                          "WHERE indicator IN (SELECT unnest(?))", [list(kept)])
        if new_values is not None:
            _insert_frame(con, "indicator_waarde", _sorted(new_values))
        if reuse_positions:
            _copy_checked(con, "indicator_positie", "SELECT * FROM oud.indicator_positie "
                          "WHERE indicator IN (SELECT unnest(?))", [reuse_positions])
        if new_positions is not None:
            _insert_frame(con, "indicator_positie", _sorted(new_positions))
        _insert_frame(con, "peer_lid", pd.concat(
            [members, groups.assign(peer_type="groep")], ignore_index=True))
        _insert_frame(con, "knn_buur", neighbours)
        con.execute("""INSERT INTO gemeente_jaar SELECT g.gm_code, g.jaar, g.naam,
                       g.provincie_code, g.provincie_naam, b.inwoners FROM wh.gemeente_jaar g
                       LEFT JOIN wh.bevolking b USING (gm_code, jaar)""")
        con.execute("INSERT INTO prijsindex SELECT reeks, jaar, waarde, basisjaar, bron "
                    "FROM wh.prijsindex")
        meta = {**meta, "knn_kenmerken": ",".join(used),
                "structuur": "" if structure.available else (structure.reason or ""),
                "gebouwd_op": time.strftime("%Y-%m-%dT%H:%M:%S")}
        con.executemany("INSERT INTO cache_meta VALUES (?, ?)", list(meta.items()))
        con.executemany("INSERT INTO indicator_cache VALUES (?, ?)",
                        list(catalogue.hashes.items()))
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    progress("klaar", steps, steps)


def _frame(con: duckdb.DuckDBPyConnection, query: Query) -> pd.DataFrame:
    """Run a query into a pandas frame with categorical text columns (fast for many rows)."""
    table = con.sql(query.sql, params=query.params).to_arrow_table()
    return table.to_pandas(strings_to_categorical=True)


def _copy_checked(con: duckdb.DuckDBPyConnection, target: str, select: str,
                  params: list[object]) -> None:
    """Copy rows from the previous cache and verify that every row arrived."""
    before = con.execute(f"SELECT count(*) FROM {target}").fetchall()[0][0]
    con.execute(f"INSERT INTO {target} {select}", params)
    wanted = con.execute(f"SELECT count(*) FROM ({select})", params).fetchall()[0][0]
    _check_count(con, target, before, wanted)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows ordered by municipality, year and document: DuckDB's zone maps then let a profile
    read only a few row groups (about twice as fast as unordered)."""
    keys = []
    for column in ("document", "jaar", "gm_code"):   # lexsort: last key is the primary one
        series = frame[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            keys.append(series.cat.codes.to_numpy())
        else:
            keys.append(pd.factorize(series, sort=True)[0])
    return frame.take(np.lexsort(keys))


def _insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    columns = [row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()]
    before = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
    # via Arrow: about twice as fast as registering the pandas frame for a million rows
    con.register("invoer", pa.Table.from_pandas(frame[columns], preserve_index=False))
    try:
        con.execute(f"INSERT INTO {table} SELECT * FROM invoer")
    finally:
        con.unregister("invoer")
    _check_count(con, table, before, len(frame))


def _check_count(con: duckdb.DuckDBPyConnection, table: str, before: int, wanted: int) -> None:
    """Guard against silently lost rows (DuckDB 2.0 lost rows copying a CTAS ... LIMIT 0 table
    inside a transaction; we never do that, but a cache must not be quietly incomplete)."""
    stored = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0] - before
    if stored != wanted:
        raise SchoudersError(
            f"Interne fout bij het vullen van {table}: {stored} van {wanted} rijen geschreven.",
            "De vorige indicatorcache is ongewijzigd gebleven.")
