"""Signals with their explanation, from the engine's signal rules (signalen.toml)."""

from __future__ import annotations

from typing import Any

import pandas as pd


def from_frame(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    """Engine signal rows -> code, naam, uitleg, jaar, document, indicatoren, cijfers."""
    if frame is None or frame.empty:
        return []
    result: dict[str, dict[str, Any]] = {}
    for row in frame.to_dict(orient="records"):
        key = f"{row['signaal']}|{row['uitleg']}"
        entry = result.setdefault(key, {
            "code": row["signaal"], "naam": row["titel"], "uitleg": row["uitleg"],
            "jaar": int(row["jaar"]), "document": row["document"], "indicatoren": [],
            "cijfers": row.get("cijfers"), "regel": row.get("regel"),
        })
        if row.get("indicator") and row["indicator"] not in entry["indicatoren"]:
            entry["indicatoren"].append(row["indicator"])
    return list(result.values())
