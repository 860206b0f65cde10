"""Which municipality codes the instruments accept: the ones in the warehouse's list of
municipalities (CBS), current ones only. GM9999 has the right shape but is no municipality.

Without a warehouse (an instruments-only installation) only the shape is checked, by the platform.
"""

from __future__ import annotations

import threading

from schouders.config import Settings

_lock = threading.Lock()
_memo: dict[tuple[str, int, int], dict[str, int | None]] = {}


def known_municipalities(settings: Settings) -> dict[str, int | None] | None:
    """gm_code -> last year (None for a current municipality), or None without a warehouse."""
    path = settings.warehouse_path
    if not path.exists():
        return None
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_ino)
    with _lock:
        if key in _memo:
            return _memo[key]
    from schouders.warehouse.store import open_warehouse

    con = open_warehouse(settings)
    try:
        rows = con.execute("SELECT gm_code, laatste_jaar FROM gemeente").fetchall()
    finally:
        con.close()
    found = {str(code): None if last is None else int(last) for code, last in rows}
    with _lock:
        _memo.clear()
        _memo[key] = found
    return found


def code_problem(settings: Settings, value: str) -> str | None:
    """A Dutch message when ``value`` is shaped like a GM code but no current municipality."""
    code = value.strip().upper()
    known = known_municipalities(settings)
    if known is None or not (len(code) == 6 and code.startswith("GM") and code[2:].isdigit()):
        return None
    if code not in known:
        return (f"{code} is geen gemeentecode: die staat niet in de CBS-lijst van gemeenten. "
                "Zoek de code op in de monitor (bijvoorbeeld GM0363 voor Amsterdam).")
    if known[code] is not None:
        return (f"{code} is opgeheven (laatste jaar {known[code]}); geef de gemeente waarin "
                "zij is opgegaan toegang.")
    return None
