"""The comparison page's charts and CSV table, made from :class:`ComparePage` alone."""

from __future__ import annotations

from typing import Any

import pandas as pd

from schouders.service.models import ComparePage
from schouders.web import charts
from schouders.web.i18n import Translator


def specs(model: ComparePage, lang: str) -> dict[str, Any]:
    t = Translator(lang)
    names = {m.gm_code: m.naam for m in model.gemeenten}
    keuzes = model.keuzes
    small = []
    for number, row in enumerate(model.tabel):
        bars = [{"naam": names[code], "v": value} for code, value in row.waarden.items()
                if value is not None]
        description = t("{indicator} in {jaar} ({document}) voor {n} gemeenten.",
                        indicator=row.naam, jaar=keuzes.jaar, document=t(keuzes.document),
                        n=len(bars))
        small.append({"id": f"klein-{number}", "titel": row.naam,
                      "spec": charts.bars(lang, row.eenheid, row.naam, description, bars)})
    trend = model.trend
    title = t("Ontwikkeling van {indicator}", indicator=trend.naam)
    prices = t("reëel") if keuzes.prijzen == "reeel" else t("nominaal")
    trend_spec = charts.trend(
        lang, trend.eenheid, title, t("Gemeente"),
        title + f" ({t(keuzes.document)}, {prices})",
        [point.model_dump() for point in trend.rijen], [], height=260)
    return {"small": small, "trend_spec": trend_spec}


def csv_table(model: ComparePage) -> pd.DataFrame:
    keuzes = model.keuzes
    rows = [{"gm_code": m.gm_code, "naam": m.naam, "indicator": row.indicator,
             "jaar": keuzes.jaar, "document": keuzes.document, "prijzen": keuzes.prijzen,
             "waarde": row.waarden.get(m.gm_code)}
            for row in model.tabel for m in model.gemeenten]
    return pd.DataFrame(rows, columns=["gm_code", "naam", "indicator", "jaar", "document",
                                       "prijzen", "waarde"])
