"""Municipal boundaries for maps, if the data directory holds any (it usually does not).

A map is only drawn from real boundaries: a GeoJSON FeatureCollection in the data directory whose
file name contains the year (e.g. ``gemeenten_2024.geojson``) and whose features carry a GM code
in a property (``statcode``, ``gm_code``, ``code`` or ``GM_CODE``). Without such a file for the
chosen year the page says so and shows an accessible alternative instead of a fake map.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from schouders.service.state import WebState

SUFFIXES = (".geojson", ".json")
CODE_PROPERTIES = ("statcode", "gm_code", "code", "GM_CODE", "gemeentecode")
MAX_FILES = 20_000
MAX_BYTES = 60_000_000


def find_boundary_files(data_dir: Path | None) -> dict[int, Path]:
    """year -> GeoJSON file with municipal boundaries, found under ``data_dir``."""
    if data_dir is None or not data_dir.is_dir():
        return {}
    found: dict[int, Path] = {}
    seen = 0
    for root, _dirs, files in os.walk(data_dir):
        for name in files:
            seen += 1
            if seen > MAX_FILES:
                return found
            lower = name.lower()
            if not lower.endswith(SUFFIXES) or "gemeente" not in lower:
                continue
            if lower.endswith(".json") and "geo" not in lower and "grens" not in lower:
                continue
            year = re.search(r"(19|20)\d{2}", name)
            path = Path(root) / name
            if year and path.stat().st_size <= MAX_BYTES and _is_feature_collection(path):
                found.setdefault(int(year.group(0)), path)
    return found


def _is_feature_collection(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8") as handle:
            head = handle.read(4096)
    except (OSError, UnicodeDecodeError):
        return False
    return '"FeatureCollection"' in head.replace(" ", "") or '"Feature"' in head


def boundaries(web: WebState, year: int) -> dict[str, Any] | None:
    """The GeoJSON of ``year`` with a ``gm_code`` property on every feature, or None."""

    def compute() -> dict[str, Any] | None:
        files = find_boundary_files(web.settings.data_dir)
        path = files.get(year)
        if path is None:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        features = []
        for feature in data.get("features", []):
            props = feature.get("properties") or {}
            code = next((str(props[key]) for key in CODE_PROPERTIES if props.get(key)), None)
            if code and re.fullmatch(r"GM\d{4}", code):
                features.append({"type": "Feature", "geometry": feature.get("geometry"),
                                 "properties": {"gm_code": code}})
        if not features:
            return None
        return {"type": "FeatureCollection", "features": features, "bron": str(path)}

    return web.cached(("boundaries", year), compute)


def available_years(web: WebState) -> list[int]:
    return sorted(web.cached("boundary-years",
                             lambda: find_boundary_files(web.settings.data_dir)))


def map_year(web: WebState, year: int) -> int | None:
    """The year whose boundaries a map of ``year`` is drawn on (that year itself), or None."""
    return year if year in available_years(web) else None
