"""One shared read-only connection per cache file, reopened when the file is swapped.

Opening a DuckDB file costs milliseconds; a profile must answer in well under 50 ms, so readers
reuse a connection. Each call gets its own cursor (safe across threads). When a refresh replaces
the file (new inode), the old connection is closed and a new one opened on the next call.
"""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb

from schouders.errors import SchoudersError

_lock = threading.Lock()
_open: dict[Path, tuple[tuple[int, int], duckdb.DuckDBPyConnection]] = {}


def _identity(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_ino, stat.st_mtime_ns


def cursor(path: Path) -> duckdb.DuckDBPyConnection:
    """A cursor on the current version of the cache file (close it when done)."""
    if not path.exists():
        raise SchoudersError(f"Er is nog geen indicatorcache in {path.parent}.",
                             "Bereken de indicatoren met 'schouders indicators --bereken'.")
    with _lock:
        identity = _identity(path)
        current = _open.get(path)
        if current is not None and current[0] != identity:
            current[1].close()
            current = None
        if current is None:
            try:
                connection = duckdb.connect(str(path), read_only=True)
            except duckdb.Error as exc:
                raise SchoudersError(f"De indicatorcache {path} kan niet geopend worden: {exc}",
                                     "Bereken hem opnieuw met 'schouders indicators "
                                     "--bereken'.") from exc
            current = (identity, connection)
            _open[path] = current
        return current[1].cursor()


def forget(path: Path) -> None:
    """Close the shared connection of a cache file (after it was replaced)."""
    with _lock:
        current = _open.pop(path, None)
    if current is not None:
        current[1].close()
