"""Indicator page: definition, formula, unit, direction, caveats, sources, distribution."""

from __future__ import annotations

from schouders.service.catalogue import catalogue, formula_text, label
from schouders.service.distribution import build_distribution, indicator_info
from schouders.service.models import IndicatorDefinition, IndicatorPage, SourceTable
from schouders.service.panel import panel
from schouders.service.state import WebState

SOURCE_TABLES = {
    "iv3_fact": "Iv3-leveringen van gemeenten aan het CBS (dataderden.cbs.nl, 'Gemeenten <jaar> "
                "onbewerkte Iv3-data'), lasten en baten per taakveld en categorie",
    "bevolking": "CBS 03759ned: bevolking op 1 januari",
    "iv3_balans": "Iv3 balansstanden (ultimo), jaarrekening",
    "prijsindex": "CBS 86141NED: consumentenprijsindex (CPI), 2025=100",
}


def build_indicator(web: WebState, code: str, *, jaar: int | None, document: str | None,
                    prijzen: str | None, lang: str) -> IndicatorPage:
    info = indicator_info(web, code)
    spread = build_distribution(web, code, jaar=jaar, document=document, prijzen=prijzen,
                                lang=lang)
    return IndicatorPage(
        code=info.code, naam=info.naam, name=info.name, beschrijving=info.beschrijving,
        formule=formula_text(web, info), soort=info.formule.soort, eenheid=info.eenheid,
        richting=info.richting, thema=info.thema, factor=info.factor, bbv=info.bbv,
        kanttekeningen=list(info.kanttekeningen),
        bronnen=[SourceTable(tabel=source, omschrijving=SOURCE_TABLES.get(source, source))
                 for source in info.bronnen],
        reeel_mogelijk=info.deflatable,
        verdeling=spread,
        jaren=panel(web, None).years,
    )


def build_list(web: WebState, lang: str) -> list[IndicatorDefinition]:
    return [IndicatorDefinition(code=info.code, naam=label(info, lang), thema=info.thema,
                                eenheid=info.eenheid, richting=info.richting, bbv=info.bbv,
                                formule=formula_text(web, info), bronnen=list(info.bronnen))
            for info in catalogue(web).values()]
