"""Open the built warehouse for reading."""

from __future__ import annotations

import duckdb

from schouders.config import Settings
from schouders.errors import SchoudersError


def open_warehouse(settings: Settings, *, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    path = settings.warehouse_path
    if not path.exists():
        raise SchoudersError(
            f"Er is nog geen warehouse in {path.parent}.",
            "Bouw het eerst met 'schouders build' (live CBS) of "
            "'schouders build --data-dir PAD' (lokale snapshot).",
        )
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        raise SchoudersError(
            f"Het warehouse {path} kan niet geopend worden: {exc}",
            "Bouw het opnieuw met 'schouders build'.",
        ) from exc
