"""Fill the per-process caches at start-up so the first visitors get fast pages.

Only what every profile needs (names, catalogue, the indicator panel); the national picture and
harmonised panels are computed on first use, so several workers starting on a small machine do
not compete for the CPU longer than necessary.
"""

from __future__ import annotations

from schouders.service import municipalities, provenance
from schouders.service.breaks import all_breaks
from schouders.service.catalogue import catalogue
from schouders.service.panel import panel
from schouders.service.state import WebState


def warm(web: WebState) -> None:
    from schouders.service.engine import ensure_engine_cache

    ensure_engine_cache(web.settings)
    provenance.provenance(web)
    municipalities.names(web)
    municipalities.all_current(web)
    catalogue(web)
    all_breaks(web)
    panel(web, None)
