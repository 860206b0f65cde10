"""Fill the per-process caches before a worker accepts its first request.

Everything heavy is precomputed once per build (``service.duckdb``, the engine's cache), so a
worker only reads: names, catalogue, breaks, the panel (one query), the national picture of
both documents and the municipal boundaries for maps (the facade then asks one profile, which
opens the engine's connections). A first visitor then waits no longer than any other: an
uncached profile is a few lookups in what is already in memory.
"""

from __future__ import annotations

from schouders.service import municipalities, provenance
from schouders.service.breaks import all_breaks
from schouders.service.catalogue import catalogue
from schouders.service.geometry import available_years, boundaries
from schouders.service.national import national_trends
from schouders.service.panel import panel
from schouders.service.state import WebState


def warm(web: WebState) -> None:
    from schouders.service.precompute import ensure_service_tables

    ensure_service_tables(web.settings)
    provenance.provenance(web)
    municipalities.names(web)
    municipalities.all_current(web)
    catalogue(web)
    all_breaks(web)
    panel(web, None)
    for document in ("begroting", "jaarrekening"):
        national_trends(web, document)
    for year in available_years(web):
        boundaries(web, year)
