"""Vergelijken: up to ten municipalities, or a named group, side by side."""

from __future__ import annotations

from typing import Any

import pandas as pd

from schouders.errors import SchoudersError
from schouders.web import charts
from schouders.web.i18n import Translator
from schouders.web.pages.choices import validate
from schouders.web.security import MAX_COMPARE, normalise_gm_code
from schouders.web.service import municipalities, peers
from schouders.web.service.catalogue import catalogue, headline
from schouders.web.service.panel import panel

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
) -> dict[str, Any]:
    t = Translator(lang)
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
    if trend_code not in known:
        from schouders.web.pages.distribution import indicator_info

        indicator_info(web, trend_code)
    names = municipalities.names(web)
    table = values.slice(choices.jaar, choices.document, choices.reeel)
    indicators = headline(web)
    rows: list[dict[str, Any]] = []
    for item in indicators:
        row: dict[str, Any] = {"indicator": item.code, "naam": item.label(lang),
                               "eenheid": item.eenheid}
        for code in codes:
            value = table.at[code, item.code] if (not table.empty and code in table.index
                                                  and item.code in table.columns) else None
            row[code] = None if value is None or pd.isna(value) else float(value)
        rows.append(row)
    small = []
    for number, item in enumerate(indicators):
        bars = [{"naam": names.get(code, code), "v": rows[number][code]} for code in codes
                if rows[number][code] is not None]
        description = t("{indicator} in {jaar} ({document}) voor {n} gemeenten.",
                        indicator=item.label(lang), jaar=choices.jaar,
                        document=t(choices.document), n=len(bars))
        small.append({"id": f"klein-{number}", "titel": item.label(lang),
                      "spec": charts.bars(lang, item.eenheid, item.label(lang), description,
                                          bars)})
    trend_rows = []
    for code in codes:
        series = values.series(code, choices.document, choices.reeel)
        if series.empty or trend_code not in series.columns:
            continue
        for jaar_, value in series[trend_code].items():
            if pd.notna(value):
                trend_rows.append({"jaar": int(jaar_), "reeks": names.get(code, code),
                                   "gm_code": code, "v": round(float(value), 2)})
    trend_info = known[trend_code]
    trend_title = t("Ontwikkeling van {indicator}", indicator=trend_info.label(lang))
    trend_spec = charts.trend(
        lang, trend_info.eenheid, trend_title, t("Gemeente"),
        trend_title + f" ({t(choices.document)}, {t('reëel') if choices.reeel else t('nominaal')})",
        trend_rows, [], height=260)
    return {
        "gemeenten": [{"gm_code": code, "naam": names.get(code, code)} for code in codes],
        "groep": groep, "groep_naam": group_label,
        "keuzes": {"jaar": choices.jaar, "document": choices.document,
                   "prijzen": "reeel" if choices.reeel else "nominaal",
                   "indicator": trend_code},
        "tabel": rows,
        "trend": {"indicator": trend_code, "rijen": trend_rows},
        "_small": small, "_trend_spec": trend_spec,
        "opties": {"groepen": list(peers.named_groups(web)),
                   "indicatoren": [(code, info.label(lang)) for code, info in known.items()],
                   "jaren": [int(y) for y in values.years_of(choices.document)]
                   or sorted({int(y) for y in values.values["jaar"].unique()})},
    }


def csv_table(model: dict[str, Any]) -> pd.DataFrame:
    rows = []
    keuzes = model["keuzes"]
    for row in model["tabel"]:
        for municipality in model["gemeenten"]:
            rows.append({"gm_code": municipality["gm_code"], "naam": municipality["naam"],
                         "indicator": row["indicator"], "jaar": keuzes["jaar"],
                         "document": keuzes["document"], "prijzen": keuzes["prijzen"],
                         "waarde": row.get(municipality["gm_code"])})
    return pd.DataFrame(rows, columns=["gm_code", "naam", "indicator", "jaar", "document",
                                       "prijzen", "waarde"])
