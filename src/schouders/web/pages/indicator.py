"""Indicator page: definition, formula, unit, direction, caveats, sources, distribution."""

from __future__ import annotations

from typing import Any

import pandas as pd

from schouders.web.i18n import Translator
from schouders.web.pages.distribution import build_distribution, indicator_info
from schouders.web.service.catalogue import DIRECTION_TEXT, catalogue
from schouders.web.service.panel import panel
from schouders.web.state import WebState

SOURCE_TABLES = {
    "iv3_fact": "Iv3-leveringen van gemeenten aan het CBS (dataderden.cbs.nl, 'Gemeenten <jaar> "
                "onbewerkte Iv3-data'), lasten en baten per taakveld en categorie",
    "bevolking": "CBS 03759ned: bevolking op 1 januari",
    "iv3_balans": "Iv3 balansstanden (ultimo), jaarrekening",
    "prijsindex": "CBS 86141NED: consumentenprijsindex (CPI), 2025=100",
}


def build_indicator(web: WebState, code: str, *, jaar: int | None, document: str | None,
                    prijzen: str | None, lang: str) -> dict[str, Any]:
    t = Translator(lang)
    info = indicator_info(web, code)
    spread = build_distribution(web, code, jaar=jaar, document=document, prijzen=prijzen,
                                lang=lang)
    return {
        "code": info.code,
        "naam": info.naam,
        "name": info.name,
        "beschrijving": info.beschrijving,
        "formule": info.formule,
        "soort": info.soort,
        "eenheid": info.eenheid,
        "eenheid_tekst": t.unit(info.eenheid),
        "richting": info.richting,
        "richting_tekst": t(DIRECTION_TEXT.get(info.richting, info.richting)),
        "thema": info.thema,
        "factor": info.factor,
        "bbv": info.bbv,
        "kanttekeningen": list(info.kanttekeningen),
        "bronnen": [{"tabel": source, "omschrijving": SOURCE_TABLES.get(source, source)}
                    for source in info.bronnen],
        "reeel_mogelijk": info.euro or info.soort == "groei",
        "verdeling": {k: v for k, v in spread.items() if not k.startswith("_")},
        "_spec": spread["_spec"],
        "jaren": sorted({int(y) for y in panel(web, None).values["jaar"].unique()}),
    }


def build_list(web: WebState, lang: str) -> list[dict[str, Any]]:
    t = Translator(lang)
    return [{"code": info.code, "naam": info.label(lang), "thema": info.thema,
             "eenheid": info.eenheid, "eenheid_tekst": t.unit(info.eenheid),
             "richting": info.richting, "bbv": info.bbv, "formule": info.formule,
             "bronnen": list(info.bronnen)}
            for info in catalogue(web).values()]


def csv_table(model: dict[str, Any]) -> pd.DataFrame:
    spread = model["verdeling"]
    frame = pd.DataFrame(spread["gemeenten"], columns=["gm_code", "naam", "provincie",
                                                       "waarde"])
    frame.insert(0, "indicator", model["code"])
    frame["jaar"] = spread["keuzes"]["jaar"]
    frame["document"] = spread["keuzes"]["document"]
    frame["prijzen"] = spread["keuzes"]["prijzen"]
    return frame
