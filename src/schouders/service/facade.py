"""The one facade over warehouse and indicator engine for every consumer.

Web pages, their ``.json`` twins, ``/api``, the CLI, exports, reports and foresight all ask this
class; it returns the typed page models of :mod:`schouders.service.models`. Harmonised
boundaries (``peiljaar``), real euros (``prijzen='reeel'``), peer-group fallbacks and missing
documents are decided here once. Results are cached per process until the warehouse file is
swapped by a new build.

    from schouders.config import load_settings
    from schouders.service.facade import Service

    service = Service(load_settings())
    page = service.profile("GM1700", jaar=2024, document="jaarrekening")
    page.kerncijfers[0].waarde, page.kerncijfers[0].leeg
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pandas as pd

from schouders.config import Settings
from schouders.service import municipalities
from schouders.service.compare import build_compare
from schouders.service.indicator import build_indicator, build_list
from schouders.service.models import (
    ComparePage,
    IndicatorDefinition,
    IndicatorPage,
    MunicipalityMatch,
    NationalPage,
    ProfilePage,
    ProvenancePage,
    Source,
)
from schouders.service.national_page import build_national
from schouders.service.profile import build_profile
from schouders.service.state import WebState

CITATION = (
    "Schouders: uitvoeringskracht van Nederlandse gemeenten (versie {versie}), "
    "gegevens CBS (Iv3, bevolking, CPI), geraadpleegd op {datum}. Bron: CBS, CC BY 4.0."
)
LICENCE = "Gegevens: CBS, CC BY 4.0 (bron: CBS). Software: EUPL-1.2."


class Service:
    """Typed answers over one warehouse; safe to share between threads of one process."""

    def __init__(self, settings: Settings, state: WebState | None = None) -> None:
        self.settings = settings
        self.state = state or WebState(settings)

    def refresh(self) -> None:
        """Reopen the warehouse when a build swapped it (cheap: a stat every two seconds)."""
        self.state.refresh(time.monotonic())

    def close(self) -> None:
        self.state.close()

    # -- pages -------------------------------------------------------------------------------

    def profile(self, code: str, *, jaar: int | None = None, document: str | None = None,
                peers: str | None = None, peiljaar: int | None = None,
                prijzen: str | None = None, lang: str = "nl") -> ProfilePage:
        key = ("profile", code, jaar, document, peers, peiljaar, prijzen, lang)
        return self.state.cached(key, lambda: build_profile(
            self.state, code, jaar=jaar, document=document, peer_code=peers,
            peiljaar=peiljaar, prijzen=prijzen, lang=lang))

    def compare(self, *, gemeenten: str | None = None, groep: str | None = None,
                jaar: int | None = None, document: str | None = None,
                indicator: str | None = None, prijzen: str | None = None,
                lang: str = "nl", only_indicator: bool = False) -> ComparePage:
        """``only_indicator`` (the API): the table holds just ``indicator`` when it is given."""
        key = ("compare", gemeenten, groep, jaar, document, indicator, prijzen, lang,
               only_indicator)
        return self.state.cached(key, lambda: build_compare(
            self.state, gemeenten=gemeenten, groep=groep, jaar=jaar, document=document,
            indicator=indicator, prijzen=prijzen, lang=lang, only_indicator=only_indicator))

    def indicator(self, code: str, *, jaar: int | None = None, document: str | None = None,
                  prijzen: str | None = None, lang: str = "nl") -> IndicatorPage:
        key = ("indicator", code, jaar, document, prijzen, lang)
        return self.state.cached(key, lambda: build_indicator(
            self.state, code, jaar=jaar, document=document, prijzen=prijzen, lang=lang))

    def indicators(self, lang: str = "nl") -> list[IndicatorDefinition]:
        return self.state.cached(("indicators", lang), lambda: build_list(self.state, lang))

    def national(self, *, document: str | None = None, indicator: str | None = None,
                 jaar: int | None = None, prijzen: str | None = None,
                 lang: str = "nl") -> NationalPage:
        key = ("national", document, indicator, jaar, prijzen, lang)
        return self.state.cached(key, lambda: build_national(
            self.state, document=document, indicator=indicator, jaar=jaar, prijzen=prijzen,
            lang=lang))

    # -- lookups -----------------------------------------------------------------------------

    def search(self, text: str | None, limit: int = 10) -> list[MunicipalityMatch]:
        """Typo-tolerant search; without text the current municipalities by name."""
        if text and text.strip():
            return [MunicipalityMatch(**vars(match))
                    for match in municipalities.search(self.state, text, limit=min(limit, 50))]
        current = municipalities.all_current(self.state).head(limit)
        return [MunicipalityMatch(gm_code=row.gm_code, naam=row.naam,
                                  provincie=row.provincie_naam, bestaat=True, score=100.0,
                                  laatste_jaar=None) for row in current.itertuples()]

    def canonical_code(self, text: str) -> str | None:
        """The GM code a typed code or exact name stands for, or None when unsure."""
        from schouders.service.codes import normalise_gm_code

        normalised = normalise_gm_code(text)
        if normalised and normalised in municipalities.names(self.state):
            return normalised
        exact = [m for m in municipalities.search(self.state, text) if m.score >= 100.0]
        return exact[0].gm_code if len(exact) == 1 else None

    def provenance(self) -> ProvenancePage:
        from schouders import __version__
        from schouders.service.provenance import provenance

        info = provenance(self.state)
        sources = [Source(**{key: _plain(value) for key, value in row.items()})
                   for row in info.sources.to_dict(orient="records")]
        return ProvenancePage(
            warehouse={str(k): str(v) for k, v in info.meta.items()}, bronnen=sources,
            licentie=LICENCE,
            citeren=CITATION.format(versie=__version__, datum=dt.date.today().isoformat()))

    def boundaries(self, jaar: int) -> dict[str, Any] | None:
        """GeoJSON of the municipal boundaries of ``jaar`` (for maps), or None."""
        from schouders.service.geometry import boundaries

        return boundaries(self.state, jaar)

    def values(self, peiljaar: int | None = None) -> pd.DataFrame:
        """The panel: indicator, gm_code, jaar, document, waarde, waarde_reeel (long)."""
        from schouders.service.panel import panel

        return panel(self.state, peiljaar).long()

    def warm(self) -> None:
        """Read everything a page needs before the first request (see service.warmup)."""
        from schouders.service.warmup import warm

        warm(self.state)
        first = self.search(None, limit=1)
        if first:
            self.profile(first[0].gm_code)


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value
