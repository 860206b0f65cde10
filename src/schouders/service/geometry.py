"""Municipal boundaries for maps, from the warehouse (table ``gemeente_grens``).

A map is only drawn from real boundaries: those the warehouse step loaded from the snapshot's
cartomap TopoJSON (2021, 2022, 2026; see ``schouders.warehouse.boundaries``). Without boundaries
for the chosen year the page says so and shows an accessible alternative instead of a fake map.
"""

from __future__ import annotations

from typing import Any

from schouders.service.state import WebState
from schouders.warehouse.boundaries import boundaries_for_year, boundary_years


def boundaries(web: WebState, year: int) -> dict[str, Any] | None:
    """The GeoJSON of ``year`` with a ``gm_code`` property on every feature, or None."""

    def compute() -> dict[str, Any] | None:
        found = boundaries_for_year(web.cursor(), year)
        if found is None or not found.exact or not found.collection["features"]:
            return None
        return {**found.collection, "bron": found.bron}

    return web.cached(("boundaries", year), compute)


def available_years(web: WebState) -> list[int]:
    return web.cached("boundary-years", lambda: boundary_years(web.cursor()))


def map_source(web: WebState, year: int) -> str | None:
    """Where the boundaries for a map of ``year`` come from, or None when there are none."""
    if year not in available_years(web):
        return None
    found = boundaries(web, year)
    return None if found is None else str(found["bron"])
