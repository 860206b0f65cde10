"""Vergelijken: up to ten municipalities, or a named group, side by side."""

from __future__ import annotations

from typing import Any

import pandas as pd

from schouders.errors import SchoudersError
from schouders.service import municipalities, peers
from schouders.service.catalogue import catalogue, headline, label
from schouders.service.choices import validate
from schouders.service.codes import normalise_gm_code
from schouders.service.distribution import indicator_info
from schouders.service.models import (
    CompareChoices,
    CompareOptions,
    ComparePage,
    ComparePoint,
    CompareRow,
    CompareTrend,
    NamedCode,
)
from schouders.service.panel import panel

MAX_COMPARE = 10

DEFAULT_TREND = "lasten_per_inwoner"


def parse_list(text: str | None) -> list[str]:
    if not text:
        return []
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def resolve_all(web: Any, items: list[str]) -> list[str]:
    """GM codes for codes or names; the first unknown one raises with suggestions."""
    from schouders.warehouse.lookup import resolve_municipality

    codes: list[str] = []
    for item in items:
        text = item[: municipalities.MAX_SEARCH_LENGTH]
        if normalise_gm_code(text):
            code = municipalities.require(web, text).gm_code
        else:
            code = resolve_municipality(web.cursor(), text).gm_code
        if code not in codes:
            codes.append(code)
    return codes


def build_compare(
    web: Any, *, gemeenten: str | None, groep: str | None, jaar: int | None,
    document: str | None, indicator: str | None, prijzen: str | None, lang: str,
    only_indicator: bool = False,
) -> ComparePage:
    """``only_indicator`` (the API): with ``indicator`` the table holds that indicator only
    (also when it is not one of the headline indicators); the web page keeps the headline table
    and uses ``indicator`` for its trend chart."""
    items = parse_list(gemeenten)
    if len(items) > MAX_COMPARE:
        raise SchoudersError(
            f"Te veel gemeenten: {len(items)} (maximaal {MAX_COMPARE}).",
            "Kies er minder, of gebruik een vergelijkingsgroep.")
    values = panel(web, None)
    choices = validate(web, values, jaar=jaar, document=document, peers=None, peiljaar=None,
                       prijzen=prijzen)
    codes = resolve_all(web, items)
    group_label = None
    if groep:
        named = peers.named_groups(web)
        if groep not in named:
            raise SchoudersError(f"Onbekende groep {groep[:40]!r}.",
                                 "Kies een van: " + ", ".join(named) + ".")
        group = peers.peer_group(web, groep, None, choices.jaar)
        group_label = group.naam
        codes.extend(code for code in group.members if code not in codes)
    codes = codes[:MAX_COMPARE]
    known = catalogue(web)
    trend_code = indicator or DEFAULT_TREND
    trend_info = indicator_info(web, trend_code)
    names = municipalities.names(web)
    table = values.slice(choices.jaar, choices.document, choices.reeel)
    rows = []
    shown = [trend_info] if only_indicator and indicator else headline(web)
    for item in shown:
        cells: dict[str, float | None] = {}
        for code in codes:
            value = table.at[code, item.code] if (not table.empty and code in table.index
                                                  and item.code in table.columns) else None
            cells[code] = None if value is None or pd.isna(value) else float(value)
        rows.append(CompareRow(indicator=item.code, naam=label(item, lang),
                               eenheid=item.eenheid, waarden=cells))
    points = []
    for code in codes:
        series = values.series(code, choices.document, choices.reeel)
        if series.empty or trend_code not in series.columns:
            continue
        for year, value in series[trend_code].items():
            if pd.notna(value):
                points.append(ComparePoint(jaar=int(year), reeks=names.get(code, code),
                                           gm_code=code, v=round(float(value), 2)))
    years = values.years_of(choices.document) or values.years
    return ComparePage(
        gemeenten=[NamedCode(gm_code=code, naam=names.get(code, code)) for code in codes],
        groep=groep, groep_naam=group_label,
        keuzes=CompareChoices(jaar=choices.jaar, document=choices.document,
                              prijzen="reeel" if choices.reeel else "nominaal",
                              indicator=trend_code),
        tabel=rows,
        trend=CompareTrend(indicator=trend_code, naam=label(trend_info, lang),
                           eenheid=trend_info.eenheid, rijen=points),
        opties=CompareOptions(groepen=list(peers.named_groups(web)),
                              indicatoren=[(code, label(info, lang))
                                           for code, info in known.items()],
                              jaren=[int(y) for y in years]),
    )


def csv_table(model: ComparePage) -> pd.DataFrame:
    rows = []
    keuzes = model.keuzes
    for row in model.tabel:
        for municipality in model.gemeenten:
            rows.append({"gm_code": municipality.gm_code, "naam": municipality.naam,
                         "indicator": row.indicator, "jaar": keuzes.jaar,
                         "document": keuzes.document, "prijzen": keuzes.prijzen,
                         "waarde": row.waarden.get(municipality.gm_code)})
    return pd.DataFrame(rows, columns=["gm_code", "naam", "indicator", "jaar", "document",
                                       "prijzen", "waarde"])
