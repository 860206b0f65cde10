"""Landelijk beeld: national and per-size-class trends, and one indicator over the country."""

from __future__ import annotations

from typing import Any

import pandas as pd

from schouders.web import charts
from schouders.web.i18n import Translator
from schouders.web.pages.distribution import build_distribution
from schouders.web.service.breaks import breaks_between
from schouders.web.service.catalogue import catalogue
from schouders.web.service.geometry import available_years
from schouders.web.service.national import (
    CHARTED,
    class_label,
    national_trends,
    series_label,
)
from schouders.web.service.panel import DOCUMENTS, panel

DEFAULT_MAP_INDICATOR = "lasten_per_inwoner_fysiek"


def build_national(web: Any, *, document: str | None, indicator: str | None, jaar: int | None,
                   prijzen: str | None, lang: str) -> dict[str, Any]:
    t = Translator(lang)
    document = document or "jaarrekening"
    if document not in DOCUMENTS:
        from schouders.errors import SchoudersError

        raise SchoudersError("Kies begroting of jaarrekening.")
    trends = national_trends(web, document)
    explanation = trends.attrs.get("toelichting", "")
    rows = [{**row, "klasse_label": class_label(row["klasse"], lang),
             "reeks_label": series_label(row["reeks"], lang)}
            for row in trends.to_dict(orient="records")]
    for row in rows:
        if pd.isna(row["klasse"]):
            row["klasse"] = None
        if pd.isna(row["gemeenten"]):
            row["gemeenten"] = None
    years = sorted({row["jaar"] for row in rows})
    marks = [{"jaar": b["jaar"], "label": b["label_en" if lang == "en" else "label"],
              "kort": t("definitiebreuk")}
             for b in (breaks_between(web, years[0], years[-1]) if years else [])]
    charts_by_class = []
    for klasse in [None, *sorted({r["klasse"] for r in rows if r["klasse"] is not None})]:
        part = [r for r in rows if r["klasse"] == klasse and r["reeks"] in CHARTED]
        label = class_label(klasse, lang)
        description = t("Mutatie ten opzichte van vorig jaar in procenten ({groep}, {document}): "
                        "totale lasten, lasten fysiek domein en CPI.", groep=label,
                        document=t(document))
        spec = charts.trend(lang, "%-mutatie", label, t("Reeks"), description,
                            [{"jaar": r["jaar"], "reeks": r["reeks_label"],
                              "v": round(r["mutatie_pct"], 2)} for r in part], marks,
                            height=200 if klasse is None else 150,
                            width=320 if klasse is None else 230)
        charts_by_class.append({"id": "klasse-" + ("nl" if klasse is None else str(klasse)),
                                "label": label, "spec": spec, "rijen": part})
    known = catalogue(web)
    code = indicator or DEFAULT_MAP_INDICATOR
    spread = build_distribution(web, code, jaar=jaar, document=document, prijzen=prijzen,
                                lang=lang, with_map=True)
    return {
        "document": document,
        "trends": rows,
        "toelichting": explanation,
        "_charts": charts_by_class,
        "verdeling": {k: v for k, v in spread.items() if not k.startswith("_")},
        "_spread_spec": spread["_spec"],
        "_map_spec": spread["_map_spec"],
        "kaartjaren": available_years(web),
        "opties": {"indicatoren": [(c, i.label(lang)) for c, i in known.items()],
                   "jaren": [int(y) for y in panel(web, None).years_of(document)]},
    }


def csv_table(model: dict[str, Any]) -> pd.DataFrame:
    columns = ["jaar", "klasse", "klasse_label", "reeks", "reeks_label", "mutatie_pct",
               "gemeenten"]
    frame = pd.DataFrame(model["trends"], columns=columns)
    frame.insert(0, "document", model["document"])
    return frame
