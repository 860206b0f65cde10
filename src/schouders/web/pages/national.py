"""The national page's charts and CSV table, made from :class:`NationalPage` alone."""

from __future__ import annotations

from typing import Any

import pandas as pd

from schouders.service.models import NationalPage
from schouders.service.national import CHARTED
from schouders.web import charts
from schouders.web.i18n import Translator


def class_charts(model: NationalPage, lang: str) -> list[dict[str, Any]]:
    t = Translator(lang)
    marks = [{"jaar": b.jaar, "label": b.label_en if lang == "en" else b.label,
              "kort": t("definitiebreuk")} for b in model.definitiebreuken]
    result = []
    classes = sorted({r.klasse for r in model.trends if r.klasse is not None})
    for klasse in [None, *classes]:
        part = [r for r in model.trends if r.klasse == klasse and r.reeks in CHARTED]
        label = next((r.klasse_label for r in model.trends if r.klasse == klasse), "")
        description = t("Mutatie ten opzichte van vorig jaar in procenten ({groep}, {document}): "
                        "totale lasten, lasten fysiek domein en CPI.", groep=label,
                        document=t(model.document))
        spec = charts.trend(lang, "%-mutatie", label, t("Reeks"), description,
                            [{"jaar": r.jaar, "reeks": r.reeks_label,
                              "v": round(r.mutatie_pct, 2)} for r in part], marks,
                            height=200 if klasse is None else 150,
                            width=320 if klasse is None else 230)
        result.append({"id": "klasse-" + ("nl" if klasse is None else str(klasse)),
                       "label": label, "spec": spec,
                       "rijen": [r.model_dump() for r in part]})
    return result


def csv_table(model: NationalPage) -> pd.DataFrame:
    columns = ["jaar", "klasse", "klasse_label", "reeks", "reeks_label", "mutatie_pct",
               "gemeenten"]
    frame = pd.DataFrame([r.model_dump() for r in model.trends], columns=columns)
    frame.insert(0, "document", model.document)
    return frame
