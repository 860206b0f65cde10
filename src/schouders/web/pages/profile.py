"""Gemeenteprofiel: headline indicators with peer position, signals, trends, deliveries."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import pandas as pd

from schouders.web import charts
from schouders.web.i18n import Translator
from schouders.web.pages.choices import Choices, check_peiljaar, validate, years_with_data
from schouders.web.service import municipalities, peers
from schouders.web.service.breaks import breaks_between
from schouders.web.service.catalogue import DIRECTION_TEXT, DOMAIN_TRENDS, catalogue, domains
from schouders.web.service.catalogue import headline as headline_indicators
from schouders.web.service.panel import DOCUMENTS, Panel, panel
from schouders.web.service.positions import Positions, positions
from schouders.web.state import WebState

MISSING = "ontbreekt"
BUDGET_INDICATOR = "lasten_totaal"
REALISATION_INDICATOR = "realisatie_lasten_pct"


def build_profile(
    web: WebState, code: str, *, jaar: int | None, document: str | None, peer_code: str | None,
    peiljaar: int | None, prijzen: str | None, lang: str,
) -> dict[str, Any]:
    municipality = municipalities.require(web, code)
    gm = municipality.gm_code
    check_peiljaar(web, peiljaar)
    values = panel(web, peiljaar)
    if peiljaar is not None and not _exists_in(values, gm):
        from schouders.errors import SchoudersError

        raise SchoudersError(
            f"{municipality.naam} ({gm}) bestond niet in peiljaar {peiljaar}.",
            "Kies een ander peiljaar, of geen peiljaar (indeling van elk jaar).")
    latest_note = None
    if jaar is None:
        jaar = _default_year_for(values, gm, document or "jaarrekening")
        newest = years_with_data(values, document or "jaarrekening")
        if jaar is not None and newest and jaar < newest[-1]:
            latest_note = {"jaar": newest[-1], "getoond": jaar}
    choices = validate(web, values, jaar=jaar, document=document, peers=peer_code,
                       peiljaar=peiljaar, prijzen=prijzen)
    t = Translator(lang)
    info = municipalities.facts(web, gm)
    status = _delivery_status(info["leveringen"], choices.jaar, choices.document)
    found = positions(web, values, gm, choices.jaar, choices.document, choices.peers,
                      choices.reeel, status["status"] == "geleverd",
                      [item.code for item in headline_indicators(web)], lang)
    headline = _headline(web, values, gm, municipality.naam, choices, found, status, t)
    trend = _trends(web, values, gm, choices, t)
    budget = _budget_vs_accounts(values, gm, t, municipality.naam)
    mark_missing(budget, info["leveringen"], t)
    inhabitants = _inhabitants(info["jaren"], choices.jaar)
    return {
        "gemeente": {"gm_code": gm, "naam": municipality.naam, "provincie": info["provincie"],
                     "inwoners": inhabitants, "bestaat": municipality.laatste_jaar is None,
                     "laatste_jaar": municipality.laatste_jaar},
        "keuzes": {**asdict(choices), "query": choices.query()},
        "levering": status,
        "groep": {"code": found.group_code, "naam": found.group_label,
                  "leden": found.members, "aantal": len(found.members)},
        "toelichting": found.notes,
        "kerncijfers": headline,
        "signalen": found.signals,
        "trends": trend,
        "begroting_vs_jaarrekening": budget,
        "leveringen": info["leveringen"],
        "herindelingen": info["herindelingen"],
        "opties": _options(web, values, lang),
        "nieuwste_ontbreekt": latest_note,
    }


def _exists_in(values: Panel, gm: str) -> bool:
    return bool((values.values["gm_code"] == gm).any())


def _default_year_for(values: Panel, gm: str, document: str) -> int | None:
    if document not in DOCUMENTS:
        return None
    series = values.series(gm, document)
    years = years_with_data(values, document)
    if not series.empty:
        own = [int(y) for y in series.index if int(y) in years]
        if own:
            return max(own)
    return years[-1] if years else None


def _delivery_status(deliveries: pd.DataFrame, jaar: int, document: str) -> dict[str, Any]:
    rows = deliveries[(deliveries["jaar"] == jaar) & (deliveries["document"] == document)]
    if rows.empty:
        return {"status": "geen", "reden": "geen levering voor dit jaar in het warehouse"}
    row = rows.iloc[0]
    return {"status": row["status"], "reden": row["reden"] if pd.notna(row["reden"]) else None}


def _inhabitants(years: pd.DataFrame, jaar: int) -> float | None:
    rows = years[years["jaar"] == jaar]
    if rows.empty or pd.isna(rows.iloc[0]["inwoners"]):
        return None
    return float(rows.iloc[0]["inwoners"])


def _headline(web: WebState, values: Panel, gm: str, naam: str, choices: Choices,
              found: Positions, status: dict[str, Any], t: Translator) -> list[dict]:
    table = values.slice(choices.jaar, choices.document, choices.reeel)
    members = [m for m in found.members if m in table.index] if not table.empty else []
    own_missing = status["status"] != "geleverd"
    rows = []
    for number, item in enumerate(headline_indicators(web)):
        if item.code not in table.columns:
            continue
        stats = found.stats.get(item.code, {})
        own_value = None if own_missing else stats.get("waarde")
        peer_values = table.loc[members, item.code].dropna() if members else pd.Series(
            dtype=float)
        label = item.label(t.lang)
        description = _strip_description(t, naam, label, item.eenheid, own_value, stats,
                                         found.group_label)
        spec = charts.strip(
            t.lang, item.eenheid, description,
            peers=[{"v": _round(v)} for g, v in peer_values.items() if g != gm],
            median=_round(stats.get("mediaan")),
            own=None if own_value is None else {"v": _round(own_value), "naam": naam},
        )
        rows.append({
            "indicator": item.code, "naam": label, "eenheid": item.eenheid,
            "richting": t(DIRECTION_TEXT.get(item.richting, item.richting)),
            "waarde": MISSING if own_missing else own_value,
            "mediaan": stats.get("mediaan"), "percentiel": stats.get("percentiel"),
            "z_score": stats.get("z"),
            "rang": None if stats.get("rang") is None else int(stats["rang"]),
            "n": int(stats.get("n") or 0),
            "jaar": choices.jaar, "document": choices.document,
            "prijzen": "reeel" if choices.reeel else "nominaal",
            "bronnen": list(item.bronnen), "formule": item.formule,
            "chart_id": f"positie-{number}", "spec": spec,
        })
    return rows


def _strip_description(t: Translator, naam: str, label: str, unit: str, own: Any,
                       stats: dict[str, Any], group: str) -> str:
    median = t("mediaan van {groep}: {mediaan} ({n} gemeenten).", groep=group,
               mediaan=t.value(stats.get("mediaan"), unit), n=int(stats.get("n") or 0))
    if own is None:
        return t("{naam}: geen waarde voor {indicator};", naam=naam, indicator=label) + " " \
            + median
    text = t("{naam}: {waarde};", naam=naam, waarde=t.value(own, unit)) + " " + median
    if stats.get("percentiel") is not None:
        text += " " + t("Percentiel {p}.", p=t.number(stats["percentiel"]))
    return text


def _trends(web: WebState, values: Panel, gm: str, choices: Choices,
            t: Translator) -> dict[str, Any]:
    known = catalogue(web)
    domain_names = domains(web)
    nominal = values.series(gm, choices.document, False)
    real = values.series(gm, choices.document, True)
    rows = []
    for code, domain in DOMAIN_TRENDS:
        if code not in known or nominal.empty or code not in nominal.columns:
            continue
        naam, name, _ = domain_names.get(domain, (known[code].naam, known[code].name, ""))
        label = name if t.lang == "en" else naam
        for jaar in nominal.index:
            rows.append({"jaar": int(jaar), "reeks": label, "indicator": code,
                         "nominaal": _round(nominal.at[jaar, code]),
                         "reeel": _round(real.at[jaar, code]) if jaar in real.index else None})
    missing_years = _missing_years(web, gm, choices.document)
    for code, domain in DOMAIN_TRENDS:
        if code not in known:
            continue
        naam, name, _ = domain_names.get(domain, (known[code].naam, known[code].name, ""))
        for jaar in missing_years:
            rows.append({"jaar": jaar, "reeks": name if t.lang == "en" else naam,
                         "indicator": code, "nominaal": MISSING, "reeel": MISSING})
    rows.sort(key=lambda r: (r["indicator"], r["jaar"]))
    years = sorted({row["jaar"] for row in rows})
    found_breaks = breaks_between(web, years[0], years[-1]) if years else []
    break_marks = [{"jaar": b["jaar"], "label": b["label_en" if t.lang == "en" else "label"],
                    "kort": t("definitiebreuk")} for b in found_breaks]
    base = values.cpi_base_year
    specs = {}
    for key, title in (("nominaal", t("nominaal")),
                       ("reeel", t("reëel") + (f" ({t('prijspeil {jaar}', jaar=base)})"
                                               if base else ""))):
        series = [{"jaar": r["jaar"], "reeks": r["reeks"],
                   "v": None if r[key] == MISSING else r[key]} for r in rows]
        description = t("Lasten per inwoner per domein, {soort}, {document}, {van}–{tot}.",
                        soort=title, document=t(choices.document),
                        van=years[0] if years else "", tot=years[-1] if years else "")
        specs[key] = charts.trend(t.lang, "EUR/inw", title, t("Domein"), description, series,
                                  break_marks)
    return {"rijen": rows, "breuken": found_breaks, "specs": specs, "basisjaar": base}


def _missing_years(web: WebState, gm: str, document: str) -> list[int]:
    deliveries = municipalities.facts(web, gm)["leveringen"]
    rows = deliveries[(deliveries["document"] == document) & (deliveries["status"] == MISSING)]
    return sorted(int(year) for year in rows["jaar"])


def _budget_vs_accounts(values: Panel, gm: str, t: Translator, naam: str) -> dict[str, Any]:
    rows = []
    budget = values.series(gm, "begroting")
    accounts = values.series(gm, "jaarrekening")
    years = sorted({int(y) for y in budget.index} | {int(y) for y in accounts.index})
    amounts, missing = [], []
    for jaar in years:
        row: dict[str, Any] = {"jaar": jaar}
        for document, frame in (("begroting", budget), ("jaarrekening", accounts)):
            value = (frame.at[jaar, BUDGET_INDICATOR]
                     if jaar in frame.index and BUDGET_INDICATOR in frame.columns else None)
            value = None if value is None or pd.isna(value) else float(value)
            row[document] = value
            if value is not None:
                amounts.append({"jaar": jaar, "document": document, "label": t(document),
                                "v": round(value / 1e6, 2)})
        realisation = (accounts.at[jaar, REALISATION_INDICATOR]
                       if jaar in accounts.index and REALISATION_INDICATOR in accounts.columns
                       else None)
        row["verschil_pct"] = None if realisation is None or pd.isna(realisation) else float(
            realisation)
        rows.append(row)
    description = t("Totale lasten van {naam} per jaar in de begroting en de jaarrekening "
                    "(nominaal, miljoenen euro).", naam=naam)
    return {"rijen": rows, "spec": charts.budget_vs_accounts(t.lang, description, amounts,
                                                             missing)}


def mark_missing(budget: dict[str, Any], deliveries: pd.DataFrame, t: Translator) -> None:
    """Replace absent amounts by 'ontbreekt' where the delivery is known to be missing."""
    missing = {(int(r.jaar), r.document) for r in deliveries.itertuples()
               if r.status == MISSING}
    marks = []
    for row in budget["rijen"]:
        for document in DOCUMENTS:
            if (row["jaar"], document) in missing:
                row[document] = MISSING
                marks.append({"jaar": row["jaar"], "document": document,
                              "tekst": t("ontbreekt")})
    budget["spec"]["datasets"]["missing"] = marks


def _options(web: WebState, values: Panel, lang: str) -> dict[str, Any]:
    from schouders.web.service.provenance import provenance

    return {
        "jaren": {doc: years_with_data(values, doc) for doc in DOCUMENTS},
        "documenten": list(DOCUMENTS),
        "groepen": peers.options(web, lang),
        "peiljaren": provenance(web).iv3_years,
    }


def _round(value: Any, digits: int = 2) -> float | None:
    if value is None or pd.isna(value):
        return None
    return round(float(value), digits)


def csv_table(model: dict[str, Any]) -> pd.DataFrame:
    """The profile as one tidy table: positions, trends and budget-vs-accounts rows."""
    gm = model["gemeente"]["gm_code"]
    rows = []
    for row in model["kerncijfers"]:
        rows.append({"gm_code": gm, "onderdeel": "positie", "indicator": row["indicator"],
                     "jaar": row["jaar"], "document": row["document"],
                     "prijzen": row["prijzen"], "waarde": row["waarde"],
                     "mediaan_groep": row["mediaan"], "percentiel": row["percentiel"],
                     "z_score": row["z_score"], "rang": row["rang"], "n_groep": row["n"],
                     "groep": model["groep"]["code"], "bronnen": " ".join(row["bronnen"])})
    document = model["keuzes"]["document"]
    for row in model["trends"]["rijen"]:
        for prijzen in ("nominaal", "reeel"):
            rows.append({"gm_code": gm, "onderdeel": "trend", "indicator": row["indicator"],
                         "jaar": row["jaar"], "document": document, "prijzen": prijzen,
                         "waarde": row[prijzen], "bronnen": "iv3_fact bevolking prijsindex"})
    for row in model["begroting_vs_jaarrekening"]["rijen"]:
        for doc in DOCUMENTS:
            rows.append({"gm_code": gm, "onderdeel": "begroting_vs_jaarrekening",
                         "indicator": BUDGET_INDICATOR, "jaar": row["jaar"], "document": doc,
                         "prijzen": "nominaal", "waarde": row[doc], "bronnen": "iv3_fact"})
    columns = ["gm_code", "onderdeel", "indicator", "jaar", "document", "prijzen", "waarde",
               "mediaan_groep", "percentiel", "z_score", "rang", "n_groep", "groep", "bronnen"]
    return pd.DataFrame(rows, columns=columns)
