"""Definitional breaks (table definitiebreuk) to mark on time series."""

from __future__ import annotations

from typing import Any

from schouders.service.state import WebState

SOORT_EN = {"nieuw": "new", "vervallen": "removed", "hernoemd": "renamed",
            "nieuw stelsel": "new system"}


def all_breaks(web: WebState) -> list[dict[str, Any]]:
    """Per year: the taakveld changes, summarised in Dutch and English."""

    def compute() -> list[dict[str, Any]]:
        rows = web.cursor().execute(
            """
            SELECT jaar, soort, count(*) AS aantal, string_agg(code, ', ' ORDER BY code) AS codes
            FROM definitiebreuk WHERE codelijst = 'taakveld'
            GROUP BY jaar, soort ORDER BY jaar, soort
            """
        ).fetchall()
        by_year: dict[int, dict[str, Any]] = {}
        for jaar, soort, aantal, codes in rows:
            entry = by_year.setdefault(int(jaar), {"jaar": int(jaar), "wijzigingen": []})
            entry["wijzigingen"].append({"soort": soort, "aantal": int(aantal),
                                         "codes": _shorten(codes)})
        for entry in by_year.values():
            parts_nl = [f"{w['aantal']} {w['soort']} ({w['codes']})" for w in entry["wijzigingen"]]
            parts_en = [f"{w['aantal']} {SOORT_EN.get(w['soort'], w['soort'])} ({w['codes']})"
                        for w in entry["wijzigingen"]]
            entry["label"] = f"Taakvelden {entry['jaar']}: " + "; ".join(parts_nl)
            entry["label_en"] = f"Task fields {entry['jaar']}: " + "; ".join(parts_en)
        return list(by_year.values())

    return web.cached("breaks", compute)


def breaks_between(web: WebState, first: int, last: int) -> list[dict[str, Any]]:
    """Breaks that fall inside a series from ``first`` to ``last`` (not at its start)."""
    return [entry for entry in all_breaks(web) if first < entry["jaar"] <= last]


def _shorten(codes: str, limit: int = 6) -> str:
    items = codes.split(", ")
    return ", ".join(items[:limit]) + (" …" if len(items) > limit else "")
