"""The indicator engine (schouders.indicators.api) as the web app uses it.

Values for the in-memory panel come from ``api.compute_values`` on the warehouse connection
(optionally on harmonised boundaries); profiles, peer groups, signals and the national picture
come from the engine's cache (``settings.home/indicators.duckdb``), which ``ensure_cache``
refreshes when the warehouse or the definitions changed.
"""

from __future__ import annotations

import fcntl

import duckdb
import pandas as pd

from schouders.config import Settings

COLUMNS = ["indicator", "gm_code", "jaar", "document", "waarde"]
LOCK_NAME = ".indicators-refresh.lock"


def compute_values(con: duckdb.DuckDBPyConnection, peiljaar: int | None) -> pd.DataFrame:
    """Long table indicator, gm_code, jaar, document, waarde for every delivered document.

    With ``peiljaar`` the facts are first put on that year's boundaries (herindelingen summed).
    """
    from schouders.indicators import api
    from schouders.indicators.sources import Sources

    sources = Sources()
    if peiljaar is not None:
        from schouders.warehouse.harmonise import register_harmonised

        register_harmonised(con, peiljaar)
        sources = Sources.harmonised()
    frame = api.compute_values(con, sources)[COLUMNS].copy()
    frame["jaar"] = frame["jaar"].astype(int)
    return frame


def ensure_engine_cache(settings: Settings) -> None:
    """Build or refresh the engine's cache (a few seconds; ~1 ms when it is current).

    Several worker processes may find the cache stale at the same moment (at start-up, or
    after ``schouders build``); an exclusive file lock makes them refresh it one at a time, so
    the later ones find it current instead of racing on the same temporary file.
    """
    from schouders.indicators import api

    settings.home.mkdir(parents=True, exist_ok=True)
    with (settings.home / LOCK_NAME).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            api.compute_all(settings)
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
