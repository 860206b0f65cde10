"""Fill the per-process caches at start-up so the first visitors get fast pages.

Only what every profile needs (names, catalogue, the indicator panel); the national picture and
harmonised panels are computed on first use, so several workers starting on a small machine do
not compete for the CPU longer than necessary.
"""

from __future__ import annotations

from schouders.web.service import municipalities, provenance
from schouders.web.service.breaks import all_breaks
from schouders.web.service.catalogue import catalogue
from schouders.web.service.panel import panel
from schouders.web.state import WebState


def warm(web: WebState) -> None:
    from schouders.web.service.engine import ensure_engine_cache

    ensure_engine_cache(web.settings)
    provenance.provenance(web)
    municipalities.names(web)
    municipalities.all_current(web)
    catalogue(web)
    all_breaks(web)
    panel(web, None)
