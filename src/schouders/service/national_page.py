"""Landelijk beeld: national and per-size-class trends, and one indicator over the country."""

from __future__ import annotations

from typing import Any

import pandas as pd

from schouders.errors import SchoudersError
from schouders.service.breaks import breaks_between
from schouders.service.catalogue import catalogue, label
from schouders.service.distribution import build_distribution
from schouders.service.geometry import available_years
from schouders.service.models import (
    DefinitionBreak,
    NationalOptions,
    NationalPage,
    NationalRow,
)
from schouders.service.national import class_label, national_trends, series_label
from schouders.service.panel import DOCUMENTS, panel

DEFAULT_MAP_INDICATOR = "lasten_per_inwoner_fysiek"


def build_national(web: Any, *, document: str | None, indicator: str | None, jaar: int | None,
                   prijzen: str | None, lang: str) -> NationalPage:
    document = document or "jaarrekening"
    if document not in DOCUMENTS:
        raise SchoudersError(f"Onbekend document {document[:30]!r}.",
                             "Kies begroting of jaarrekening.")
    trends = national_trends(web, document)
    rows = [NationalRow(jaar=int(row["jaar"]),
                        klasse=None if pd.isna(row["klasse"]) else int(row["klasse"]),
                        klasse_label=class_label(row["klasse"], lang), reeks=row["reeks"],
                        reeks_label=series_label(row["reeks"], lang),
                        mutatie_pct=float(row["mutatie_pct"]),
                        gemeenten=None if pd.isna(row["gemeenten"]) else int(row["gemeenten"]))
            for row in trends.to_dict(orient="records")]
    years = sorted({row.jaar for row in rows})
    breaks = [DefinitionBreak(**entry)
              for entry in (breaks_between(web, years[0], years[-1]) if years else [])]
    spread = build_distribution(web, indicator or DEFAULT_MAP_INDICATOR, jaar=jaar,
                                document=document, prijzen=prijzen, lang=lang)
    return NationalPage(
        document=document, trends=rows, toelichting=trends.attrs.get("toelichting", ""),
        definitiebreuken=breaks, verdeling=spread, kaartjaren=available_years(web),
        opties=NationalOptions(
            indicatoren=[(code, label(info, lang)) for code, info in catalogue(web).items()],
            jaren=panel(web, None).years_of(document)),
    )
