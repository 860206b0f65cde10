"""Gemeenteprofiel: headline indicators with peer position, signals, trends, deliveries."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import numpy as np
import pandas as pd

from schouders.errors import SchoudersError
from schouders.service import municipalities, peers
from schouders.service.breaks import breaks_between
from schouders.service.catalogue import DOMAIN_TRENDS, catalogue, domains, formula_text, label
from schouders.service.catalogue import headline as headline_indicators
from schouders.service.choices import Choices, check_peiljaar, validate, years_with_data
from schouders.service.models import (
    BudgetRow,
    Delivery,
    DeliveryStatus,
    LatestNote,
    MunicipalityInfo,
    PeerGroupInfo,
    PositionRow,
    ProfileOptions,
    ProfilePage,
    Signal,
    Status,
    TrendRow,
)
from schouders.service.models import (
    Choices as ChoicesModel,
)
from schouders.service.panel import DOCUMENTS, Panel, panel
from schouders.service.positions import Positions, positions
from schouders.service.state import WebState

MISSING: Status = "ontbreekt"
BUDGET_INDICATOR = "lasten_totaal"
REALISATION_INDICATOR = "realisatie_lasten_pct"


def build_profile(
    web: WebState, code: str, *, jaar: int | None, document: str | None, peer_code: str | None,
    peiljaar: int | None, prijzen: str | None, lang: str,
) -> ProfilePage:
    municipality = municipalities.require(web, code)
    gm = municipality.gm_code
    check_peiljaar(web, peiljaar)
    values = panel(web, peiljaar)
    if peiljaar is not None and not _exists_in(values, gm):
        raise SchoudersError(
            f"{municipality.naam} ({gm}) bestond niet in peiljaar {peiljaar}.",
            "Kies een ander peiljaar, of geen peiljaar (indeling van elk jaar).")
    latest_note = None
    if jaar is None:
        jaar = _default_year_for(values, gm, document or "jaarrekening")
        newest = years_with_data(values, document or "jaarrekening")
        if jaar is not None and newest and jaar < newest[-1]:
            latest_note = LatestNote(jaar=newest[-1], getoond=jaar)
    choices = validate(web, values, jaar=jaar, document=document, peers=peer_code,
                       peiljaar=peiljaar, prijzen=prijzen)
    info = municipalities.facts(web, gm)
    deliveries = info.leveringen
    status = _delivery_status(deliveries, choices.jaar, choices.document)
    found = positions(web, values, gm, choices.jaar, choices.document, choices.peers,
                      choices.reeel, status.status == "geleverd",
                      [item.code for item in headline_indicators(web)], lang)
    missing = _missing_deliveries(deliveries)
    headline_rows = _headline(web, values, gm, choices, found, status, lang)
    return ProfilePage(
        gemeente=MunicipalityInfo(
            gm_code=gm, naam=municipality.naam, provincie=info.provincie,
            inwoners=_inhabitants(info.jaren, choices.jaar),
            bestaat=municipality.laatste_jaar is None, laatste_jaar=municipality.laatste_jaar),
        keuzes=_choices_model(choices),
        levering=status,
        groep=PeerGroupInfo(code=found.group_code, naam=found.group_label,
                            leden=found.members, aantal=len(found.members),
                            met_cijfers=max((row.n for row in headline_rows), default=0)),
        toelichting=found.notes,
        kerncijfers=headline_rows,
        signalen=[Signal(**_signal_fields(item)) for item in found.signals],
        trends=_trends(web, values, gm, choices, missing, lang),
        basisjaar=values.cpi_base_year,
        definitiebreuken=_breaks(web, values, gm, choices, missing),
        begroting_vs_jaarrekening=_budget_vs_accounts(values, gm, missing),
        leveringen=[Delivery(jaar=int(row.jaar), document=str(row.document),
                             status=str(row.status),
                             reden=None if pd.isna(row.reden) else str(row.reden))
                    for row in deliveries.itertuples()],
        herindelingen=list(info.herindelingen),
        opties=_options(web, values, lang),
        nieuwste_ontbreekt=latest_note,
    )


def _choices_model(choices: Choices) -> ChoicesModel:
    return ChoicesModel(**asdict(choices), query=choices.query())


def _signal_fields(item: dict[str, Any]) -> dict[str, Any]:
    return {key: item.get(key) for key in ("code", "naam", "uitleg", "jaar", "document",
                                           "indicatoren", "cijfers", "regel")}


def _exists_in(values: Panel, gm: str) -> bool:
    return values.has(gm)


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


def _delivery_status(deliveries: pd.DataFrame, jaar: int, document: str) -> DeliveryStatus:
    rows = deliveries[(deliveries["jaar"] == jaar) & (deliveries["document"] == document)]
    if rows.empty:
        return DeliveryStatus(status="geen", reden="geen levering voor dit jaar in het warehouse")
    row = rows.iloc[0]
    return DeliveryStatus(status=str(row["status"]),
                          reden=str(row["reden"]) if pd.notna(row["reden"]) else None)


def _missing_deliveries(deliveries: pd.DataFrame) -> set[tuple[int, str]]:
    return {(int(r.jaar), str(r.document)) for r in deliveries.itertuples()
            if r.status == MISSING}


def _inhabitants(years: pd.DataFrame, jaar: int) -> float | None:
    rows = years[years["jaar"] == jaar]
    if rows.empty or pd.isna(rows.iloc[0]["inwoners"]):
        return None
    return float(rows.iloc[0]["inwoners"])


def _headline(web: WebState, values: Panel, gm: str, choices: Choices, found: Positions,
              status: DeliveryStatus, lang: str) -> list[PositionRow]:
    table = values.slice(choices.jaar, choices.document, choices.reeel)
    members = [m for m in found.members if m in table.index and m != gm] \
        if not table.empty else []
    peer_table = table.loc[members] if members else table.iloc[0:0]
    own_missing = status.status != "geleverd"
    rows = []
    for item in headline_indicators(web):
        if item.code not in table.columns:
            continue
        stats = found.stats.get(item.code, {})
        own_value = None if own_missing else _round(stats.get("waarde"), None)
        leeg: dict[str, Status] = {}
        if own_missing:
            leeg["waarde"] = MISSING
        elif own_value is None:
            leeg["waarde"] = _why_empty(values, choices, item.code, gm)
        peer_values = peer_table[item.code].to_numpy()
        peer_values = peer_values[~np.isnan(peer_values)]
        rows.append(PositionRow(
            indicator=item.code, naam=label(item, lang), eenheid=item.eenheid,
            richting=item.richting, waarde=own_value,
            mediaan=stats.get("mediaan"), percentiel=stats.get("percentiel"),
            z_score=stats.get("z"),
            rang=None if stats.get("rang") is None else int(stats["rang"]),
            n=int(stats.get("n") or 0), jaar=choices.jaar, document=choices.document,
            prijzen="reeel" if choices.reeel else "nominaal",
            bronnen=list(item.bronnen), formule=formula_text(web, item),
            groep_waarden=[round(float(v), 4) for v in peer_values], leeg=leeg,
        ))
    return rows


def _why_empty(values: Panel, choices: Choices, code: str, gm: str) -> Status:
    """A real value can be empty while the nominal one exists: then the CPI year is missing."""
    if choices.reeel:
        nominal = values.slice(choices.jaar, choices.document, False)
        if gm in nominal.index and code in nominal.columns and pd.notna(nominal.at[gm, code]):
            return "geen_prijsindex"
    return "geen_waarde"


def _trends(web: WebState, values: Panel, gm: str, choices: Choices,
            missing: set[tuple[int, str]], lang: str) -> list[TrendRow]:
    known = catalogue(web)
    domain_names = domains(web)
    nominal = values.series(gm, choices.document, False)
    real = values.series(gm, choices.document, True)
    rows = []
    for code, domain in DOMAIN_TRENDS:
        if code not in known:
            continue
        naam, name, _ = domain_names.get(domain, (known[code].naam, known[code].name, ""))
        series_label = name if lang == "en" else naam
        if not nominal.empty and code in nominal.columns:
            for jaar in nominal.index:
                nominal_value = _round(nominal.at[jaar, code])
                real_value = _round(real.at[jaar, code]) if jaar in real.index else None
                leeg: dict[str, Status] = {}
                if nominal_value is None:
                    leeg["nominaal"] = leeg["reeel"] = "geen_waarde"
                elif real_value is None:
                    leeg["reeel"] = "geen_prijsindex"
                rows.append(TrendRow(jaar=int(jaar), reeks=series_label, indicator=code,
                                     nominaal=nominal_value, reeel=real_value, leeg=leeg))
        for jaar, document in sorted(missing):
            if document == choices.document:
                rows.append(TrendRow(jaar=jaar, reeks=series_label, indicator=code,
                                     nominaal=None, reeel=None,
                                     leeg={"nominaal": MISSING, "reeel": MISSING}))
    rows.sort(key=lambda r: (r.indicator, r.jaar))
    return rows


def _breaks(web: WebState, values: Panel, gm: str, choices: Choices,
            missing: set[tuple[int, str]]) -> list[Any]:
    from schouders.service.models import DefinitionBreak

    series = values.series(gm, choices.document, False)
    years = sorted({int(y) for y in series.index}
                   | {jaar for jaar, doc in missing if doc == choices.document})
    if not years:
        return []
    return [DefinitionBreak(**entry) for entry in breaks_between(web, years[0], years[-1])]


def _budget_vs_accounts(values: Panel, gm: str,
                        missing: set[tuple[int, str]]) -> list[BudgetRow]:
    budget = values.series(gm, "begroting")
    accounts = values.series(gm, "jaarrekening")
    years = sorted({int(y) for y in budget.index} | {int(y) for y in accounts.index}
                   | {jaar for jaar, _ in missing})
    rows = []
    for jaar in years:
        amounts: dict[str, float | None] = {}
        leeg: dict[str, Status] = {}
        for document, frame in (("begroting", budget), ("jaarrekening", accounts)):
            value = (frame.at[jaar, BUDGET_INDICATOR]
                     if jaar in frame.index and BUDGET_INDICATOR in frame.columns else None)
            amounts[document] = None if value is None or pd.isna(value) else float(value)
            if (jaar, document) in missing:
                amounts[document] = None
                leeg[document] = MISSING
            elif amounts[document] is None:
                leeg[document] = "geen_waarde"
        realisation = (accounts.at[jaar, REALISATION_INDICATOR]
                       if jaar in accounts.index and REALISATION_INDICATOR in accounts.columns
                       else None)
        difference = None if realisation is None or pd.isna(realisation) else float(realisation)
        if difference is None:
            leeg["verschil_pct"] = "geen_waarde"
        rows.append(BudgetRow(jaar=jaar, begroting=amounts["begroting"],
                              jaarrekening=amounts["jaarrekening"], verschil_pct=difference,
                              leeg=leeg))
    return rows


def _options(web: WebState, values: Panel, lang: str) -> ProfileOptions:
    from schouders.service.provenance import provenance

    return ProfileOptions(
        jaren={doc: years_with_data(values, doc) for doc in DOCUMENTS},
        documenten=list(DOCUMENTS),
        groepen=peers.options(web, lang),
        peiljaren=provenance(web).iv3_years,
    )


def _round(value: Any, digits: int | None = 2) -> float | None:
    if value is None or pd.isna(value):
        return None
    return float(value) if digits is None else round(float(value), digits)
