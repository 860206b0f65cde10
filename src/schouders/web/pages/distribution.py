"""One indicator over all municipalities of a year: per-province dots, summary, sorted table."""

from __future__ import annotations

import zlib
from typing import Any

import pandas as pd

from schouders.web import charts
from schouders.web.i18n import Translator
from schouders.web.pages.choices import Choices, validate
from schouders.web.service import municipalities, peers
from schouders.web.service.catalogue import IndicatorInfo, catalogue
from schouders.web.service.geometry import boundaries
from schouders.web.service.panel import panel
from schouders.web.state import NotFoundError, WebState


def indicator_info(web: WebState, code: str) -> IndicatorInfo:
    known = catalogue(web)
    if code not in known:
        from rapidfuzz import process

        close = [match for match, _, _ in process.extract(code[:64], list(known), limit=3)]
        raise NotFoundError(f"Onbekende indicator {code[:64]!r}.",
                             "Bedoelde u: " + ", ".join(close) + "? Zie /indicatoren.")
    return known[code]


def build_distribution(web: WebState, code: str, *, jaar: int | None, document: str | None,
                       prijzen: str | None, lang: str, with_map: bool = False) -> dict[str, Any]:
    info = indicator_info(web, code)
    values = panel(web, None)
    choices = validate(web, values, jaar=jaar, document=document, peers=None, peiljaar=None,
                       prijzen=prijzen)
    return distribution(web, info, choices, lang, with_map)


def distribution(web: WebState, info: IndicatorInfo, choices: Choices, lang: str,
                 with_map: bool) -> dict[str, Any]:
    t = Translator(lang)
    values = panel(web, None)
    table = values.slice(choices.jaar, choices.document, choices.reeel)
    year_table = peers.year_table(web, choices.jaar)
    names = municipalities.names(web)
    rows = []
    for gm, (province, _) in year_table.items():
        value = table.at[gm, info.code] if (not table.empty and gm in table.index
                                            and info.code in table.columns) else None
        rows.append({"gm_code": gm, "naam": names.get(gm, gm), "provincie": province or "?",
                     "waarde": None if value is None or pd.isna(value) else float(value)})
    rows.sort(key=lambda r: (r["waarde"] is None, -(r["waarde"] or 0.0)))
    present = [r for r in rows if r["waarde"] is not None]
    series = pd.Series([r["waarde"] for r in present], dtype=float)
    summary = {
        "gemeenten": len(rows), "met_waarde": len(present),
        "zonder_waarde": len(rows) - len(present),
        "mediaan": float(series.median()) if len(series) else None,
        "minimum": float(series.min()) if len(series) else None,
        "maximum": float(series.max()) if len(series) else None,
    }
    by_province: dict[str, list[float]] = {}
    for r in present:
        by_province.setdefault(r["provincie"], []).append(r["waarde"])
    medians = [{"groep": prov, "mediaan": round(float(pd.Series(vals).median()), 3),
                "n": len(vals)} for prov, vals in sorted(by_province.items())]
    points = [{"naam": r["naam"], "groep": r["provincie"], "v": round(r["waarde"], 3),
               "jitter": (zlib.crc32(r["gm_code"].encode()) % 100) / 100.0 - 0.5}
              for r in present]
    label = info.label(lang)
    description = t("{indicator} per gemeente, gegroepeerd per provincie ({document} {jaar}); "
                    "de zwarte streep is de mediaan van de provincie.",
                    indicator=label, document=t(choices.document), jaar=choices.jaar)
    spec = charts.dots_by_group(lang, info.eenheid, t("Provincie"), description, points,
                                medians)
    geo = boundaries(web, choices.jaar) if with_map else None
    map_spec = None
    if geo is not None:
        map_spec = charts.choropleth(
            lang, info.eenheid, t("Kaart van {indicator}, {jaar}.", indicator=label,
                                  jaar=choices.jaar), geo,
            [{"gm_code": r["gm_code"], "naam": r["naam"], "v": r["waarde"]} for r in present])
    return {
        "indicator": {"code": info.code, "naam": label, "eenheid": info.eenheid},
        "keuzes": {"jaar": choices.jaar, "document": choices.document,
                   "prijzen": "reeel" if choices.reeel else "nominaal"},
        "samenvatting": summary,
        "per_provincie": medians,
        "gemeenten": rows,
        "kaart": {"beschikbaar": geo is not None, "bron": geo.get("bron") if geo else None},
        "_spec": spec, "_map_spec": map_spec,
    }
