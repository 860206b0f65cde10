"""One indicator over all municipalities of a year: summary, per-province medians, values."""

from __future__ import annotations

import numpy as np
import pandas as pd

from schouders.indicators.catalogue import Indicator
from schouders.service import municipalities, peers
from schouders.service.catalogue import catalogue, label
from schouders.service.choices import Choices, validate
from schouders.service.models import (
    Distribution,
    DistributionChoices,
    DistributionSummary,
    IndicatorLabel,
    MapInfo,
    MunicipalityValue,
    ProvinceMedian,
    Status,
)
from schouders.service.panel import panel
from schouders.service.state import NotFoundError, WebState


def indicator_info(web: WebState, code: str) -> Indicator:
    known = catalogue(web)
    if code not in known:
        from rapidfuzz import process

        close = [match for match, _, _ in process.extract(code[:64], list(known), limit=3)]
        raise NotFoundError(f"Onbekende indicator {code[:64]!r}.",
                            "Bedoelde u: " + ", ".join(close) + "? Zie /indicatoren.")
    return known[code]


def build_distribution(web: WebState, code: str, *, jaar: int | None, document: str | None,
                       prijzen: str | None, lang: str) -> Distribution:
    info = indicator_info(web, code)
    values = panel(web, None)
    choices = validate(web, values, jaar=jaar, document=document, peers=None, peiljaar=None,
                       prijzen=prijzen)
    return distribution(web, info, choices, lang)


def distribution(web: WebState, info: Indicator, choices: Choices, lang: str) -> Distribution:
    from schouders.service.geometry import map_source

    values = panel(web, None)
    table = values.slice(choices.jaar, choices.document, choices.reeel)
    nominal = values.slice(choices.jaar, choices.document, False)
    year_table = peers.year_table(web, choices.jaar)
    names = municipalities.names(web)
    missing = municipalities.missing_deliveries(web, choices.jaar, choices.document)
    codes = list(year_table)
    own = _column(table, info.code, codes)
    nominal_own = _column(nominal, info.code, codes)
    rows = []
    for number, gm in enumerate(codes):
        value = None if np.isnan(own[number]) else float(own[number])
        leeg: dict[str, Status] = {}
        if value is None:
            leeg["waarde"] = ("ontbreekt" if gm in missing else
                              "geen_prijsindex" if not np.isnan(nominal_own[number])
                              else "geen_waarde")
        rows.append(MunicipalityValue(gm_code=gm, naam=names.get(gm, gm),
                                      provincie=year_table[gm][0] or "?", waarde=value,
                                      leeg=leeg))
    rows.sort(key=lambda r: (r.waarde is None, -(r.waarde or 0.0)))
    present = [r for r in rows if r.waarde is not None]
    series = pd.Series([r.waarde for r in present], dtype=float)
    by_province: dict[str, list[float]] = {}
    for r in present:
        by_province.setdefault(r.provincie, []).append(float(r.waarde))  # type: ignore[arg-type]
    boundary_source = map_source(web, choices.jaar)
    return Distribution(
        indicator=IndicatorLabel(code=info.code, naam=label(info, lang), eenheid=info.eenheid),
        keuzes=DistributionChoices(jaar=choices.jaar, document=choices.document,
                                   prijzen="reeel" if choices.reeel else "nominaal"),
        samenvatting=DistributionSummary(
            gemeenten=len(rows), met_waarde=len(present), zonder_waarde=len(rows) - len(present),
            mediaan=float(series.median()) if len(series) else None,
            minimum=float(series.min()) if len(series) else None,
            maximum=float(series.max()) if len(series) else None),
        per_provincie=[ProvinceMedian(groep=prov, mediaan=round(float(pd.Series(vals).median()),
                                                                3), n=len(vals))
                       for prov, vals in sorted(by_province.items())],
        gemeenten=rows,
        kaart=MapInfo(beschikbaar=boundary_source is not None,
                      jaar=None if boundary_source is None else choices.jaar,
                      bron=boundary_source),
    )


def _column(table: pd.DataFrame, code: str, codes: list[str]) -> np.ndarray:
    """The indicator's values for ``codes`` in that order (NaN where there is none)."""
    if table.empty or code not in table.columns:
        return np.full(len(codes), np.nan)
    return table[code].reindex(codes).to_numpy(dtype=float)
