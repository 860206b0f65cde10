"""The profile page's charts and CSV table, made from :class:`ProfilePage` alone."""

from __future__ import annotations

from typing import Any

import pandas as pd

from schouders.service.models import ProfilePage
from schouders.service.panel import DOCUMENTS
from schouders.service.profile import BUDGET_INDICATOR
from schouders.web import charts
from schouders.web.i18n import Translator


def specs(model: ProfilePage, lang: str) -> dict[str, Any]:
    t = Translator(lang)
    return {"posities": _strips(model, t), "trends": _trends(model, t),
            "begroting": _budget(model, t)}


def chart_id(number: int) -> str:
    return f"positie-{number}"


def _strips(model: ProfilePage, t: Translator) -> dict[str, Any]:
    naam = model.gemeente.naam
    result = {}
    for number, row in enumerate(model.kerncijfers):
        median = t("mediaan van {groep}: {mediaan} ({n} gemeenten).", groep=model.groep.naam,
                   mediaan=t.value(row.mediaan, row.eenheid), n=row.n)
        if row.waarde is None:
            description = t("{naam}: geen waarde voor {indicator};", naam=naam,
                            indicator=row.naam) + " " + median
        else:
            description = t("{naam}: {waarde};", naam=naam,
                            waarde=t.value(row.waarde, row.eenheid)) + " " + median
            if row.percentiel is not None:
                description += " " + t("Percentiel {p}.", p=t.number(row.percentiel))
        result[chart_id(number)] = charts.strip(
            t.lang, row.eenheid, description,
            peers=[{"v": round(v, 2)} for v in row.groep_waarden],
            median=None if row.mediaan is None else round(row.mediaan, 2),
            own=None if row.waarde is None else {"v": round(row.waarde, 2), "naam": naam})
    return result


def _trends(model: ProfilePage, t: Translator) -> dict[str, Any]:
    years = sorted({row.jaar for row in model.trends})
    marks = [{"jaar": b.jaar, "label": b.label_en if t.lang == "en" else b.label,
              "kort": t("definitiebreuk")} for b in model.definitiebreuken]
    base = model.basisjaar
    result = {}
    for key, title in (("nominaal", t("nominaal")),
                       ("reeel", t("reëel") + (f" ({t('prijspeil {jaar}', jaar=base)})"
                                               if base else ""))):
        series = [{"jaar": r.jaar, "reeks": r.reeks, "v": getattr(r, key),
                   "status": r.leeg.get(key)} for r in model.trends]
        description = t("Lasten per inwoner per domein, {soort}, {document}, {van}–{tot}.",
                        soort=title, document=t(model.keuzes.document),
                        van=years[0] if years else "", tot=years[-1] if years else "")
        result[key] = charts.trend(t.lang, "EUR/inw", title, t("Domein"), description, series,
                                   marks)
    return result


def _budget(model: ProfilePage, t: Translator) -> dict[str, Any]:
    amounts, missing = [], []
    for row in model.begroting_vs_jaarrekening:
        for document in DOCUMENTS:
            value = getattr(row, document)
            if value is not None:
                amounts.append({"jaar": row.jaar, "document": document, "label": t(document),
                                "v": round(value / 1e6, 2)})
            elif row.leeg.get(document) == "ontbreekt":
                missing.append({"jaar": row.jaar, "document": document,
                                "tekst": t("ontbreekt")})
    description = t("Totale lasten van {naam} per jaar in de begroting en de jaarrekening "
                    "(nominaal, miljoenen euro).", naam=model.gemeente.naam)
    return charts.budget_vs_accounts(t.lang, description, amounts, missing)


def csv_table(model: ProfilePage) -> pd.DataFrame:
    """The profile as one tidy table: positions, trends and budget-vs-accounts rows."""
    gm = model.gemeente.gm_code
    rows = []
    for row in model.kerncijfers:
        rows.append({"gm_code": gm, "onderdeel": "positie", "indicator": row.indicator,
                     "jaar": row.jaar, "document": row.document, "prijzen": row.prijzen,
                     "waarde": row.waarde, "status": row.leeg.get("waarde"),
                     "mediaan_groep": row.mediaan, "percentiel": row.percentiel,
                     "z_score": row.z_score, "rang": row.rang, "n_groep": row.n,
                     "groep": model.groep.code, "bronnen": " ".join(row.bronnen)})
    for trend in model.trends:
        for prijzen in ("nominaal", "reeel"):
            rows.append({"gm_code": gm, "onderdeel": "trend", "indicator": trend.indicator,
                         "jaar": trend.jaar, "document": model.keuzes.document,
                         "prijzen": prijzen, "waarde": getattr(trend, prijzen),
                         "status": trend.leeg.get(prijzen),
                         "bronnen": "iv3_fact bevolking prijsindex"})
    for budget in model.begroting_vs_jaarrekening:
        for doc in DOCUMENTS:
            rows.append({"gm_code": gm, "onderdeel": "begroting_vs_jaarrekening",
                         "indicator": BUDGET_INDICATOR, "jaar": budget.jaar, "document": doc,
                         "prijzen": "nominaal", "waarde": getattr(budget, doc),
                         "status": budget.leeg.get(doc), "bronnen": "iv3_fact"})
    columns = ["gm_code", "onderdeel", "indicator", "jaar", "document", "prijzen", "waarde",
               "status", "mediaan_groep", "percentiel", "z_score", "rang", "n_groep", "groep",
               "bronnen"]
    return pd.DataFrame(rows, columns=columns)
